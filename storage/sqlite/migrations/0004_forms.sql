-- Web forms (R21). The key is public by design (it is in the page that holds the form),
-- so it is kept as it is; prefix finds the candidates whose key is then compared in
-- constant time. A removed form keeps its row, so that history can still name it.
CREATE TABLE forms (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    key        TEXT    NOT NULL UNIQUE,
    prefix     TEXT    NOT NULL,
    redirect   TEXT    NOT NULL DEFAULT '',
    origins    TEXT    NOT NULL DEFAULT '[]', -- JSON array of origins
    dropped    INTEGER NOT NULL DEFAULT 0,    -- submissions the honeypot dropped
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    deleted_at INTEGER
);
CREATE UNIQUE INDEX forms_name ON forms(name) WHERE deleted_at IS NULL;
CREATE INDEX forms_prefix ON forms(prefix) WHERE deleted_at IS NULL;
