package storetest

import (
	"slices"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testSLADeadlines: the next deadline is the earliest one running, and the leads due
// at a time are those Lead.SLADue says, soonest first, then by id, up to the limit.
func testSLADeadlines(e *env) {
	t := e.t
	next := func() (time.Time, bool) {
		return read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextSLADue() })
	}
	if _, ok := next(); ok {
		t.Fatal("an SLA deadline with no leads")
	}
	bob := e.agent("bob")
	var leads []engine.Lead
	for _, due := range []time.Duration{0, 10 * time.Minute, 5 * time.Minute, 5 * time.Minute, -1, 20 * time.Minute} {
		l := engine.Lead{OwnerID: bob.ID, AssignedAt: at}
		if due >= 0 {
			l.SLADueAt, l.SLAAction = at.Add(due), engine.SLAReroute
		}
		leads = append(leads, e.lead(l))
	}
	if got, ok := next(); !ok || !got.Equal(at) {
		t.Errorf("next deadline %v, %v; want %v", got, ok, at)
	}
	for _, c := range []struct {
		now   time.Duration
		limit int
	}{{-time.Second, 10}, {0, 10}, {5 * time.Minute, 10}, {5 * time.Minute, 2}, {time.Hour, 10}} {
		now := at.Add(c.now)
		var want []engine.Lead
		for _, l := range leads {
			if l.SLADue(now) {
				want = append(want, l)
			}
		}
		slices.SortStableFunc(want, func(a, b engine.Lead) int { return a.SLADueAt.Compare(b.SLADueAt) })
		want = want[:min(len(want), c.limit)]
		got := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.LeadsSLADue(now, c.limit) })
		if !slices.Equal(leadIDs(got), leadIDs(want)) {
			t.Errorf("due at %v (limit %d): %v, want %v", c.now, c.limit, leadIDs(got), leadIDs(want))
		}
	}
	// A deadline cleared no longer counts.
	first := leads[0]
	first.SLADueAt, first.SLAAction = time.Time{}, ""
	e.write(func(tx engine.WriteTx) error { return tx.UpdateLead(&first) })
	if got, ok := next(); !ok || !got.Equal(at.Add(5*time.Minute)) {
		t.Errorf("next deadline after clearing the first: %v, %v", got, ok)
	}
}

// testHandoff: the leads a store hands off, and the next time it reports, are what
// engine.HandoffDue says of every lead and its owner: open, without first contact,
// held when the owner left, the owner away or offline (not removed) since the time.
func testHandoff(e *env) {
	t := e.t
	type spec struct {
		presence engine.Presence
		away     time.Duration // AwaySince from at; -1: none
		removed  bool
	}
	agents := map[string]spec{
		"away":    {engine.Away, 0, false},
		"off":     {engine.Offline, 10 * time.Minute, false},
		"back":    {engine.Available, -1, false},
		"busy":    {engine.Busy, -1, false},
		"gone":    {engine.Away, 0, true},
		"unknown": {engine.Away, -1, false},
	}
	team := map[int64]engine.Agent{}
	var handles []string
	for h := range agents {
		handles = append(handles, h)
	}
	slices.Sort(handles)
	for _, h := range handles {
		sp := agents[h]
		a := engine.Agent{Handle: h, Name: h, Role: engine.RoleAgent, Presence: sp.presence, CreatedAt: at}
		if sp.away >= 0 {
			a.AwaySince = at.Add(sp.away)
		}
		e.write(func(tx engine.WriteTx) error { return tx.InsertAgent(&a) })
		team[a.ID] = a
	}
	var leads []engine.Lead
	for _, a := range team {
		for _, l := range []engine.Lead{
			{Status: engine.StatusAssigned, AssignedAt: at.Add(-time.Hour)},
			{Status: engine.StatusAssigned, AssignedAt: at.Add(10 * time.Minute)},
			{Status: engine.StatusAssigned, AssignedAt: at.Add(11 * time.Minute)},
			{Status: engine.StatusContacted, AssignedAt: at.Add(-time.Hour), FirstContactAt: at.Add(-time.Minute)},
			{Status: engine.StatusQualified, AssignedAt: at.Add(-time.Hour)},
			{Status: engine.StatusWon, AssignedAt: at.Add(-time.Hour)},
		} {
			l.OwnerID = a.ID
			leads = append(leads, e.lead(l))
		}
	}
	e.lead(engine.Lead{Status: engine.StatusNew}) // in the queue
	for _, h := range handles {
		if agents[h].removed {
			for id, a := range team {
				if a.Handle == h {
					e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(id, at) })
				}
			}
		}
	}
	removed := func(id int64) bool { return agents[team[id].Handle].removed }

	var earliest time.Time
	for _, l := range leads {
		owner := team[l.OwnerID]
		if !removed(owner.ID) && engine.HandoffDue(&l, &owner, at.Add(time.Hour)) && (earliest.IsZero() || owner.AwaySince.Before(earliest)) {
			earliest = owner.AwaySince
		}
	}
	got, ok := read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextHandoff() })
	if !ok || !got.Equal(earliest) || !earliest.Equal(at) {
		t.Errorf("next hand-off counts from %v (%v), want %v", got, ok, earliest)
	}
	for _, c := range []struct {
		by    time.Duration
		limit int
	}{{-time.Minute, 100}, {0, 100}, {9 * time.Minute, 100}, {10 * time.Minute, 100}, {time.Hour, 100}, {time.Hour, 2}} {
		by := at.Add(c.by)
		var want []int64
		for _, l := range leads {
			owner := team[l.OwnerID]
			if !removed(owner.ID) && engine.HandoffDue(&l, &owner, by) {
				want = append(want, l.ID)
			}
		}
		slices.Sort(want)
		want = want[:min(len(want), c.limit)]
		got := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.HandoffLeads(by, c.limit) })
		if !slices.Equal(leadIDs(got), want) {
			t.Errorf("away by %v (limit %d): %v, want %v", c.by, c.limit, leadIDs(got), want)
		}
	}
}
