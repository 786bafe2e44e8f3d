package engine

import "time"

// ShareReader reads shares. A share is active at a time when Share.ActiveAt says so.
type ShareReader interface {
	Share(id int64) (Share, error)
	SharesOfLead(leadID int64) ([]Share, error) // by id
	// ActiveShare is agentID's share of leadID active at now (the newest, should there
	// be two), or ErrNoRows.
	ActiveShare(leadID, agentID int64, now time.Time) (Share, error)
	// ActiveSharesOf lists agentID's shares active at now, soonest to end first, then
	// those without an end; by id within each.
	ActiveSharesOf(agentID int64, now time.Time) ([]Share, error)
	CountActiveShares(agentID int64, now time.Time) (int, error)
	// NextShareExpiry is the earliest end of a share whose status is active, if any.
	NextShareExpiry() (time.Time, bool, error)
	// SharesEndedBy lists shares whose status is active and whose end is at or before
	// now, soonest first, then by id; at most limit.
	SharesEndedBy(now time.Time, limit int) ([]Share, error)
}

// ShareWriter writes shares. A share is never deleted.
type ShareWriter interface {
	InsertShare(s *Share) error // sets s.ID
	UpdateShare(s *Share) error // access, status, end, ended at
}
