// Package tui is switchboard's console: one Bubble Tea model per session, acting as one
// engine actor. Every change goes through the engine; every change anyone makes comes
// back through the engine's hub and redraws the panes that show it.
package tui

import (
	"context"
	"sync"

	"charm.land/bubbles/v2/help"

	"github.com/switchboard/switchboard/engine"
)

// Options configure a console session. The zero value is usable.
type Options struct {
	Width, Height  int  // initial terminal size (resizes arrive as tea.WindowSizeMsg)
	DarkBackground bool // initial guess; a tea.BackgroundColorMsg updates it
}

// pane names one of the console's panes.
type pane int

const (
	paneQueue pane = iota
	paneBoard
	paneLeads
	paneRules
	paneHistory
	paneMine
	paneShared
	paneNotes
)

var paneNames = map[pane]string{
	paneQueue: "Queue", paneBoard: "Team", paneLeads: "Leads", paneRules: "Rules",
	paneHistory: "History", paneMine: "My leads", paneShared: "Shared", paneNotes: "Inbox",
}

// Model is the console of one session. *Model implements tea.Model.
type Model struct {
	eng   *engine.Engine
	actor engine.Actor

	// ctx bounds every engine call the session makes; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	sub    *engine.Subscription
	once   sync.Once

	width, height int
	st            styles
	keys          keyMap
	help          help.Model

	panes    []pane // the panes this actor's role may use, in tab order
	focus    pane
	showHelp bool
	modal    modal

	// Dispatchers: every open lead, viewed as the queue and as all leads.
	store *leadStore
	queue *leadList
	leads *leadList
	board board
	rules rulesPane
	hist  historyPane
	strip []engine.Event // the newest events, for the dashboard's live strip

	// Agents: their own workspace.
	mineStore *leadStore
	mine      *leadList
	shared    sharedPane
	notes     notesPane

	detail *detail

	// Refreshes run one at a time; what changes while one runs waits in pending.
	pending  refresh
	inflight bool
	loaded   bool

	toast   string
	err     error
	working string

	// frame is the last screen drawn, until something it shows changes: a burst of
	// changes arrives as several messages while one refresh runs, and only the
	// refresh's result changes the screen.
	frame string
}

// New returns the console model for one session, acting as actor.
func New(eng *engine.Engine, actor engine.Actor, opts Options) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	m := &Model{
		eng: eng, actor: actor,
		ctx: ctx, cancel: cancel,
		sub:   eng.Subscribe(256),
		width: opts.Width, height: opts.Height,
		st:        newStyles(opts.DarkBackground),
		keys:      newKeyMap(),
		help:      help.New(),
		store:     newLeadStore(),
		mineStore: newLeadStore(),
	}
	m.help.Styles = m.st.help
	m.queue = newLeadList("Queue", func(r *row) bool { return r.owner == "" }, false)
	m.leads = newLeadList("Open leads", func(*row) bool { return true }, true)
	m.mine = newLeadList("My leads", func(*row) bool { return true }, true)
	m.leads.newestFirst, m.mine.newestFirst = true, true
	role := actor.Role
	if role.Can(engine.ActViewAllLeads) {
		m.panes = []pane{paneQueue, paneBoard, paneLeads}
		if role.Can(engine.ActViewRules) {
			m.panes = append(m.panes, paneRules)
		}
		m.panes = append(m.panes, paneHistory)
	} else {
		m.panes = []pane{paneMine, paneShared, paneNotes, paneHistory}
	}
	m.focus = m.panes[0]
	m.pending = refresh{full: true}
	return m
}

// Close releases the session's subscription and cancels its engine calls. The SSH
// server calls it on disconnect; it is safe to call more than once.
func (m *Model) Close() {
	m.once.Do(func() {
		m.cancel()
		m.sub.Close()
	})
}

func (m *Model) dispatcher() bool { return m.actor.Role.Can(engine.ActViewAllLeads) }
