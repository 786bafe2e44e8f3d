package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

func (q *q) Notifications(agentID int64, limit int) ([]engine.Notification, error) {
	rows, err := q.db.Query(q.ctx, `SELECT id, agent_id, event_id, lead_id, kind, text, created_at, read_at
		FROM notifications WHERE agent_id = $1 ORDER BY id DESC LIMIT $2`, agentID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Notification
	for rows.Next() {
		var n engine.Notification
		var leadID *int64
		var read *time.Time
		if err := rows.Scan(&n.ID, &n.AgentID, &n.EventID, &leadID, &n.Kind, &n.Text, &n.CreatedAt, &read); err != nil {
			return nil, err
		}
		n.LeadID, n.CreatedAt, n.ReadAt = intOf(leadID), n.CreatedAt.UTC(), fromNullTS(read)
		out = append(out, n)
	}
	return out, rows.Err()
}

func (q *q) UnreadNotifications(agentID int64) (int, error) {
	var n int
	err := q.db.QueryRow(q.ctx, `SELECT count(*) FROM notifications WHERE agent_id = $1 AND read_at IS NULL`, agentID).Scan(&n)
	return n, err
}

var (
	notificationInsertColumns = []string{"id", "agent_id", "event_id", "lead_id", "kind", "text", "created_at"}
	notificationInsertTypes   = []string{"bigint", "bigint", "bigint", "bigint", "text", "text", "timestamptz"}
)

func (q *q) InsertNotification(n *engine.Notification) error {
	n.ID = q.w.held.hold(&q.w.held.notifications, []any{n.AgentID, n.EventID, nullInt(n.LeadID), string(n.Kind), n.Text, ts(n.CreatedAt)})
	return nil
}

func (q *q) MarkNotificationsRead(agentID int64, ids []int64, at time.Time) (int, error) {
	query := `UPDATE notifications SET read_at = $1 WHERE agent_id = $2 AND read_at IS NULL`
	args := []any{ts(at), agentID}
	if ids != nil {
		query += ` AND id = ANY($3)`
		args = append(args, ids)
	}
	tag, err := q.db.Exec(q.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

func (q *q) Setting(key string) (string, error) {
	var v string
	err := q.unheld().QueryRow(q.ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return v, one(err)
}

func (q *q) SetSetting(key, value string) error {
	return q.exec(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
}

func (q *q) UnsetSetting(key string) error {
	return q.exec(`DELETE FROM settings WHERE key = $1`, key)
}
