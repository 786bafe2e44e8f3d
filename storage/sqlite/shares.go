package sqlite

import (
	"database/sql"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const shareColumns = `s.id, s.lead_id, s.agent_id, a.handle, s.access, s.status, s.created_at, s.expires_at,
	s.ended_at, s.created_by, s.via`

const shareFrom = ` FROM shares s JOIN agents a ON a.id = s.agent_id`

// activeAt is the condition for a share that gives access at a time (the one argument).
const activeAt = `s.status = 'active' AND (s.expires_at IS NULL OR s.expires_at > ?)`

func scanShare(row interface{ Scan(...any) error }) (engine.Share, error) {
	var s engine.Share
	var created int64
	var expires, ended sql.NullInt64
	err := row.Scan(&s.ID, &s.LeadID, &s.AgentID, &s.Agent, &s.Access, &s.Status, &created, &expires,
		&ended, &s.CreatedBy, &s.Via)
	s.CreatedAt, s.ExpiresAt, s.EndedAt = fromMS(created), fromNullMS(expires), fromNullMS(ended)
	return s, err
}

func (q *q) shares(where string, args ...any) ([]engine.Share, error) {
	rows, err := q.db.QueryContext(q.ctx, `SELECT `+shareColumns+shareFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Share
	for rows.Next() {
		s, err := scanShare(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (q *q) Share(id int64) (engine.Share, error) {
	s, err := scanShare(q.db.QueryRowContext(q.ctx, `SELECT `+shareColumns+shareFrom+` WHERE s.id = ?`, id))
	return s, one(err)
}

func (q *q) SharesOfLead(leadID int64) ([]engine.Share, error) {
	return q.shares(`s.lead_id = ? ORDER BY s.id`, leadID)
}

func (q *q) ActiveShare(leadID, agentID int64, now time.Time) (engine.Share, error) {
	s, err := scanShare(q.db.QueryRowContext(q.ctx, `SELECT `+shareColumns+shareFrom+`
		WHERE s.lead_id = ? AND s.agent_id = ? AND `+activeAt+` ORDER BY s.id DESC LIMIT 1`, leadID, agentID, ms(now)))
	return s, one(err)
}

func (q *q) ActiveSharesOf(agentID int64, now time.Time) ([]engine.Share, error) {
	return q.shares(`s.agent_id = ? AND `+activeAt+` ORDER BY s.expires_at IS NULL, s.expires_at, s.id`, agentID, ms(now))
}

func (q *q) CountActiveShares(agentID int64, now time.Time) (int, error) {
	var n int
	err := q.db.QueryRowContext(q.ctx, `SELECT count(*) FROM shares s WHERE s.agent_id = ? AND `+activeAt,
		agentID, ms(now)).Scan(&n)
	return n, err
}

func (q *q) NextShareExpiry() (time.Time, bool, error) {
	var next sql.NullInt64
	err := q.db.QueryRowContext(q.ctx, `SELECT min(expires_at) FROM shares
		WHERE status = 'active' AND expires_at IS NOT NULL`).Scan(&next)
	return fromNullMS(next), next.Valid, err
}

func (q *q) SharesEndedBy(now time.Time, limit int) ([]engine.Share, error) {
	return q.shares(`s.status = 'active' AND s.expires_at IS NOT NULL AND s.expires_at <= ?
		ORDER BY s.expires_at, s.id LIMIT ?`, ms(now), limit)
}

var shareInsertColumns = []string{"id", "lead_id", "agent_id", "access", "status", "created_at", "expires_at",
	"ended_at", "created_by", "via"}

func (q *q) InsertShare(s *engine.Share) error {
	id, err := q.w.hold(&q.w.held.shares, []any{s.LeadID, s.AgentID, string(s.Access), string(s.Status), ms(s.CreatedAt),
		nullMS(s.ExpiresAt), nullMS(s.EndedAt), s.CreatedBy, s.Via})
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

func (q *q) UpdateShare(s *engine.Share) error {
	return q.exec(`UPDATE shares SET access = ?, status = ?, expires_at = ?, ended_at = ? WHERE id = ?`,
		string(s.Access), string(s.Status), nullMS(s.ExpiresAt), nullMS(s.EndedAt), s.ID)
}
