// Package tui is switchboard's console: one Bubble Tea model per session, acting as one
// engine actor. Every change goes through the engine; every change anyone makes comes
// back through the process's shared lead model (package leadmodel) and redraws the panes
// that show it.
//
// The console is made of panes (Pane, one file each, listed in registry) and dialogs
// (Dialog). The root model in this file owns neither's state: it routes keys to the
// focused pane's bindings, routes messages addressed to a pane or to the dialog, hands
// every pane each new version of the shared model, asks the panes that read from the
// engine to read again after the events that make them stale, and lays the panes out.
package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/textguard"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// Options configure a console session. The zero value is usable.
type Options struct {
	Width, Height  int  // initial terminal size (resizes arrive as tea.WindowSizeMsg)
	DarkBackground bool // initial guess; a tea.BackgroundColorMsg updates it
	// Notice is shown on the status bar when the console opens ("" for none): what the
	// process serves besides the console, such as the demo's web form.
	Notice string
}

// Sizes the layout works with when the terminal has not said its size yet.
const (
	defaultWidth  = 80
	defaultHeight = 24
	wideAt        = 140 // from this width the dashboard puts the team beside the queue
)

// leadPane is the id of the open lead's detail, drawn over the panes.
const leadPane PaneID = "lead"

// Model is the console of one session. *Model implements tea.Model.
type Model struct {
	s      *Session
	leads  *leadmodel.Model
	feed   *leadmodel.Feed
	cancel context.CancelFunc
	once   sync.Once

	width, height int
	st            styles // s.st points here
	notice        string // Options.Notice, shown once the console opens

	panes    []*mounted
	tabs     []*mounted // the panes that take the focus, in tab order
	focus    int        // index into tabs
	overlay  *mounted   // the open lead, over the panes; nil when none
	dialog   Dialog
	showHelp bool
	global   Actions // the bindings of every pane, made once

	applied uint64    // the version of the shared model the panes have
	started bool      // the panes have had a version
	fed     time.Time // when the panes last took a version
	status  statusLine
	ticking bool

	// frame is the last screen drawn, until a message may have changed it.
	frame string
}

// mounted is a pane in this session, with the root's bookkeeping of its refreshes.
type mounted struct {
	spec paneSpec
	pane Pane
	// One refresh at a time: what makes the pane stale while one runs asks for one
	// more when it lands.
	refreshing, again bool
}

// New returns the console model for one session, acting as actor on the engine that
// leads follows.
func New(leads *leadmodel.Model, actor engine.Actor, opts Options) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	m := &Model{
		leads: leads, feed: leads.Subscribe(), cancel: cancel,
		width: opts.Width, height: opts.Height,
		st: newStyles(opts.DarkBackground), notice: opts.Notice,
	}
	m.s = &Session{eng: leads.Engine(), actor: actor, ctx: ctx, st: &m.st, snap: leads.Snapshot()}
	for _, spec := range registry {
		if !spec.allowed(actor) {
			continue
		}
		mp := &mounted{spec: spec, pane: spec.new(m.s, spec.id)}
		m.panes = append(m.panes, mp)
		if spec.place != placeStrip {
			m.tabs = append(m.tabs, mp)
		}
	}
	m.tabs[0].pane.Update(focusMsg(true))
	return m
}

// Close releases the session's feed and cancels its engine calls. The SSH server calls
// it on disconnect; it is safe to call more than once.
func (m *Model) Close() {
	m.once.Do(func() {
		m.cancel()
		m.feed.Close()
	})
}

var _ tea.Model = (*Model)(nil)

// feedMsg says a new version of the shared model is out; waited says it came from the
// feed's waiter, which must then wait again.
type feedMsg struct{ waited bool }

// refreshedMsg carries a pane's refresh result back to it.
type refreshedMsg struct {
	to  PaneID
	msg tea.Msg
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, msgCmd(feedMsg{}), m.waitFeed()}
	if m.notice != "" {
		cmds = append(cmds, toast(m.notice))
	}
	return tea.Batch(cmds...)
}

// feedPace is the least time between two versions of the lead model a session takes:
// versions that come faster are taken together. Each version a session takes is a
// frame Bubble Tea parses and compares whole, the server's main cost under a stream of
// leads; 30 a second keeps the screen live (keys are answered at once, whatever this
// pace) and, measured at 50 sessions × 200 leads/s, cut the server's CPU by a sixth
// against 60 a second with a p99 no worse.
const feedPace = time.Second / 30

