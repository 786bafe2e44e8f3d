-- When people work (R16–R19): schedules, away-until, presence from console sessions,
-- and teams.

-- An agent's IANA time zone ('' = the server's) and schedule ('' = always); the next
-- time its schedule starts (R10 drains the queue then; NULL: no schedule); when an away
-- ends by itself (R17); whether the system may set its presence from its console
-- sessions (R18), the presence it had when the system set it away ('' = the system did
-- not), and when it was last known to be at a console (or set itself available).
ALTER TABLE agents ADD COLUMN tz TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN schedule_next_at INTEGER;
ALTER TABLE agents ADD COLUMN away_until INTEGER;
ALTER TABLE agents ADD COLUMN auto_presence INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN auto_away_from TEXT NOT NULL DEFAULT ''
    CHECK (auto_away_from IN ('','available','busy'));
ALTER TABLE agents ADD COLUMN seen_at INTEGER;
UPDATE agents SET seen_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
CREATE INDEX agents_away_until ON agents(away_until) WHERE away_until IS NOT NULL;
CREATE INDEX agents_schedule_next ON agents(schedule_next_at) WHERE schedule_next_at IS NOT NULL;

-- Open console sessions, SSH or local, of every process on the database. A process
-- moves expires_at forward while the session is open and deletes the row when it
-- closes; a row whose process died stops counting when it expires.
CREATE TABLE console_sessions (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    via        TEXT    NOT NULL DEFAULT '',
    opened_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_agent ON console_sessions(agent_id);

-- Teams and their members, in order.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    PRIMARY KEY (team_id, position)
) WITHOUT ROWID;
CREATE INDEX team_members_agent ON team_members(agent_id);

-- A rule's recipient is an agent or a team. A team in use cannot be deleted.
CREATE TABLE rule_recipients_new (
    rule_id   INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    agent_id  INTEGER REFERENCES agents(id),
    team_id   INTEGER REFERENCES teams(id),
    per_round INTEGER NOT NULL CHECK (per_round BETWEEN 1 AND 10),
    CHECK ((agent_id IS NULL) <> (team_id IS NULL)),
    PRIMARY KEY (rule_id, position)
) WITHOUT ROWID;
INSERT INTO rule_recipients_new (rule_id, position, agent_id, per_round)
    SELECT rule_id, position, agent_id, per_round FROM rule_recipients;
DROP TABLE rule_recipients;
ALTER TABLE rule_recipients_new RENAME TO rule_recipients;
CREATE INDEX rule_recipients_team ON rule_recipients(team_id) WHERE team_id IS NOT NULL;
