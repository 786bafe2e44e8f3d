-- Returning leads (R20): each lead's e-mail and phone as they are compared (the
-- engine's EmailKey and PhoneKey, written by the store with every lead; the rows before
-- this migration get theirs from Go right after it), indexed on the leads that have an
-- owner, so that the lookup of a returning lead costs the same whatever their number.
ALTER TABLE leads ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN returning_of INTEGER REFERENCES leads(id);
ALTER TABLE leads ADD COLUMN returning_by TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_email_key ON leads(email_key, created_at, id) WHERE owner_id IS NOT NULL AND email_key <> '';
CREATE INDEX leads_phone_key ON leads(phone_key, created_at, id) WHERE owner_id IS NOT NULL AND phone_key <> '';
