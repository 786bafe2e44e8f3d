-- What the team's stats measure, kept on the lead as it happens, and the indexes the
-- stats queries (stats.go) read a window through.

-- When the lead first got an owner (time to assign), and at its first contact: who
-- owned it, since when (each agent's time to first contact) and whether a running
-- SLA's deadline was still ahead (SLAs met). Leads from before count with what history
-- tells: the first owner-setting event, else the last assignment; the owner at first
-- contact is taken to be the owner now, when it had the lead by then; no SLA counts
-- as met, since nobody knows.
ALTER TABLE leads ADD COLUMN first_assigned_at INTEGER;
ALTER TABLE leads ADD COLUMN contact_owner_id INTEGER REFERENCES agents(id);
ALTER TABLE leads ADD COLUMN contact_assigned_at INTEGER;
ALTER TABLE leads ADD COLUMN sla_met INTEGER NOT NULL DEFAULT 0;

UPDATE leads SET first_assigned_at = (
    SELECT min(e.at) FROM events e
     WHERE e.lead_id = leads.id AND e.kind IN ('lead.routed','lead.assigned','lead.reassigned'));
UPDATE leads SET first_assigned_at = assigned_at
 WHERE first_assigned_at IS NULL AND assigned_at IS NOT NULL;
UPDATE leads SET contact_owner_id = owner_id, contact_assigned_at = assigned_at
 WHERE first_contact_at IS NOT NULL AND owner_id IS NOT NULL AND assigned_at <= first_contact_at;

-- Leads created in a window: how many, by source, how many got an owner and a first
-- contact, and the time to assign – read from this index alone.
CREATE INDEX leads_created ON leads(created_at, source, first_assigned_at, first_contact_at);
-- First contacts in a window: how many, SLAs met, times to first contact, by the owner
-- at contact – from this index alone, which holds only contacted leads.
CREATE INDEX leads_contacted ON leads(first_contact_at, contact_owner_id, contact_assigned_at, created_at, sla_met)
 WHERE first_contact_at IS NOT NULL;
-- Assignments, SLA misses and routing decisions in a window: one range of this index
-- per kind counted.
CREATE INDEX events_kind_at ON events(kind, at);
