package tui

import (
	"slices"
	"testing"
	"time"
)

// The queue is served oldest first; an agent's own leads and the all-leads pane show
// the latest first. Either way the cursor stays on its lead when the list changes.
func TestLeadListOrder(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ids := func(l *leadList) []int64 {
		var out []int64
		for _, r := range l.visible {
			out = append(out, r.id)
		}
		return out
	}
	for _, tt := range []struct {
		newestFirst bool
		want, after []int64
	}{
		{false, []int64{1, 2, 3}, []int64{1, 2, 3, 4}},
		{true, []int64{3, 2, 1}, []int64{4, 3, 2, 1}},
	} {
		s := newLeadStore()
		s.reset([]*row{{id: 3}, {id: 1}, {id: 2}})
		l := newLeadList("x", func(*row) bool { return true }, false)
		l.newestFirst = tt.newestFirst
		l.rebuild(s, now)
		if got := ids(l); !slices.Equal(got, tt.want) {
			t.Errorf("newestFirst=%v: %v, want %v", tt.newestFirst, got, tt.want)
		}
		l.cursor = 1 // on lead 2
		s.put(&row{id: 4})
		l.rebuild(s, now)
		if got := ids(l); !slices.Equal(got, tt.after) {
			t.Errorf("newestFirst=%v after a new lead: %v, want %v", tt.newestFirst, got, tt.after)
		}
		if c := l.current(); c == nil || c.id != 2 {
			t.Errorf("newestFirst=%v: the cursor moved off lead 2 to %v", tt.newestFirst, c)
		}
	}
}
