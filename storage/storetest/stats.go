package storetest

import (
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// statsHistory is a scripted history around the window [at, at+24h): leads created
// before, at the start of, inside and at the end of it, assigned and contacted at
// known times, and history of every kind the stats count, inside and outside it.
type statsHistory struct {
	ada, bob, cy engine.Agent
	window       engine.StatsWindow
}

func (e *env) statsHistory() statsHistory {
	h := statsHistory{ada: e.agent("ada"), bob: e.agent("bob"), cy: e.agent("cy"),
		window: engine.StatsWindow{Since: at, Until: at.Add(24 * time.Hour)}}
	m := func(d time.Duration) time.Time { return at.Add(d) }
	type spec struct {
		created         time.Duration
		source          string
		assigned        time.Duration // -1: never
		contacted       time.Duration // -1: never
		owner           *engine.Agent // at first contact
		contactAssigned time.Duration
		met             bool
	}
	for _, s := range []spec{
		{-time.Hour, "web", -time.Hour, 2 * time.Hour, &h.ada, -time.Hour, false},                                            // created before, contacted inside
		{0, "web", 0, 10 * time.Minute, &h.ada, 0, true},                                                                     // created at since: inside
		{time.Hour, "web", time.Hour + 30*time.Second, time.Hour + 20*time.Minute, &h.bob, time.Hour + 30*time.Second, true}, // queued 30s
		{2 * time.Hour, "facebook", 2*time.Hour + 5*time.Minute, -1, nil, 0, false},                                          // not contacted
		{3 * time.Hour, "facebook", -1, -1, nil, 0, false},                                                                   // still queued
		{4 * time.Hour, "facebook", 4 * time.Hour, 25 * time.Hour, &h.cy, 4 * time.Hour, false},                              // contacted after until
		{24 * time.Hour, "web", 24 * time.Hour, 24*time.Hour + time.Minute, &h.ada, 24 * time.Hour, true},                    // created at until: outside
		{5 * time.Hour, "web", -1, 5*time.Hour + 2*time.Minute, nil, 0, false},                                               // contacted while queued
	} {
		l := engine.Lead{Source: s.source, CreatedAt: m(s.created), Status: engine.StatusNew}
		if s.assigned >= 0 {
			l.FirstAssignedAt, l.AssignedAt, l.Status = m(s.assigned), m(s.assigned), engine.StatusAssigned
		}
		if s.contacted >= 0 {
			l.FirstContactAt, l.Status, l.SLAMet = m(s.contacted), engine.StatusContacted, s.met
		}
		if s.owner != nil {
			l.OwnerID, l.ContactOwnerID, l.ContactAssignedAt = s.owner.ID, s.owner.ID, m(s.contactAssigned)
		}
		e.lead(l)
	}
	routed := func(d time.Duration, rule int64, agent string, matched ...int64) engine.Event {
		ev := engine.Event{At: m(d), Kind: engine.EvLeadRouted, Agent: agent, RuleID: rule, To: agent}
		if matched != nil {
			ev.Routing = &engine.Routing{Rule: rule, Owner: agent, Reason: "r", Matched: matched}
		}
		return ev
	}
	for _, ev := range []engine.Event{
		routed(0, 1, "ada", 1, 2),
		routed(time.Hour, 1, "ada", 1, 2),
		routed(2*time.Hour, 1, "bob", 1),
		routed(3*time.Hour, 3, "cy"),     // written before routing listed the rules matched
		routed(3*time.Hour, 0, "ada", 1), // a returning lead back to its owner: no rule set it
		{At: m(3 * time.Hour), Kind: engine.EvLeadQueued, Routing: &engine.Routing{Reason: "no eligible recipient in rule #2", Matched: []int64{2}}},
		{At: m(4 * time.Hour), Kind: engine.EvLeadQueued, Routing: &engine.Routing{Reason: "no rule matched"}},
		{At: m(5 * time.Hour), Kind: engine.EvLeadAssigned, Actor: "dana", Agent: "bob", To: "bob"},
		{At: m(6 * time.Hour), Kind: engine.EvLeadReassigned, Actor: "dana", Agent: "cy", From: "bob", To: "cy"},
		{At: m(7 * time.Hour), Kind: engine.EvLeadSLAMissed, Agent: "bob", From: "bob"},
		{At: m(time.Hour), Kind: engine.EvLeadStatus, Agent: "ada", From: "assigned", To: "contacted"},
		routed(24*time.Hour, 1, "ada", 1),                                      // at until: outside
		{At: m(-time.Millisecond), Kind: engine.EvLeadSLAMissed, Agent: "ada"}, // before since: outside
	} {
		e.event(ev)
	}
	return h
}

// goStats is StatsFactsOf over every lead and event of the store.
func (e *env) goStats(w engine.StatsWindow) engine.StatsFacts {
	leads := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{}) })
	events := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{}) })
	agents := read(e, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() })
	handles := map[int64]string{}
	for _, a := range agents {
		handles[a.ID] = a.Handle
	}
	return engine.StatsFactsOf(w, leads, events, func(id int64) string { return handles[id] })
}

