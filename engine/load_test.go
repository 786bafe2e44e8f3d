package engine_test

import (
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// TestOpenLeadsStayExact: each agent's open leads, which the engine keeps in the same
// transaction as the lead, equal the open leads it owns after every kind of change –
// routing, a batch, assign, reassign, unassign, re-route, status changes both ways, a
// refused command in a group commit, an agent removed – and its last assignment
// follows the leads it is given.
func TestOpenLeadsStayExact(t *testing.T) { eachStore(t, testOpenLeadsStayExact) }

func testOpenLeadsStayExact(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b", withCapacity(3))
	f.agent("c")
	f.rule(rr("main", "", to("a", 1), to("b", 1), to("c", 1)))
	check := func(step string) {
		t.Helper()
		team, err := f.e.Agents(f.ctx, f.owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, ag := range team {
			n, err := f.e.CountLeads(f.ctx, f.owner, engine.LeadQuery{Owner: ag.Handle, Open: true})
			if err != nil {
				t.Fatal(err)
			}
			if ag.OpenLeads != n {
				t.Fatalf("%s: %s has %d open leads, the agent says %d", step, ag.Handle, n, ag.OpenLeads)
			}
		}
	}
	ids := func(cs []engine.Created) []int64 {
		out := make([]int64, len(cs))
		for i, c := range cs {
			out[i] = c.Lead.ID
		}
		return out
	}
	var created []engine.Created
	for range 6 {
		created = append(created, f.lead(engine.NewLead{Name: "L"}))
	}
	check("routed one by one")
	batch, err := f.e.CreateLeads(f.ctx, f.owner, make([]engine.NewLead, 0))
	if err != nil || len(batch) != 0 {
		t.Fatalf("empty batch: %v %v", batch, err)
	}
	in := make([]engine.NewLead, 9)
	for i := range in {
		in[i] = engine.NewLead{Name: "B"}
	}
	if batch, err = f.e.CreateLeads(f.ctx, f.owner, in); err != nil {
		t.Fatal(err)
	}
	created = append(created, batch...)
	check("routed in a batch (b at capacity)")
	all := ids(created)

	f.clock.Add(time.Minute)
	if _, err := f.e.Assign(f.ctx, f.owner, all[:5], "c", "move"); err != nil {
		t.Fatal(err)
	}
	check("assigned and reassigned to c")
	if c := f.agentNamed("c"); !c.LastAssignedAt.Equal(f.clock.Now()) {
		t.Fatalf("c last assigned at %s, want %s", c.LastAssignedAt, f.clock.Now())
	}
	won, lost := engine.StatusWon, engine.StatusContacted
	if _, err := f.e.UpdateLead(f.ctx, f.owner, all[0], engine.LeadUpdate{Status: &won}); err != nil {
		t.Fatal(err)
	}
	check("won")
	if _, err := f.e.UpdateLead(f.ctx, f.owner, all[0], engine.LeadUpdate{Status: &lost}); err != nil {
		t.Fatal(err)
	}
	check("reopened")
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{all[0], 999999}, "a", ""); err == nil {
		t.Fatal("assigning an unknown lead succeeded")
	}
	check("a refused bulk assign")
	if _, err := f.e.Unassign(f.ctx, f.owner, all[3:8], "back"); err != nil {
		t.Fatal(err)
	}
	check("unassigned")
	if _, err := f.e.Reroute(f.ctx, f.owner, all); err != nil {
		t.Fatal(err)
	}
	check("re-routed")
	f.presence("a", engine.Away)
	if err := f.e.RemoveAgent(f.ctx, f.owner, "c"); err != nil {
		t.Fatal(err)
	}
	check("c removed")
	f.presence("a", engine.Available)
	check("a back, the queue drained")
	f.reopen()
	check("after a restart")
}
