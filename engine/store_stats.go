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