func (e *env) storeStats(w engine.StatsWindow) engine.StatsFacts {
	return read(e, func(r engine.Reader) (engine.StatsFacts, error) { return r.StatsFacts(w) })
}

// testStats: the store's stats are StatsFactsOf over the same rows, and both are the
// figures worked out by hand for the scripted history; a window with nothing in it
// counts nothing.
func testStats(e *env) {
	t := e.t
	h := e.statsHistory()
	s := func(secs ...float64) engine.Spread {
		d := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
		return engine.Spread{N: int(secs[0]), P50: d(secs[1]), P90: d(secs[2])}
	}
	want := engine.StatsFacts{
		Created: 6, Contacted: 4, SLAMet: 2, AssignedAuto: 5, AssignedManual: 2, SLAMissed: 1,
		// Assigned after 0, 0, 30 and 300 s; contacted after 120, 600, 1200 and 10800 s.
		TimeToAssign:       s(4, 15, 219),
		TimeToFirstContact: s(4, 900, 7920),
		Agents: []engine.AgentFacts{
			{Agent: "ada", Assigned: 3, Contacted: 2, TimeToFirstContact: s(2, 5700, 9780)},
			{Agent: "bob", Assigned: 2, Contacted: 1, SLAMissed: 1, TimeToFirstContact: s(1, 1170, 1170)},
			{Agent: "cy", Assigned: 2},
		},
		Sources: []engine.SourceStats{
			{Source: "facebook", Created: 3, Assigned: 2, Contacted: 0},
			{Source: "web", Created: 3, Assigned: 2, Contacted: 3},
		},
		Rules: []engine.RuleFacts{
			{Rule: 1, Matched: 4, Assigned: 3, Agents: map[string]int{"ada": 2, "bob": 1}},
			{Rule: 2, Matched: 3},
			{Rule: 3, Matched: 1, Assigned: 1, Agents: map[string]int{"cy": 1}},
		},
	}
	for _, c := range []struct {
		name string
		w    engine.StatsWindow
		want *engine.StatsFacts
	}{
		{"the day", h.window, &want},
		{"nothing in it", engine.StatsWindow{Since: at.Add(50 * 24 * time.Hour), Until: at.Add(51 * 24 * time.Hour)}, &engine.StatsFacts{}},
		{"everything", engine.StatsWindow{Since: at.Add(-48 * time.Hour), Until: at.Add(48 * time.Hour)}, nil},
		{"one millisecond", engine.StatsWindow{Since: at, Until: at.Add(time.Millisecond)}, nil},
	} {
		got, ref := e.storeStats(c.w), e.goStats(c.w)
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("%s: the store counts\n%+v\nStatsFactsOf counts\n%+v", c.name, got, ref)
		}
		if c.want != nil && !reflect.DeepEqual(ref, *c.want) {
			t.Errorf("%s: StatsFactsOf counts\n%+v\nwant\n%+v", c.name, ref, *c.want)
		}
	}
}

// testStatsPercentiles: for every count of values from 1 to 12, with ties, the
// store's percentiles are those of the values sorted in Go, for the team and for each
// agent.
func testStatsPercentiles(e *env) {
	t := e.t
	ada, bob := e.agent("ada"), e.agent("bob")
	day := func(n int) time.Time { return at.Add(time.Duration(n) * 24 * time.Hour) }
	for n := 1; n <= 12; n++ {
		for i := 0; i < n; i++ {
			created := day(n).Add(time.Duration(i) * time.Minute)
			wait := time.Duration((i*i*7)%50)*time.Second + time.Duration(i%3)*time.Millisecond
			owner := ada
			if i%3 == 0 {
				owner = bob
			}
			e.lead(engine.Lead{CreatedAt: created, FirstAssignedAt: created.Add(wait / 2), AssignedAt: created.Add(wait / 2),
				FirstContactAt: created.Add(wait), Status: engine.StatusContacted, OwnerID: owner.ID,
				ContactOwnerID: owner.ID, ContactAssignedAt: created.Add(wait / 3)})
		}
		w := engine.StatsWindow{Since: day(n), Until: day(n + 1)}
		got, ref := e.storeStats(w), e.goStats(w)
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("%d values: the store counts\n%+v\nStatsFactsOf counts\n%+v", n, got, ref)
		}
		if got.TimeToFirstContact.N != n {
			t.Errorf("%d values: %d measured", n, got.TimeToFirstContact.N)
		}
	}
}

