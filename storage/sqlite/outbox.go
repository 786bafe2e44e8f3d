package sqlite

import (
	"database/sql"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const outboxColumns = `id, event_id, agent_id, channel, target, payload, status, attempts, next_attempt_at,
	last_error, created_at, delivered_at`

func scanOutbox(row interface{ Scan(...any) error }) (engine.OutboxItem, error) {
	var (
		o                  engine.OutboxItem
		agentID, delivered sql.NullInt64
		payload            string
		next, created      int64
	)
	if err := row.Scan(&o.ID, &o.EventID, &agentID, &o.Channel, &o.Target, &payload, &o.Status, &o.Attempts,
		&next, &o.LastError, &created, &delivered); err != nil {
		return o, err
	}
	o.AgentID, o.Payload = agentID.Int64, []byte(payload)
	o.NextAttempt, o.CreatedAt, o.DeliveredAt = fromMS(next), fromMS(created), fromNullMS(delivered)
	return o, nil
}

func (q *q) outboxRows(query string, args ...any) ([]engine.OutboxItem, error) {
	rows, err := q.db.QueryContext(q.ctx, query, args...)
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
		WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, ms(now), limit)
}

func (q *q) PendingOutbox() (int, error) {
	var n int
	err := q.db.QueryRowContext(q.ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n)
	return n, err
}

func (q *q) NextOutboxAttempt() (time.Time, bool, error) {
	var next sql.NullInt64
	err := q.db.QueryRowContext(q.ctx, `SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'`).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, err
	}
	return fromMS(next.Int64), true, nil
}

func (q *q) OutboxItem(id int64) (engine.OutboxItem, error) {
	o, err := scanOutbox(q.db.QueryRowContext(q.ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	return o, one(err)
}

func (q *q) OutboxItems(f engine.OutboxFilter) ([]engine.OutboxItem, error) {
	query := `SELECT ` + outboxColumns + ` FROM outbox WHERE 1=1`
	var args []any
	if f.EventID != 0 {
		query += ` AND event_id = ?`
		args = append(args, f.EventID)
	}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	query += ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q.outboxRows(query, args...)
}

func (q *q) UpdateOutbox(o *engine.OutboxItem) error {
	return q.exec(`UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?
		WHERE id = ?`, o.Status, o.Attempts, ms(o.NextAttempt), o.LastError, nullMS(o.DeliveredAt), o.ID)
}
