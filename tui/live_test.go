package tui

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// opened is a console that has taken the lead model's first full version.
func opened(t *testing.T, eng *engine.Engine, actor engine.Actor) *Model {
	t.Helper()
	leads := modelOf(t, eng)
	feed := leads.Subscribe()
	defer feed.Close()
	for !leads.Snapshot().Loaded {
		<-feed.C
	}
	m := New(leads, actor, Options{Width: 100, Height: 30, DarkBackground: true})
	t.Cleanup(m.Close)
	m.Update(feedMsg{})
	return m
}

// A dispatcher's strip and history draw the events the lead model holds: a commit costs
// them no read of history, and a burst read twice shows each event once.
func TestStripShowsCommittedEventsWithoutReading(t *testing.T) {
	eng := testEngine(t)
	m := opened(t, eng, engine.System())
	version := m.s.snap.Version
	if _, _, err := eng.CreateToken(t.Context(), engine.System(), "zapier-hook", engine.RoleIntake); err != nil {
		t.Fatal(err)
	}
	u := m.leads.Since(version)
	for deadline := time.Now().Add(10 * time.Second); u.Snapshot.Version == version; u = m.leads.Since(version) {
		if time.Now().After(deadline) {
			t.Fatal("the model never published the token's event")
		}
		time.Sleep(time.Millisecond)
	}
	if len(u.Events) != 1 || u.Events[0].Kind != engine.EvTokenCreated {
		t.Fatalf("the burst holds %+v", u.Events)
	}
	for _, mp := range m.panes {
		if mp.pane.Stale(u.Events[0]) {
			t.Errorf("a token event makes the %s pane read again: nothing it shows needs reading", mp.spec.id)
		}
	}
	m.Update(feedMsg{waited: true})
	if frame := m.render(); !strings.Contains(frame, "zapier-hook") {
		t.Fatalf("the live strip does not show the event:\n%s", frame)
	}
	hist := m.mounted("history").pane.(*historyPane)
	if hist.n() == 0 || hist.at(0).ID != u.Events[0].ID {
		t.Fatalf("the history pane does not start with the committed event")
	}
	// The same events again, as a model that read history after a resync holds them.
	snap := m.s.snap
	seen := map[int64]bool{}
	for i := range snap.RecentLen() {
		if id := snap.Recent(i).ID; seen[id] {
			t.Fatalf("event %d is held twice", id)
		} else {
			seen[id] = true
		}
	}
}

// An agent's console never takes committed events as they are (it would see other
// agents' history): its history and inbox read again, from the engine, after the
// events that may concern it, and only those.
func TestAgentReadsOnlyWhatConcernsIt(t *testing.T) {
	eng := testEngine(t)
	m := opened(t, eng, actorOf(t, eng, "alice"))
	now := eng.Now()
	hist := m.mounted("history").pane
	inbox := m.mounted("inbox").pane
	for _, tt := range []struct {
		name        string
		ev          engine.Event
		hist, inbox bool
	}{
		{"bob's assignment", engine.Event{Kind: engine.EvLeadAssigned, Actor: "dana", LeadID: 7, Agent: "bob"}, false, false},
		{"a new lead in the queue", engine.Event{Kind: engine.EvLeadQueued, Actor: "system", LeadID: 7}, false, false},
		{"bob's presence", engine.Event{Kind: engine.EvAgentPresence, Actor: "bob", Agent: "bob"}, false, false},
		{"an assignment to alice", engine.Event{Kind: engine.EvLeadAssigned, Actor: "dana", LeadID: 8, Agent: "alice"}, true, true},
		{"a lead taken from alice", engine.Event{Kind: engine.EvLeadReassigned, Actor: "dana", LeadID: 9, From: "alice", To: "bob", Agent: "bob"}, true, true},
		{"alice's own status change", engine.Event{Kind: engine.EvLeadStatus, Actor: "alice", LeadID: 10}, true, false},
		{"alice read her notifications", engine.Event{Kind: engine.EvNotificationRead, Actor: "alice", Agent: "alice"}, true, true},
	} {
		tt.ev.ID, tt.ev.At = 1<<40, now
		if got := hist.Stale(tt.ev); got != tt.hist {
			t.Errorf("%s: history reads again %v, want %v", tt.name, got, tt.hist)
		}
		if got := inbox.Stale(tt.ev); got != tt.inbox {
			t.Errorf("%s: inbox reads again %v, want %v", tt.name, got, tt.inbox)
		}
		before := len(hist.(*historyPane).events)
		hist.Update(liveMsg{leadmodel.Update{Snapshot: m.s.snap, Burst: leadmodel.Burst{Events: []engine.Event{tt.ev}}}})
		if len(hist.(*historyPane).events) != before {
			t.Fatalf("%s: an agent's history took an event as it came", tt.name)
		}
	}
}

