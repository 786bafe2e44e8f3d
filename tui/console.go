package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

var _ tea.Model = (*Model)(nil)

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitChange(), m.startRefresh())
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case changeMsg:
		// Only notes what to read: the screen changes when the refresh lands.
		m.pending.merge(m.refreshFor(msg))
		return m, tea.Batch(m.waitChange(), m.startRefresh())
	case subClosedMsg:
		return m, nil
	}
	m.frame = "" // anything else may change what is on screen
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.st = newStyles(msg.IsDark())
		m.help.Styles = m.st.help
	case refreshedMsg:
		m.inflight = false
		m.applyRefresh(msg)
		return m, m.startRefresh()
	case detailMsg:
		m.working = ""
		if msg.err != nil {
			m.err = msg.err
		} else {
			m.detail = msg.d
		}
	case ruleSavedMsg:
		if ed, ok := m.modal.(*ruleEditor); ok && ed.saved(msg) {
			m.modal = nil
			m.toast = fmt.Sprintf("Saved rule #%d %s", msg.rule.ID, msg.rule.Name)
		}
	case doneMsg:
		m.working = ""
		m.toast, m.err = msg.toast, msg.err
	case tea.PasteMsg:
		if m.modal != nil {
			// Paste into the focused input: deliver it as typed text.
			for _, r := range msg.Content {
				if r == '\n' || r == '\r' {
					continue
				}
				if cmd := m.handleKey(tea.KeyPressMsg{Code: r, Text: string(r)}); cmd != nil || m.modal == nil {
					return m, cmd
				}
			}
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if cur := m.modal; cur != nil {
		done, cmd := cur.update(msg)
		// A dialog may open the next one (the share form after the picker).
		if done && m.modal == cur {
			m.modal = nil
		}
		return cmd
	}
	k := m.keys
	if m.showHelp {
		if key.Matches(msg, k.Quit) && msg.String() != "q" {
			return tea.Quit
		}
		m.showHelp = false
		return nil
	}
	m.toast, m.err = "", nil
	if m.detail != nil {
		return m.detailKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.NextPane):
		m.cycleFocus(1)
		return nil
	case key.Matches(msg, k.PrevPane):
		m.cycleFocus(-1)
		return nil
	case key.Matches(msg, k.MyPresence) && m.actor.IsAgent():
		m.presenceMenu(m.actor.Name)
		return nil
	}
	if s := msg.String(); len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		if i := int(s[0] - '1'); i < len(m.panes) {
			m.focus = m.panes[i]
		}
		return nil
	}
	switch m.focus {
	case paneQueue:
		return m.listKey(msg, m.queue, m.store)
	case paneLeads:
		return m.listKey(msg, m.leads, m.store)
	case paneMine:
		return m.listKey(msg, m.mine, m.mineStore)
	case paneBoard:
		return m.boardKey(msg)
	case paneRules:
		return m.rulesKey(msg)
	case paneHistory:
		return m.historyKey(msg)
	case paneShared:
		return m.sharedKey(msg)
	case paneNotes:
		return m.notesKey(msg)
	}
	return nil
}

func (m *Model) cycleFocus(d int) {
	for i, p := range m.panes {
		if p == m.focus {
			m.focus = m.panes[(i+d+len(m.panes))%len(m.panes)]
			return
		}
	}
}

// moveKey reads a movement key: delta rows, or a jump to the first or last row.
func (m *Model) moveKey(msg tea.KeyPressMsg, page int) (delta int, ok bool) {
	k := m.keys
	page = max(1, page)
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Home):
		return -1 << 30, true
	case key.Matches(msg, k.End):
		return 1 << 30, true
	}
	return 0, false
}

func (m *Model) listKey(msg tea.KeyPressMsg, l *leadList, s *leadStore) tea.Cmd {
	k := m.keys
	if d, ok := m.moveKey(msg, l.height); ok {
		l.move(d)
		return nil
	}
	switch {
	case key.Matches(msg, k.SelectUp):
		l.extend(-1)
	case key.Matches(msg, k.SelectDown):
		l.extend(1)
	case key.Matches(msg, k.Select):
		l.toggle()
		l.move(1)
	case key.Matches(msg, k.Anchor):
		l.toggleAnchor()
	case key.Matches(msg, k.SelectAll):
		l.selectAll()
		m.toast = fmt.Sprintf("Selected %s", countLabel(len(l.selected), "lead"))
	case key.Matches(msg, k.Clear):
		if len(l.selected) > 0 || l.anchor >= 0 {
			l.clearSelection()
		} else if l.filterText != "" {
			l.setFilter("", Filter{}, s, m.eng.Now())
		}
	case key.Matches(msg, k.Filter):
		m.filterPrompt(l, s)
	case key.Matches(msg, k.Open):
		if r := l.current(); r != nil {
			return m.openDetail(r.id)
		}
	case key.Matches(msg, k.Assign) && m.can(engine.ActAssign):
		return m.assign(l.targets(), l)
	case key.Matches(msg, k.Unassign) && m.can(engine.ActAssign):
		return m.unassign(l.targets(), l)
	case key.Matches(msg, k.Reroute) && m.can(engine.ActAssign):
		return m.reroute(l.targets(), l)
	case key.Matches(msg, k.Share):
		return m.share(l.targets())
	case key.Matches(msg, k.Status):
		m.statusMenu(l.targets())
	}
	return nil
}

