-- events_kind_at keeps each event's agent and rule after its kind and time, but no
-- longer the rules a routing decision matched (0010): that part of the index parsed
-- every routing decision's JSON as it was written, on the writer's time for every lead,
-- to save the statistics a fifth of a week's reading. Routing decisions' matched rules
-- are read from the events themselves; assignments and SLAs missed are still answered
-- by the index alone.
DROP INDEX events_kind_at;
CREATE INDEX events_kind_at ON events(kind, at, agent, rule_id);
