-- An agent's open leads and last assignment are kept by the engine, in the same
-- transaction as the change of the lead, as every store does: the triggers that kept
-- them here go. The counts are taken again from the leads on the way, so that they
-- start exact whatever happened before.
DROP TRIGGER leads_open_insert;
DROP TRIGGER leads_open_update;

UPDATE agents SET open_leads = (
    SELECT count(*) FROM leads l WHERE l.owner_id = agents.id AND l.status NOT IN ('won','lost'));
