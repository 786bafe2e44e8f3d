package engine

import (
	"strconv"
	"strings"
	"time"
)

// EventKind names what a history event records (R12).
type EventKind string

const (
	EvLeadCreated    EventKind = "lead.created"
	EvLeadRouted     EventKind = "lead.routed"     // a rule set the owner
	EvLeadQueued     EventKind = "lead.queued"     // routing found no owner
	EvLeadAssigned   EventKind = "lead.assigned"   // a person set the owner of an unowned lead
	EvLeadReassigned EventKind = "lead.reassigned" // a person moved a lead between owners
	EvLeadUnassigned EventKind = "lead.unassigned" // back to the queue
	EvLeadStatus     EventKind = "lead.status"
	EvLeadFields     EventKind = "lead.fields"

	EvShareCreated EventKind = "share.created"
	EvShareChanged EventKind = "share.changed"
	EvShareExpired EventKind = "share.expired"
	EvShareRevoked EventKind = "share.revoked"

	EvAgentAdded      EventKind = "agent.added"
	EvAgentChanged    EventKind = "agent.changed"
	EvAgentRemoved    EventKind = "agent.removed"
	EvAgentPresence   EventKind = "agent.presence"
	EvAgentKeyAdded   EventKind = "agent.key_added"
	EvAgentKeyRemoved EventKind = "agent.key_removed"

	EvRuleCreated EventKind = "rule.created"
	EvRuleChanged EventKind = "rule.changed"
	EvRuleMoved   EventKind = "rule.moved"
	EvRuleEnabled EventKind = "rule.enabled"
	EvRuleDeleted EventKind = "rule.deleted"

	EvTokenCreated EventKind = "token.created"
	EvTokenRevoked EventKind = "token.revoked"
	EvSetting      EventKind = "settings.changed" // Reason: the key; From, To: as Setting.Display writes them

	EvFormCreated EventKind = "form.created"
	EvFormDeleted EventKind = "form.deleted"
	// EvMailIgnored: a message reached a mail_recipients address but named no keyword
	// (or was an automatic reply): no lead, the sender and subject are in the event.
	EvMailIgnored EventKind = "mail.ignored"

	EvNotificationDelivered EventKind = "notification.delivered"
	EvNotificationFailed    EventKind = "notification.failed"
	// EvNotificationRead: an agent marked notifications read (Agent), so that its
	// consoles show the new unread count.
	EvNotificationRead EventKind = "notification.read"
)

// ChangesOwner reports whether events of this kind change a lead's owner: each owner
// change is exactly one of them.
func (k EventKind) ChangesOwner() bool {
	switch k {
	case EvLeadRouted, EvLeadAssigned, EvLeadReassigned, EvLeadUnassigned:
		return true
	}
	return false
}

// Subject is the first part of the kind: lead, share, agent, rule, token, setting,
// notification.
func (k EventKind) Subject() string {
	s, _, _ := strings.Cut(string(k), ".")
	return s
}

// Event is one entry of the append-only history.
type Event struct {
	ID     int64
	At     time.Time
	Kind   EventKind
	Actor  string // handle, rule:<id>, api:<token>, import:<file>, system
	LeadID int64  // 0 when none
	Agent  string // the agent the event touches (the new owner, the share holder…)
	RuleID int64  // 0 when none
	From   string
	To     string
	Reason string
	// Routing is the explanation of a routing decision (lead.routed, lead.queued).
	Routing *Routing
}

// Routing explains one routing decision (R12): which rule matched, who was passed over
// and why, whom broadcast rules shared the lead with.
type Routing struct {
	Rule       int64        `json:"rule,omitempty"` // the rule that set the owner; 0: none
	RuleName   string       `json:"rule_name,omitempty"`
	Mode       Mode         `json:"mode,omitempty"`
	Owner      string       `json:"owner,omitempty"`
	Reason     string       `json:"reason"`
	PassedOver []PassedOver `json:"passed_over,omitempty"`
	SharedWith []string     `json:"shared_with,omitempty"`
	// Matched are the enabled rules whose condition matched the lead, in position
	// order, whether or not they set the owner or shared it (the stats count them).
	Matched []int64 `json:"matched,omitempty"`
}

// PassedOver is a recipient a rule did not pick, and why.
type PassedOver struct {
	Agent  string `json:"agent"`
	Rule   int64  `json:"rule"`
	Reason string `json:"reason"`
}

// Explain writes the decision on one line, as the console shows it:
// "rule #3 round robin → alice; passed over bob: away, carol: at capacity (5/5)".
func (r *Routing) Explain() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	if r.Rule != 0 {
		b.WriteString("rule #" + strconv.FormatInt(r.Rule, 10) + " " + r.Mode.Label())
		if r.Owner != "" {
			b.WriteString(" → " + r.Owner)
		}
	} else {
		b.WriteString(r.Reason)
	}
	if len(r.PassedOver) > 0 {
		b.WriteString("; passed over ")
		for i, p := range r.PassedOver {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Agent + ": " + p.Reason)
		}
	}
	if len(r.SharedWith) > 0 {
		b.WriteString("; shared with " + strings.Join(r.SharedWith, ", "))
	}
	return b.String()
}

// HistoryQuery filters and pages history, newest first.
type HistoryQuery struct {
	LeadID int64
	Agent  string    // events that touch this agent or that it performed
	Kind   string    // a kind ("lead.routed") or a subject ("notification")
	Since  time.Time // only events at or after
	Limit  int       // default 50, at most 1000
	Cursor string
}

// EventPage is one page of history.
type EventPage struct {
	Items []Event
	Next  string
}

// Notification is an in-console notice for an agent, persisted so that an agent who
// connects later still sees the unread ones.
type Notification struct {
	ID        int64
	AgentID   int64
	EventID   int64
	LeadID    int64
	Kind      EventKind
	Text      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Channel is an external notification channel of the outbox.
type Channel string

const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

// OutboxItem is one notification to deliver on one channel, written in the same
// transaction as the change that causes it, so that a crash loses none.
type OutboxItem struct {
	ID          int64
	EventID     int64
	AgentID     int64 // 0 for the global webhook
	Channel     Channel
	Target      string // e-mail address or URL
	Payload     []byte // JSON: the event, the lead and the agent at the time of the change
	Status      string // pending, delivered, failed
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	DeliveredAt time.Time
}
