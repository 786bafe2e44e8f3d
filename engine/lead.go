package engine

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine/textguard"
)

// Status is where a lead is in the sales process.
type Status string

const (
	StatusNew       Status = "new"
	StatusAssigned  Status = "assigned"
	StatusContacted Status = "contacted"
	StatusQualified Status = "qualified"
	StatusWon       Status = "won"
	StatusLost      Status = "lost"
)

// Statuses lists every status in process order.
var Statuses = []Status{StatusNew, StatusAssigned, StatusContacted, StatusQualified, StatusWon, StatusLost}

// Open reports whether a lead in this status still needs work (and counts against its
// owner's capacity).
func (s Status) Open() bool { return s != StatusWon && s != StatusLost }

// ParseStatus checks a status name.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", invalidf("status", "unknown status %s: use one of new, assigned, contacted, qualified, won, lost", short(s))
}

// Waiting says why an unowned lead is in the queue; it decides whether R10 routes it
// again on its own.
type Waiting string

const (
	WaitingNone       Waiting = ""            // the lead has an owner
	WaitingNoRule     Waiting = "no_rule"     // no enabled rule matched
	WaitingNoEligible Waiting = "no_eligible" // rules matched but nobody was eligible: retried by R10
	WaitingManual     Waiting = "manual"      // a person unassigned it: waits for a person
)

// Lead is a sales lead.
type Lead struct {
	ID         int64
	ExternalID string
	Name       string
	Email      string
	Phone      string
	Company    string
	Source     string
	Tags       []string
	Fields     map[string]any
	Status     Status
	OwnerID    int64  // 0 when unassigned
	Owner      string // the owner's handle, "" when unassigned
	Waiting    Waiting
	// WaitReason says, for a person, why an unowned lead waits ("no rule matched").
	WaitReason string
	CreatedAt  time.Time
	AssignedAt time.Time // zero when never assigned
	// FirstContactAt is when the status first moved to contacted, qualified, won or
	// lost (R13); zero until then. It never changes after.
	FirstContactAt time.Time
	// SLADueAt is when the owner must have made first contact (R14); zero when no SLA
	// runs. SLAAction is what happens when it passes.
	SLADueAt  time.Time
	SLAAction SLAAction
	// SLAMissedBy are the agents (ids) that missed an SLA on this lead, in the order
	// they missed it: routing passes them over for this lead.
	SLAMissedBy []int64
	UpdatedAt   time.Time
	// ReturningOf is the lead this one returns to (R20): the most recent owned lead with
	// its e-mail or phone when it arrived; 0 when none. ReturningBy says which matched:
	// "email", "phone" or "email and phone".
	ReturningOf int64
	ReturningBy string
	// What the team's stats measure (stats.go), kept as it happens: when the lead first
	// got an owner, and at first contact who owned it (0: nobody), since when, and
	// whether it came before a running SLA's deadline. None changes after it is set.
	FirstAssignedAt   time.Time
	ContactOwnerID    int64
	ContactAssignedAt time.Time
	SLAMet            bool
}

// Contacted reports whether the lead has had its first contact (R13).
func (l Lead) Contacted() bool { return !l.FirstContactAt.IsZero() }

// SLAAction is what happens to a lead whose owner misses its SLA (R14).
type SLAAction string

const (
	SLAReroute  SLAAction = "reroute"  // the rules route it again, passing over who missed
	SLAUnassign SLAAction = "unassign" // back to the queue, for a person
	SLANotify   SLAAction = "notify"   // the owner keeps it; no new deadline
)

// SLAActions lists every action, the default first.
var SLAActions = []SLAAction{SLAReroute, SLAUnassign, SLANotify}

// ParseSLAAction checks an SLA action's name; "" is the default, reroute.
func ParseSLAAction(s string) (SLAAction, error) {
	if s == "" {
		return SLAReroute, nil
	}
	for _, a := range SLAActions {
		if string(a) == s {
			return a, nil
		}
	}
	return "", invalidf("sla_action", "unknown SLA action %s: use reroute, unassign or notify", short(s))
}

// Title is the best short name for the lead: its name, else company, email or phone.
func (l Lead) Title() string {
	for _, s := range []string{l.Name, l.Company, l.Email, l.Phone} {
		if s != "" {
			return s
		}
	}
	return fmt.Sprintf("lead #%d", l.ID)
}

// copyOwnership sets on l what a person's assignment changes of a lead, from m: what
// LeadWriter.UpdateLeadOwner writes.
func (l *Lead) copyOwnership(m *Lead) {
	l.Status, l.OwnerID, l.Owner, l.Waiting, l.WaitReason = m.Status, m.OwnerID, m.Owner, m.Waiting, m.WaitReason
	l.AssignedAt, l.FirstAssignedAt, l.SLADueAt, l.SLAAction, l.UpdatedAt = m.AssignedAt, m.FirstAssignedAt, m.SLADueAt, m.SLAAction, m.UpdatedAt
}

// HasTag reports whether the lead carries tag t (case-insensitive).
func (l Lead) HasTag(t string) bool {
	for _, x := range l.Tags {
		if strings.EqualFold(x, t) {
			return true
		}
	}
	return false
}

// NewLead is the input of CreateLead.
type NewLead struct {
	ExternalID string
	Name       string
	Email      string
	Phone      string
	Company    string
	Source     string
	Tags       []string
	Fields     map[string]any
}

