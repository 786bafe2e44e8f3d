package postgres

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/switchboard/switchboard/engine"
)

// StatsFacts restates engine.StatsFactsOf by reading one range of an index made for
// each part (migration 0005): leads_created for the leads created in the window,
// leads_contacted for its first contacts (both index-only scans), events_kind_at for
// the history counted. The leads are counted and ranked here, in Go, from their times
// as stored: ranking them in SQL with window functions sorted every value twice and
// took most of a week's stats (BenchmarkStats). History is grouped in SQL, by hash.
func (q *q) StatsFacts(w engine.StatsWindow) (engine.StatsFacts, error) {
	var t engine.StatsTally
	since, until := ts(w.Since), ts(w.Until)
	if err := q.statsCreated(&t, since, until); err != nil {
		return engine.StatsFacts{}, fmt.Errorf("reading the leads created: %w", err)
	}
	if err := q.statsContacts(&t, since, until); err != nil {
		return engine.StatsFacts{}, fmt.Errorf("reading the first contacts: %w", err)
	}

	rows, err := q.db.Query(q.ctx, statsHistoryQuery, since, until)
	if err != nil {
		return engine.StatsFacts{}, fmt.Errorf("counting history: %w", err)
	}
	err = eachRow(rows, func() error {
		var (
			ev      engine.Event
			matched []byte
			n       int
		)
		if err := rows.Scan(&ev.Kind, &ev.Agent, &ev.RuleID, &matched, &n); err != nil {
			return err
		}
		if matched != nil {
			ev.Routing = &engine.Routing{}
			if err := json.Unmarshal(matched, &ev.Routing.Matched); err != nil {
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

// statsCreatedQuery reads the leads created in a window ($1 to $2) from leads_created
// alone.
const statsCreatedQuery = `SELECT source, created_at, first_assigned_at, first_contact_at
	FROM leads WHERE created_at >= $1 AND created_at < $2`

func (q *q) statsCreated(t *engine.StatsTally, since, until time.Time) error {
	rows, err := q.db.Query(q.ctx, statsCreatedQuery, since, until)
	if err != nil {
		return err
	}
	sources := map[string]*engine.SourceStats{}
	var tta []time.Duration
	err = eachRow(rows, func() error {
		var (
			source              string
			created             time.Time
			assigned, contacted pgtype.Timestamptz
		)
		if err := rows.Scan(&source, &created, &assigned, &contacted); err != nil {
			return err
		}
		s := sources[source]
		if s == nil {
			s = &engine.SourceStats{Source: source}
			sources[source] = s
		}
		s.Created++
		if assigned.Valid && assigned.Time.Before(until) {
			s.Assigned++
			tta = append(tta, assigned.Time.Sub(created))
		}
		if contacted.Valid && contacted.Time.Before(until) {
			s.Contacted++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range sources {
		t.Source(*s)
	}
	t.TimeToAssign(spreadOf(tta))
	return nil
}

// statsContactsQuery reads the first contacts of a window ($1 to $2) from
// leads_contacted alone, with the owner at contact by handle.
const statsContactsQuery = `SELECT l.first_contact_at, l.created_at, l.sla_met, coalesce(a.handle, ''), l.contact_assigned_at
	FROM leads l LEFT JOIN agents a ON a.id = l.contact_owner_id
	WHERE l.first_contact_at >= $1 AND l.first_contact_at < $2`

func (q *q) statsContacts(t *engine.StatsTally, since, until time.Time) error {
	rows, err := q.db.Query(q.ctx, statsContactsQuery, since, until)
	if err != nil {
		return err
	}
	var ttfc []time.Duration
	byOwner := map[string][]time.Duration{}
	met := 0
	err = eachRow(rows, func() error {
		var (
			contact, created time.Time
			slaMet           bool
			owner            string
			assigned         pgtype.Timestamptz
		)
		if err := rows.Scan(&contact, &created, &slaMet, &owner, &assigned); err != nil {
			return err
		}
		ttfc = append(ttfc, contact.Sub(created))
		if slaMet {
			met++
		}
		if owner != "" {
			byOwner[owner] = append(byOwner[owner], contact.Sub(assigned.Time))
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.Contacts(len(ttfc), met)
	t.TimeToFirstContact(spreadOf(ttfc))
	for h, ds := range byOwner {
		t.AgentContacts(h, spreadOf(ds))
	}
	return nil
}

// statsHistoryQuery counts the routing history of a window ($1 to $2) by kind, agent,
// rule and the rules matched.
const statsHistoryQuery = `SELECT kind, agent, coalesce(rule_id, 0), routing->'matched', count(*)
	FROM events WHERE kind IN ('lead.routed','lead.queued','lead.assigned','lead.reassigned','lead.sla_missed')
	AND at >= $1 AND at < $2 GROUP BY 1, 2, 3, 4`

// spreadOf is the percentiles of durations.
func spreadOf(ds []time.Duration) engine.Spread {
	slices.Sort(ds)
	return engine.SpreadOf(len(ds), func(i int) time.Duration { return ds[i] })
}

// createdEveryQuery counts the leads created in each step ($3 milliseconds) of a window
// ($1 to $2), by the start of the step (date_bin), grouped by hash.
const createdEveryQuery = `SELECT date_bin($3 * interval '1 millisecond', created_at, $1), count(*) FROM leads
	WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`

func (q *q) CreatedEvery(w engine.StatsWindow, step time.Duration) ([]int, error) {
	counts := make([]int, w.Steps(step))
	since := ts(w.Since)
	rows, err := q.db.Query(q.ctx, createdEveryQuery, since, ts(w.Until), step.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("counting leads created: %w", err)
	}
	err = eachRow(rows, func() error {
		var (
			start time.Time
			n     int
		)
		if err := rows.Scan(&start, &n); err != nil {
			return err
		}
		if i := int(start.Sub(since) / step); i >= 0 && i < len(counts) {
			counts[i] = n
		}
		return nil
	})
	return counts, err
}

// eachRow runs fn for every row and closes rows.
func eachRow(rows pgx.Rows, fn func() error) error {
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
	rows, err := q.db.Query(q.ctx, `SELECT `+leadColumns+`, r.kind, r.agent, r.rule_id`+leadFrom+`
		LEFT JOIN events r ON r.id = (SELECT min(e.id) FROM events e
			WHERE e.lead_id = l.id AND e.kind IN ('lead.routed','lead.queued'))
		WHERE l.created_at >= $1 AND l.created_at < $2 ORDER BY l.id DESC LIMIT $3`, ts(w.Since), ts(w.Until), limit)
	if err != nil {
		return nil, fmt.Errorf("reading the leads created: %w", err)
	}
	var out []engine.Arrival
	err = eachRow(rows, func() error {
		var (
			kind, agent *string
			rule        *int64
		)
		l, err := scanLead(withMore{rows, []any{&kind, &agent, &rule}})
		if err != nil {
			return err
		}
		a := engine.Arrival{Lead: l, Decided: kind != nil}
		if kind != nil && *kind == string(engine.EvLeadRouted) {
			a.Owner, a.ByRule = strOf(agent), rule != nil
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
