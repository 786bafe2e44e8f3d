package sqlite

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const ruleColumns = `id, name, position, enabled, condition, mode, share_access, share_duration_ms,
	sla_ms, sla_action, turn_agent_id, turn_given, last_agent_id, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (engine.Rule, error) {
	var r engine.Rule
	var durMS, slaMS, created, updated int64
	err := row.Scan(&r.ID, &r.Name, &r.Position, &r.Enabled, &r.Condition, &r.Mode, &r.ShareAccess, &durMS,
		&slaMS, &r.SLAAction, &r.TurnAgentID, &r.TurnGiven, &r.LastAgentID, &created, &updated)
	r.ShareDuration = time.Duration(durMS) * time.Millisecond
	r.SLA = time.Duration(slaMS) * time.Millisecond
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
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
		query += ` WHERE rr.rule_id = ?`
		args = append(args, id)
	}
	rows, err := q.unheld().QueryContext(q.ctx, query+` ORDER BY rr.rule_id, rr.position`, args...)
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
	rows, err := q.unheld().QueryContext(q.ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY position, id`)
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
	r, err := scanRule(q.unheld().QueryRowContext(q.ctx, `SELECT `+ruleColumns+` FROM rules WHERE id = ?`, id))
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
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.Name, r.Position, r.Enabled, r.Condition, string(r.Mode), string(r.ShareAccess),
		r.ShareDuration.Milliseconds(), r.SLA.Milliseconds(), slaAction(r), r.TurnAgentID, r.TurnGiven, r.LastAgentID,
		ms(r.CreatedAt), ms(r.UpdatedAt))
	if err != nil {
		return err
	}
	r.ID = id
	return q.writeRecipients(r)
}

func (q *q) UpdateRule(r *engine.Rule) error {
	err := q.exec(`UPDATE rules SET name = ?, position = ?, enabled = ?, condition = ?, mode = ?,
		share_access = ?, share_duration_ms = ?, sla_ms = ?, sla_action = ?, turn_agent_id = ?, turn_given = ?,
		last_agent_id = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Position, r.Enabled, r.Condition, string(r.Mode), string(r.ShareAccess),
		r.ShareDuration.Milliseconds(), r.SLA.Milliseconds(), slaAction(r), r.TurnAgentID, r.TurnGiven,
		r.LastAgentID, ms(r.UpdatedAt), r.ID)
	if err != nil {
		return err
	}
	return q.writeRecipients(r)
}

func (q *q) writeRecipients(r *engine.Rule) error {
	if err := q.exec(`DELETE FROM rule_recipients WHERE rule_id = ?`, r.ID); err != nil {
		return err
	}
	for i, rc := range r.Recipients {
		if err := q.exec(`INSERT INTO rule_recipients (rule_id, position, agent_id, team_id, per_round) VALUES (?,?,?,?,?)`,
			r.ID, i+1, nullInt(rc.AgentID), nullInt(rc.TeamID), rc.PerRound); err != nil {
			return err
		}
	}
	return nil
}

// SaveRuleState writes only the rotation: the hot path of every assignment.
func (q *q) SaveRuleState(r *engine.Rule) error {
	return q.exec(`UPDATE rules SET turn_agent_id = ?, turn_given = ?, last_agent_id = ? WHERE id = ?`,
		r.TurnAgentID, r.TurnGiven, r.LastAgentID, r.ID)
}

func (q *q) DeleteRule(id int64) error {
	return q.exec(`DELETE FROM rules WHERE id = ?`, id)
}

func (q *q) SetRulePositions(ids []int64) error {
	for i, id := range ids {
		if err := q.exec(`UPDATE rules SET position = ? WHERE id = ?`, i+1, id); err != nil {
			return err
		}
	}
	return nil
}

// slaAction is the rule's SLA action as stored: "" is the default, reroute.
func slaAction(r *engine.Rule) string {
	if r.SLAAction == "" {
		return string(engine.SLAReroute)
	}
	return string(r.SLAAction)
}