// DefaultSource is the source of a lead that names none.
const DefaultSource = "api"

// Normalize trims the input and fills defaults; Validate then checks it. They are
// exported so that importers can reject a row before it reaches a transaction.
func (n *NewLead) Normalize() {
	n.ExternalID = strings.TrimSpace(n.ExternalID)
	n.Name = strings.TrimSpace(n.Name)
	n.Email = strings.TrimSpace(n.Email)
	n.Phone = strings.TrimSpace(n.Phone)
	n.Company = strings.TrimSpace(n.Company)
	n.Source = lower(strings.TrimSpace(n.Source))
	if n.Source == "" {
		n.Source = DefaultSource
	}
	n.Tags = normalizeTags(n.Tags)
}

// lower lower-cases s, but leaves text that is not UTF-8 as it is, for Validate to
// refuse: strings.ToLower would turn its bad bytes into U+FFFD.
func lower(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(s)
}

func normalizeTags(tags []string) []string {
	seen := make(map[string]bool, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = lower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Validate reports the first problem with a normalized NewLead.
func (n *NewLead) Validate() error {
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"external_id", n.ExternalID, MaxExternalIDLen}, {"name", n.Name, MaxNameLen},
		{"email", n.Email, MaxEmailLen}, {"phone", n.Phone, MaxPhoneLen},
		{"company", n.Company, MaxCompanyLen}, {"source", n.Source, MaxSourceLen},
	} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if n.Name == "" && n.Email == "" && n.Phone == "" {
		return invalidf("name", "a lead needs at least one of name, email or phone")
	}
	if n.Email != "" && !strings.Contains(n.Email, "@") {
		return invalidf("email", "email %s is not an e-mail address", short(n.Email))
	}
	if len(n.Tags) > MaxTags {
		return invalidf("tags", "a lead can carry at most %d tags (got %d)", MaxTags, len(n.Tags))
	}
	for _, t := range n.Tags {
		if err := checkText("tags", t, MaxTagLen); err != nil {
			return err
		}
	}
	return validateFields(n.Fields)
}

// validateFields accepts a flat map of scalars: strings, finite numbers, booleans.
// Field values are free text and may hold tabs; keys may not.
func validateFields(fields map[string]any) error {
	if len(fields) > MaxFields {
		return invalidf("fields", "a lead can carry at most %d fields (got %d)", MaxFields, len(fields))
	}
	for _, k := range sortedKeys(fields) {
		if err := textguard.Check(k, textguard.Line); err != nil {
			return invalidf("fields", "fields: the key %s: %v", short(k), err)
		}
		if k == "" {
			return invalidf("fields", "fields: a field needs a name (a key is empty)")
		}
		if n := utf8.RuneCountInString(k); n > MaxFieldKeyLen {
			return invalidf("fields", "fields: the key %s is longer than %d characters (it has %d)", short(k), MaxFieldKeyLen, n)
		}
		switch v := fields[k].(type) {
		case string:
			if err := checkTextAllowing("fields."+k, v, MaxFieldValueLen, textguard.Tabs); err != nil {
				return err
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return invalidf("fields."+k, "fields.%s must be a finite number", k)
			}
		case int, int64, bool:
		case nil:
			return invalidf("fields."+k, "fields.%s is null: leave it out instead", k)
		default:
			return invalidf("fields."+k, "fields.%s must be a string, a number or true/false (got %T)", k, v)
		}
	}
	return nil
}

// normalizeFieldValues turns integer kinds into float64 so that a lead reads the same
// whether it came from JSON, CSV or Go.
func normalizeFieldValues(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch x := v.(type) {
		case int:
			out[k] = float64(x)
		case int64:
			out[k] = float64(x)
		default:
			out[k] = v
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LeadUpdate changes a lead's status and/or fields. Fields are merged: a key set to nil
// is removed.
type LeadUpdate struct {
	Status *Status
	Fields map[string]any
	// Replace, when set, replaces the whole field map instead of merging.
	Replace bool
}

// LeadQuery filters and pages leads. Zero values mean "any".
type LeadQuery struct {
	Status     []Status
	Owner      string // an agent handle
	Source     string
	Tag        string
	Text       string // matched against name, email, phone, company
	Unassigned bool
	Open       bool // only open leads (not won or lost)
	// OldestFirst orders by creation (the queue's order); the default is newest first.
	OldestFirst bool
	Limit       int    // default 50, at most 1000
	Cursor      string // from a previous page's Next
}

// LeadPage is one page of leads.
type LeadPage struct {
	Items []Lead
	Next  string // cursor of the next page; "" on the last page
}

// LeadDetail is a lead with what surrounds it.
type LeadDetail struct {
	Lead   Lead
	Shares []Share
	// Access is the reading actor's access to the lead.
	Access Access
	// SLAMissedBy are the handles of Lead.SLAMissedBy, in order.
	SLAMissedBy []string
}

// Created is the answer to CreateLead.
type Created struct {
	Lead    Lead
	Routing Routing
	// Duplicate is true when source+external_id named an existing lead: it was returned
	// as it is and nothing was routed (R11).
	Duplicate bool
	// Redacted is set on a duplicate the actor may not read (an intake token's): Lead
	// then holds the lead's id and nothing else.
	Redacted bool
	// Err is set, in CreateLeads, for an input that was refused; the others still commit.
	Err error
}
