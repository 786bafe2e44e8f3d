package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// Pane is one pane of the console: a list, a board, a log. Each lives in a file of its
// own and holds all of its state; the root model only routes keys and messages to it
// and lays it out.
type Pane interface {
	// Title names the pane in the tab bar and in help.
	Title() string
	// Update takes the messages addressed to the pane (toPane), and the ones every pane
	// gets: liveMsg (a new version of the shared model), tickMsg and focusMsg.
	Update(msg tea.Msg) (Pane, tea.Cmd)
	// View draws the pane in exactly width×height cells.
	View(width, height int) string
	// Keys are the pane's bindings; the root runs the one a key press matches.
	Keys() Actions
	// Stale reports whether a committed event makes what the pane read from the engine
	// out of date; the root then calls Refresh, one refresh at a time per pane, whose
	// result comes back addressed to the pane. Panes drawn from the shared model
	// (liveMsg) need neither.
	Stale(e engine.Event) bool
	Refresh() tea.Cmd
	// ShowsTime reports whether the pane draws times that move on their own (ages,
	// countdowns): while a pane in sight does, the console redraws every second.
	ShowsTime() bool
}

// PaneID names a pane; messages are addressed to panes by it.
type PaneID string

// paneBase gives a pane the defaults of what it does not need: nothing to read again,
// no time on screen. It also keeps whether the pane has the focus.
type paneBase struct {
	focused bool
}

func (paneBase) Stale(engine.Event) bool { return false }
func (paneBase) Refresh() tea.Cmd        { return nil }
func (paneBase) ShowsTime() bool         { return false }

// focus reads a focusMsg, if msg is one.
func (b *paneBase) focus(msg tea.Msg) bool {
	if f, ok := msg.(focusMsg); ok {
		b.focused = bool(f)
		return true
	}
	return false
}

// place is where a pane sits on a screen it shares with others.
type place int

const (
	placeMain  place = iota // the whole body, or the larger part of a shared screen
	placeSide               // beside the main pane on wide terminals, under it on narrow ones
	placeStrip              // a few lines across the bottom; never focused
)

// paneSpec registers a pane: which sessions get it, where it sits and how it is made.
type paneSpec struct {
	id PaneID
	// screen groups panes drawn together (the dashboard: queue, team, live strip);
	// empty for a pane that fills the body alone.
	screen string
	place  place
	// allowed says whether a session acting as actor gets the pane.
	allowed func(engine.Actor) bool
	new     func(s *Session, id PaneID) Pane
}

// registry lists every pane, in tab order. Adding a pane is a file that defines it and
// one line here.
var registry = []paneSpec{
	{id: "queue", screen: "dashboard", allowed: dispatchers, new: newQueuePane},
	{id: "team", screen: "dashboard", place: placeSide, allowed: dispatchers, new: newTeamPane},
	{id: "live", screen: "dashboard", place: placeStrip, allowed: dispatchers, new: newLivePane},
	{id: "leads", allowed: dispatchers, new: newLeadsPane},
	{id: "rules", allowed: can(engine.ActViewRules), new: newRulesPane},
	{id: "mine", allowed: agents, new: newMinePane},
	{id: "shared", allowed: agents, new: newSharedPane},
	{id: "inbox", allowed: agents, new: newInboxPane},
	{id: "history", allowed: anyone, new: newHistoryPane},
	{id: "stats", allowed: dispatchers, new: newStatsPane},
	// Dispatchers are told of missed SLAs: those with an agent record get the inbox
	// too, last, so that their other panes keep their numbers.
	{id: "inbox", allowed: both(dispatchers, hasInbox), new: newInboxPane},
}

func dispatchers(a engine.Actor) bool { return a.Role.Can(engine.ActViewAllLeads) }
func agents(a engine.Actor) bool      { return !dispatchers(a) }
func anyone(engine.Actor) bool        { return true }
func hasInbox(a engine.Actor) bool    { return a.IsAgent() }
func both(x, y func(engine.Actor) bool) func(engine.Actor) bool {
	return func(a engine.Actor) bool { return x(a) && y(a) }
}
func can(act engine.Action) func(engine.Actor) bool {
	return func(a engine.Actor) bool { return a.Role.Can(act) }
}

// Dialog is a component that takes the keyboard until it is done: the agent picker, the
// share form, menus, confirmations, prompts, the rule editor.
type Dialog interface {
	// Update handles a key, or a message addressed to the dialog (toDialog). It returns
	// the dialog to show next: itself, another one (the share form after the picker),
	// or nil when it is done.
	Update(msg tea.Msg) (Dialog, tea.Cmd)
	// View draws the dialog width cells wide, one string per line.
	View(width int) []string
	// Keys are the dialog's bindings, shown on its last line.
	Keys() Actions
}

// bottomDialog is a dialog drawn on the last lines of the body instead of in a box, so
// that the list it acts on stays in sight (the filter prompt).
type bottomDialog interface {
	Dialog
	atBottom()
}

// Messages between the components and the root. Payloads addressed to a pane or the
// dialog are opaque to the root: it routes them and never looks inside.
type (
	// toPane is a message for one pane, typically the result of its own engine call.
	toPane struct {
		to  PaneID
		msg tea.Msg
	}
	// toDialog is a message for the open dialog (a save's answer to the rule editor).
	toDialog struct{ msg tea.Msg }
	// statusMsg sets the status bar: a toast, an error, or what is in progress.
	statusMsg struct {
		toast   string
		err     error
		working string
	}
	// openLeadMsg opens a lead's detail over the panes; closeLeadMsg closes it.
	openLeadMsg  struct{ id int64 }
	closeLeadMsg struct{}
	// liveMsg is a new version of the shared model, for every pane.
	liveMsg struct{ leadmodel.Update }
	// tickMsg is the second that moves the times on screen.
	tickMsg time.Time
	// focusMsg tells a pane whether it now has the keyboard.
	focusMsg bool
)

// msgCmd is a command that delivers msg.
func msgCmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// toast, failed and opening are commands that set the status bar.
func toast(text string) tea.Cmd { return msgCmd(statusMsg{toast: text}) }
func failed(err error) tea.Cmd  { return msgCmd(statusMsg{err: err}) }
