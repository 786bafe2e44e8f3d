package engine

import "time"

// Access is what a share (or ownership) lets an agent do with a lead.
type Access string

const (
	AccessNone Access = ""
	AccessRead Access = "read"
	AccessEdit Access = "edit"
)

// ParseAccess checks an access name; "" means read.
func ParseAccess(s string) (Access, error) {
	switch Access(s) {
	case "", AccessRead:
		return AccessRead, nil
	case AccessEdit:
		return AccessEdit, nil
	}
	return "", invalidf("access", "unknown access %s: use read or edit", short(s))
}

// ShareStatus is a share's life.
type ShareStatus string

const (
	ShareActive  ShareStatus = "active"
	ShareExpired ShareStatus = "expired"
	ShareRevoked ShareStatus = "revoked"
)

// MaxActiveShares is how many active shares one agent may hold (R9).
const MaxActiveShares = 2000

// Share gives an agent access to a lead it does not own, until ExpiresAt (zero: until
// revoked).
type Share struct {
	ID        int64
	LeadID    int64
	AgentID   int64
	Agent     string // handle
	Access    Access
	Status    ShareStatus
	CreatedAt time.Time
	ExpiresAt time.Time
	EndedAt   time.Time
	CreatedBy string // actor name
	Via       string // console, api, rule, cli
}

// ActiveAt reports whether the share gives access at time t.
func (s Share) ActiveAt(t time.Time) bool {
	return s.Status == ShareActive && (s.ExpiresAt.IsZero() || t.Before(s.ExpiresAt))
}

// NewShare is the input of Share.
type NewShare struct {
	LeadID   int64
	Agent    string
	Access   Access
	Duration time.Duration // 0 = until revoked
	Via      string
}
