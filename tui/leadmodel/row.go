package leadmodel

import (
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/textguard"
)

// Row is what the consoles keep of a lead: the fields they show, filter and decide
// visibility on. A row never changes once published; a change to the lead is a new
// row. About 250 bytes each: 100 000 open leads are some 25 MB, once per process.
type Row struct {
	ID      int64
	Title   string // the lead's name, else company, email or phone
	Company string
	Source  string   // lower case
	Tags    []string // lower case
	Status  engine.Status
	Owner   string // handle; "" when unassigned
	OwnerID int64
	Created time.Time
	// Assigned is when the owner got the lead; SLADue when it must have made first
	// contact (zero: no SLA runs). SLAMissed: someone missed an SLA on the lead.
	Assigned, SLADue time.Time
	SLAMissed        bool
	// Why says why an unowned lead waits ("no rule matched").
	Why string
	// text is the lower-cased name, email, phone and company that free words search.
	text string
}

// RowOf is the row of lead l. Its texts are stripped of control characters
// (textguard.Strip) once, here, for every console that draws them: whatever the store
// holds, a row never carries an escape sequence to a terminal.
func RowOf(l engine.Lead) *Row {
	clean := textguard.Strip
	tags := make([]string, len(l.Tags))
	for i, t := range l.Tags {
		tags[i] = clean(strings.ToLower(t))
	}
	return &Row{
		ID: l.ID, Title: clean(l.Title()), Company: clean(l.Company),
		Source: clean(strings.ToLower(l.Source)), Tags: tags,
		Status: l.Status, Owner: clean(l.Owner), OwnerID: l.OwnerID, Created: l.CreatedAt, Why: clean(l.WaitReason),
		Assigned: l.AssignedAt, SLADue: l.SLADueAt, SLAMissed: len(l.SLAMissedBy) > 0,
		text: strings.ToLower(strings.Join([]string{l.Name, l.Email, l.Phone, l.Company}, "\x00")),
	}
}

// SLA is the lead's SLA as the engine sees it, for its rules on time left and urgency.
func (r *Row) SLA() engine.Lead {
	return engine.Lead{AssignedAt: r.Assigned, SLADueAt: r.SLADue}
}

// Open reports whether the lead still needs work.
func (r *Row) Open() bool { return r.Status.Open() }

// Queued reports whether the lead waits in the queue: open and unowned.
func (r *Row) Queued() bool { return r.Status.Open() && r.OwnerID == 0 }

// Contains reports whether the lower-case word w appears in the lead's name, email,
// phone or company.
func (r *Row) Contains(w string) bool { return strings.Contains(r.text, w) }

// AccessOf is what actor may do with the row's lead, given the actor's share of it
// (nil: none): engine.LeadAccess, the rule every command is decided by.
func (r *Row) AccessOf(actor engine.Actor, share *engine.Share, now time.Time) engine.Access {
	l := engine.Lead{ID: r.ID, OwnerID: r.OwnerID}
	return engine.LeadAccess(actor, &l, share, now)
}
