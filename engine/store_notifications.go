package engine

import "time"

// NotificationReader reads in-console notifications and the outbox of notifications
// to deliver by e-mail and webhook.
type NotificationReader interface {
	Notifications(agentID int64, limit int) ([]Notification, error) // newest first
	UnreadNotifications(agentID int64) (int, error)

	// DueOutbox lists pending outbox rows whose next attempt is at or before now,
	// the longest waiting first (then by id); at most limit.
	DueOutbox(now time.Time, limit int) ([]OutboxItem, error)
	// NextOutboxAttempt is the earliest next attempt of a pending row, if any.
	NextOutboxAttempt() (time.Time, bool, error)
	// PendingOutbox counts the rows still to deliver (status pending).
	PendingOutbox() (int, error)
	OutboxItem(id int64) (OutboxItem, error)
	OutboxItems(f OutboxFilter) ([]OutboxItem, error) // by id
}

// NotificationWriter writes notifications and the outbox.
type NotificationWriter interface {
	InsertNotification(n *Notification) error // sets n.ID
	// MarkNotificationsRead marks the agent's unread notifications ids (nil: all) read
	// and says how many it marked.
	MarkNotificationsRead(agentID int64, ids []int64, at time.Time) (int, error)
	InsertOutbox(o *OutboxItem) error // sets o.ID
	UpdateOutbox(o *OutboxItem) error // status, attempts, next attempt, last error, delivered at
}
