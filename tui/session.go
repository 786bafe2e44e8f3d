package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// Session is what the panes and dialogs of one console share: who acts, the engine it
// acts on, the newest version of the process's shared lead model that the console has
// taken, the styles for the terminal's background, and the context that bounds the
// session's engine calls. Components read it; only the root model changes it.
type Session struct {
	eng   *engine.Engine
	actor engine.Actor
	ctx   context.Context
	st    *styles
	snap  *leadmodel.Snapshot
	// unread is the actor's unread notifications, as the inbox last read them: the
	// status bar shows it as a bell.
	unread int
	// asked is what a component asked the root for while it handled the current
	// message. The root takes it before the next message, so that the key pressed right
	// after the one that opens a dialog already goes to the dialog (a command would
	// deliver it later, after keys typed in between).
	asked []tea.Msg
}

// open asks for dialog d to take the keyboard.
func (s *Session) open(d Dialog) tea.Cmd {
	s.asked = append(s.asked, openDialogMsg{d})
	return nil
}

// openLead asks for lead id's detail over the panes; closeLead for it to go.
func (s *Session) openLead(id int64) tea.Cmd {
	s.asked = append(s.asked, openLeadMsg{id})
	return nil
}

func (s *Session) closeLead() tea.Cmd {
	s.asked = append(s.asked, closeLeadMsg{})
	return nil
}

// openDialogMsg is what open asks for.
type openDialogMsg struct{ d Dialog }

func (s *Session) can(a engine.Action) bool { return s.actor.Role.Can(a) }

// dispatcher reports whether the session sees every lead.
func (s *Session) dispatcher() bool { return s.actor.Role.Can(engine.ActViewAllLeads) }

func (s *Session) now() time.Time           { return s.eng.Now() }
func (s *Session) location() *time.Location { return s.eng.Location() }

// team is the team as the newest snapshot holds it.
func (s *Session) team() []engine.Agent { return s.snap.Team() }

// agent is the team member with handle, if there is one.
func (s *Session) agent(handle string) (engine.Agent, bool) {
	for _, a := range s.snap.Team() {
		if a.Handle == handle {
			return a, true
		}
	}
	return engine.Agent{}, false
}

// agentName is handle's name, for toasts; the handle when the name is unknown.
func (s *Session) agentName(handle string) string {
	if a, ok := s.agent(handle); ok && a.Name != "" {
		return clean(a.Name)
	}
	return clean(handle)
}

// run performs an engine command off the UI loop: the status bar says working while
// it runs, then shows its toast or the engine's refusal.
func (s *Session) run(working string, fn func() (string, error)) tea.Cmd {
	return tea.Sequence(
		msgCmd(statusMsg{working: working}),
		func() tea.Msg {
			text, err := fn()
			return statusMsg{toast: text, err: err}
		})
}

// to runs fn off the UI loop and addresses its result to pane id.
func (s *Session) to(id PaneID, fn func() tea.Msg) tea.Cmd {
	return func() tea.Msg { return toPane{to: id, msg: fn()} }
}
