package postgres

import (
	"encoding/json"
	"errors"
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
		at             time.Time
		leadID, ruleID *int64
		routing        []byte
	)
	if err := row.Scan(&e.ID, &at, &e.Kind, &e.Actor, &leadID, &e.Agent, &ruleID, &e.From, &e.To, &e.Reason, &routing); err != nil {
		return e, err
	}
	e.At, e.LeadID, e.RuleID = at.UTC(), intOf(leadID), intOf(ruleID)
	if routing != nil {
		e.Routing = new(engine.Routing)
		if err := json.Unmarshal(routing, e.Routing); err != nil {
			return e, fmt.Errorf("event #%d: routing: %w", e.ID, err)
		}
	}
	return e, nil
}

// InsertEvent appends e with the next id of the journal, which the transaction holds.
func (q *q) InsertEvent(e *engine.Event) error {
	if q.w == nil {
		return errors.New("postgres: history is written in write transactions only")
	}
	var routing *string
	if e.Routing != nil {
		b, err := json.Marshal(e.Routing)
		if err != nil {
			return fmt.Errorf("encoding routing: %w", err)
		}
		s := string(b)
		routing = &s
	}
	id := q.w.nextEventID()
	e.ID = id
	// Held back with the command's other writes; a failure undoes the command, its
	// savepoint and the ids it was given.
	h := &q.w.held.events
	h.rows = append(h.rows, []any{id, ts(e.At), string(e.Kind), e.Actor, nullInt(e.LeadID), e.Agent, nullInt(e.RuleID),
		e.From, e.To, e.Reason, routing})
	return nil
}

var (
	eventInsertColumns = []string{"id", "at", "kind", "actor", "lead_id", "agent", "rule_id", "from_value", "to_value",
		"reason", "routing"}
	eventInsertTypes = []string{"bigint", "timestamptz", "text", "text", "bigint", "text", "bigint", "text", "text",
		"text", "jsonb"}
)

func (q *q) LastEventID() (int64, error) {
	var id int64
	err := q.db.QueryRow(q.ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&id)
	return id, err
}

// named and doneBy are "agent = $n" and "actor = $n" (param is $n, a its value). The
// indexes on agent and actor leave out events that name nobody and actors with a colon
// (no handle has one): for a name that can be an agent's, the condition says so too,
// which is what lets PostgreSQL use them; another name is looked for without them.
func named(param, a string) string {
	if a == "" {
		return `e.agent = ` + param
	}
	return `(e.agent = ` + param + ` AND e.agent <> '')`
}

func doneBy(param, a string) string {
	if strings.Contains(a, ":") {
		return `e.actor = ` + param
	}
	return `(e.actor = ` + param + ` AND strpos(e.actor, ':') = 0)`
}

func (q *q) Events(f engine.EventFilter) ([]engine.Event, error) {
	w := &where{}
	if f.LeadID != 0 {
		w.add(`e.lead_id = ` + w.arg(f.LeadID))
	}
	if f.Agent != "" {
		a := w.arg(f.Agent)
		w.add(`(` + named(a, f.Agent) + ` OR ` + doneBy(a, f.Agent) + ` OR (e.kind = 'lead.reassigned' AND e.from_value = ` + a + `))`)
	}
	if f.Kind != "" {
		if strings.Contains(f.Kind, ".") {
			w.add(`e.kind = ` + w.arg(f.Kind))
		} else { // a subject: "lead" matches lead.*; '/' sorts right after '.' (byte order)
			w.add(`e.kind >= ` + w.arg(f.Kind+".") + ` AND e.kind < ` + w.arg(f.Kind+"/"))
		}
	}
	if !f.Since.IsZero() {
		w.add(`e.at >= ` + w.arg(ts(f.Since)))
	}
	if f.VisibleTo != 0 {
		h, agent := w.arg(f.VisibleToHandle), w.arg(f.VisibleTo)
		w.add(`(` + named(h, f.VisibleToHandle) + ` OR ` + doneBy(h, f.VisibleToHandle) + ` OR e.lead_id IN (SELECT id FROM leads WHERE owner_id = ` + agent + `)
			OR e.lead_id IN (SELECT s.lead_id FROM shares s WHERE s.agent_id = ` + agent + ` AND ` + activeAt(w, nowOr(f.Now)) + `))`)
	}
	order := ` ORDER BY e.id DESC`
	if f.Ascending {
		w.add(`e.id > ` + w.arg(f.AfterID))
		order = ` ORDER BY e.id`
	} else if f.BeforeID != 0 {
		w.add(`e.id < ` + w.arg(f.BeforeID))
	}
	query := `SELECT ` + eventColumns + ` FROM events e` + w.String() + order
	if f.Limit > 0 {
		query += ` LIMIT ` + w.arg(f.Limit)
	}
	rows, err := q.db.Query(q.ctx, query, w.args...)
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
