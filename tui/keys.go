package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Action is one key binding of a pane or dialog, as data: the keys and their help, what
// they do, and, when they cannot be used in this session, why. Help is generated from
// the same list, so it lists every binding, and a disabled one explains itself when
// pressed ("assign: dispatchers only") instead of doing nothing.
type Action struct {
	Key      key.Binding
	Disabled string // why the action cannot be used here; "" when it can
	Do       func(tea.KeyPressMsg) tea.Cmd
}

// refusal is the console's own "no": a key that cannot be used here, a choice it will
// not guess. It reads as it is, without the "Error:" of an unexpected failure.
type refusal string

func (r refusal) Error() string { return string(r) }

// Actions are the bindings of one component, in the order help lists them.
type Actions []Action

// Handle runs the first action whose keys match msg. A disabled action answers with its
// reason in the status bar.
func (as Actions) Handle(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	for _, a := range as {
		if !key.Matches(msg, a.Key) {
			continue
		}
		if a.Disabled != "" {
			return failed(refusal(a.Key.Help().Desc + ": " + a.Disabled)), true
		}
		if a.Do == nil {
			return nil, true
		}
		return a.Do(msg), true
	}
	return nil, false
}

// bind makes a binding: the keys, then how help shows them.
func bind(keys []string, help, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

func keys(k ...string) []string { return k }

// act is an action that is always allowed.
func act(b key.Binding, do func(tea.KeyPressMsg) tea.Cmd) Action { return Action{Key: b, Do: do} }

// actIf is an action allowed only when ok; otherwise pressing it says why not.
func actIf(ok bool, why string, b key.Binding, do func(tea.KeyPressMsg) tea.Cmd) Action {
	a := Action{Key: b, Do: do}
	if !ok {
		a.Disabled = why
	}
	return a
}

// do adapts a function that ignores the key.
func do(fn func() tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
	return func(tea.KeyPressMsg) tea.Cmd { return fn() }
}

// moveActions are the movement keys every list shares, on a scroller of n rows.
func moveActions(sc *scroller, n func() int) Actions {
	page := func() int { return max(1, sc.height) }
	return Actions{
		act(bind(keys("up", "k", "down", "j"), "↑↓ jk", "move"), func(msg tea.KeyPressMsg) tea.Cmd {
			if s := msg.String(); s == "up" || s == "k" {
				sc.move(-1, n())
			} else {
				sc.move(1, n())
			}
			return nil
		}),
		act(bind(keys("pgup", "ctrl+u", "pgdown", "ctrl+d"), "pgup pgdn", "page"), func(msg tea.KeyPressMsg) tea.Cmd {
			if s := msg.String(); s == "pgup" || s == "ctrl+u" {
				sc.move(-page(), n())
			} else {
				sc.move(page(), n())
			}
			return nil
		}),
		act(bind(keys("home", "g", "end", "G"), "home end", "first, last"), func(msg tea.KeyPressMsg) tea.Cmd {
			if s := msg.String(); s == "home" || s == "g" {
				sc.move(-sc.cursor, n())
			} else {
				sc.move(n(), n())
			}
			return nil
		}),
	}
}
