package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// The outbox is delivered by a worker (engine/notify) through the methods below. They
// are switchboard's own operations, not a person's commands, so they take no Actor; the
// history events they write name "system" as the actor.

// OutboxFilter selects outbox rows for Engine.Outbox, oldest first. Zero values mean
// "any".
type OutboxFilter struct {
	EventID int64
	Status  string // pending, delivered or failed
	Limit   int
}

// Outbox row statuses.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxFailed    = "failed"
)

// OutboxDelivery is a claimed outbox row and what its sender needs besides.
type OutboxDelivery struct {
	OutboxItem
	// Secret is a webhook's HMAC key: the agent's webhook secret, or the webhook_secret
	// setting for the global webhook. Empty for e-mail.
	Secret string
}

// ClaimOutbox hands out up to limit pending rows due at now and hides them from other
// claims until now+lease, counting the attempt. The claim is written in one transaction,
// so two workers (even in two processes) never send the same row at once. A worker that
// dies while holding a claim loses nothing: the row is simply due again when the lease
// runs out. The lease must therefore outlast one delivery attempt.
func (e *Engine) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxDelivery, error) {
	if limit <= 0 {
		return nil, invalidf("limit", "claim at least one outbox row (got %d)", limit)
	}
	if lease <= 0 {
		return nil, invalidf("lease", "an outbox lease must be positive (got %s)", lease)
	}
	// Most polls find nothing: look on a read snapshot first, so an idle worker never
	// takes the write lock.
	var due []OutboxItem
	if err := e.read(ctx, func(r Reader) (err error) {
		due, err = r.DueOutbox(now, 1)
		return err
	}); err != nil {
		return nil, fmt.Errorf("reading the outbox: %w", err)
	}
	if len(due) == 0 {
		return nil, nil
	}
	var out []OutboxDelivery
	err := e.write(ctx, func(t *txn) error {
		out = nil
		rows, err := t.DueOutbox(now, limit)
		if err != nil {
			return fmt.Errorf("reading the outbox: %w", err)
		}
		for _, o := range rows {
			o.Attempts++
			o.NextAttempt = now.Add(lease)
			if err := t.UpdateOutbox(&o); err != nil {
				return fmt.Errorf("claiming outbox row #%d: %w", o.ID, err)
			}
			d := OutboxDelivery{OutboxItem: o}
			if o.Channel == ChannelWebhook {
				if d.Secret, err = t.webhookSecret(o.AgentID); err != nil {
					return fmt.Errorf("outbox row #%d: %w", o.ID, err)
				}
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// webhookSecret is the signing key of an agent's webhook, or of the global one when
// agentID is 0. It is read at delivery time: a webhook whose URL changed since the row
// was written is signed with its current secret.
func (t *txn) webhookSecret(agentID int64) (string, error) {
	if agentID == 0 {
		s, err := t.Setting(SettingWebhookSecret)
		if err != nil && !errors.Is(err, ErrNoRows) {
			return "", fmt.Errorf("reading the global webhook secret: %w", err)
		}
		return s, nil
	}
	a, err := t.Agent(agentID)
	if errors.Is(err, ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading agent #%d: %w", agentID, err)
	}
	return a.WebhookSecret, nil
}

// NextOutboxAttempt is when the earliest pending row is due (ok is false when nothing
// is pending), so that a worker can sleep until then.
func (e *Engine) NextOutboxAttempt(ctx context.Context) (next time.Time, ok bool, err error) {
	err = e.read(ctx, func(r Reader) error {
		next, ok, err = r.NextOutboxAttempt()
		return err
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading the outbox: %w", err)
	}
	return next, ok, nil
}

// OutboxDelivered records that row id reached its receiver, with a
// notification.delivered history event in the same transaction. Recording a row that
// is no longer pending changes nothing: it was already recorded.
func (e *Engine) OutboxDelivered(ctx context.Context, id int64) error {
	return e.write(ctx, func(t *txn) error {
		o, ok, err := t.pendingOutbox(id)
		if err != nil || !ok {
			return err
		}
		o.Status, o.DeliveredAt = OutboxDelivered, t.now
		if err := t.UpdateOutbox(&o); err != nil {
			return fmt.Errorf("recording outbox row #%d: %w", id, err)
		}
		_, err = t.record(outboxEvent(o, EvNotificationDelivered, fmt.Sprintf("%s (attempt %d)", describeOutbox(o), o.Attempts)))
		return err
	})
}

// OutboxRetry puts row id back in the queue until next, keeping why the attempt failed.
func (e *Engine) OutboxRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return e.write(ctx, func(t *txn) error {
		o, ok, err := t.pendingOutbox(id)
		if err != nil || !ok {
			return err
		}
		o.NextAttempt, o.LastError = next, reason
		if err := t.UpdateOutbox(&o); err != nil {
			return fmt.Errorf("recording outbox row #%d: %w", id, err)
		}
		return nil
	})
}

// OutboxFailed gives up on row id, with a notification.failed history event in the same
// transaction that says where it was going and why it never got there.
func (e *Engine) OutboxFailed(ctx context.Context, id int64, reason string) error {
	return e.write(ctx, func(t *txn) error {
		o, ok, err := t.pendingOutbox(id)
		if err != nil || !ok {
			return err
		}
		o.Status, o.LastError = OutboxFailed, reason
		if err := t.UpdateOutbox(&o); err != nil {
			return fmt.Errorf("recording outbox row #%d: %w", id, err)
		}
		attempts := "1 attempt"
		if o.Attempts != 1 {
			attempts = fmt.Sprintf("%d attempts", o.Attempts)
		}
		_, err = t.record(outboxEvent(o, EvNotificationFailed, fmt.Sprintf("%s: gave up after %s: %s", describeOutbox(o), attempts, reason)))
		return err
	})
}

// Outbox lists outbox rows, for operators looking into a delivery. Rows carry lead
// details and webhook URLs (which often embed a token), so only admins may read them.
func (e *Engine) Outbox(ctx context.Context, actor Actor, f OutboxFilter) ([]OutboxItem, error) {
	if err := actor.require(ActManageSettings); err != nil {
		return nil, err
	}
	var out []OutboxItem
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = r.OutboxItems(f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the outbox: %w", err)
	}
	return out, nil
}

// pendingOutbox loads row id; ok is false when it is no longer pending.
func (t *txn) pendingOutbox(id int64) (OutboxItem, bool, error) {
	o, err := t.OutboxItem(id)
	if errors.Is(err, ErrNoRows) {
		return o, false, notFoundf("outbox row #%d", id)
	}
	if err != nil {
		return o, false, fmt.Errorf("reading outbox row #%d: %w", id, err)
	}
	return o, o.Status == OutboxPending, nil
}

// outboxEvent is the history event for a delivery outcome: about the lead and the agent
// the notification was for (the global webhook too carries the agent it concerns).
func outboxEvent(o OutboxItem, kind EventKind, reason string) Event {
	var p struct {
		Lead struct {
			ID int64 `json:"id"`
		} `json:"lead"`
		Agent AgentRef `json:"agent"`
	}
	// A payload the engine wrote always decodes; should one not, the event still
	// records the outcome, only without lead and agent.
	_ = json.Unmarshal(o.Payload, &p)
	return Event{Kind: kind, Actor: "system", LeadID: p.Lead.ID, Agent: p.Agent.Handle, Reason: reason}
}

// describeOutbox says where a row goes and what for:
// "email to ada@example.com for lead.assigned #12", "team webhook to
// https://hooks.slack.com/… for lead.routed #13".
func describeOutbox(o OutboxItem) string {
	var p struct {
		Kind EventKind `json:"kind"`
	}
	_ = json.Unmarshal(o.Payload, &p)
	what := "event"
	if p.Kind != "" {
		what = string(p.Kind)
	}
	channel, target := string(o.Channel), o.Target
	if o.Channel == ChannelWebhook {
		target = redactURL(target)
		if o.AgentID == 0 {
			channel = "team webhook"
		}
	}
	return fmt.Sprintf("%s to %s for %s #%d", channel, target, what, o.EventID)
}

// redactURL keeps a webhook URL's scheme and host: history is read by dispatchers and
// agents, and chat webhooks carry their credentials in the path and query.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(unreadable URL)"
	}
	if u.Path == "" || u.Path == "/" {
		if u.RawQuery == "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return u.Scheme + "://" + u.Host + "/…"
}
