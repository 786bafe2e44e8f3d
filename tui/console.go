package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

var _ tea.Model = (*Model)(nil)

type changeMsg struct{ resync bool }
type subClosedMsg struct{}
type loadedMsg struct {
	agents []engine.Agent
	queued int
	err    error
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitChange(), m.load())
}

func (m *Model) waitChange() tea.Cmd {
	sub := m.sub
	return func() tea.Msg {
		c, ok := <-sub.C
		if !ok {
			return subClosedMsg{}
		}
		return changeMsg{resync: c.Resync}
	}
}

func (m *Model) load() tea.Cmd {
	eng, actor, ctx := m.eng, m.actor, m.ctx
	return func() tea.Msg {
		var l loadedMsg
		if actor.Role.Can(engine.ActViewTeam) {
			l.agents, l.err = eng.Agents(ctx, actor)
		}
		if l.err == nil && actor.Role.Can(engine.ActViewAllLeads) {
			l.queued, l.err = eng.CountLeads(ctx, actor, engine.LeadQuery{Unassigned: true, Open: true})
		}
		return l
	}
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c":
			return m, tea.Quit
		}
	case changeMsg:
		return m, tea.Batch(m.waitChange(), m.load())
	case loadedMsg:
		m.agents, m.queued, m.err = msg.agents, msg.queued, msg.err
	}
	return m, nil
}

// View implements tea.Model.
func (m *Model) View() tea.View {
	var b strings.Builder
	fmt.Fprintf(&b, "switchboard · %s (%s) · queue %d\n", m.actor.Name, m.actor.Role, m.queued)
	for _, a := range m.agents {
		fmt.Fprintf(&b, "%-12s %-10s %d\n", a.Handle, a.Presence, a.OpenLeads)
	}
	if m.err != nil {
		fmt.Fprintf(&b, "error: %v\n", m.err)
	}
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}
