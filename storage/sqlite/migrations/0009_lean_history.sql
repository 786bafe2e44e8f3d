-- History is written with every lead and read by few queries: its indexes on who an
-- event names (agent) and who did it (actor) keep only what those queries look for.
-- Events that name no agent (a lead created) are never found by agent; actors that are
-- no person (rule:3, api:webform, import:leads.csv – a colon, which no handle has) are
-- never looked up as one. Routing a lead writes two index entries fewer.
DROP INDEX events_agent;
CREATE INDEX events_agent ON events(agent, id) WHERE agent <> '';
DROP INDEX events_actor;
CREATE INDEX events_actor ON events(actor, id) WHERE instr(actor, ':') = 0;

-- No query of history searches by time alone: newest first with a "since", SQLite reads
-- back from the newest event, which is what the limit wants (TestHistoryQueriesUseIndexes).
-- The statistics search time by kind (events_kind_at).
DROP INDEX events_at;
