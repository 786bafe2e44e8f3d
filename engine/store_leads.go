package engine

import "time"

// LeadReader reads leads. Lists are ordered by id: newest first, or oldest first with
// LeadFilter.OldestFirst.
type LeadReader interface {
	Lead(id int64) (Lead, error)
	LeadByExternalID(source, externalID string) (Lead, error)
	// LeadsByExternalID lists the leads with any of these sources and external ids, in
	// any order: what a batch of new leads checks for duplicates in one read.
	LeadsByExternalID(keys []ExternalKey) ([]Lead, error)
	Leads(f LeadFilter) ([]Lead, error)
	CountLeads(f LeadFilter) (int, error) // what Leads lists without paging
	// ReturningLead is the most recent lead (by creation, then id) that has an owner, was
	// created at or after since, and whose EmailKey is emailKey or whose PhoneKey is
	// phoneKey ("" matches nothing); ErrNoRows when there is none. It must cost the same
	// whatever the number of leads: the store indexes both keys.
	ReturningLead(emailKey, phoneKey string, since time.Time) (Lead, error)
	// ReturningLeads is ReturningLead for many keys at once: for each e-mail key and
	// each phone key given, the lead ReturningLead(key, "", since) or
	// ReturningLead("", key, since) finds, if any, each once, in any order.
	ReturningLeads(emailKeys, phoneKeys []string, since time.Time) ([]Lead, error)
	// LeadOwners lists the leads with these ids that exist, in any order, with only
	// what a person's assignment reads and changes of them: ID, Source, Name, Email,
	// Phone, Company (its title and notices), FirstContactAt (its SLA), and the fields
	// UpdateLeadOwner writes; the others are left zero. A bulk assignment reads 10 000
	// leads this way: the whole of each, 27 columns, was a quarter of its time.
	LeadOwners(ids []int64) ([]Lead, error)
}

// ExternalKey is a source and an external id: one lead at most has both (R11).
type ExternalKey struct{ Source, ExternalID string }

// LeadWriter writes leads. A lead is never deleted. The store keeps no counters of its
// own: the engine writes an agent's open leads and last assignment with every change of
// a lead's owner or status (AgentWriter.AddAgentLoad).
type LeadWriter interface {
	InsertLead(l *Lead) error // sets l.ID
	UpdateLead(l *Lead) error
	// UpdateLeadOwner writes only what a person's assignment changes of a lead – Status,
	// OwnerID, Waiting, WaitReason, AssignedAt, FirstAssignedAt, SLADueAt, SLAAction,
	// UpdatedAt (Lead.copyOwnership) – and keeps the rest as stored, so that l may come
	// from LeadOwners.
	UpdateLeadOwner(l *Lead) error
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

// FollowUpReader finds the leads that R14 and R15 act on. Its queries restate rules the
// engine writes in Go: LeadsSLADue selects what Lead.SLADue says is due, HandoffLeads
// what HandoffDue says (the conformance suite compares them).
type FollowUpReader interface {
	// NextSLADue is the earliest SLA deadline of any lead, if one runs.
	NextSLADue() (time.Time, bool, error)
	// LeadsSLADue lists leads whose SLA deadline is at or before now, soonest first,
	// then by id; at most limit.
	LeadsSLADue(now time.Time, limit int) ([]Lead, error)
	// NextHandoff is the earliest AwaySince of an agent on the team who has leads that
	// HandoffDue would hand off once it has been away long enough, if there is one.
	NextHandoff() (time.Time, bool, error)
	// HandoffLeads lists the leads HandoffDue hands off for owners away since awayBy or
	// before, by id; at most limit.
	HandoffLeads(awayBy time.Time, limit int) ([]Lead, error)
}
