package storetest

import (
	"reflect"
	"slices"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testAgents: the team is ordered by handle in byte order (not by a locale's
// collation); removed agents leave it but stay readable by id, lose their keys and free
// their handle; the load columns move only by AddAgentLoad.
func testAgents(e *env) {
	t := e.t
	for _, h := range []string{"b_x", "bx", "b-x", "a9", "b.x", "a10"} {
		e.agent(h)
	}
	handles := func() []string {
		var out []string
		for _, a := range read(e, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() }) {
			out = append(out, a.Handle)
		}
		return out
	}
	if got, want := handles(), []string{"a10", "a9", "b-x", "b.x", "b_x", "bx"}; !reflect.DeepEqual(got, want) {
		t.Errorf("agents in order %v, want %v", got, want)
	}
	gone := read(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByHandle("bx") })
	e.write(func(tx engine.WriteTx) error {
		return tx.InsertKey(&engine.Key{AgentID: gone.ID, Fingerprint: "SHA256:bx", PublicKey: "ssh-ed25519 B", CreatedAt: at})
	})
	e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(gone.ID, at.Add(time.Hour)) })
	if got := handles(); slices.Contains(got, "bx") {
		t.Errorf("a removed agent is on the team: %v", got)
	}
	if a := read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(gone.ID) }); a.Handle != "bx" || a.Presence != engine.Offline {
		t.Errorf("a removed agent read by id: %+v, want bx, offline", a)
	}
	if keys := read(e, func(r engine.Reader) ([]engine.Key, error) { return r.Keys(gone.ID) }); len(keys) != 0 {
		t.Errorf("a removed agent kept its keys: %+v", keys)
	}
	_, err := tryRead(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByKey("SHA256:bx") })
	mustNoRows(t, "a removed agent's key", err)
	again := e.agent("bx")
	if again.ID == gone.ID {
		t.Errorf("the new bx has the removed one's id %d", gone.ID)
	}
	if a := read(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByHandle("bx") }); a.ID != again.ID {
		t.Errorf("bx is #%d, want the new agent #%d", a.ID, again.ID)
	}

	// Keys by id; deleting one leaves the others.
	var keys []engine.Key
	e.write(func(tx engine.WriteTx) error {
		for _, fp := range []string{"SHA256:k2", "SHA256:k1", "SHA256:k3"} {
			k := engine.Key{AgentID: again.ID, Fingerprint: fp, PublicKey: "ssh-ed25519 " + fp, CreatedAt: at}
			if err := tx.InsertKey(&k); err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return tx.DeleteKey(keys[1].ID)
	})
	if got := read(e, func(r engine.Reader) ([]engine.Key, error) { return r.Keys(again.ID) }); !reflect.DeepEqual(got, []engine.Key{keys[0], keys[2]}) {
		t.Errorf("keys %+v, want %+v", got, []engine.Key{keys[0], keys[2]})
	}

	// Load: open leads add up, may go down, and the last assignment moves only when
	// given. UpdateAgent leaves both alone.
	a := again
	e.write(func(tx engine.WriteTx) error {
		for _, err := range []error{
			tx.AddAgentLoad(a.ID, 3, at.Add(time.Minute)),
			tx.AddAgentLoad(a.ID, -1, time.Time{}),
			tx.AddAgentLoad(a.ID, 2, time.Time{}),
		} {
			if err != nil {
				return err
			}
		}
		a.Name, a.Capacity = "Renamed", 5
		return tx.UpdateAgent(&a)
	})
	got := read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(a.ID) })
	if got.OpenLeads != 4 || !got.LastAssignedAt.Equal(at.Add(time.Minute)) || got.Name != "Renamed" || got.Capacity != 5 {
		t.Errorf("load after changes: open %d, last %s, name %q, capacity %d; want 4, %s, Renamed, 5",
			got.OpenLeads, got.LastAssignedAt, got.Name, got.Capacity, at.Add(time.Minute))
	}

	// Daily counts, per agent and day.
	e.write(func(tx engine.WriteTx) error {
		for _, c := range []struct {
			id  int64
			day string
			n   int
		}{{a.ID, "2026-11-23", 1}, {a.ID, "2026-11-23", 1}, {a.ID, "2026-11-24", 3}, {gone.ID, "2026-11-23", 1}, {a.ID, "2026-11-23", 5}} {
			if err := tx.AddAutoAssigned(c.id, c.day, c.n); err != nil {
				return err
			}
		}
		return nil
	})
	day := read(e, func(r engine.Reader) (map[int64]int, error) { return r.AutoAssigned("2026-11-23") })
	if want := map[int64]int{a.ID: 7, gone.ID: 1}; !reflect.DeepEqual(day, want) {
		t.Errorf("auto-assigned on 2026-11-23: %v, want %v", day, want)
	}
	if none := read(e, func(r engine.Reader) (map[int64]int, error) { return r.AutoAssigned("2026-01-01") }); len(none) != 0 {
		t.Errorf("auto-assigned on a day without any: %v", none)
	}
}

