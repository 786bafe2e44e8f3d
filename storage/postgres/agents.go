package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const agentColumns = `id, handle, name, email, role, presence, capacity, daily_cap, email_notify,
	webhook_url, webhook_secret, away_since, open_leads, last_assigned_at, created_at,
	tz, schedule, schedule_next_at, away_until, auto_presence, auto_away_from, seen_at`

func scanAgent(row interface{ Scan(...any) error }) (engine.Agent, error) {
	var (
		a                             engine.Agent
		last, away, next, until, seen *time.Time
		created                       time.Time
	)
	err := row.Scan(&a.ID, &a.Handle, &a.Name, &a.Email, &a.Role, &a.Presence, &a.Capacity, &a.DailyCap,
		&a.EmailNotify, &a.WebhookURL, &a.WebhookSecret, &away, &a.OpenLeads, &last, &created,
		&a.TZ, &a.Schedule, &next, &until, &a.AutoPresence, &a.AutoAwayFrom, &seen)
	a.LastAssignedAt, a.CreatedAt, a.AwaySince = fromNullTS(last), created.UTC(), fromNullTS(away)
	a.ScheduleNextAt, a.AwayUntil, a.SeenAt = fromNullTS(next), fromNullTS(until), fromNullTS(seen)
	return a, err
}

// Agent reads an agent by id, removed or not (history and notifications may name one).
func (q *q) Agent(id int64) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRow(q.ctx, `SELECT `+agentColumns+` FROM agents WHERE id = $1`, id))
	return a, one(err)
}

func (q *q) AgentByHandle(handle string) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRow(q.ctx,
		`SELECT `+agentColumns+` FROM agents WHERE handle = $1 AND removed_at IS NULL`, handle))
	return a, one(err)
}

func (q *q) AgentByKey(fingerprint string) (engine.Agent, error) {
	a, err := scanAgent(q.unheld().QueryRow(q.ctx, `SELECT `+agentColumns+` FROM agents
		WHERE removed_at IS NULL AND id = (SELECT agent_id FROM agent_keys WHERE fingerprint = $1)`, fingerprint))
	return a, one(err)
}

func (q *q) Agents() ([]engine.Agent, error) {
	return q.agents(`SELECT ` + agentColumns + ` FROM agents WHERE removed_at IS NULL ORDER BY handle`)
}

func (q *q) agents(query string, args ...any) ([]engine.Agent, error) {
	rows, err := q.unheld().Query(q.ctx, query, args...)
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
	rows, err := q.unheld().Query(q.ctx, `SELECT agent_id, auto_assigned FROM agent_days WHERE day = $1`, day)
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
	return q.exec(`INSERT INTO agent_days (agent_id, day, auto_assigned) VALUES ($1, $2, $3)
		ON CONFLICT (agent_id, day) DO UPDATE SET auto_assigned = agent_days.auto_assigned + excluded.auto_assigned`, agentID, day, n)
}

func (q *q) InsertAgent(a *engine.Agent) error {
	id, err := q.insert(`INSERT INTO agents (handle, name, email, role, presence, capacity, daily_cap,
		email_notify, webhook_url, webhook_secret, away_since, created_at,
		tz, schedule, schedule_next_at, away_until, auto_presence, auto_away_from, seen_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
		a.Handle, a.Name, a.Email, string(a.Role), string(a.Presence), a.Capacity, a.DailyCap,
		a.EmailNotify, a.WebhookURL, a.WebhookSecret, nullTS(a.AwaySince), ts(a.CreatedAt),
		a.TZ, a.Schedule, nullTS(a.ScheduleNextAt), nullTS(a.AwayUntil), a.AutoPresence, string(a.AutoAwayFrom), nullTS(a.SeenAt))
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// UpdateAgent writes an agent's settings; its load columns are AddAgentLoad's.
func (q *q) UpdateAgent(a *engine.Agent) error {
	return q.exec(`UPDATE agents SET name = $1, email = $2, role = $3, presence = $4, capacity = $5, daily_cap = $6,
		email_notify = $7, webhook_url = $8, webhook_secret = $9, away_since = $10,
		tz = $11, schedule = $12, schedule_next_at = $13, away_until = $14, auto_presence = $15,
		auto_away_from = $16, seen_at = $17 WHERE id = $18`,
		a.Name, a.Email, string(a.Role), string(a.Presence), a.Capacity, a.DailyCap,
		a.EmailNotify, a.WebhookURL, a.WebhookSecret, nullTS(a.AwaySince),
		a.TZ, a.Schedule, nullTS(a.ScheduleNextAt), nullTS(a.AwayUntil), a.AutoPresence, string(a.AutoAwayFrom), nullTS(a.SeenAt),
		a.ID)
}

func (q *q) AddAgentLoad(agentID int64, openLeads int, lastAssigned time.Time) error {
	return q.exec(`UPDATE agents SET open_leads = open_leads + $1, last_assigned_at = coalesce($2, last_assigned_at)
		WHERE id = $3`, openLeads, nullTS(lastAssigned), agentID)
}

// RemoveAgent marks the agent removed and drops its keys, so they log nobody in.
func (q *q) RemoveAgent(id int64, at time.Time) error {
	if err := q.exec(`DELETE FROM agent_keys WHERE agent_id = $1`, id); err != nil {
		return err
	}
	if err := q.exec(`DELETE FROM console_sessions WHERE agent_id = $1`, id); err != nil {
		return err
	}
	return q.exec(`UPDATE agents SET removed_at = $1, presence = 'offline', away_until = NULL, schedule_next_at = NULL
		WHERE id = $2`, ts(at), id)
}

func (q *q) Keys(agentID int64) ([]engine.Key, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT id, agent_id, fingerprint, public_key, comment, created_at
		FROM agent_keys WHERE agent_id = $1 ORDER BY id`, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Key
	for rows.Next() {
		var k engine.Key
		if err := rows.Scan(&k.ID, &k.AgentID, &k.Fingerprint, &k.PublicKey, &k.Comment, &k.CreatedAt); err != nil {
			return nil, err
		}
		k.CreatedAt = k.CreatedAt.UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

func (q *q) InsertKey(k *engine.Key) error {
	id, err := q.insert(`INSERT INTO agent_keys (agent_id, fingerprint, public_key, comment, created_at)
		VALUES ($1,$2,$3,$4,$5)`, k.AgentID, k.Fingerprint, k.PublicKey, k.Comment, ts(k.CreatedAt))
	if err != nil {
		return err
	}
	k.ID = id
	return nil
}

func (q *q) DeleteKey(id int64) error {
	return q.exec(`DELETE FROM agent_keys WHERE id = $1`, id)
}
