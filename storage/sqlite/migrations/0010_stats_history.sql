-- The statistics read each kind of history they count over a window of time (stats.go):
-- an index of kind and time that also holds what they count of each event – its agent,
-- its rule and the rules a routing decision matched – answers them without reading the
-- events, which was most of what a week's stats cost. The other searches by kind read
-- the same index as before.
DROP INDEX events_kind_at;
CREATE INDEX events_kind_at ON events(kind, at, agent, rule_id, json_extract(routing, '$.matched'));