func (m *Model) waitFeed() tea.Cmd {
	c, done := m.feed.C, m.s.ctx.Done()
	next := m.fed.Add(feedPace)
	return func() tea.Msg {
		select {
		case <-c:
		case <-done:
			return nil
		}
		if wait := time.Until(next); wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-done:
				return nil
			}
		}
		return feedMsg{waited: true}
	}
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.frame = ""
	cmds := []tea.Cmd{m.update(msg)}
	// What the components asked for while handling msg, at once.
	for len(m.s.asked) > 0 {
		asked := m.s.asked
		m.s.asked = nil
		for _, a := range asked {
			cmds = append(cmds, m.update(a))
		}
	}
	return m, tea.Batch(append(cmds, m.keepTicking())...)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case feedMsg:
		cmd := m.applyFeed()
		m.fed = time.Now()
		if msg.waited {
			return tea.Batch(cmd, m.waitFeed())
		}
		return cmd
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.st = newStyles(msg.IsDark())
	case toPane:
		if mp := m.mounted(msg.to); mp != nil {
			var cmd tea.Cmd
			mp.pane, cmd = mp.pane.Update(msg.msg)
			return cmd
		}
	case refreshedMsg:
		mp := m.mounted(msg.to)
		if mp == nil {
			return nil
		}
		mp.refreshing = false
		var cmd tea.Cmd
		mp.pane, cmd = mp.pane.Update(msg.msg)
		if mp.again {
			mp.again = false
			return tea.Batch(cmd, m.refresh(mp))
		}
		return cmd
	case toDialog:
		if m.dialog != nil {
			var cmd tea.Cmd
			m.dialog, cmd = m.dialog.Update(msg.msg)
			return cmd
		}
	case statusMsg:
		m.status.set(msg)
	case openDialogMsg:
		m.dialog = msg.d
	case openLeadMsg:
		m.overlay = &mounted{spec: paneSpec{id: leadPane}, pane: newDetailPane(m.s, leadPane, msg.id)}
		m.overlay.pane.Update(focusMsg(true))
		return m.refresh(m.overlay)
	case closeLeadMsg:
		m.overlay = nil
	case tickMsg:
		m.ticking = false
		return m.broadcast(msg)
	case tea.PasteMsg:
		return m.paste(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

// applyFeed hands the panes the newest version of the shared model and what changed
// since the version they had, and refreshes the panes its events make stale.
func (m *Model) applyFeed() tea.Cmd {
	var u leadmodel.Update
	if !m.started {
		m.started = true
		// A console that opens takes the model as it is: no lead is read for it.
		snap := m.leads.Snapshot()
		u = leadmodel.Update{Snapshot: snap, Burst: leadmodel.Burst{Version: snap.Version, Resync: true}}
	} else {
		u = m.leads.Since(m.applied)
		if u.Snapshot.Version == m.applied {
			return nil
		}
	}
	m.applied = u.Snapshot.Version
	m.s.snap = u.Snapshot
	cmds := []tea.Cmd{m.broadcast(liveMsg{u})}
	for _, mp := range m.all() {
		if u.Resync || stale(mp.pane, u.Events) {
			cmds = append(cmds, m.refresh(mp))
		}
	}
	return tea.Batch(cmds...)
}

func stale(p Pane, events []engine.Event) bool {
	for _, e := range events {
		if p.Stale(e) {
			return true
		}
	}
	return false
}

// refresh asks a pane to read again, unless it is already reading: then once more when
// that read lands.
func (m *Model) refresh(mp *mounted) tea.Cmd {
	if mp.refreshing {
		mp.again = true
		return nil
	}
	cmd := mp.pane.Refresh()
	if cmd == nil {
		return nil
	}
	mp.refreshing = true
	id := mp.spec.id
	return func() tea.Msg { return refreshedMsg{to: id, msg: cmd()} }
}

// broadcast gives msg to every pane, the open lead's included.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, mp := range m.all() {
		var cmd tea.Cmd
		mp.pane, cmd = mp.pane.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) all() []*mounted {
	if m.overlay == nil {
		return m.panes
	}
	return append(m.panes[:len(m.panes):len(m.panes)], m.overlay)
}

func (m *Model) mounted(id PaneID) *mounted {
	for _, mp := range m.all() {
		if mp.spec.id == id {
			return mp
		}
	}
	return nil
}

func (m *Model) focused() *mounted { return m.tabs[m.focus] }

func (m *Model) setFocus(i int) {
	if i == m.focus {
		return
	}
	m.focused().pane.Update(focusMsg(false))
	m.focus = i
	m.focused().pane.Update(focusMsg(true))
}

// keepTicking starts the one-second tick while something in sight shows times that
// move on their own, and lets it stop when nothing does.
func (m *Model) keepTicking() tea.Cmd {
	if m.ticking || !m.showsTime() {
		return nil
	}
	m.ticking = true
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) showsTime() bool {
	if m.showHelp {
		return false
	}
	if m.overlay != nil {
		return m.overlay.pane.ShowsTime()
	}
	for _, mp := range m.onScreen() {
		if mp.pane.ShowsTime() {
			return true
		}
	}
	return false
}

