-- switchboard's schema. Times are Unix milliseconds (UTC). History is append-only.

CREATE TABLE agents (
    id               INTEGER PRIMARY KEY,
    handle           TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    email            TEXT    NOT NULL DEFAULT '',
    role             TEXT    NOT NULL CHECK (role IN ('owner','admin','dispatcher','agent')),
    presence         TEXT    NOT NULL CHECK (presence IN ('available','busy','away','offline')),
    capacity         INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    daily_cap        INTEGER NOT NULL DEFAULT 0 CHECK (daily_cap >= 0),
    email_notify     INTEGER NOT NULL DEFAULT 0,
    webhook_url      TEXT    NOT NULL DEFAULT '',
    webhook_secret   TEXT    NOT NULL DEFAULT '',
    -- kept by the triggers on leads, so that it can never drift from the leads
    open_leads       INTEGER NOT NULL DEFAULT 0,
    last_assigned_at INTEGER,
    created_at       INTEGER NOT NULL,
    removed_at       INTEGER
);
-- A removed agent's handle can be given to a new agent; its history keeps the name.
CREATE UNIQUE INDEX agents_handle ON agents(handle) WHERE removed_at IS NULL;

CREATE TABLE agent_keys (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    fingerprint TEXT    NOT NULL UNIQUE,
    public_key  TEXT    NOT NULL,
    comment     TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX agent_keys_agent ON agent_keys(agent_id);

-- Automatic assignments per agent and calendar day: the daily cap's counter.
CREATE TABLE agent_days (
    agent_id      INTEGER NOT NULL REFERENCES agents(id),
    day           TEXT    NOT NULL,
    auto_assigned INTEGER NOT NULL,
    PRIMARY KEY (agent_id, day)
) WITHOUT ROWID;

CREATE TABLE leads (
    id               INTEGER PRIMARY KEY,
    external_id      TEXT,
    source           TEXT    NOT NULL,
    name             TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    phone            TEXT    NOT NULL DEFAULT '',
    company          TEXT    NOT NULL DEFAULT '',
    tags             TEXT    NOT NULL DEFAULT '[]', -- JSON array
    fields           TEXT    NOT NULL DEFAULT '{}', -- JSON object
    status           TEXT    NOT NULL CHECK (status IN ('new','assigned','contacted','qualified','won','lost')),
    owner_id         INTEGER REFERENCES agents(id),
    waiting          TEXT    NOT NULL DEFAULT '',
    wait_reason      TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    assigned_at      INTEGER,
    first_contact_at INTEGER,
    updated_at       INTEGER NOT NULL,
    CHECK (name <> '' OR email <> '' OR phone <> '')
);
-- R11: one lead per source and external id.
CREATE UNIQUE INDEX leads_external ON leads(source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX leads_owner ON leads(owner_id, status);
CREATE INDEX leads_queue ON leads(waiting, id) WHERE owner_id IS NULL;
CREATE INDEX leads_source ON leads(source, id);

CREATE TRIGGER leads_open_insert AFTER INSERT ON leads
WHEN NEW.owner_id IS NOT NULL BEGIN
    UPDATE agents SET open_leads = open_leads + (NEW.status NOT IN ('won','lost')),
                      last_assigned_at = NEW.assigned_at
     WHERE id = NEW.owner_id;
END;

CREATE TRIGGER leads_open_update AFTER UPDATE OF owner_id, status ON leads BEGIN
    UPDATE agents SET open_leads = open_leads - 1
     WHERE id = OLD.owner_id AND OLD.status NOT IN ('won','lost');
    UPDATE agents SET open_leads = open_leads + 1
     WHERE id = NEW.owner_id AND NEW.status NOT IN ('won','lost');
    UPDATE agents SET last_assigned_at = NEW.assigned_at
     WHERE id = NEW.owner_id AND OLD.owner_id IS NOT NEW.owner_id;
END;

CREATE TRIGGER leads_no_delete BEFORE DELETE ON leads BEGIN
    SELECT RAISE(ABORT, 'leads are never deleted');
END;

CREATE TABLE rules (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    enabled           INTEGER NOT NULL,
    condition         TEXT    NOT NULL DEFAULT '',
    mode              TEXT    NOT NULL CHECK (mode IN ('round_robin','load_balance','broadcast')),
    share_access      TEXT    NOT NULL DEFAULT '',
    share_duration_ms INTEGER NOT NULL DEFAULT 0,
    -- rotation state (R6, R7), saved in each assignment's transaction
    turn_agent_id     INTEGER NOT NULL DEFAULT 0,
    turn_given        INTEGER NOT NULL DEFAULT 0,
    last_agent_id     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE rule_recipients (
    rule_id   INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    agent_id  INTEGER NOT NULL REFERENCES agents(id),
    per_round INTEGER NOT NULL CHECK (per_round BETWEEN 1 AND 10),
    PRIMARY KEY (rule_id, position)
) WITHOUT ROWID;

CREATE TABLE shares (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id),
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    access     TEXT    NOT NULL CHECK (access IN ('read','edit')),
    status     TEXT    NOT NULL CHECK (status IN ('active','expired','revoked')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    ended_at   INTEGER,
    created_by TEXT    NOT NULL,
    via        TEXT    NOT NULL
);
CREATE INDEX shares_lead ON shares(lead_id);
CREATE INDEX shares_agent_active ON shares(agent_id, lead_id) WHERE status = 'active';
-- Counting an agent's active shares (the 2000 limit) reads this index alone.
CREATE INDEX shares_agent_expiry ON shares(agent_id, expires_at) WHERE status = 'active';
CREATE INDEX shares_expiry ON shares(expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;

-- History (R12). Ids increase in commit order and are never reused, so other processes
-- can tail it: a new row gets the largest id plus one, and rows are never deleted (the
-- trigger below), so no AUTOINCREMENT bookkeeping is needed on this hot table.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    lead_id    INTEGER,
    agent      TEXT    NOT NULL DEFAULT '',
    rule_id    INTEGER,
    from_value TEXT    NOT NULL DEFAULT '',
    to_value   TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL DEFAULT '',
    routing    TEXT                             -- JSON explanation of a routing decision
);
CREATE INDEX events_lead ON events(lead_id, id) WHERE lead_id IS NOT NULL;
CREATE INDEX events_agent ON events(agent, id);
CREATE INDEX events_actor ON events(actor, id);
CREATE INDEX events_kind ON events(kind, id);
CREATE INDEX events_at ON events(at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    event_id   INTEGER NOT NULL REFERENCES events(id),
    lead_id    INTEGER,
    kind       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_agent ON notifications(agent_id, id);
CREATE INDEX notifications_unread ON notifications(agent_id) WHERE read_at IS NULL;

-- Notifications to deliver outside the console: e-mail and webhooks.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    agent_id        INTEGER,            -- NULL for the global webhook
    channel         TEXT    NOT NULL CHECK (channel IN ('email','webhook')),
    target          TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending','delivered','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE status = 'pending';

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
