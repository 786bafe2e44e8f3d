package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// listPane is a pane made of one lead list and the actions on its leads: the queue,
// the open leads and an agent's own leads are three of them, each set up in its file.
type listPane struct {
	paneBase
	id   PaneID
	s    *Session
	list *leadList
	keys Actions
}

func (p *listPane) Title() string { return p.list.title }

func (p *listPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	switch msg := msg.(type) {
	case liveMsg:
		p.list.apply(msg)
	case tickMsg:
		p.list.tick()
	}
	return p, nil
}

func (p *listPane) View(width, height int) string {
	return strings.Join(p.list.view(width, height, p.focused), "\n")
}

// ShowsTime: every row shows its lead's age.
func (p *listPane) ShowsTime() bool { return p.list.n() > 0 }

// Keys are made once: they depend on the session's role, not on the list's state.
func (p *listPane) Keys() Actions {
	if p.keys == nil {
		l := p.list
		p.keys = append(l.keys(p.filterPrompt), leadActions(p.s, l.targets, l.clearSelection)...)
	}
	return p.keys
}

func (p *listPane) HelpNotes() []string {
	return []string{
		"Filter: free words match name, email, phone and company; keys " + filterKeys +
			" match values by their start (s:fa is facebook), and tab completes one. Example: s:facebook,tiktok t:vip age>1h acme.",
		"Actions apply to the selection, else to the lead under the cursor.",
	}
}

// filterPrompt filters the list as the person types; esc puts the filter back.
func (p *listPane) filterPrompt() tea.Cmd {
	l := p.list
	before, beforeF := l.filterText, l.filter
	in := newInput(p.s.st, "s:facebook t:vip age>1h acme   (tab completes a value)")
	in.SetValue(l.filterText)
	in.CursorEnd()
	apply := func(v string) error {
		f, err := ParseFilter(v)
		if err != nil {
			return err
		}
		l.setFilter(v, f)
		return nil
	}
	return p.s.open(&prompt{
		s: p.s, label: "/", input: in,
		change: apply, submit: func(v string) (tea.Cmd, error) { return nil, apply(v) },
		cancel: func() { l.setFilter(before, beforeF) },
		complete: func(text string) (string, string) {
			return completeFilter(text, l.values)
		},
	})
}
