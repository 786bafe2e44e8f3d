package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const eventColumns = `e.id, e.at, e.kind, e.actor, e.lead_id, e.agent, e.rule_id, e.from_value, e.to_value,
	e.reason, e.routing`

func scanEvent(row interface{ Scan(...any) error }) (engine.Event, error) {
	var (
		e              engine.Event
		at             int64
		leadID, ruleID sql.NullInt64
		routing        sql.NullString
	)
	if err := row.Scan(&e.ID, &at, &e.Kind, &e.Actor, &leadID, &e.Agent, &ruleID, &e.From, &e.To, &e.Reason, &routing); err != nil {
		return e, err
	}
	e.At, e.LeadID, e.RuleID = fromMS(at), leadID.Int64, ruleID.Int64
	if routing.Valid {
		e.Routing = new(engine.Routing)
		if err := json.Unmarshal([]byte(routing.String), e.Routing); err != nil {
			return e, fmt.Errorf("event #%d: routing: %w", e.ID, err)
		}
	}
	return e, nil
}

func (q *q) InsertEvent(e *engine.Event) error {
	var routing sql.NullString
	if e.Routing != nil {
		b, err := json.Marshal(e.Routing)
		if err != nil {
			return fmt.Errorf("encoding routing: %w", err)
		}
		routing = sql.NullString{String: string(b), Valid: true}
	}
	id, err := q.insert(`INSERT INTO events (at, kind, actor, lead_id, agent, rule_id, from_value, to_value,
		reason, routing) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		ms(e.At), string(e.Kind), e.Actor, nullInt(e.LeadID), e.Agent, nullInt(e.RuleID), e.From, e.To, e.Reason, routing)
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

func (q *q) LastEventID() (int64, error) {
	var id sql.NullInt64
	err := q.db.QueryRowContext(q.ctx, `SELECT max(id) FROM events`).Scan(&id)
	return id.Int64, err
}

func (q *q) Events(f engine.EventFilter) ([]engine.Event, error) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.LeadID != 0 {
		add(`e.lead_id = ?`, f.LeadID)
	}
	if f.Agent != "" {
		add(`(e.agent = ? OR e.actor = ? OR (e.kind = 'lead.reassigned' AND e.from_value = ?))`, f.Agent, f.Agent, f.Agent)
	}
	if f.Kind != "" {
		if strings.Contains(f.Kind, ".") {
			add(`e.kind = ?`, f.Kind)
		} else { // a subject: "lead" matches lead.*; '/' sorts right after '.'
			add(`e.kind >= ? AND e.kind < ?`, f.Kind+".", f.Kind+"/")
		}
	}
	if !f.Since.IsZero() {
		add(`e.at >= ?`, ms(f.Since))
	}
	if f.VisibleTo != 0 {
		add(`(e.agent = ? OR e.actor = ? OR e.lead_id IN (SELECT id FROM leads WHERE owner_id = ?)
			OR e.lead_id IN (SELECT s.lead_id FROM shares s WHERE s.agent_id = ? AND `+activeAt+`))`,
			f.VisibleToHandle, f.VisibleToHandle, f.VisibleTo, f.VisibleTo, ms(nowOr(f.Now)))
	}
	order := ` ORDER BY e.id DESC`
	if f.Ascending {
		add(`e.id > ?`, f.AfterID)
		order = ` ORDER BY e.id`
	} else if f.BeforeID != 0 {
		add(`e.id < ?`, f.BeforeID)
	}
	query := `SELECT ` + eventColumns + ` FROM events e`
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, " AND ")
	}
	query += order
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := q.db.QueryContext(q.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
