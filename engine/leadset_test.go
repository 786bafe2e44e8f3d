package engine_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func TestLeadsByID(t *testing.T) { eachStore(t, testLeadsByID) }

func testLeadsByID(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	alice := engine.AsAgent(f.agent("alice"))
	bob := engine.AsAgent(f.agent("bob"))
	owned := f.lead(engine.NewLead{Name: "Owned"}).Lead
	shared := f.lead(engine.NewLead{Name: "Shared"}).Lead
	other := f.lead(engine.NewLead{Name: "Other"}).Lead
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{owned.ID}, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Share(f.ctx, f.owner, engine.NewShare{LeadID: shared.ID, Agent: "alice", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	const missing = 9999
	all := []int64{owned.ID, shared.ID, other.ID, missing}
	for _, tt := range []struct {
		name     string
		actor    engine.Actor
		found    []int64
		wantGone []int64
	}{
		{"a dispatcher sees every lead", engine.System(), []int64{owned.ID, shared.ID, other.ID}, []int64{missing}},
		{"an agent sees its own and shared leads", alice, []int64{owned.ID, shared.ID}, []int64{other.ID, missing}},
		{"another agent sees none of them", bob, nil, []int64{owned.ID, shared.ID, other.ID, missing}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			found, gone, err := f.e.LeadsByID(f.ctx, tt.actor, all)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, d := range found {
				ids = append(ids, d.Lead.ID)
				if d.Lead.Name == "" {
					t.Errorf("lead #%d read without its fields", d.Lead.ID)
				}
				if want := d.Lead.ID == shared.ID; want != (len(d.Shares) == 1) {
					t.Errorf("lead #%d read with %d shares", d.Lead.ID, len(d.Shares))
				}
			}
			if !slices.Equal(ids, tt.found) || !slices.Equal(gone, tt.wantGone) {
				t.Errorf("found %v, gone %v; want %v and %v", ids, gone, tt.found, tt.wantGone)
			}
		})
	}
}

func TestActiveShares(t *testing.T) { eachStore(t, testActiveShares) }

func testActiveShares(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	alice := engine.AsAgent(f.agent("alice"))
	f.agent("bob")
	a := f.lead(engine.NewLead{Name: "A"}).Lead
	b := f.lead(engine.NewLead{Name: "B"}).Lead
	for _, s := range []engine.NewShare{{LeadID: a.ID, Agent: "alice"}, {LeadID: b.ID, Agent: "bob", Duration: time.Minute}, {LeadID: a.ID, Agent: "bob", Duration: time.Hour}} {
		if _, err := f.e.Share(f.ctx, f.owner, s); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Add(2 * time.Minute) // bob's share of b has run out, whether or not expiry ran
	shares, err := f.e.ActiveShares(f.ctx, f.owner)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range shares {
		got = append(got, fmt.Sprintf("%s:%d", s.Agent, s.LeadID))
	}
	if want := []string{fmt.Sprintf("alice:%d", a.ID), fmt.Sprintf("bob:%d", a.ID)}; !slices.Equal(got, want) {
		t.Errorf("active shares %v, want %v", got, want)
	}
	_, err = f.e.ActiveShares(f.ctx, alice)
	mustKind(t, err, engine.KindForbidden)
}
