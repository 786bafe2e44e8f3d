-- Follow-through: first contact, SLAs (R14) and hand-off (R15); as the SQLite store's
-- migration 0005.

-- First contact is the first move to contacted, qualified, won or lost; before, only
-- contacted set it. A lead already past contacted gets its last change as the best
-- time known, so that no contacted lead is taken for an uncontacted one.
UPDATE leads SET first_contact_at = updated_at
 WHERE first_contact_at IS NULL AND status IN ('contacted','qualified','won','lost');

-- The SLA running on a lead: when first contact is due (NULL: none), what happens then,
-- and the agents (a JSON array of ids, NULL for none) who missed an SLA on it, whom
-- routing passes over for it. The timer finds due leads through leads_sla_due.
ALTER TABLE leads ADD COLUMN sla_due_at timestamptz(3);
ALTER TABLE leads ADD COLUMN sla_action text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN sla_missed_by jsonb;
CREATE INDEX leads_sla_due ON leads(sla_due_at) WHERE sla_due_at IS NOT NULL;

-- An owner rule's SLA (milliseconds, 0 = none) and its action.
ALTER TABLE rules ADD COLUMN sla_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE rules ADD COLUMN sla_action text COLLATE "C" NOT NULL DEFAULT 'reroute'
    CHECK (sla_action IN ('reroute','unassign','notify'));

-- When an agent went away or offline (NULL while available or busy). Agents away when
-- this runs count from now: nobody knows since when they were.
ALTER TABLE agents ADD COLUMN away_since timestamptz(3);
UPDATE agents SET away_since = date_trunc('milliseconds', now())
 WHERE presence IN ('away','offline') AND removed_at IS NULL;