// testRules: rules by position then id, with their recipients in order; positions
// rewritten together; a deleted rule takes its recipients along.
func testRules(e *env) {
	t := e.t
	a, b, c := e.agent("a"), e.agent("b"), e.agent("c")
	var r1, r2, r3 engine.Rule
	e.write(func(tx engine.WriteTx) error {
		r1 = engine.Rule{Name: "one", Position: 2, Enabled: true, Mode: engine.RoundRobin, CreatedAt: at, UpdatedAt: at,
			Recipients: []engine.Recipient{{AgentID: c.ID, Agent: "c", PerRound: 1}, {AgentID: a.ID, Agent: "a", PerRound: 2}}}
		r2 = engine.Rule{Name: "two", Position: 1, Enabled: true, Mode: engine.LoadBalance, CreatedAt: at, UpdatedAt: at}
		r3 = engine.Rule{Name: "three", Position: 2, Enabled: false, Mode: engine.RoundRobin, CreatedAt: at, UpdatedAt: at,
			Recipients: []engine.Recipient{{AgentID: b.ID, Agent: "b", PerRound: 10}}}
		for _, r := range []*engine.Rule{&r1, &r2, &r3} {
			if err := tx.InsertRule(r); err != nil {
				return err
			}
		}
		return nil
	})
	names := func() []string {
		var out []string
		for _, r := range read(e, func(r engine.Reader) ([]engine.Rule, error) { return r.Rules() }) {
			out = append(out, r.Name)
		}
		return out
	}
	if got, want := names(), []string{"two", "one", "three"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v, want %v (by position, then id)", got, want)
	}
	rules := read(e, func(r engine.Reader) ([]engine.Rule, error) { return r.Rules() })
	if !reflect.DeepEqual(rules[1].Recipients, r1.Recipients) || rules[0].Recipients != nil {
		t.Errorf("recipients %+v and %+v, want %+v and none", rules[1].Recipients, rules[0].Recipients, r1.Recipients)
	}
	e.write(func(tx engine.WriteTx) error { return tx.SetRulePositions([]int64{r3.ID, r1.ID, r2.ID}) })
	if got, want := names(), []string{"three", "one", "two"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules after moving %v, want %v", got, want)
	}
	// The rotation alone.
	r1.TurnAgentID, r1.TurnGiven, r1.LastAgentID = a.ID, 1, c.ID
	e.write(func(tx engine.WriteTx) error { return tx.SaveRuleState(&r1) })
	got := read(e, func(r engine.Reader) (engine.Rule, error) { return r.Rule(r1.ID) })
	if got.TurnAgentID != a.ID || got.TurnGiven != 1 || got.LastAgentID != c.ID || got.Position != 2 {
		t.Errorf("rotation saved: %+v", got)
	}
	e.write(func(tx engine.WriteTx) error { return tx.DeleteRule(r1.ID) })
	if got, want := names(), []string{"three", "two"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules after deleting %v, want %v", got, want)
	}
	_, err := tryRead(e, func(r engine.Reader) (engine.Rule, error) { return r.Rule(r1.ID) })
	mustNoRows(t, "a deleted rule", err)
}

// testLeadPaging: leads by id, newest first or oldest first, in keyset pages.
func testLeadPaging(e *env) {
	t := e.t
	var all []int64
	e.write(func(tx engine.WriteTx) error {
		for range 25 {
			l := engine.Lead{}
			if err := insertLead(tx, &l); err != nil {
				return err
			}
			all = append(all, l.ID)
		}
		return nil
	})
	if !slices.IsSorted(all) {
		t.Fatalf("lead ids in insert order %v: not increasing", all)
	}
	for _, oldest := range []bool{false, true} {
		want := slices.Clone(all)
		if !oldest {
			slices.Reverse(want)
		}
		var got []int64
		f := engine.LeadFilter{OldestFirst: oldest, Limit: 10}
		for range 10 {
			page := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(f) })
			if len(page) == 0 {
				break
			}
			if len(page) > 10 {
				t.Fatalf("page of %d, limit 10", len(page))
			}
			got = append(got, leadIDs(page)...)
			f.AfterID = page[len(page)-1].ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("oldest first %v: pages gave %v, want %v", oldest, got, want)
		}
	}
	if n := read(e, func(r engine.Reader) (int, error) { return r.CountLeads(engine.LeadFilter{Limit: 3, AfterID: all[5]}) }); n != 25 {
		t.Errorf("CountLeads ignores paging: %d, want 25", n)
	}
}
