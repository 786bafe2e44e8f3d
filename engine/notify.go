package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Setting keys the engine reads.
const (
	SettingCompany       = "company"        // "sent to you by NAME at COMPANY"
	SettingWebhookURL    = "webhook_url"    // the global webhook, sent every external notification
	SettingWebhookSecret = "webhook_secret" // its HMAC key
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
func (t *txn) notify(a *Agent, ev *Event, l *Lead, text string, external bool) error {
	n := Notification{AgentID: a.ID, EventID: ev.ID, LeadID: l.ID, Kind: ev.Kind, Text: text, CreatedAt: t.now}
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
	if global != "" {
		targets = append(targets, OutboxItem{Channel: ChannelWebhook, Target: global})
	}
	if len(targets) == 0 {
		return nil
	}
	payload, err := json.Marshal(NotificationPayload{
		EventID: ev.ID, Kind: ev.Kind, At: ev.At, Actor: ev.Actor, Sender: t.senderName(ev.Actor),
		Text: text, Lead: *l, Agent: AgentRef{Handle: a.Handle, Name: a.Name, Email: a.Email},
	})
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
