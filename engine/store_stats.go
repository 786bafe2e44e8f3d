package engine

import "time"

// StatsReader counts what the team's stats are made of (stats.go). Its queries restate
// StatsFactsOf, the same count written in Go over whole rows: the conformance suite
// runs both on the same history and compares them.
type StatsReader interface {
	// StatsFacts counts the window [w.Since, w.Until).
	StatsFacts(w StatsWindow) (StatsFacts, error)
}

// StatsWindow is the stretch of time stats cover: Since included, Until not.
type StatsWindow struct {
	Since, Until time.Time
}

// In reports whether t falls in the window.
func (w StatsWindow) In(t time.Time) bool {
	return !t.IsZero() && !t.Before(w.Since) && t.Before(w.Until)
}
