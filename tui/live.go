package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// stripKeep is how many events the live strip keeps.
const stripKeep = 20

// livePane is the dashboard's strip of the newest events, one a line. It takes the
// committed events as they come; it reads history only when the console opens or
// resyncs.
type livePane struct {
	paneBase
	id     PaneID
	s      *Session
	events []engine.Event
}

func newLivePane(s *Session, id PaneID) Pane { return &livePane{id: id, s: s} }

func (p *livePane) Title() string { return "Live" }

func (p *livePane) Keys() Actions { return nil }

// liveRead is the strip's read of the newest history.
type liveRead struct {
	events []engine.Event
	err    error
}

func (p *livePane) Refresh() tea.Cmd {
	s := p.s
	return func() tea.Msg {
		page, err := s.eng.History(s.ctx, s.actor, engine.HistoryQuery{Limit: stripKeep})
		return liveRead{events: page.Items, err: err}
	}
}

func (p *livePane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case liveMsg:
		if !msg.Resync {
			p.events = mergeEvents(p.events, msg.Events, func(engine.Event) bool { return true }, stripKeep)
		}
	case liveRead:
		if msg.err != nil {
			return p, failed(msg.err)
		}
		p.events = mergeEvents(msg.events, p.events, func(engine.Event) bool { return true }, stripKeep)
	}
	return p, nil
}

func (p *livePane) View(width, height int) string {
	st := p.s.st
	lines := []string{paneTitle(st, "Live", width, false)}
	for _, e := range p.events {
		if len(lines) >= height {
			break
		}
		lines = append(lines, eventLine(st, e, p.s.location(), width))
	}
	return strings.Join(lines[:min(len(lines), max(0, height))], "\n")
}
