package sqlite

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func (q *q) Notifications(agentID int64, limit int) ([]engine.Notification, error) {
	rows, err := q.db.QueryContext(q.ctx, `SELECT id, agent_id, event_id, lead_id, kind, text, created_at, read_at
		FROM notifications WHERE agent_id = ? ORDER BY id DESC LIMIT ?`, agentID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Notification
	for rows.Next() {
		var n engine.Notification
		var leadID, read sql.NullInt64
		var created int64
		if err := rows.Scan(&n.ID, &n.AgentID, &n.EventID, &leadID, &n.Kind, &n.Text, &created, &read); err != nil {
			return nil, err
		}
		n.LeadID, n.CreatedAt, n.ReadAt = leadID.Int64, fromMS(created), fromNullMS(read)
		out = append(out, n)
	}
	return out, rows.Err()
}

func (q *q) UnreadNotifications(agentID int64) (int, error) {
	var n int
	err := q.db.QueryRowContext(q.ctx, `SELECT count(*) FROM notifications WHERE agent_id = ? AND read_at IS NULL`, agentID).Scan(&n)
	return n, err
}

var notificationInsertColumns = []string{"id", "agent_id", "event_id", "lead_id", "kind", "text", "created_at"}

func (q *q) InsertNotification(n *engine.Notification) error {
	id, err := q.w.hold(&q.w.held.notifications, []any{n.AgentID, n.EventID, nullInt(n.LeadID), string(n.Kind), n.Text, ms(n.CreatedAt)})
	if err != nil {
		return err
	}
	n.ID = id
	return nil
}

func (q *q) MarkNotificationsRead(agentID int64, ids []int64, at time.Time) (int, error) {
	query := `UPDATE notifications SET read_at = ? WHERE agent_id = ? AND read_at IS NULL`
	args := []any{ms(at), agentID}
	if ids != nil {
		b, _ := json.Marshal(ids)
		query += ` AND id IN (SELECT value FROM json_each(?))`
		args = append(args, string(b))
	}
	res, err := q.db.ExecContext(q.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

var outboxInsertColumns = []string{"id", "event_id", "agent_id", "channel", "target", "payload", "status", "attempts",
	"next_attempt_at", "last_error", "created_at"}

func (q *q) InsertOutbox(o *engine.OutboxItem) error {
	id, err := q.w.hold(&q.w.held.outbox, []any{o.EventID, nullInt(o.AgentID), string(o.Channel), o.Target, string(o.Payload),
		o.Status, o.Attempts, ms(o.NextAttempt), o.LastError, ms(o.CreatedAt)})
	if err != nil {
		return err
	}
	o.ID = id
	return nil
}

func (q *q) Setting(key string) (string, error) {
	var v string
	err := q.unheld().QueryRowContext(q.ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, one(err)
}

func (q *q) SetSetting(key, value string) error {
	return q.exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
}

func (q *q) UnsetSetting(key string) error {
	return q.exec(`DELETE FROM settings WHERE key = ?`, key)
}
