package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const shareColumns = `s.id, s.lead_id, s.agent_id, a.handle, s.access, s.status, s.created_at, s.expires_at,
	s.ended_at, s.created_by, s.via`

const shareFrom = ` FROM shares s JOIN agents a ON a.id = s.agent_id`

// activeAt is the condition for a share s that gives access at now (Share.ActiveAt).
func activeAt(w *where, now time.Time) string {
	t := w.arg(ts(now))
	return `s.status = 'active' AND (s.expires_at IS NULL OR s.expires_at > ` + t + `)`
}

func scanShare(row interface{ Scan(...any) error }) (engine.Share, error) {
	var s engine.Share
	var created time.Time
	var expires, ended *time.Time
	err := row.Scan(&s.ID, &s.LeadID, &s.AgentID, &s.Agent, &s.Access, &s.Status, &created, &expires,
		&ended, &s.CreatedBy, &s.Via)
	s.CreatedAt, s.ExpiresAt, s.EndedAt = created.UTC(), fromNullTS(expires), fromNullTS(ended)
	return s, err
}

func (q *q) shares(w *where, rest string) ([]engine.Share, error) {
	rows, err := q.db.Query(q.ctx, `SELECT `+shareColumns+shareFrom+w.String()+rest, w.args...)
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
	s, err := scanShare(q.db.QueryRow(q.ctx, `SELECT `+shareColumns+shareFrom+` WHERE s.id = $1`, id))
	return s, one(err)
}

func (q *q) SharesOfLead(leadID int64) ([]engine.Share, error) {
	w := &where{}
	w.add(`s.lead_id = ` + w.arg(leadID))
	return q.shares(w, ` ORDER BY s.id`)
}

func (q *q) ActiveShare(leadID, agentID int64, now time.Time) (engine.Share, error) {
	w := &where{}
	w.add(`s.lead_id = ` + w.arg(leadID))
	w.add(`s.agent_id = ` + w.arg(agentID))
	w.add(activeAt(w, now))
	s, err := scanShare(q.db.QueryRow(q.ctx, `SELECT `+shareColumns+shareFrom+w.String()+` ORDER BY s.id DESC LIMIT 1`, w.args...))
	return s, one(err)
}

func (q *q) ActiveSharesOf(agentID int64, now time.Time) ([]engine.Share, error) {
	w := &where{}
	w.add(`s.agent_id = ` + w.arg(agentID))
	w.add(activeAt(w, now))
	return q.shares(w, ` ORDER BY s.expires_at IS NULL, s.expires_at, s.id`)
}

func (q *q) CountActiveShares(agentID int64, now time.Time) (int, error) {
	w := &where{}
	w.add(`s.agent_id = ` + w.arg(agentID))
	w.add(activeAt(w, now))
	var n int
	err := q.db.QueryRow(q.ctx, `SELECT count(*) FROM shares s`+w.String(), w.args...).Scan(&n)
	return n, err
}

func (q *q) NextShareExpiry() (time.Time, bool, error) {
	var next *time.Time
	err := q.db.QueryRow(q.ctx, `SELECT min(expires_at) FROM shares
		WHERE status = 'active' AND expires_at IS NOT NULL`).Scan(&next)
	return fromNullTS(next), next != nil, err
}

func (q *q) SharesEndedBy(now time.Time, limit int) ([]engine.Share, error) {
	w := &where{}
	w.add(`s.status = 'active' AND s.expires_at IS NOT NULL AND s.expires_at <= ` + w.arg(ts(now)))
	return q.shares(w, ` ORDER BY s.expires_at, s.id LIMIT `+w.arg(limit))
}

var (
	shareInsertColumns = []string{"id", "lead_id", "agent_id", "access", "status", "created_at", "expires_at",
		"ended_at", "created_by", "via"}
	shareInsertTypes = []string{"bigint", "bigint", "bigint", "text", "text", "timestamptz", "timestamptz",
		"timestamptz", "text", "text"}
)

func (q *q) InsertShare(s *engine.Share) error {
	s.ID = q.w.held.hold(&q.w.held.shares, []any{s.LeadID, s.AgentID, string(s.Access), string(s.Status), ts(s.CreatedAt),
		nullTS(s.ExpiresAt), nullTS(s.EndedAt), s.CreatedBy, s.Via})
	return nil
}

func (q *q) UpdateShare(s *engine.Share) error {
	return q.exec(`UPDATE shares SET access = $1, status = $2, expires_at = $3, ended_at = $4 WHERE id = $5`,
		string(s.Access), string(s.Status), nullTS(s.ExpiresAt), nullTS(s.EndedAt), s.ID)
}
