package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// stripKeep is how many events the live strip shows at most.
const stripKeep = 20

// livePane is the dashboard's strip of the newest events, one a line. It draws the
// newest events of the shared lead model: it reads nothing itself.
type livePane struct {
	paneBase
	id PaneID
	s  *Session
}

func newLivePane(s *Session, id PaneID) Pane { return &livePane{id: id, s: s} }

func (p *livePane) Title() string { return "Live" }

func (p *livePane) Keys() Actions { return nil }

func (p *livePane) Update(msg tea.Msg) (Pane, tea.Cmd) { return p, nil }

func (p *livePane) View(width, height int) string {
	st := p.s.st
	snap := p.s.snap
	lines := []string{paneTitle(st, "Live", width, false)}
	for i := 0; i < snap.RecentLen() && len(lines) < height && i < stripKeep; i++ {
		lines = append(lines, eventLine(st, snap.Recent(i), p.s.location(), width))
	}
	return strings.Join(lines[:min(len(lines), max(0, height))], "\n")
}
