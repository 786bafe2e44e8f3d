package tui

import "charm.land/bubbles/v2/key"

// keyMap is the console's one keymap. Panes pick the bindings that apply to them; the
// help screen is generated from the same bindings.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Select, SelectUp, SelectDown, Anchor  key.Binding
	SelectAll, Clear                      key.Binding
	Filter, Open, Back                    key.Binding
	Assign, Unassign, Reroute, Share      key.Binding
	Presence, MyPresence, Status, Read    key.Binding
	New, Edit, MoveUp, MoveDown           key.Binding
	Toggle, Delete                        key.Binding
	NextPane, PrevPane, Help, Quit        key.Binding
}

func newKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:         b("↑/k", "up", "up", "k"),
		Down:       b("↓/j", "down", "down", "j"),
		PageUp:     b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:   b("pgdn", "page down", "pgdown", "ctrl+d"),
		Home:       b("home/g", "first", "home", "g"),
		End:        b("end/G", "last", "end", "G"),
		Select:     b("space", "select", "space"),
		SelectUp:   b("shift+↑", "select up", "shift+up", "K"),
		SelectDown: b("shift+↓", "select down", "shift+down", "J"),
		Anchor:     b("v", "range from here", "v"),
		SelectAll:  b("A", "select all matching", "A", "ctrl+a"),
		Clear:      b("esc", "clear selection/filter", "esc"),
		Filter:     b("/", "filter", "/"),
		Open:       b("enter", "open", "enter"),
		Back:       b("esc", "back", "esc"),
		Assign:     b("a", "assign / reassign", "a"),
		Unassign:   b("u", "unassign", "u"),
		Reroute:    b("R", "run rules again", "R"),
		Share:      b("s", "share", "s"),
		Presence:   b("p", "set presence", "p"),
		MyPresence: b("P", "my presence", "P"),
		Status:     b("S", "set status", "S"),
		Read:       b("r", "mark read (all: R)", "r"),
		New:        b("n", "new rule", "n"),
		Edit:       b("e", "edit rule", "e", "enter"),
		MoveUp:     b("[", "move rule up", "["),
		MoveDown:   b("]", "move rule down", "]"),
		Toggle:     b("t", "enable/disable", "t"),
		Delete:     b("d", "delete rule", "d", "delete"),
		NextPane:   b("tab", "next pane", "tab"),
		PrevPane:   b("shift+tab", "previous pane", "shift+tab"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q", "ctrl+c"),
	}
}

// bindingHelp adapts a list of binding groups to bubbles/help.
type bindingHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h bindingHelp) ShortHelp() []key.Binding  { return h.short }
func (h bindingHelp) FullHelp() [][]key.Binding { return h.full }
