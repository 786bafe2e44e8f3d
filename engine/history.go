package engine

import (
	"context"
	"fmt"
	"strings"
)

// History pages through events, newest first. Dispatchers and up see everything; an
// agent sees what touches it and the leads it can access.
func (e *Engine) History(ctx context.Context, actor Actor, q HistoryQuery) (EventPage, error) {
	for _, f := range []struct{ name, v string }{{"agent", q.Agent}, {"kind", q.Kind}} {
		if err := checkText(f.name, f.v, MaxSearchLen); err != nil {
			return EventPage{}, err
		}
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return EventPage{}, err
	}
	before, err := decodeCursor('h', q.Cursor)
	if err != nil {
		return EventPage{}, err
	}
	f := EventFilter{LeadID: q.LeadID, Agent: strings.TrimSpace(q.Agent), Kind: strings.TrimSpace(q.Kind),
		Since: q.Since, BeforeID: before, Limit: limit + 1, Now: e.now()}
	if !actor.Role.Can(ActViewAllHistory) {
		if !actor.IsAgent() {
			return EventPage{}, actor.require(ActViewAllHistory)
		}
		f.VisibleTo, f.VisibleToHandle = actor.AgentID, actor.Name
	}
	var page EventPage
	err = e.read(ctx, func(r Reader) error {
		items, err := r.Events(f)
		if err != nil {
			return fmt.Errorf("reading history: %w", err)
		}
		if len(items) > limit {
			items = items[:limit]
			page.Next = encodeCursor('h', items[limit-1].ID)
		}
		page.Items = items
		return nil
	})
	return page, err
}

// Notifications lists the actor's newest in-console notifications and how many are
// unread.
func (e *Engine) Notifications(ctx context.Context, actor Actor, limit int) ([]Notification, int, error) {
	if !actor.IsAgent() {
		return nil, 0, forbiddenf("%s is not an agent: only agents get notifications", actor.Name)
	}
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, 0, err
	}
	var list []Notification
	var unread int
	err = e.read(ctx, func(r Reader) (err error) {
		if list, err = r.Notifications(actor.AgentID, limit); err != nil {
			return fmt.Errorf("reading notifications: %w", err)
		}
		unread, err = r.UnreadNotifications(actor.AgentID)
		return err
	})
	return list, unread, err
}

// MarkRead marks the actor's notifications read: those listed, or all when ids is nil.
func (e *Engine) MarkRead(ctx context.Context, actor Actor, ids []int64) (int, error) {
	if !actor.IsAgent() {
		return 0, forbiddenf("%s is not an agent: only agents get notifications", actor.Name)
	}
	var n int
	err := e.write(ctx, func(t *txn) (err error) {
		if n, err = t.MarkNotificationsRead(actor.AgentID, ids, t.now); err != nil || n == 0 {
			return err
		}
		// The unread count changed: every console of the agent must hear of it.
		_, err = t.record(Event{Kind: EvNotificationRead, Actor: actor.Name, Agent: actor.Name, Reason: fmt.Sprintf("%d marked read", n)})
		return err
	})
	return n, err
}

// Matches reports whether q selects e, by the rules the store's history query applies:
// the agent touched, acting, or losing the lead; a kind, or a subject for every kind
// under it; a lead; a start time. It lets a reader that already holds events – a
// console given them by the hub – filter them without reading history again. It does
// not apply an actor's visibility: only callers that may see all history use it.
func (q HistoryQuery) Matches(e Event) bool {
	if q.LeadID != 0 && e.LeadID != q.LeadID {
		return false
	}
	if a := strings.TrimSpace(q.Agent); a != "" && e.Agent != a && e.Actor != a && (e.Kind != EvLeadReassigned || e.From != a) {
		return false
	}
	if k := strings.TrimSpace(q.Kind); k != "" {
		if strings.Contains(k, ".") {
			if string(e.Kind) != k {
				return false
			}
		} else if !strings.HasPrefix(string(e.Kind), k+".") {
			return false
		}
	}
	return q.Since.IsZero() || !e.At.Before(q.Since)
}
