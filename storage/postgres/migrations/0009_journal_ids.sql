-- The journal hands out the ids of the rows every lead adds – leads, shares,
-- notifications, outbox rows – as it does history's: a write transaction reads the
-- last ones with the journal row it locks, so it knows them before it writes, and a
-- node that waited for the lock reads what the node before it left.
ALTER TABLE journal
    ADD COLUMN last_lead_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_share_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_notification_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_outbox_id bigint NOT NULL DEFAULT 0;
UPDATE journal SET
    last_lead_id = (SELECT coalesce(max(id), 0) FROM leads),
    last_share_id = (SELECT coalesce(max(id), 0) FROM shares),
    last_notification_id = (SELECT coalesce(max(id), 0) FROM notifications),
    last_outbox_id = (SELECT coalesce(max(id), 0) FROM outbox);
