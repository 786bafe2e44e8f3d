package tui

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// loaded is a console that has done its first full read.
func loaded(t *testing.T, eng *engine.Engine, actor engine.Actor) *Model {
	t.Helper()
	m := New(eng, actor, Options{Width: 100, Height: 30, DarkBackground: true})
	t.Cleanup(m.Close)
	m.Update(m.startRefresh()())
	if !m.loaded || m.err != nil {
		t.Fatalf("first load: loaded %v, err %v", m.loaded, m.err)
	}
	return m
}

func TestStripShowsCarriedEventsWithoutReading(t *testing.T) {
	eng := testEngine(t)
	m := loaded(t, eng, engine.System())
	// Not in the database: only the change carries it.
	ev := engine.Event{ID: 1 << 40, At: eng.Now(), Kind: engine.EvTokenCreated, Actor: "carol", To: "zapier-hook"}
	m.Update(changeMsg{events: []engine.Event{ev}})
	if m.inflight {
		t.Fatal("a token event started a refresh: nothing it shows needs reading")
	}
	if len(m.strip) == 0 || m.strip[0].ID != ev.ID {
		t.Fatalf("the strip does not start with the carried event: %v", m.strip)
	}
	if len(m.hist.events) == 0 || m.hist.events[0].ID != ev.ID {
		t.Fatalf("the history pane does not start with the carried event")
	}
	if frame := m.render(); !strings.Contains(frame, "zapier-hook") {
		t.Fatalf("the live strip does not show the event:\n%s", frame)
	}
	// The same event again (a history read may already hold it) is shown once.
	m.Update(changeMsg{events: []engine.Event{ev}})
	if n := len(m.strip) - len(slices.CompactFunc(slices.Clone(m.strip), func(a, b engine.Event) bool { return a.ID == b.ID })); n != 0 {
		t.Fatalf("the strip shows an event twice")
	}
}

func TestAgentGetsNoCarriedEvents(t *testing.T) {
	eng := testEngine(t)
	m := loaded(t, eng, actorOf(t, eng, "alice"))
	now := eng.Now()
	for _, tt := range []struct {
		name string
		ev   engine.Event
		read bool // alice's history and workspace are read again
		team bool
	}{
		{"bob's assignment", engine.Event{Kind: engine.EvLeadAssigned, Actor: "dana", LeadID: 7, Agent: "bob"}, false, true},
		{"a new lead in the queue", engine.Event{Kind: engine.EvLeadQueued, Actor: "system", LeadID: 7}, false, false},
		{"bob's presence", engine.Event{Kind: engine.EvAgentPresence, Actor: "bob", Agent: "bob"}, false, true},
		{"an assignment to alice", engine.Event{Kind: engine.EvLeadAssigned, Actor: "dana", LeadID: 8, Agent: "alice"}, true, true},
		{"a lead taken from alice", engine.Event{Kind: engine.EvLeadReassigned, Actor: "dana", LeadID: 9, From: "alice", To: "bob", Agent: "bob"}, true, true},
		{"alice's own status change", engine.Event{Kind: engine.EvLeadStatus, Actor: "alice", LeadID: 10}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.ID, tt.ev.At = 1<<40, now
			r := m.refreshFor(changeMsg{events: []engine.Event{tt.ev}})
			if len(r.events) != 0 {
				t.Fatal("an agent's console takes events from the hub as they are: it would see other agents' history")
			}
			if r.history != tt.read || r.workspace != tt.read || r.agents != tt.team {
				t.Errorf("history %v, workspace %v, team %v; want %v, %v, %v", r.history, r.workspace, r.agents, tt.read, tt.read, tt.team)
			}
			if len(r.leads) != 0 {
				t.Error("an agent's console reads leads one by one: it has no queue")
			}
		})
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
	ids := func(es []engine.Event) []int64 {
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
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("got %v, want %v", ids(got), tt.want)
			}
		})
	}
}

func TestDispatcherReloadsOnlyWhatEventsTouch(t *testing.T) {
	eng := testEngine(t)
	m := loaded(t, eng, engine.System())
	for _, tt := range []struct {
		name   string
		events []engine.Event
		leads  []int64
		team   bool
		rules  bool
	}{
		{"a new lead in the queue", []engine.Event{{Kind: engine.EvLeadCreated, LeadID: 3}, {Kind: engine.EvLeadQueued, LeadID: 3}}, []int64{3}, false, false},
		{"a routed lead", []engine.Event{{Kind: engine.EvLeadCreated, LeadID: 4}, {Kind: engine.EvLeadRouted, LeadID: 4, Agent: "alice"}}, []int64{4}, true, false},
		{"an unowned lead closed", []engine.Event{{Kind: engine.EvLeadStatus, LeadID: 5}}, []int64{5}, false, false},
		{"an owned lead closed", []engine.Event{{Kind: engine.EvLeadStatus, LeadID: 5, Agent: "bob"}}, []int64{5}, true, false},
		{"a presence", []engine.Event{{Kind: engine.EvAgentPresence, Agent: "bob"}}, nil, true, false},
		{"a rule", []engine.Event{{Kind: engine.EvRuleChanged, RuleID: 2}}, nil, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := m.refreshFor(changeMsg{events: tt.events})
			leads := slices.Sorted(maps.Keys(r.leads))
			if !slices.Equal(leads, tt.leads) || r.agents != tt.team || r.rules != tt.rules || r.history || r.full {
				t.Errorf("reads leads %v, team %v, rules %v, history %v, everything %v; want leads %v, team %v, rules %v and no history",
					leads, r.agents, r.rules, r.history, r.full, tt.leads, tt.team, tt.rules)
			}
			if len(r.events) != len(tt.events) {
				t.Errorf("carries %d events to show, want %d", len(r.events), len(tt.events))
			}
		})
	}
}
