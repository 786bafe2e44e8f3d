package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// StatsFacts restates engine.StatsFactsOf as queries that each read one range of an
// index made for it (migration 0006): leads_created for the leads created in the
// window, leads_contacted for its first contacts, events_kind_at for the history
// counted. Counting and grouping happen in SQL; percentiles are taken from the few
// values at engine.PercentileRanks, which a window function picks out.
func (q *q) StatsFacts(w engine.StatsWindow) (engine.StatsFacts, error) {
	var t engine.StatsTally
	since, until := ms(w.Since), ms(w.Until)

	rows, err := q.db.QueryContext(q.ctx, `SELECT source, count(*),
		count(CASE WHEN first_assigned_at < ?2 THEN 1 END), count(CASE WHEN first_contact_at < ?2 THEN 1 END)
		FROM leads WHERE created_at >= ?1 AND created_at < ?2 GROUP BY source`, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting leads created: %w", err)
	}
	err = eachRow(rows, func() error {
		var s engine.SourceStats
		if err := rows.Scan(&s.Source, &s.Created, &s.Assigned, &s.Contacted); err != nil {
			return err
		}
		t.Source(s)
		return nil
	})
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting leads created: %w", err)
	}

	var contacted, met int
	err = q.db.QueryRowContext(q.ctx, `SELECT count(*), count(CASE WHEN sla_met = 1 THEN 1 END)
		FROM leads WHERE first_contact_at >= ?1 AND first_contact_at < ?2`, since, until).Scan(&contacted, &met)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting first contacts: %w", err)
	}
	t.Contacts(contacted, met)

	tta, err := q.spreads(`SELECT '' AS k, first_assigned_at - created_at AS d FROM leads
		WHERE created_at >= ?1 AND created_at < ?2 AND first_assigned_at < ?2`, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("measuring the time to assign: %w", err)
	}
	t.TimeToAssign(tta[""])
	ttfc, err := q.spreads(`SELECT '' AS k, first_contact_at - created_at AS d FROM leads
		WHERE first_contact_at >= ?1 AND first_contact_at < ?2`, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("measuring the time to first contact: %w", err)
	}
	t.TimeToFirstContact(ttfc[""])
	byAgent, err := q.spreads(`SELECT a.handle AS k, l.first_contact_at - l.contact_assigned_at AS d
		FROM leads l JOIN agents a ON a.id = l.contact_owner_id
		WHERE l.first_contact_at >= ?1 AND l.first_contact_at < ?2`, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("measuring each agent's time to first contact: %w", err)
	}
	for h, s := range byAgent {
		t.AgentContacts(h, s)
	}

	rows, err = q.db.QueryContext(q.ctx, statsHistoryQuery, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting history: %w", err)
	}
	err = eachRow(rows, func() error {
		var (
			ev      engine.Event
			matched sql.NullString
			n       int
		)
		if err := rows.Scan(&ev.Kind, &ev.Agent, &ev.RuleID, &matched, &n); err != nil {
			return err
		}
		if matched.Valid {
			ev.Routing = &engine.Routing{}
			if err := json.Unmarshal([]byte(matched.String), &ev.Routing.Matched); err != nil {
				return fmt.Errorf("the rules a decision matched: %w", err)
			}
		}
		t.Events(ev, n)
		return nil
	})
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting history: %w", err)
	}
	return t.Facts(), nil
}

func (q *q) CreatedEvery(w engine.StatsWindow, step time.Duration) ([]int, error) {
	counts := make([]int, w.Steps(step))
	rows, err := q.db.QueryContext(q.ctx, `SELECT (created_at - ?1) / ?3, count(*) FROM leads
		WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1`, ms(w.Since), ms(w.Until), step.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("counting leads created: %w", err)
	}
	err = eachRow(rows, func() error {
		var i, n int
		if err := rows.Scan(&i, &n); err != nil {
			return err
		}
		if i >= 0 && i < len(counts) {
			counts[i] = n
		}
		return nil
	})
	return counts, err
}

// statsHistoryQuery counts the routing history of a window (?1 to ?2) by kind, agent,
// rule and the rules matched.
const statsHistoryQuery = `SELECT kind, agent, coalesce(rule_id, 0), json_extract(routing, '$.matched'), count(*)
	FROM events WHERE kind IN ('lead.routed','lead.queued','lead.assigned','lead.reassigned','lead.sla_missed')
	AND at >= ?1 AND at < ?2 GROUP BY 1, 2, 3, 4`

// spreads takes the percentiles of durations in milliseconds, by key: inner selects
// k (the key) and d (the duration). Only the values at engine.PercentileRanks of each
// key's n values leave the database.
func (q *q) spreads(inner string, args ...any) (map[string]engine.Spread, error) {
	rows, err := q.db.QueryContext(q.ctx, `SELECT k, i, n, d FROM (
		SELECT k, d, row_number() OVER (PARTITION BY k ORDER BY d) - 1 AS i, count(*) OVER (PARTITION BY k) AS n
		FROM (`+inner+`) AS v) AS r
		WHERE i IN ((n-1)/2, n/2, (n-1)*9/10, ((n-1)*9+9)/10)`, args...)
	if err != nil {
		return nil, err
	}
	type ranked struct {
		n  int
		at map[int]time.Duration
	}
	byKey := map[string]*ranked{}
	err = eachRow(rows, func() error {
		var (
			k    string
			i, n int
			d    int64
		)
		if err := rows.Scan(&k, &i, &n, &d); err != nil {
			return err
		}
		if byKey[k] == nil {
			byKey[k] = &ranked{n: n, at: map[int]time.Duration{}}
		}
		byKey[k].at[i] = time.Duration(d) * time.Millisecond
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]engine.Spread, len(byKey))
	for k, r := range byKey {
		out[k] = engine.SpreadOf(r.n, func(i int) time.Duration { return r.at[i] })
	}
	return out, nil
}

// eachRow runs fn for every row and closes rows.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (q *q) Arrivals(w engine.StatsWindow, limit int) ([]engine.Arrival, error) {
	// The first routing decision of each lead is one search of events_lead.
	rows, err := q.db.QueryContext(q.ctx, `SELECT `+leadColumns+`, r.kind, r.agent, r.rule_id`+leadFrom+`
		LEFT JOIN events r ON r.id = (SELECT min(e.id) FROM events e
			WHERE e.lead_id = l.id AND e.kind IN ('lead.routed','lead.queued'))
		WHERE l.created_at >= ? AND l.created_at < ? ORDER BY l.id DESC LIMIT ?`, ms(w.Since), ms(w.Until), limit)
	if err != nil {
		return nil, fmt.Errorf("reading the leads created: %w", err)
	}
	var out []engine.Arrival
	err = eachRow(rows, func() error {
		var (
			kind, agent sql.NullString
			rule        sql.NullInt64
		)
		l, err := scanLead(withMore{rows, []any{&kind, &agent, &rule}})
		if err != nil {
			return err
		}
		a := engine.Arrival{Lead: l, Decided: kind.Valid}
		if kind.String == string(engine.EvLeadRouted) {
			a.Owner, a.ByRule = agent.String, rule.Valid
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// withMore scans a row whose columns are a lead's and then more.
type withMore struct {
	row  interface{ Scan(...any) error }
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.row.Scan(append(dest, w.more...)...) }
