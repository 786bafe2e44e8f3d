-- Every write transaction that commits adds one to generation, with or without history,
-- so that a node can tell whether anyone else has committed since its own last
-- transaction: if the number is the one it wrote, nothing it holds in memory is stale.
ALTER TABLE journal ADD COLUMN generation bigint NOT NULL DEFAULT 0;
