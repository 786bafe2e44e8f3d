package sqlite

import (
	"database/sql"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const agentColumns = `id, handle, name, email, role, presence, capacity, daily_cap, email_notify,
	webhook_url, webhook_secret, away_since, open_leads, last_assigned_at, created_at,
	tz, schedule, schedule_next_at, away_until, auto_presence, auto_away_from, seen_at`

func scanAgent(row interface{ Scan(...any) error }) (engine.Agent, error) {
	var (
		a                             engine.Agent
		last, away, next, until, seen sql.NullInt64
		created                       int64
		notify, auto                  bool
	)
	err := row.Scan(&a.ID, &a.Handle, &a.Name, &a.Email, &a.Role, &a.Presence, &a.Capacity, &a.DailyCap,
		&notify, &a.WebhookURL, &a.WebhookSecret, &away, &a.OpenLeads, &last, &created,
		&a.TZ, &a.Schedule, &next, &until, &auto, &a.AutoAwayFrom, &seen)
	a.EmailNotify, a.LastAssignedAt, a.CreatedAt = notify, fromNullMS(last), fromMS(created)
	a.AwaySince, a.ScheduleNextAt, a.AwayUntil, a.SeenAt = fromNullMS(away), fromNullMS(next), fromNullMS(until), fromNullMS(seen)
	a.AutoPresence = auto
	return a, err
}

// Agent reads an agent by id, removed or not (history and notifications may name one).
func (q *q) Agent(id int64) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRowContext(q.ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, id))
	return a, one(err)
}

func (q *q) AgentByHandle(handle string) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRowContext(q.ctx,
		`SELECT `+agentColumns+` FROM agents WHERE handle = ? AND removed_at IS NULL`, handle))
	return a, one(err)
}

func (q *q) AgentByKey(fingerprint string) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRowContext(q.ctx, `SELECT `+agentColumns+` FROM agents
		WHERE removed_at IS NULL AND id = (SELECT agent_id FROM agent_keys WHERE fingerprint = ?)`, fingerprint))
	return a, one(err)
}

func (q *q) Agents() ([]engine.Agent, error) {
	return q.agents(`SELECT ` + agentColumns + ` FROM agents WHERE removed_at IS NULL ORDER BY handle`)
}

func (q *q) agents(query string, args ...any) ([]engine.Agent, error) {
	rows, err := q.unheld().QueryContext(q.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (q *q) AutoAssigned(day string) (map[int64]int, error) {
	rows, err := q.unheld().QueryContext(q.ctx, `SELECT agent_id, auto_assigned FROM agent_days WHERE day = ?`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

func (q *q) AddAutoAssigned(agentID int64, day string, n int) error {
	return q.exec(`INSERT INTO agent_days (agent_id, day, auto_assigned) VALUES (?, ?, ?)
		ON CONFLICT (agent_id, day) DO UPDATE SET auto_assigned = auto_assigned + excluded.auto_assigned`, agentID, day, n)
}

func (q *q) InsertAgent(a *engine.Agent) error {
	id, err := q.insert(`INSERT INTO agents (handle, name, email, role, presence, capacity, daily_cap,
		email_notify, webhook_url, webhook_secret, away_since, created_at,
		tz, schedule, schedule_next_at, away_until, auto_presence, auto_away_from, seen_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.Handle, a.Name, a.Email, string(a.Role), string(a.Presence), a.Capacity, a.DailyCap,
		a.EmailNotify, a.WebhookURL, a.WebhookSecret, nullMS(a.AwaySince), ms(a.CreatedAt),
		a.TZ, a.Schedule, nullMS(a.ScheduleNextAt), nullMS(a.AwayUntil), a.AutoPresence, string(a.AutoAwayFrom), nullMS(a.SeenAt))
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// UpdateAgent writes an agent's settings; its load columns are AddAgentLoad's.
func (q *q) UpdateAgent(a *engine.Agent) error {
	return q.exec(`UPDATE agents SET name = ?, email = ?, role = ?, presence = ?, capacity = ?, daily_cap = ?,
		email_notify = ?, webhook_url = ?, webhook_secret = ?, away_since = ?,
		tz = ?, schedule = ?, schedule_next_at = ?, away_until = ?, auto_presence = ?, auto_away_from = ?, seen_at = ?
		WHERE id = ?`,
		a.Name, a.Email, string(a.Role), string(a.Presence), a.Capacity, a.DailyCap,
		a.EmailNotify, a.WebhookURL, a.WebhookSecret, nullMS(a.AwaySince),
		a.TZ, a.Schedule, nullMS(a.ScheduleNextAt), nullMS(a.AwayUntil), a.AutoPresence, string(a.AutoAwayFrom), nullMS(a.SeenAt),
		a.ID)
}

func (q *q) AddAgentLoad(agentID int64, openLeads int, lastAssigned time.Time) error {
	return q.exec(`UPDATE agents SET open_leads = open_leads + ?, last_assigned_at = coalesce(?, last_assigned_at)
		WHERE id = ?`, openLeads, nullMS(lastAssigned), agentID)
}

// RemoveAgent marks the agent removed and drops its keys, so they log nobody in.
func (q *q) RemoveAgent(id int64, at time.Time) error {
	if err := q.exec(`DELETE FROM agent_keys WHERE agent_id = ?`, id); err != nil {
		return err
	}
	if err := q.exec(`DELETE FROM console_sessions WHERE agent_id = ?`, id); err != nil {
		return err
	}
	return q.exec(`UPDATE agents SET removed_at = ?, presence = 'offline', away_until = NULL, schedule_next_at = NULL
		WHERE id = ?`, ms(at), id)
}

func (q *q) Keys(agentID int64) ([]engine.Key, error) {
	rows, err := q.unheld().QueryContext(q.ctx, `SELECT id, agent_id, fingerprint, public_key, comment, created_at
		FROM agent_keys WHERE agent_id = ? ORDER BY id`, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Key
	for rows.Next() {
		var k engine.Key
		var created int64
		if err := rows.Scan(&k.ID, &k.AgentID, &k.Fingerprint, &k.PublicKey, &k.Comment, &created); err != nil {
			return nil, err
		}
		k.CreatedAt = fromMS(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

func (q *q) InsertKey(k *engine.Key) error {
	id, err := q.insert(`INSERT INTO agent_keys (agent_id, fingerprint, public_key, comment, created_at)
		VALUES (?,?,?,?,?)`, k.AgentID, k.Fingerprint, k.PublicKey, k.Comment, ms(k.CreatedAt))
	if err != nil {
		return err
	}
	k.ID = id
	return nil
}

func (q *q) DeleteKey(id int64) error {
	return q.exec(`DELETE FROM agent_keys WHERE id = ?`, id)
}
