package engine_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// TestShareLeadsAllOrNothing: sharing #1–#3 where the actor may not share #2 shares
// none of them; without #2 all are shared, in one command.
func TestShareLeadsAllOrNothing(t *testing.T) { eachStore(t, testShareLeadsAllOrNothing) }

func testShareLeadsAllOrNothing(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	ann := engine.AsAgent(f.agent("ann"))
	f.agent("bob")
	f.agent("carol")
	var ids []int64
	for _, owner := range []string{"ann", "bob", "ann"} {
		id := f.lead(engine.NewLead{Name: "L"}).Lead.ID
		mustAssign(t, f, []int64{id}, owner)
		ids = append(ids, id)
	}
	before := len(f.events(0))

	_, err := f.e.ShareLeads(f.ctx, ann, ids, "carol", engine.AccessRead, 48*time.Hour, "console")
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.ShareLeads(f.ctx, f.owner, append(slices.Clone(ids), 999), "carol", engine.AccessRead, 0, "api")
	mustKind(t, err, engine.KindNotFound)
	if after := len(f.events(0)); after != before {
		t.Fatalf("refused bulk shares wrote %d events", after-before)
	}
	carol := engine.AsAgent(f.agentNamed("carol"))
	for _, id := range ids {
		if _, err := f.e.Lead(f.ctx, carol, id); engine.KindOf(err) != engine.KindForbidden {
			t.Fatalf("after a refused bulk share, carol reads lead #%d: %v", id, err)
		}
	}

	mine := []int64{ids[0], ids[2]}
	res, err := f.e.ShareLeads(f.ctx, ann, mine, "carol", engine.AccessEdit, 48*time.Hour, "console")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Changed, mine) || len(res.Unchanged) != 0 {
		t.Fatalf("result = %+v", res)
	}
	for _, id := range mine {
		d, err := f.e.Lead(f.ctx, carol, id)
		if err != nil || d.Access != engine.AccessEdit {
			t.Fatalf("carol's access to #%d = %v, %v", id, d.Access, err)
		}
	}
	if notes, _, err := f.e.Notifications(f.ctx, carol, 10); err != nil || len(notes) != 1 {
		t.Fatalf("carol got %d notifications for one bulk share (%v), want one", len(notes), err)
	}
	// Sharing with the owner, or again until revoked with the same access, changes
	// nothing and records nothing.
	if _, err := f.e.ShareLeads(f.ctx, f.owner, ids[:1], "carol", engine.AccessRead, 0, "api"); err != nil {
		t.Fatal(err)
	}
	mark := len(f.events(0))
	res, err = f.e.ShareLeads(f.ctx, f.owner, ids, "carol", engine.AccessRead, 0, "api")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Unchanged, ids[:1]) || !slices.Equal(res.Changed, ids[1:]) {
		t.Fatalf("result = %+v", res)
	}
	res, err = f.e.ShareLeads(f.ctx, f.owner, ids[:2], "bob", engine.AccessRead, 0, "api")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Unchanged, ids[1:2]) || !slices.Equal(res.Changed, ids[:1]) {
		t.Fatalf("sharing bob's own lead with bob: result = %+v", res)
	}
	if got := len(eventsOf(f.events(0)[mark:], engine.EvShareChanged)) + len(eventsOf(f.events(0)[mark:], engine.EvShareCreated)); got != 3 {
		t.Fatalf("%d share events, want 3 (two for carol, one for bob)", got)
	}
}

// TestSetStatusAllOrNothing: an agent marking its two leads and another's as won
// changes none; its own two change together, and closing them frees its capacity.
func TestSetStatusAllOrNothing(t *testing.T) { eachStore(t, testSetStatusAllOrNothing) }

func testSetStatusAllOrNothing(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	ann := engine.AsAgent(f.agent("ann", withCapacity(2)))
	f.agent("bob")
	f.rule(rr("main", "", to("ann", 1)))
	a1 := f.lead(engine.NewLead{Name: "one"}).Lead.ID
	a2 := f.lead(engine.NewLead{Name: "two"}).Lead.ID
	waiting := f.lead(engine.NewLead{Name: "waits"}).Lead
	if waiting.Owner != "" {
		t.Fatalf("ann at capacity still got %s", waiting.Owner)
	}
	b := f.lead(engine.NewLead{Name: "bob's"}).Lead.ID
	mustAssign(t, f, []int64{b}, "bob")

	_, err := f.e.SetStatus(f.ctx, ann, []int64{a1, b, a2}, engine.StatusWon)
	mustKind(t, err, engine.KindForbidden)
	if f.get(a1).Status == engine.StatusWon {
		t.Fatal("the refused bulk status changed lead #1")
	}
	_, err = f.e.SetStatus(f.ctx, ann, []int64{a1}, engine.StatusAssigned)
	mustKind(t, err, engine.KindInvalid)

	res, err := f.e.SetStatus(f.ctx, ann, []int64{a1, a2}, engine.StatusContacted)
	if err != nil || len(res.Changed) != 2 {
		t.Fatalf("contacted: %+v, %v", res, err)
	}
	if f.get(a1).FirstContactAt.IsZero() {
		t.Fatal("first contact not stamped")
	}
	res, err = f.e.SetStatus(f.ctx, ann, []int64{a1, a2}, engine.StatusContacted)
	if err != nil || len(res.Unchanged) != 2 {
		t.Fatalf("again: %+v, %v", res, err)
	}
	if _, err := f.e.SetStatus(f.ctx, ann, []int64{a1, a2}, engine.StatusWon); err != nil {
		t.Fatal(err)
	}
	if got := f.get(waiting.ID).Owner; got != "ann" {
		t.Fatalf("after ann closed her leads the waiting lead went to %q, want ann (R10)", got)
	}
}