// A dispatcher's console reads nothing for the leads a burst touched: the shared model
// read them once for every session. Only the rules are read again, after rule events.
func TestDispatcherReadsOnlyRulesAgain(t *testing.T) {
	eng := testEngine(t)
	m := opened(t, eng, engine.System())
	for _, tt := range []struct {
		name  string
		ev    engine.Event
		stale []PaneID
	}{
		{"a new lead", engine.Event{Kind: engine.EvLeadCreated, LeadID: 3}, nil},
		{"a routed lead", engine.Event{Kind: engine.EvLeadRouted, LeadID: 4, Agent: "alice"}, nil},
		{"a presence", engine.Event{Kind: engine.EvAgentPresence, Agent: "bob"}, nil},
		{"a rule", engine.Event{Kind: engine.EvRuleChanged, RuleID: 2}, []PaneID{"rules"}},
		{"an agent removed", engine.Event{Kind: engine.EvAgentRemoved, Agent: "bob"}, []PaneID{"rules"}},
	} {
		var stale []PaneID
		for _, mp := range m.panes {
			if mp.pane.Stale(tt.ev) {
				stale = append(stale, mp.spec.id)
			}
		}
		if !slices.Equal(stale, tt.stale) {
			t.Errorf("%s: panes %v read again, want %v", tt.name, stale, tt.stale)
		}
	}
}

