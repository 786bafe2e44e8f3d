package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const outboxColumns = `id, event_id, agent_id, channel, target, payload, status, attempts, next_attempt_at,
	last_error, created_at, delivered_at`

func scanOutbox(row interface{ Scan(...any) error }) (engine.OutboxItem, error) {
	var (
		o             engine.OutboxItem
		agentID       *int64
		payload       string
		next, created time.Time
		delivered     *time.Time
	)
	if err := row.Scan(&o.ID, &o.EventID, &agentID, &o.Channel, &o.Target, &payload, &o.Status, &o.Attempts,
		&next, &o.LastError, &created, &delivered); err != nil {
		return o, err
	}
	o.AgentID, o.Payload = intOf(agentID), []byte(payload)
	o.NextAttempt, o.CreatedAt, o.DeliveredAt = next.UTC(), created.UTC(), fromNullTS(delivered)
	return o, nil
}

func (q *q) outboxRows(query string, args ...any) ([]engine.OutboxItem, error) {
	rows, err := q.db.Query(q.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.OutboxItem
	for rows.Next() {
		o, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DueOutbox lists pending rows whose next attempt is at or before now, the longest
// waiting first. The partial index outbox_pending covers it.
func (q *q) DueOutbox(now time.Time, limit int) ([]engine.OutboxItem, error) {
	return q.outboxRows(`SELECT `+outboxColumns+` FROM outbox
		WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, ts(now), limit)
}

func (q *q) PendingOutbox() (int, error) {
	var n int
	err := q.db.QueryRow(q.ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n)
	return n, err
}

func (q *q) NextOutboxAttempt() (time.Time, bool, error) {
	var next *time.Time
	err := q.db.QueryRow(q.ctx, `SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'`).Scan(&next)
	if err != nil || next == nil {
		return time.Time{}, false, err
	}
	return next.UTC(), true, nil
}

func (q *q) OutboxItem(id int64) (engine.OutboxItem, error) {
	o, err := scanOutbox(q.db.QueryRow(q.ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	return o, one(err)
}

func (q *q) OutboxItems(f engine.OutboxFilter) ([]engine.OutboxItem, error) {
	w := &where{}
	if f.EventID != 0 {
		w.add(`event_id = ` + w.arg(f.EventID))
	}
	if f.Status != "" {
		w.add(`status = ` + w.arg(f.Status))
	}
	query := `SELECT ` + outboxColumns + ` FROM outbox` + w.String() + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ` + w.arg(f.Limit)
	}
	return q.outboxRows(query, w.args...)
}

var (
	outboxInsertColumns = []string{"id", "event_id", "agent_id", "channel", "target", "payload", "status", "attempts",
		"next_attempt_at", "last_error", "created_at"}
	outboxInsertTypes = []string{"bigint", "bigint", "bigint", "text", "text", "text", "text", "integer",
		"timestamptz", "text", "timestamptz"}
)

func (q *q) InsertOutbox(o *engine.OutboxItem) error {
	o.ID = q.w.held.hold(&q.w.held.outbox, []any{o.EventID, nullInt(o.AgentID), string(o.Channel), o.Target, string(o.Payload),
		o.Status, o.Attempts, ts(o.NextAttempt), o.LastError, ts(o.CreatedAt)})
	return nil
}

func (q *q) UpdateOutbox(o *engine.OutboxItem) error {
	return q.exec(`UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, delivered_at = $5
		WHERE id = $6`, o.Status, o.Attempts, ts(o.NextAttempt), o.LastError, nullTS(o.DeliveredAt), o.ID)
}
