package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// NotificationPayload is the JSON an outbox row carries: the event, the lead and the
// agent as they were when the change committed. Webhooks send it as it is; e-mail is
// written from it. The event id lets receivers drop duplicates (delivery is at least
// once).
type NotificationPayload struct {
	EventID int64     `json:"event_id"`
	Kind    EventKind `json:"kind"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	// Sender is who caused it, for people: an agent's name, or "switchboard".
	Sender string   `json:"sender"`
	Text   string   `json:"text"` // one line, for chat tools
	Lead   Lead     `json:"lead"`
	Agent  AgentRef `json:"agent"`
	// Count is how many leads the notification is about when one command gave the
	// agent several at once (a bulk assign of 37 leads is one notification, not 37);
	// Lead is then the first of them and Leads lists up to MaxPayloadLeads of them.
	Count int       `json:"count,omitempty"`
	Leads []LeadRef `json:"leads,omitempty"`
}

// MaxPayloadLeads bounds the leads a grouped notification lists, so that a bulk command
// over 100 000 leads does not send a message of megabytes.
const MaxPayloadLeads = 100

// LeadRef names a lead in a grouped notification.
type LeadRef struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Company string `json:"company,omitempty"`
	Source  string `json:"source"`
}

// AgentRef names an agent in a payload.
type AgentRef struct {
	Handle string `json:"handle"`
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
}

// notify tells agent a about ev: always in the console; by e-mail and webhook too when
// external is set and the agent (or the team's global webhook) asks for it. Everything
// is written in the caller's transaction, so a crash loses none of it.
//
// Inside a bulk command (see groupNotices) the notice waits instead, and the agent gets
// one notification for all the leads of the same kind of notice: group names that kind
// and many writes its text for n leads ("37 leads assigned to you by dana"). text is
// only called for a notification that says it, and before notify returns.
func (t *txn) notify(a *Agent, ev *Event, l *Lead, text func() string, external bool, group string, many func(n int) string) error {
	if t.notices != nil {
		t.notices.add(a, ev, l, text, external, group, many)
		return nil
	}
	return t.writeNotice(a, *ev, l, text(), external, 0, nil)
}

// noticeBatch gathers a bulk command's notices by agent and kind, in the order they
// first came.
type noticeBatch struct {
	byKey map[noticeKey]*pendingNotice
	order []noticeKey
}

type noticeKey struct {
	agentID int64
	group   string
}

// pendingNotice is one agent's notice of one kind: about the first lead as it was
// then, and how many leads it is about, up to MaxPayloadLeads of them named.
type pendingNotice struct {
	agent    Agent
	ev       Event // the first lead's event
	text     string
	external bool
	many     func(n int) string
	first    Lead
	n        int
	refs     []LeadRef
}

func (b *noticeBatch) add(a *Agent, ev *Event, l *Lead, text func() string, external bool, group string, many func(n int) string) {
	k := noticeKey{a.ID, group}
	p, ok := b.byKey[k]
	if !ok {
		if b.byKey == nil {
			b.byKey = map[noticeKey]*pendingNotice{}
		}
		p = &pendingNotice{agent: *a, ev: *ev, text: text(), many: many, first: *l}
		b.byKey[k] = p
		b.order = append(b.order, k)
	}
	p.external = p.external || external
	p.n++
	if len(p.refs) < MaxPayloadLeads {
		p.refs = append(p.refs, leadRef(l))
	}
}

func leadRef(l *Lead) LeadRef {
	return LeadRef{ID: l.ID, Title: l.Title(), Company: l.Company, Source: l.Source}
}

// groupNotices makes the rest of the command gather its notifications; flushNotices
// writes them, one per agent and kind.
func (t *txn) groupNotices() { t.notices = &noticeBatch{} }

// readNoticeLeads gives the notices gathered so far the whole of their first lead, as
// the command changed it: a bulk assignment reads and changes only part of its leads
// (LeadOwners), and a notification's payload carries the whole lead. It reads one lead
// per agent and kind of notice.
func (t *txn) readNoticeLeads() error {
	b := t.notices
	if b == nil || len(b.order) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(b.order))
	for _, k := range b.order {
		ids = append(ids, b.byKey[k].first.ID)
	}
	ls, err := t.Leads(LeadFilter{IDs: slices.Compact(slices.Sorted(slices.Values(ids)))})
	if err != nil {
		return fmt.Errorf("reading the leads of notifications: %w", err)
	}
	byID := make(map[int64]*Lead, len(ls))
	for i := range ls {
		byID[ls[i].ID] = &ls[i]
	}
	for _, k := range b.order {
		p := b.byKey[k]
		l := byID[p.first.ID]
		if l == nil {
			return fmt.Errorf("reading the leads of notifications: lead #%d is gone", p.first.ID)
		}
		whole := *l
		whole.copyOwnership(&p.first) // as the command left it, whatever the store rounds
		p.first = whole
	}
	return nil
}

func (t *txn) flushNotices() error {
	b := t.notices
	t.notices = nil
	if b == nil {
		return nil
	}
	for _, k := range b.order {
		p := b.byKey[k]
		if p.n == 1 {
			if err := t.writeNotice(&p.agent, p.ev, &p.first, p.text, p.external, 0, nil); err != nil {
				return err
			}
			continue
		}
		if err := t.writeNotice(&p.agent, p.ev, &p.first, p.many(p.n), p.external, p.n, p.refs); err != nil {
			return err
		}
	}
	return nil
}

// writeNotice writes one notification about ev: about lead l alone, or, when count is
// more than one, about that many leads (l is then the first, refs names the first of
// them).
func (t *txn) writeNotice(a *Agent, ev Event, l *Lead, text string, external bool, count int, refs []LeadRef) error {
	n := Notification{AgentID: a.ID, EventID: ev.ID, LeadID: l.ID, Kind: ev.Kind, Text: text, CreatedAt: t.now}
	if count > 1 {
		n.LeadID = 0 // about several leads: the inbox opens none of them
	}
	if err := t.InsertNotification(&n); err != nil {
		return fmt.Errorf("writing notification: %w", err)
	}
	if !external {
		return nil
	}
	var targets []OutboxItem
	if a.EmailNotify && a.Email != "" {
		targets = append(targets, OutboxItem{AgentID: a.ID, Channel: ChannelEmail, Target: a.Email})
	}
	if a.WebhookURL != "" {
		targets = append(targets, OutboxItem{AgentID: a.ID, Channel: ChannelWebhook, Target: a.WebhookURL})
	}
	global, err := t.globalWebhook()
	if err != nil {
		return err
	}
	if global != "" && !t.globalSent[ev.ID] {
		if t.globalSent == nil {
			t.globalSent = map[int64]bool{}
		}
		t.globalSent[ev.ID] = true
		targets = append(targets, OutboxItem{Channel: ChannelWebhook, Target: global})
	}
	if len(targets) == 0 {
		return nil
	}
	p := NotificationPayload{
		EventID: ev.ID, Kind: ev.Kind, At: ev.At, Actor: ev.Actor, Sender: t.senderName(ev.Actor),
		Text: text, Lead: *l, Agent: AgentRef{Handle: a.Handle, Name: a.Name, Email: a.Email},
	}
	if count > 1 {
		p.Count, p.Leads = count, refs
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding notification: %w", err)
	}
	for _, o := range targets {
		o.EventID, o.Payload, o.Status, o.NextAttempt, o.CreatedAt = ev.ID, payload, "pending", t.now, t.now
		if err := t.InsertOutbox(&o); err != nil {
			return fmt.Errorf("writing outbox: %w", err)
		}
	}
	return nil
}

// senderName is the person behind an actor name, for "sent to you by NAME".
func (t *txn) senderName(actor string) string {
	if actor == "system" || strings.Contains(actor, ":") {
		return "switchboard"
	}
	if a, err := t.AgentByHandle(actor); err == nil {
		return a.Name
	}
	return actor
}
