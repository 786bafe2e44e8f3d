package engine_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// HistoryQuery.Matches must select exactly what the store's history query reads: the
// console filters events the hub hands it with it instead of reading history again.
func TestHistoryQueryMatchesAgreesWithTheStore(t *testing.T) {
	eachStore(t, testHistoryQueryMatchesAgreesWithTheStore)
}

func testHistoryQueryMatchesAgreesWithTheStore(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("alice")
	f.agent("bob")
	var leads []int64
	for range 3 {
		leads = append(leads, f.lead(engine.NewLead{Name: "x", Source: "web"}).Lead.ID)
	}
	mustAssign(t, f, []int64{leads[0]}, "alice")
	f.clock.Add(time.Hour)
	since := f.clock.Now()
	mustAssign(t, f, []int64{leads[0]}, "bob") // alice loses it: a reassigned event from her
	if _, err := f.e.Share(f.ctx, f.owner, engine.NewShare{LeadID: leads[1], Agent: "bob", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	f.presence("bob", engine.Busy)

	all, err := f.e.History(f.ctx, f.owner, engine.HistoryQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []engine.HistoryQuery{
		{}, {Agent: "alice"}, {Agent: "bob"}, {Agent: "nobody"}, {Agent: "system"},
		{Kind: "lead"}, {Kind: "lead.reassigned"}, {Kind: "share"}, {Kind: "lea"},
		{LeadID: leads[0]}, {LeadID: leads[1], Kind: "share"}, {Agent: "bob", Kind: "agent"},
		{Since: since}, {Since: since, Agent: "alice"},
	} {
		q.Limit = 1000
		want, err := f.e.History(f.ctx, f.owner, q)
		if err != nil {
			t.Fatal(err)
		}
		var got, wantIDs []int64
		for _, e := range all.Items {
			if q.Matches(e) {
				got = append(got, e.ID)
			}
		}
		for _, e := range want.Items {
			wantIDs = append(wantIDs, e.ID)
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%+v: Matches keeps %v, the store reads %v", q, got, wantIDs)
		}
	}
	// The subtle case, spelled out: an agent's history holds the lead taken from it.
	taken := slices.IndexFunc(all.Items, func(e engine.Event) bool {
		return e.Kind == engine.EvLeadReassigned && e.From == "alice"
	})
	if taken < 0 || !(engine.HistoryQuery{Agent: "alice"}).Matches(all.Items[taken]) {
		t.Error("alice's history does not hold the lead reassigned away from her")
	}
}