func TestMergeEvents(t *testing.T) {
	ev := func(ids ...int64) []engine.Event {
		out := make([]engine.Event, len(ids))
		for i, id := range ids {
			out[i] = engine.Event{ID: id}
		}
		return out
	}
	idsOf := func(es []engine.Event) []int64 {
		out := []int64{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name        string
		have, fresh []engine.Event
		limit       int
		want        []int64
	}{
		{"newer on top", ev(5, 4), ev(6, 7), 10, []int64{7, 6, 5, 4}},
		{"already read", ev(7, 6, 5), ev(6, 7), 10, []int64{7, 6, 5}},
		{"out of order", ev(9, 5), ev(6, 10), 10, []int64{10, 9, 6, 5}},
		{"cut to the limit", ev(3, 2, 1), ev(4, 5), 3, []int64{5, 4, 3}},
		{"into nothing", nil, ev(1, 2), 10, []int64{2, 1}},
		{"nothing new", ev(2, 1), nil, 10, []int64{2, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeEvents(tt.have, tt.fresh, func(engine.Event) bool { return true }, tt.limit)
			if !slices.Equal(idsOf(got), tt.want) {
				t.Errorf("got %v, want %v", idsOf(got), tt.want)
			}
		})
	}
}

// A list that follows the model burst by burst (its filter index updated from the
// changed ids alone) shows exactly what a list built from scratch over the same version
// shows, whatever the filter, the order or the part of the set it keeps; and its
// cursor stays on its lead.
func TestListFollowsBurstsAsARebuildWould(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 60, "web")
	addLeads(t, eng, 40, "facebook")
	m := opened(t, eng, engine.System())
	alice := actorOf(t, eng, "alice")
	rng := rand.New(rand.NewPCG(3, 4))
	type variant struct {
		name   string
		filter string
		mk     func(*Session) *leadList
	}
	variants := []variant{
		{"queue", "", func(s *Session) *leadList { return newQueuePane(s, "q").(*listPane).list }},
		{"queue, filtered", "s:fa", func(s *Session) *leadList { return newQueuePane(s, "q").(*listPane).list }},
		{"open leads, newest first, filtered", "t:vip o:al", func(s *Session) *leadList { return newLeadsPane(s, "l").(*listPane).list }},
		{"alice's own", "", func(s *Session) *leadList {
			return newMinePane(&Session{eng: s.eng, actor: alice, ctx: s.ctx, st: s.st, snap: s.snap}, "m").(*listPane).list
		}},
	}
	lists := make([]*leadList, len(variants))
	for i, v := range variants {
		lists[i] = v.mk(m.s)
		f, err := ParseFilter(v.filter)
		if err != nil {
			t.Fatal(err)
		}
		lists[i].apply(liveMsg{leadmodel.Update{Snapshot: m.s.snap, Burst: leadmodel.Burst{Resync: true}}})
		lists[i].setFilter(v.filter, f)
		lists[i].sc.to(5, lists[i].n())
		lists[i].noteCursor()
	}
	ctx := t.Context()
	version := m.s.snap.Version
	rounds := 0
	for round := range 25 {
		var pick []int64
		for range 1 + rng.IntN(6) {
			pick = append(pick, leads[rng.IntN(len(leads))].ID)
		}
		slices.Sort(pick)
		pick = slices.Compact(pick)
		var res engine.BulkResult
		var err error
		switch round % 4 {
		case 0:
			res, err = eng.Assign(ctx, engine.System(), pick, []string{"alice", "bob", "dana"}[rng.IntN(3)], "")
		case 1:
			res, err = eng.Unassign(ctx, engine.System(), pick, "")
		case 2:
			res, err = eng.SetStatus(ctx, engine.System(), pick, engine.StatusLost)
		case 3:
			addLeads(t, eng, 2, "facebook")
			res.Changed = []int64{0}
		}
		if err != nil && engine.KindOf(err) != engine.KindInvalid {
			t.Fatal(err)
		}
		if err != nil || len(res.Changed) == 0 {
			continue // refused, or nothing to change: no new version
		}
		var u leadmodel.Update
		deadline := time.Now().Add(10 * time.Second)
		for u = m.leads.Since(version); u.Snapshot.Version == version; u = m.leads.Since(version) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the model never published the change", round)
			}
			time.Sleep(time.Millisecond)
		}
		version = u.Snapshot.Version
		rounds++
		for i, l := range lists {
			cur := l.cur
			l.apply(liveMsg{u})
			fresh := variants[i].mk(&Session{eng: m.s.eng, actor: l.s.actor, ctx: m.s.ctx, st: m.s.st, snap: u.Snapshot})
			fresh.apply(liveMsg{leadmodel.Update{Snapshot: u.Snapshot, Burst: leadmodel.Burst{Resync: true}}})
			f, _ := ParseFilter(variants[i].filter)
			fresh.setFilter(variants[i].filter, f)
			if got, want := ids(l), ids(fresh); !slices.Equal(got, want) {
				t.Fatalf("round %d, %s: the list shows %v, rebuilt it would show %v", round, variants[i].name, got, want)
			}
			if l.kept != fresh.kept {
				t.Fatalf("round %d, %s: %d kept, rebuilt %d", round, variants[i].name, l.kept, fresh.kept)
			}
			if _, still := fresh.pos(cur); still && l.cur != cur {
				t.Fatalf("round %d, %s: the cursor left lead #%d for #%d", round, variants[i].name, cur, l.cur)
			}
		}
	}
	if rounds < 15 {
		t.Fatalf("only %d of 25 rounds changed anything", rounds)
	}
}
