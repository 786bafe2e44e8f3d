package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const ruleColumns = `id, name, position, enabled, condition, mode, share_access, share_duration_ms,
	sla_ms, sla_action, turn_agent_id, turn_given, last_agent_id, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (engine.Rule, error) {
	var r engine.Rule
	var durMS, slaMS int64
	var created, updated time.Time
	err := row.Scan(&r.ID, &r.Name, &r.Position, &r.Enabled, &r.Condition, &r.Mode, &r.ShareAccess, &durMS,
		&slaMS, &r.SLAAction, &r.TurnAgentID, &r.TurnGiven, &r.LastAgentID, &created, &updated)
	r.ShareDuration = time.Duration(durMS) * time.Millisecond
	r.SLA = time.Duration(slaMS) * time.Millisecond
	r.CreatedAt, r.UpdatedAt = created.UTC(), updated.UTC()
	return r, err
}

// recipients loads the recipients of the rules given (all rules when id is 0).
func (q *q) recipients(id int64) (map[int64][]engine.Recipient, error) {
	query := `SELECT rr.rule_id, coalesce(rr.agent_id, 0), coalesce(a.handle, ''), coalesce(rr.team_id, 0),
		coalesce(t.name, ''), rr.per_round FROM rule_recipients rr
		LEFT JOIN agents a ON a.id = rr.agent_id
		LEFT JOIN teams t ON t.id = rr.team_id`
	var args []any
	if id != 0 {
		query += ` WHERE rr.rule_id = $1`
		args = append(args, id)
	}
	rows, err := q.unheld().Query(q.ctx, query+` ORDER BY rr.rule_id, rr.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]engine.Recipient{}
	for rows.Next() {
		var ruleID int64
		var rc engine.Recipient
		if err := rows.Scan(&ruleID, &rc.AgentID, &rc.Agent, &rc.TeamID, &rc.Team, &rc.PerRound); err != nil {
			return nil, err
		}
		out[ruleID] = append(out[ruleID], rc)
	}
	return out, rows.Err()
}

func (q *q) Rules() ([]engine.Rule, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	recips, err := q.recipients(0)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Recipients = recips[out[i].ID]
	}
	return out, nil
}

func (q *q) Rule(id int64) (engine.Rule, error) {
	r, err := scanRule(q.unheld().QueryRow(q.ctx, `SELECT `+ruleColumns+` FROM rules WHERE id = $1`, id))
	if err != nil {
		return r, one(err)
	}
	recips, err := q.recipients(id)
	r.Recipients = recips[id]
	return r, err
}

func (q *q) InsertRule(r *engine.Rule) error {
	id, err := q.insert(`INSERT INTO rules (name, position, enabled, condition, mode, share_access,
		share_duration_ms, sla_ms, sla_action, turn_agent_id, turn_given, last_agent_id, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		r.Name, r.Position, r.Enabled, r.Condition, string(r.Mode), string(r.ShareAccess),
		r.ShareDuration.Milliseconds(), r.SLA.Milliseconds(), slaAction(r), r.TurnAgentID, r.TurnGiven, r.LastAgentID,
		ts(r.CreatedAt), ts(r.UpdatedAt))
	if err != nil {
		return err
	}
	r.ID = id
	return q.writeRecipients(r)
}

func (q *q) UpdateRule(r *engine.Rule) error {
	err := q.exec(`UPDATE rules SET name = $1, position = $2, enabled = $3, condition = $4, mode = $5,
		share_access = $6, share_duration_ms = $7, sla_ms = $8, sla_action = $9, turn_agent_id = $10,
		turn_given = $11, last_agent_id = $12, updated_at = $13 WHERE id = $14`,
		r.Name, r.Position, r.Enabled, r.Condition, string(r.Mode), string(r.ShareAccess),
		r.ShareDuration.Milliseconds(), r.SLA.Milliseconds(), slaAction(r), r.TurnAgentID, r.TurnGiven,
		r.LastAgentID, ts(r.UpdatedAt), r.ID)
	if err != nil {
		return err
	}
	return q.writeRecipients(r)
}

func (q *q) writeRecipients(r *engine.Rule) error {
	if err := q.exec(`DELETE FROM rule_recipients WHERE rule_id = $1`, r.ID); err != nil {
		return err
	}
	for i, rc := range r.Recipients {
		if err := q.exec(`INSERT INTO rule_recipients (rule_id, position, agent_id, team_id, per_round) VALUES ($1,$2,$3,$4,$5)`,
			r.ID, i+1, nullInt(rc.AgentID), nullInt(rc.TeamID), rc.PerRound); err != nil {
			return err
		}
	}
	return nil
}

// SaveRuleState writes only the rotation: the hot path of every assignment.
func (q *q) SaveRuleState(r *engine.Rule) error {
	return q.exec(`UPDATE rules SET turn_agent_id = $1, turn_given = $2, last_agent_id = $3 WHERE id = $4`,
		r.TurnAgentID, r.TurnGiven, r.LastAgentID, r.ID)
}

func (q *q) DeleteRule(id int64) error {
	return q.exec(`DELETE FROM rules WHERE id = $1`, id)
}

func (q *q) SetRulePositions(ids []int64) error {
	return q.exec(`UPDATE rules SET position = p.n FROM unnest($1::bigint[]) WITH ORDINALITY AS p(id, n)
		WHERE rules.id = p.id`, ids)
}

// slaAction is the rule's SLA action as stored: "" is the default, reroute.
func slaAction(r *engine.Rule) string {
	if r.SLAAction == "" {
		return string(engine.SLAReroute)
	}
	return string(r.SLAAction)
}
