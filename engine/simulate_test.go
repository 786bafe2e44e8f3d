package engine_test

import (
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// specs are the rules as they are now, as drafts.
func (f *fixture) specs() []engine.RuleSpec {
	f.t.Helper()
	rules, err := f.e.Rules(f.ctx, f.owner)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]engine.RuleSpec, len(rules))
	for i, r := range rules {
		out[i] = r.Spec()
	}
	return out
}

func (f *fixture) simulate(q engine.SimulationQuery) engine.Simulation {
	f.t.Helper()
	sim, err := f.e.Simulate(f.ctx, f.owner, q)
	if err != nil {
		f.t.Fatalf("simulate: %v", err)
	}
	return sim
}

// mixedMorning makes a team (ada, bob, cy; dana a dispatcher) and rules – round robin
// ada:2 bob:1 for facebook, with web a load balance between cy and bob, a broadcast of
// vip leads to cy – and 40 leads a minute apart from facebook, web and a fair no rule
// matches, some vip. It returns the leads, oldest first.
func mixedMorning(t *testing.T, s enginetest.Store, web bool) (*fixture, []engine.Lead) {
	f := newFixture(t, s)
	f.agent("ada")
	f.agent("bob")
	f.agent("cy")
	f.agent("dana", withRole(engine.RoleDispatcher))
	f.rule(rr("fb", `source == "facebook"`, to("ada", 2), to("bob", 1)))
	if web {
		f.rule(engine.RuleSpec{Name: "web", Condition: `source == "web"`, Mode: engine.LoadBalance,
			Recipients: []engine.RecipientSpec{to("cy", 1), to("bob", 1)}})
	}
	f.rule(engine.RuleSpec{Name: "vip", Condition: `"vip" in tags`, Mode: engine.Broadcast, Recipients: []engine.RecipientSpec{to("cy", 1)}})
	sources := []string{"facebook", "web", "facebook", "fair", "web", "facebook", "web", "facebook"}
	for i := range 40 {
		in := engine.NewLead{Name: fmt.Sprintf("L%d", i), Source: sources[i%len(sources)]}
		if i%5 == 0 {
			in.Tags = []string{"vip"}
		}
		f.lead(in)
		f.clock.Add(time.Minute)
	}
	return f, f.allLeads()
}

// TestSimulateReplaysTheRealRules: replaying the rules as they are, over leads routed
// while the team did not change, gives every lead the owner it got.
func TestSimulateReplaysTheRealRules(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f, leads := mixedMorning(t, s, true)
		sim := f.simulate(engine.SimulationQuery{Rules: f.specs()})
		got := map[string]int{}
		queued := 0
		for _, l := range leads {
			if l.Owner == "" {
				queued++
			} else {
				got[l.Owner]++
			}
		}
		if sim.Leads != 40 || sim.ChangedOwner != 0 || len(sim.Changed) != 0 || sim.Queued != (engine.SimulatedQueue{Before: queued, After: queued}) {
			t.Fatalf("replay of the real rules: %+v", sim)
		}
		for _, a := range sim.Agents {
			if a.Before != got[a.Agent] || a.After != got[a.Agent] {
				t.Errorf("%s: %d before, %d after; it got %d", a.Agent, a.Before, a.After, got[a.Agent])
			}
		}
		if len(sim.Agents) != 3 {
			t.Errorf("agents %+v: want ada, bob and cy", sim.Agents)
		}

		// The team changes: bob goes away. The same rules now give bob nothing, and
		// each of its leads goes where the rules send it without him.
		f.presence("bob", engine.Away)
		sim = f.simulate(engine.SimulationQuery{Rules: f.specs()})
		for _, a := range sim.Agents {
			if a.Agent == "bob" && (a.Before != got["bob"] || a.After != 0) {
				t.Errorf("bob away: %+v", a)
			}
		}
		if sim.ChangedOwner < got["bob"] {
			t.Errorf("bob away: %d leads change owner, bob had %d", sim.ChangedOwner, got["bob"])
		}
	})
}

// TestSimulateASwappedRecipient: a draft that puts cy where bob was in the round robin
// changes exactly the leads bob got from it, each to cy. (No other owner rule: with one
// balancing load, the leads cy gets would move others too, as they would have.)
func TestSimulateASwappedRecipient(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f, leads := mixedMorning(t, s, false)
		draft := f.specs()
		draft[0].Recipients = []engine.RecipientSpec{to("ada", 2), to("cy", 1)}
		var want []engine.SimulatedChange
		bobsFromFB := 0
		for _, l := range leads {
			if l.Owner == "bob" && l.Source == "facebook" {
				want = append(want, engine.SimulatedChange{LeadID: l.ID, Before: "bob", After: "cy"})
				bobsFromFB++
			}
		}
		sim := f.simulate(engine.SimulationQuery{Rules: draft})
		if !reflect.DeepEqual(sim.Changed, want) || sim.ChangedOwner != len(want) || len(want) == 0 {
			t.Fatalf("changed %+v (%d), want %+v", sim.Changed, sim.ChangedOwner, want)
		}
		for _, a := range sim.Agents {
			d := a.After - a.Before
			switch {
			case a.Agent == "bob" && d != -bobsFromFB, a.Agent == "cy" && d != bobsFromFB, a.Agent == "ada" && d != 0:
				t.Errorf("%s: %d → %d", a.Agent, a.Before, a.After)
			}
		}

		// Disabling the facebook rule sends its leads to the queue; a limit replays
		// only the newest leads.
		off := false
		draft[0].Enabled = &off
		sim = f.simulate(engine.SimulationQuery{Rules: draft, Limit: 8})
		if sim.Leads != 8 || sim.ChangedOwner != 4 || sim.Queued.After-sim.Queued.Before != 4 {
			t.Errorf("the facebook rule off, the newest 8 leads: %+v", sim)
		}
	})
}