func (m *Model) can(a engine.Action) bool { return m.actor.Role.Can(a) }

func (m *Model) filterPrompt(l *leadList, s *leadStore) {
	before, beforeF := l.filterText, l.filter
	in := newInput(&m.st, "source:facebook tag:vip age>1h acme   (keys: "+filterKeys+")")
	in.SetValue(l.filterText)
	in.CursorEnd()
	m.modal = &prompt{
		label: "/",
		input: in,
		change: func(v string) error {
			f, err := ParseFilter(v)
			if err != nil {
				return err
			}
			l.setFilter(strings.TrimSpace(v), f, s, m.eng.Now())
			return nil
		},
		submit: func(v string) error {
			f, err := ParseFilter(v)
			if err != nil {
				return err
			}
			l.setFilter(strings.TrimSpace(v), f, s, m.eng.Now())
			return nil
		},
		cancel: func() { l.setFilter(before, beforeF, s, m.eng.Now()) },
	}
}

func (m *Model) boardKey(msg tea.KeyPressMsg) tea.Cmd {
	if d, ok := m.moveKey(msg, 5); ok {
		m.board.move(d)
		return nil
	}
	a := m.board.current()
	if a == nil {
		return nil
	}
	if key.Matches(msg, m.keys.Presence) {
		if !m.can(engine.ActSetAnyPresence) && a.Handle != m.actor.Name {
			m.err = fmt.Errorf("setting %s's presence needs the dispatcher role", a.Handle)
			return nil
		}
		m.presenceMenu(a.Handle)
	}
	return nil
}

func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	if d, ok := m.moveKey(msg, 10); ok {
		m.hist.move(d)
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Filter):
		in := newInput(&m.st, "agent:bob kind:lead.routed lead:42")
		in.SetValue(m.hist.filterText)
		in.CursorEnd()
		m.modal = &prompt{label: "history /", input: in, submit: func(v string) error {
			q, err := parseHistoryFilter(v)
			if err != nil {
				return err
			}
			m.hist.query, m.hist.filterText, m.hist.cursor = q, strings.TrimSpace(v), 0
			m.pending.merge(refresh{history: true})
			return nil
		}}
		return nil
	case key.Matches(msg, m.keys.Clear):
		m.hist.query, m.hist.filterText = engine.HistoryQuery{}, ""
		m.pending.merge(refresh{history: true})
		return m.startRefresh()
	case key.Matches(msg, m.keys.Open):
		if m.hist.cursor < len(m.hist.events) {
			if id := m.hist.events[m.hist.cursor].LeadID; id != 0 {
				return m.openDetail(id)
			}
		}
	}
	return nil
}

func (m *Model) sharedKey(msg tea.KeyPressMsg) tea.Cmd {
	if d, ok := m.moveKey(msg, 10); ok {
		m.shared.move(d)
		return nil
	}
	s := m.shared.current()
	if s == nil {
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Open):
		return m.openDetail(s.Lead.ID)
	case key.Matches(msg, m.keys.Status):
		m.statusMenu([]int64{s.Lead.ID})
	}
	return nil
}

func (m *Model) notesKey(msg tea.KeyPressMsg) tea.Cmd {
	if d, ok := m.moveKey(msg, 10); ok {
		m.notes.move(d)
		return nil
	}
	switch msg.String() {
	case "r":
		if m.notes.cursor < len(m.notes.items) {
			return m.markRead([]int64{m.notes.items[m.notes.cursor].ID})
		}
	case "R":
		return m.markRead(nil)
	case "enter":
		if m.notes.cursor < len(m.notes.items) {
			n := m.notes.items[m.notes.cursor]
			cmds := []tea.Cmd{m.markRead([]int64{n.ID})}
			if n.LeadID != 0 {
				cmds = append(cmds, m.openDetail(n.LeadID))
			}
			return tea.Batch(cmds...)
		}
	}
	return nil
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	id := []int64{m.detail.lead.Lead.ID}
	switch {
	case key.Matches(msg, k.Back), msg.String() == "q":
		m.detail = nil
	case key.Matches(msg, k.Up):
		m.detail.offset = max(0, m.detail.offset-1)
	case key.Matches(msg, k.Down):
		m.detail.offset++
	case key.Matches(msg, k.Assign) && m.can(engine.ActAssign):
		return m.assign(id, nil)
	case key.Matches(msg, k.Unassign) && m.can(engine.ActAssign):
		return m.unassign(id, nil)
	case key.Matches(msg, k.Reroute) && m.can(engine.ActAssign):
		return m.reroute(id, nil)
	case key.Matches(msg, k.Share):
		return m.share(id)
	case key.Matches(msg, k.Status):
		m.statusMenu(id)
	case key.Matches(msg, k.Help):
		m.showHelp = true
	}
	return nil
}