// onScreen is the panes of the focused pane's screen.
func (m *Model) onScreen() []*mounted {
	f := m.focused()
	if f.spec.screen == "" {
		return []*mounted{f}
	}
	var out []*mounted
	for _, mp := range m.panes {
		if mp.spec.screen == f.spec.screen {
			out = append(out, mp)
		}
	}
	return out
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.dialog != nil {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if m.showHelp {
		m.showHelp = false
		return nil
	}
	m.status.clear()
	if m.overlay != nil {
		if msg.String() == "?" {
			m.showHelp = true
			return nil
		}
		cmd, _ := m.overlay.pane.Keys().Handle(msg)
		return cmd
	}
	if cmd, ok := m.globalKeys().Handle(msg); ok {
		return cmd
	}
	cmd, _ := m.focused().pane.Keys().Handle(msg)
	return cmd
}

// globalKeys are the bindings of every pane: moving between panes, help, quitting, and
// one's own presence.
func (m *Model) globalKeys() Actions {
	if m.global == nil {
		m.global = m.makeGlobalKeys()
	}
	return m.global
}

func (m *Model) makeGlobalKeys() Actions {
	n := len(m.tabs)
	return Actions{
		act(bind(keys("tab"), "tab", "next pane"), do(func() tea.Cmd { m.setFocus((m.focus + 1) % n); return nil })),
		act(bind(keys("shift+tab"), "shift+tab", "previous pane"), do(func() tea.Cmd { m.setFocus((m.focus + n - 1) % n); return nil })),
		act(bind(digits(n), fmt.Sprintf("1–%d", n), "go to pane"), func(msg tea.KeyPressMsg) tea.Cmd {
			m.setFocus(int(msg.String()[0] - '1'))
			return nil
		}),
		actIf(m.s.actor.IsAgent(), "agents only", bind(keys("P"), "P", "my presence"), do(func() tea.Cmd {
			return m.s.open(presenceMenu(m.s, m.s.actor.Name))
		})),
		act(bind(keys("?"), "?", "help"), do(func() tea.Cmd { m.showHelp = true; return nil })),
		act(bind(keys("q"), "q", "quit"), do(func() tea.Cmd { return tea.Quit })),
	}
}

func digits(n int) []string {
	var out []string
	for i := 1; i <= min(n, 9); i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

// paste types pasted text into the open dialog, without its line breaks or any other
// control character (an escape sequence pasted into a prompt would be drawn raw).
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range msg.Content {
		if m.dialog == nil {
			break
		}
		if textguard.IsControl(r) {
			continue
		}
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// View implements tea.Model.
func (m *Model) View() tea.View {
	if m.frame == "" {
		m.frame = m.render()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "switchboard · " + m.s.actor.Name
	return v
}

func (m *Model) size() (int, int) {
	w, h := m.width, m.height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
	}
	return w, h
}

// render draws the whole screen: exactly height lines of exactly width cells.
func (m *Model) render() string {
	w, h := m.size()
	status := m.statusView(w)
	bodyH := max(0, h-1-len(status))
	var body []string
	switch {
	case m.showHelp:
		body = block(m.helpView(w, bodyH), w, bodyH)
	case m.overlay != nil:
		body = paneBlock(m.overlay.pane.View(w, bodyH), w, bodyH)
	default:
		body = m.screenView(w, bodyH)
	}
	if m.dialog != nil {
		body = m.dialogView(body, w, bodyH)
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.headerView(w))
	lines = append(lines, body...)
	lines = append(lines, status...)
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

func (m *Model) headerView(w int) string {
	st := &m.st
	var b strings.Builder
	for i, mp := range m.tabs {
		label := fmt.Sprintf(" %d %s ", i+1, mp.pane.Title())
		if i == m.focus && m.overlay == nil {
			b.WriteString(st.tabActive.Render(label))
		} else {
			b.WriteString(st.tab.Render(label))
		}
	}
	// The name goes first when the tabs need the room (a dispatcher's seven at 80).
	tabs := b.String()
	if title := st.title.Render("switchboard") + " "; cells(title)+cells(tabs) <= w {
		tabs = title + tabs
	}
	return fit(tabs, w)
}

// screenView lays out the focused pane's screen: the pane alone, or the dashboard's
// main pane, side pane and strip.
func (m *Model) screenView(w, h int) []string {
	var main, side, strip *mounted
	for _, mp := range m.onScreen() {
		switch mp.spec.place {
		case placeMain:
			main = mp
		case placeSide:
			side = mp
		case placeStrip:
			strip = mp
		}
	}
	view := func(mp *mounted, w, h int) []string {
		if mp == nil || h <= 0 || w <= 0 {
			return block(nil, max(0, w), max(0, h))
		}
		return paneBlock(mp.pane.View(w, h), w, h)
	}
	if side == nil && strip == nil {
		return view(main, w, h)
	}
	stripH := 0
	switch {
	case strip == nil:
	case h >= 40:
		stripH = 8
	case h >= 18:
		stripH = 4
	}
	mainH := h - stripH
	var out []string
	if w >= wideAt {
		sideW := min(84, w*2/5)
		mainW := w - sideW - 1
		out = sideBySide(view(main, mainW, mainH), view(side, sideW, mainH), m.st.dim.Render("│"))
	} else {
		sideH := 0
		if side != nil {
			// The side pane says how many rows it wants; the focused one gets more room.
			want := 1 + len(m.s.team())
			sideH = min(want, mainH/3)
			if m.focused() == side {
				sideH = min(want, mainH*2/3)
			}
			sideH = max(sideH, min(2, mainH))
		}
		out = append(view(main, w, mainH-sideH), view(side, w, sideH)...)
	}
	return append(out, view(strip, w, stripH)...)
}