// TestSimulateIsPure: a simulation writes nothing – every table reads the same,
// history has no new event – and publishes nothing on the hub.
func TestSimulateIsPure(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f, _ := mixedMorning(t, s, true)
		sub := f.e.Subscribe(16)
		defer sub.Close()
		before, lastBefore := checksums(t, f), f.lastEventID()
		draft := f.specs()
		draft[0].Recipients = []engine.RecipientSpec{to("cy", 3)}
		sim := f.simulate(engine.SimulationQuery{Rules: draft})
		if sim.ChangedOwner == 0 {
			t.Fatal("the draft changed nothing: the test shows nothing")
		}
		after, lastAfter := checksums(t, f), f.lastEventID()
		if !reflect.DeepEqual(before, after) || lastBefore != lastAfter {
			t.Errorf("the simulation changed the database: last event %d → %d", lastBefore, lastAfter)
			for table, sum := range before {
				if after[table] != sum {
					t.Errorf("table %s changed", table)
				}
			}
		}
		// The first change the hub publishes after the simulation is the marker's.
		f.presence("dana", engine.Busy)
		c := <-sub.C
		if len(c.Events) != 1 || c.Events[0].Kind != engine.EvAgentPresence {
			t.Errorf("the hub published %+v before the marker", c)
		}
		// The checksums see a write: the marker's.
		if marked := checksums(t, f); reflect.DeepEqual(marked, after) || marked["events"] == after["events"] || marked["agents"] == after["agents"] {
			t.Error("the checksums did not see the marker's write")
		}
	})
}

// TestSimulateRefusals: a draft is checked as a save would check it, and the refusal
// names the rule; limits bound the cost; agents may not simulate.
func TestSimulateRefusals(t *testing.T) {
	f, _ := mixedMorning(t, enginetest.SQLite, true)
	for _, c := range []struct {
		q     engine.SimulationQuery
		kind  engine.Kind
		field string
		has   string
	}{
		{engine.SimulationQuery{Rules: []engine.RuleSpec{rr("ok", "", to("ada", 1)), rr("bad", `source ==`, to("ada", 1))}},
			engine.KindInvalid, "rules[1].condition", "rule 2: invalid condition"},
		{engine.SimulationQuery{Rules: []engine.RuleSpec{rr("ghost", "", to("nobody", 1))}}, engine.KindNotFound, "", "rule 1: unknown agent"},
		{engine.SimulationQuery{Rules: make([]engine.RuleSpec, engine.MaxSimulatedRules+1)}, engine.KindInvalid, "rules", "at most 100 rules"},
		{engine.SimulationQuery{Limit: engine.MaxSimulatedLeads + 1}, engine.KindInvalid, "limit", "from 1 to 10000"},
		{engine.SimulationQuery{Limit: -1}, engine.KindInvalid, "limit", "from 1 to 10000"},
		{engine.SimulationQuery{Last: 400 * 24 * time.Hour}, engine.KindInvalid, "since", "at most 366 days"},
	} {
		_, err := f.e.Simulate(f.ctx, f.owner, c.q)
		mustKind(t, err, c.kind)
		var ee *engine.Error
		errors.As(err, &ee)
		if !strings.Contains(err.Error(), c.has) || (c.field != "" && ee.Field != c.field) {
			t.Errorf("%v (field %q); want %q in field %q", err, ee.Field, c.has, c.field)
		}
	}
	_, err := f.e.Simulate(f.ctx, engine.AsAgent(f.agentNamed("ada")), engine.SimulationQuery{})
	mustKind(t, err, engine.KindForbidden)
	if _, err := f.e.Simulate(f.ctx, engine.AsAgent(f.agentNamed("dana")), engine.SimulationQuery{}); err != nil {
		t.Errorf("a dispatcher simulating: %v", err)
	}
}

func (f *fixture) lastEventID() int64 {
	f.t.Helper()
	evs := f.events(0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].ID
}

// checksums is a hash of every row of every table of the fixture's database, by table.
func checksums(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	out := map[string]string{}
	sum := func(rows []string) string {
		slices.Sort(rows)
		h := sha256.Sum256([]byte(strings.Join(rows, "\n")))
		return fmt.Sprintf("%x", h)
	}
	if f.kind.Name == enginetest.Postgres.Name {
		conn, err := pgx.Connect(f.ctx, f.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(f.ctx)
		rows, err := conn.Query(f.ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			rows, err := conn.Query(f.ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
			if err != nil {
				t.Fatal(err)
			}
			all, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			out[table] = sum(all)
		}
		return out
	}
	db, err := sql.Open("sqlite", "file:"+f.dsn+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var all []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			all = append(all, fmt.Sprint(vals...))
		}
		rows.Close()
		out[table] = sum(all)
	}
	if len(out) < 10 {
		t.Fatalf("only %d tables found", len(out))
	}
	return out
}
