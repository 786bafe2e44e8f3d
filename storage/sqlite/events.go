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

var eventInsertColumns = []string{"id", "at", "kind", "actor", "lead_id", "agent", "rule_id", "from_value", "to_value",
	"reason", "routing"}

func (q *q) InsertEvent(e *engine.Event) error {
	var routing sql.NullString
	if e.Routing != nil {
		b, err := json.Marshal(e.Routing)
		if err != nil {
			return fmt.Errorf("encoding routing: %w", err)
		}
		routing = sql.NullString{String: string(b), Valid: true}
	}
	id, err := q.w.id(&q.w.held.events)
	if err != nil {
		return err
	}
	q.w.held.events.rows = append(q.w.held.events.rows, []any{id, ms(e.At), string(e.Kind), e.Actor, nullInt(e.LeadID), e.Agent,
		nullInt(e.RuleID), e.From, e.To, e.Reason, routing})
	e.ID = id
	return nil
}

func (q *q) LastEventID() (int64, error) {
	var id sql.NullInt64
	err := q.db.QueryRowContext(q.ctx, `SELECT max(id) FROM events`).Scan(&id)
	return id.Int64, err
}

func (q *q) Events(f engine.EventFilter) ([]engine.Event, error) {
	query, args := eventsQuery(f)
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

// eventsQuery is the query of Events.
func eventsQuery(f engine.EventFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.LeadID != 0 {
		add(`e.lead_id = ?`, f.LeadID)
	}
	if f.Agent != "" {
		c, a := touched(f.Agent)
		add(c, a...)
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
		add(`(`+named(f.VisibleToHandle)+` OR `+doneBy(f.VisibleToHandle)+` OR e.lead_id IN (SELECT id FROM leads WHERE owner_id = ?)
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
	return query, args
}

// touched is the condition "the event touched agent a": it names a (agent), a did it
// (actor), or it took a lead from a (a reassignment's from). See named and doneBy.
func touched(a string) (string, []any) {
	return `(` + named(a) + ` OR ` + doneBy(a) + ` OR (e.kind = 'lead.reassigned' AND e.from_value = ?))`, []any{a, a, a}
}

// named and doneBy are "agent = ?" and "actor = ?" for a name a. The indexes on agent
// and actor leave out events that name nobody and actors with a colon (no handle has
// one): for a name that can be an agent's, the condition says so too, which is what
// lets SQLite use them (TestHistoryQueriesUseIndexes); another name is looked for
// without them.
func named(a string) string {
	if a == "" {
		return `e.agent = ?`
	}
	return `(e.agent = ? AND e.agent <> '')`
}

func doneBy(a string) string {
	if strings.Contains(a, ":") {
		return `e.actor = ?`
	}
	return `(e.actor = ? AND instr(e.actor, ':') = 0)`
}

func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
