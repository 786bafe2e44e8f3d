package engine

import "time"

// LeadReader reads leads. Lists are ordered by id: newest first, or oldest first with
// LeadFilter.OldestFirst.
type LeadReader interface {
	Lead(id int64) (Lead, error)
	LeadByExternalID(source, externalID string) (Lead, error)
	Leads(f LeadFilter) ([]Lead, error)
	CountLeads(f LeadFilter) (int, error) // what Leads lists without paging
}

// LeadWriter writes leads. A lead is never deleted. The store keeps no counters of its
// own: the engine writes an agent's open leads and last assignment with every change of
// a lead's owner or status (AgentWriter.AddAgentLoad).
type LeadWriter interface {
	InsertLead(l *Lead) error // sets l.ID
	UpdateLead(l *Lead) error
}

// LeadFilter selects leads for LeadReader.Leads. Zero values mean "any".
type LeadFilter struct {
	IDs        []int64
	Status     []Status
	OwnerID    int64
	Source     string
	Tag        string
	Text       string // substring of name, email, phone or company (ASCII letters match either case)
	Unassigned bool
	Waiting    Waiting // with Unassigned: only leads waiting for this reason
	// Open keeps the leads Status.Open calls open.
	Open bool
	// VisibleTo keeps the leads agent VisibleTo may see at Now (LeadVisibleTo).
	VisibleTo int64
	Now       time.Time
	// Keyset paging: ids after (OldestFirst) or before (newest first) AfterID.
	OldestFirst bool
	AfterID     int64
	Limit       int
}
