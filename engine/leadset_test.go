package engine_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func TestLeadsByID(t *testing.T) {
	f := newFixture(t)
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
			for _, l := range found {
				ids = append(ids, l.ID)
				if l.Name == "" {
					t.Errorf("lead #%d read without its fields", l.ID)
				}
			}
			if !slices.Equal(ids, tt.found) || !slices.Equal(gone, tt.wantGone) {
				t.Errorf("found %v, gone %v; want %v and %v", ids, gone, tt.found, tt.wantGone)
			}
		})
	}
}