// testCreatedEvery: the leads created in each step of a window are those Go counts
// from every lead, the last step cut at the window's end.
func testCreatedEvery(e *env) {
	t := e.t
	h := e.statsHistory()
	leads := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{}) })
	for _, c := range []struct {
		w    engine.StatsWindow
		step time.Duration
	}{
		{h.window, time.Hour},
		{h.window, 7 * time.Hour},
		{engine.StatsWindow{Since: at.Add(-90 * time.Minute), Until: at.Add(30 * time.Hour)}, 45 * time.Minute},
		{engine.StatsWindow{Since: at.Add(40 * 24 * time.Hour), Until: at.Add(41 * 24 * time.Hour)}, time.Hour},
	} {
		want := make([]int, c.w.Steps(c.step))
		for _, l := range leads {
			if c.w.In(l.CreatedAt) {
				want[int(l.CreatedAt.Sub(c.w.Since)/c.step)]++
			}
		}
		got := read(e, func(r engine.Reader) ([]int, error) { return r.CreatedEvery(c.w, c.step) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("every %s from %s: %v, want %v", c.step, c.w.Since.Format(time.RFC3339), got, want)
		}
	}
}

// testArrivals: the newest leads of a window, newest first, up to the limit, each with
// its first routing decision as ArrivalOf finds it in history.
func testArrivals(e *env) {
	t := e.t
	h := e.statsHistory()
	// A lead routed twice: its first decision counts. One returning lead given back
	// to its owner by no rule. One with no decision at all.
	var again, returning, none engine.Lead
	again = e.lead(engine.Lead{CreatedAt: at.Add(8 * time.Hour), OwnerID: h.bob.ID})
	returning = e.lead(engine.Lead{CreatedAt: at.Add(9 * time.Hour), OwnerID: h.ada.ID})
	none = e.lead(engine.Lead{CreatedAt: at.Add(10 * time.Hour)})
	for _, ev := range []engine.Event{
		{At: at.Add(8 * time.Hour), Kind: engine.EvLeadQueued, LeadID: again.ID},
		{At: at.Add(8 * time.Hour), Kind: engine.EvLeadRouted, LeadID: again.ID, Agent: "bob", RuleID: 1},
		{At: at.Add(9 * time.Hour), Kind: engine.EvLeadCreated, LeadID: returning.ID},
		{At: at.Add(9 * time.Hour), Kind: engine.EvLeadRouted, LeadID: returning.ID, Agent: "ada"},
		{At: at.Add(9 * time.Hour), Kind: engine.EvLeadRouted, LeadID: returning.ID, Agent: "cy", RuleID: 2},
	} {
		e.event(ev)
	}
	leads := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{}) })
	events := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{}) })
	for _, limit := range []int{1, 3, 100} {
		var want []engine.Arrival
		for _, l := range leads { // newest first
			if h.window.In(l.CreatedAt) && len(want) < limit {
				want = append(want, engine.ArrivalOf(l, events))
			}
		}
		got := read(e, func(r engine.Reader) ([]engine.Arrival, error) { return r.Arrivals(h.window, limit) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("limit %d:\n%+v\nwant\n%+v", limit, got, want)
		}
	}
	got := read(e, func(r engine.Reader) ([]engine.Arrival, error) { return r.Arrivals(h.window, 100) })
	byID := map[int64]engine.Arrival{}
	for _, a := range got {
		byID[a.Lead.ID] = a
	}
	for _, c := range []struct {
		lead    engine.Lead
		decided bool
		owner   string
		byRule  bool
	}{{again, true, "", false}, {returning, true, "ada", false}, {none, false, "", false}} {
		a := byID[c.lead.ID]
		if a.Decided != c.decided || a.Owner != c.owner || a.ByRule != c.byRule {
			t.Errorf("lead #%d: %+v", c.lead.ID, a)
		}
	}
}
