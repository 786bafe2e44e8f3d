-- HTTP API tokens. Only a SHA-256 hash of each token is kept; prefix (the token's first
-- characters, not secret) finds the candidates whose hash is then compared in constant
-- time.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('intake','admin')),
    prefix     TEXT    NOT NULL,
    hash       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    revoked_at INTEGER
);
-- A revoked token's name can be used again; history keeps the old one's actions.
CREATE UNIQUE INDEX tokens_name ON tokens(name) WHERE revoked_at IS NULL;
CREATE INDEX tokens_prefix ON tokens(prefix) WHERE revoked_at IS NULL;
