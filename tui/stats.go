package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// statsPane shows what the team's numbers are now, from the shared model: open leads,
// the queue, and each agent's load against capacity and assignments today. It is the
// place for the team's figures over time; until those exist it shows only these.
type statsPane struct {
	paneBase
	id PaneID
	s  *Session
	sc scroller
}

func newStatsPane(s *Session, id PaneID) Pane { return &statsPane{id: id, s: s} }

func (p *statsPane) Title() string { return "Stats" }

func (p *statsPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	p.focus(msg)
	return p, nil
}

func (p *statsPane) Keys() Actions {
	return moveActions(&p.sc, func() int { return len(p.s.team()) })
}

func (p *statsPane) View(width, height int) string {
	st := p.s.st
	snap := p.s.snap
	team := p.s.team()
	lines := []string{paneTitle(st, "Stats "+st.dim.Render("now"), width, p.focused)}
	if !snap.Loaded {
		return strings.Join(append(lines, st.dim.Render(fit("  loading…", width))), "\n")
	}
	lines = append(lines,
		fit(fmt.Sprintf("  %s open, %s of them in the queue", countLabel(snap.Open().Len(), "lead"), groupDigits(snap.Queue().Len())), width),
		fit("", width),
		st.header.Render(fit(fmt.Sprintf("  %-12s %8s %10s %8s", "AGENT", "OPEN", "CAPACITY", "TODAY"), width)))
	if len(team) == 0 {
		return strings.Join(append(lines, st.dim.Render(fit("  No agents yet: no figures.", width))), "\n")
	}
	start, end := p.sc.window(len(team), height-len(lines))
	for i := start; i < end; i++ {
		a := team[i]
		capacity, today := "∞", fmt.Sprint(a.AssignedToday)
		if a.Capacity > 0 {
			capacity = fmt.Sprint(a.Capacity)
		}
		if a.DailyCap > 0 {
			today += fmt.Sprintf("/%d", a.DailyCap)
		}
		line := fit(fmt.Sprintf("  %-12s %8d %10s %8s", clean(a.Handle), a.OpenLeads, capacity, today), width)
		if i == p.sc.cursor && p.focused {
			line = st.cursor.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
