package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

func (q *q) nextAt(query string) (time.Time, bool, error) {
	var v *time.Time
	if err := q.unheld().QueryRow(q.ctx, query).Scan(&v); err != nil {
		return time.Time{}, false, err
	}
	return fromNullTS(v), v != nil, nil
}

func (q *q) NextAwayUntil() (time.Time, bool, error) {
	return q.nextAt(`SELECT min(away_until) FROM agents WHERE removed_at IS NULL AND away_until IS NOT NULL`)
}

func (q *q) AwayUntilDue(now time.Time, limit int) ([]engine.Agent, error) {
	return q.agents(`SELECT `+agentColumns+` FROM agents WHERE removed_at IS NULL AND away_until <= $1
		ORDER BY away_until, id LIMIT $2`, ts(now), limit)
}

func (q *q) NextScheduleStart() (time.Time, bool, error) {
	return q.nextAt(`SELECT min(schedule_next_at) FROM agents WHERE removed_at IS NULL AND schedule_next_at IS NOT NULL`)
}

func (q *q) ScheduleStartDue(now time.Time, limit int) ([]engine.Agent, error) {
	return q.agents(`SELECT `+agentColumns+` FROM agents WHERE removed_at IS NULL AND schedule_next_at <= $1
		ORDER BY schedule_next_at, id LIMIT $2`, ts(now), limit)
}

func (q *q) Sessions() ([]engine.Session, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT id, agent_id, via, opened_at, expires_at FROM console_sessions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Session
	for rows.Next() {
		var s engine.Session
		if err := rows.Scan(&s.ID, &s.AgentID, &s.Via, &s.OpenedAt, &s.ExpiresAt); err != nil {
			return nil, err
		}
		s.OpenedAt, s.ExpiresAt = s.OpenedAt.UTC(), s.ExpiresAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

func (q *q) InsertSession(s *engine.Session) error {
	id, err := q.insert(`INSERT INTO console_sessions (agent_id, via, opened_at, expires_at) VALUES ($1,$2,$3,$4)`,
		s.AgentID, s.Via, ts(s.OpenedAt), ts(s.ExpiresAt))
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

func (q *q) TouchSessions(ids []int64, expiresAt time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return q.exec(`UPDATE console_sessions SET expires_at = $1 WHERE id = ANY($2)`, ts(expiresAt), ids)
}

func (q *q) DeleteSessions(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return q.exec(`DELETE FROM console_sessions WHERE id = ANY($1)`, ids)
}

func (q *q) Teams() ([]engine.Team, error) {
	return q.teams(``)
}

func (q *q) TeamByName(name string) (engine.Team, error) {
	ts, err := q.teams(` WHERE t.name = $1`, name)
	if err != nil {
		return engine.Team{}, err
	}
	if len(ts) == 0 {
		return engine.Team{}, engine.ErrNoRows
	}
	return ts[0], nil
}

// teams reads teams with their members (agents on the team), in one query.
func (q *q) teams(where string, args ...any) ([]engine.Team, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT t.id, t.name, t.created_at, t.updated_at, a.id, a.handle
		FROM teams t
		LEFT JOIN team_members m ON m.team_id = t.id
		LEFT JOIN agents a ON a.id = m.agent_id AND a.removed_at IS NULL`+where+`
		ORDER BY t.name, t.id, m.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Team
	for rows.Next() {
		var (
			t       engine.Team
			agentID *int64
			handle  *string
		)
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.UpdatedAt, &agentID, &handle); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != t.ID {
			t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
			out = append(out, t)
		}
		if agentID != nil {
			last := &out[len(out)-1]
			last.Members = append(last.Members, engine.TeamMember{AgentID: *agentID, Handle: strOf(handle)})
		}
	}
	return out, rows.Err()
}

func (q *q) InsertTeam(t *engine.Team) error {
	id, err := q.insert(`INSERT INTO teams (name, created_at, updated_at) VALUES ($1,$2,$3)`,
		t.Name, ts(t.CreatedAt), ts(t.UpdatedAt))
	if err != nil {
		return err
	}
	t.ID = id
	return q.writeMembers(t)
}

func (q *q) UpdateTeam(t *engine.Team) error {
	if err := q.exec(`UPDATE teams SET name = $1, updated_at = $2 WHERE id = $3`, t.Name, ts(t.UpdatedAt), t.ID); err != nil {
		return err
	}
	return q.writeMembers(t)
}

func (q *q) writeMembers(t *engine.Team) error {
	if err := q.exec(`DELETE FROM team_members WHERE team_id = $1`, t.ID); err != nil {
		return err
	}
	for i, m := range t.Members {
		if err := q.exec(`INSERT INTO team_members (team_id, position, agent_id) VALUES ($1,$2,$3)`, t.ID, i+1, m.AgentID); err != nil {
			return err
		}
	}
	return nil
}

func (q *q) DeleteTeam(id int64) error {
	return q.exec(`DELETE FROM teams WHERE id = $1`, id)
}
