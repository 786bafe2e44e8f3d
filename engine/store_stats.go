package engine

import "time"

// StatsReader counts what the team's stats are made of (stats.go). Its queries restate
// StatsFactsOf, the same count written in Go over whole rows: the conformance suite
// runs both on the same history and compares them.
type StatsReader interface {
	// StatsFacts counts the window [w.Since, w.Until).
	StatsFacts(w StatsWindow) (StatsFacts, error)
	// CreatedEvery counts the leads created in each step of the window, from its start:
	// the i-th count is of [Since + i·step, Since + (i+1)·step), the last step cut at
	// Until. There are ceil((Until − Since) / step) counts.
	CreatedEvery(w StatsWindow, step time.Duration) ([]int, error)
	// Arrivals lists the newest leads created in the window, at most limit, newest
	// first, each with the first routing decision history records for it (ArrivalOf).
	Arrivals(w StatsWindow, limit int) ([]Arrival, error)
}

// Arrival is a lead with the first routing decision recorded for it (its first
// lead.routed or lead.queued event): what routing did when it arrived, for the what-if
// simulation's "before".
type Arrival struct {
	Lead Lead
	// Decided is false when history records no routing decision for the lead.
	Decided bool
	// Owner is the agent the decision gave the lead ("" when it queued); ByRule whether
	// a rule did, rather than the hand-back of a returning lead (R20).
	Owner  string
	ByRule bool
}

// ArrivalOf is the definition Arrivals restates: the first of the lead's events, by
// id, that is a routing decision.
func ArrivalOf(l Lead, events []Event) Arrival {
	var first *Event
	for i := range events {
		ev := &events[i]
		if ev.LeadID == l.ID && (ev.Kind == EvLeadRouted || ev.Kind == EvLeadQueued) && (first == nil || ev.ID < first.ID) {
			first = ev
		}
	}
	a := Arrival{Lead: l, Decided: first != nil}
	if first != nil && first.Kind == EvLeadRouted {
		a.Owner, a.ByRule = first.Agent, first.RuleID != 0
	}
	return a
}

// StatsWindow is the stretch of time stats cover: Since included, Until not.
type StatsWindow struct {
	Since, Until time.Time
}

// Steps is how many steps of length step the window holds, the last one cut short.
func (w StatsWindow) Steps(step time.Duration) int {
	d := w.Until.Sub(w.Since)
	return int((d + step - 1) / step)
}

// In reports whether t falls in the window.
func (w StatsWindow) In(t time.Time) bool {
	return !t.IsZero() && !t.Before(w.Since) && t.Before(w.Until)
}
