package leadmodel

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	eng *engine.Engine
	m   *Model
}

func newFixture(t *testing.T, queued int) *fixture {
	t.Helper()
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
	f := &fixture{t: t, ctx: context.Background(), eng: eng}
	for _, a := range []engine.NewAgent{
		{Handle: "alice", Name: "Alice", Presence: engine.Available, Capacity: 10},
		{Handle: "bob", Name: "Bob", Presence: engine.Available},
	} {
		if _, err := eng.AddAgent(f.ctx, engine.System(), a); err != nil {
			t.Fatal(err)
		}
	}
	f.leads(queued)
	f.m = New(eng, slog.New(slog.DiscardHandler))
	t.Cleanup(f.m.Close)
	return f
}

func (f *fixture) leads(n int) []int64 {
	f.t.Helper()
	in := make([]engine.NewLead, n)
	for i := range in {
		in[i] = engine.NewLead{Name: fmt.Sprintf("Lead %d", i), Source: "web"}
	}
	out, err := f.eng.CreateLeads(f.ctx, engine.System(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	ids := make([]int64, n)
	for i, c := range out {
		ids[i] = c.Lead.ID
	}
	return ids
}

// wait waits for a snapshot that satisfies ok.
func (f *fixture) wait(what string, ok func(*Snapshot) bool) *Snapshot {
	f.t.Helper()
	feed := f.m.Subscribe()
	defer feed.Close()
	deadline := time.After(10 * time.Second)
	for {
		if s := f.m.Snapshot(); ok(s) {
			return s
		}
		select {
		case <-feed.C:
		case <-deadline:
			f.t.Fatalf("the model never showed %s", what)
		}
	}
}

func (f *fixture) agentID(handle string) int64 {
	f.t.Helper()
	a, err := f.eng.Agent(f.ctx, engine.System(), handle)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

func TestModelFollowsTheEngine(t *testing.T) {
	f := newFixture(t, 1200) // more than two chunks
	first := f.wait("the queue", func(s *Snapshot) bool { return s.Loaded })
	if first.Queue().Len() != 1200 || first.Open().Len() != 1200 || len(first.Team()) != 2 {
		t.Fatalf("loaded %d queued, %d open, %d agents", first.Queue().Len(), first.Open().Len(), len(first.Team()))
	}

	ids := f.leads(2)
	s := f.wait("the new leads", func(s *Snapshot) bool { return s.Queue().Len() == 1202 })
	if s.Row(ids[1]) == nil || s.Row(ids[1]).Title != "Lead 1" {
		t.Fatalf("new lead not held: %+v", s.Row(ids[1]))
	}
	if first.Queue().Len() != 1200 {
		t.Fatal("publishing a version changed an older one")
	}

	// Assigning moves leads out of the queue, and the team's load follows.
	if _, err := f.eng.Assign(f.ctx, engine.System(), []int64{1, 2, 3}, "alice", ""); err != nil {
		t.Fatal(err)
	}
	s = f.wait("the assignment", func(s *Snapshot) bool { return s.Queue().Len() == 1199 })
	if r := s.Row(2); r == nil || r.Owner != "alice" || r.Queued() || s.Open().Len() != 1202 {
		t.Fatalf("lead 2 after the assignment: %+v; %d open", r, s.Open().Len())
	}
	if a := s.Team()[slices.IndexFunc(s.Team(), func(a engine.Agent) bool { return a.Handle == "alice" })]; a.OpenLeads != 3 {
		t.Fatalf("alice's load in the model's team: %d, want 3", a.OpenLeads)
	}

	// A closed lead leaves the model, unless an agent holds an active share of it.
	won, lost := engine.StatusWon, engine.StatusLost
	if _, err := f.eng.Share(f.ctx, engine.System(), engine.NewShare{LeadID: 3, Agent: "bob", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for id, st := range map[int64]*engine.Status{2: &won, 3: &lost} {
		if _, err := f.eng.UpdateLead(f.ctx, engine.System(), id, engine.LeadUpdate{Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	s = f.wait("the closed leads", func(s *Snapshot) bool { return s.Open().Len() == 1200 })
	bob := f.agentID("bob")
	if s.Row(2) != nil || s.Row(3) == nil || s.ShareOf(bob, 3) == nil || len(s.SharesOf(bob)) != 1 {
		t.Fatalf("lead 2 held %v, lead 3 held %v with bob's share %v", s.Row(2) != nil, s.Row(3) != nil, s.ShareOf(bob, 3))
	}
	bobActor := engine.Actor{Name: "bob", Role: engine.RoleAgent, AgentID: bob}
	if acc := s.Row(3).AccessOf(bobActor, s.ShareOf(bob, 3), s.Now); acc != engine.AccessRead {
		t.Fatalf("bob's access to the lead shared with him: %q", acc)
	}
	if acc := s.Row(1).AccessOf(bobActor, s.ShareOf(bob, 1), s.Now); acc != engine.AccessNone {
		t.Fatalf("bob's access to alice's lead: %q", acc)
	}
	shares, err := f.eng.ActiveShares(f.ctx, engine.System())
	if err != nil || len(shares) != 1 {
		t.Fatal(shares, err)
	}
	if _, err := f.eng.RevokeShare(f.ctx, engine.System(), shares[0].ID); err != nil {
		t.Fatal(err)
	}
	s = f.wait("the revoked share", func(s *Snapshot) bool { return s.Row(3) == nil })
	if len(s.SharesOf(bob)) != 0 {
		t.Fatalf("bob still holds %v", s.SharesOf(bob))
	}
}

// A session reads what changed since the version it last saw; one that fell too far
// behind is told to read everything again.
func TestSince(t *testing.T) {
	f := newFixture(t, 3)
	s := f.wait("the queue", func(s *Snapshot) bool { return s.Loaded })
	v := s.Version
	a := f.leads(1)
	b := f.leads(1)
	f.wait("both leads", func(s *Snapshot) bool { return s.Queue().Len() == 5 })
	u := f.m.Since(v)
	if u.Resync || !slices.Equal(u.Leads, []int64{a[0], b[0]}) || len(u.Events) != 4 {
		t.Fatalf("since %d: resync %v, leads %v, %d events", v, u.Resync, u.Leads, len(u.Events))
	}
	if u := f.m.Since(u.Snapshot.Version); len(u.Leads) != 0 || len(u.Events) != 0 || u.Resync {
		t.Fatalf("nothing new, yet %+v", u.Burst)
	}
	for range keepBursts + 1 {
		f.m.publish(f.m.Snapshot(), Burst{})
	}
	if u := f.m.Since(v); !u.Resync {
		t.Fatal("a session further behind than the model keeps was not told to resync")
	}
}

// An engine resync (a subscriber that fell behind) makes the model read everything
// again, and its sessions too.
func TestModelSurvivesAFullFeed(t *testing.T) {
	defer func(n int) { hubBuffer = n }(hubBuffer)
	hubBuffer = 4
	f := newFixture(t, 0)
	s := f.wait("the empty queue", func(s *Snapshot) bool { return s.Loaded })
	// More commits than the hub holds for the model while it cannot read them.
	f.m.mu.Lock()
	for range 20 {
		f.leads(10)
	}
	f.m.mu.Unlock()
	f.wait("every lead", func(s *Snapshot) bool { return s.Queue().Len() == 200 })
	if !f.m.Since(s.Version).Resync {
		t.Fatal("sessions were not told to read everything again after the model did")
	}
}

// A snapshot holds the newest events, newest first; versions share them and an older
// one never sees what came after it.
func TestRecentEvents(t *testing.T) {
	f := newFixture(t, 2)
	first := f.wait("the queue", func(s *Snapshot) bool { return s.Loaded })
	if first.RecentLen() != 6 || first.Recent(0).Kind != engine.EvLeadQueued {
		t.Fatalf("%d recent events at start, newest %s", first.RecentLen(), first.Recent(0).Kind)
	}
	f.leads(1)
	next := f.wait("the new lead", func(s *Snapshot) bool { return s.Queue().Len() == 3 })
	if next.RecentLen() != 8 || first.RecentLen() != 6 {
		t.Fatalf("recent events: %d in the new version, %d in the old", next.RecentLen(), first.RecentLen())
	}
	if i, ok := next.RecentIndex(first.Recent(0).ID); !ok || i != 2 {
		t.Fatalf("the old newest event is at %d (%v) in the new version, want 2", i, ok)
	}

	var recent []engine.Event
	for id := int64(1); id <= 3*KeepRecent; id++ {
		recent = withRecent(recent, []engine.Event{{ID: id}, {ID: id}})
	}
	s := &Snapshot{recent: recent}
	if s.RecentLen() != KeepRecent || s.Recent(0).ID != 3*KeepRecent || s.Recent(KeepRecent-1).ID != 2*KeepRecent+1 {
		t.Fatalf("kept %d, newest %d, oldest %d", s.RecentLen(), s.Recent(0).ID, s.Recent(s.RecentLen()-1).ID)
	}
	if _, ok := s.RecentIndex(2 * KeepRecent); ok {
		t.Fatal("an event past the kept ones is found")
	}
}
