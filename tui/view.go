package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
)

// Sizes the layout works with when the terminal has not said its size yet.
const (
	defaultWidth  = 80
	defaultHeight = 24
	wideAt        = 140 // from this width the dashboard puts the team beside the queue
)

// View implements tea.Model.
func (m *Model) View() tea.View {
	if m.frame == "" {
		m.frame = m.render()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "switchboard · " + m.actor.Name
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
	st := &m.st
	bodyH := max(0, h-2)
	var body []string
	switch {
	case m.showHelp:
		body = m.helpView(w, bodyH)
	case m.detail != nil:
		body = m.detail.view(st, w, bodyH, m.eng.Now(), m.eng.Location())
	default:
		body = m.paneView(w, bodyH)
	}
	body = block(body, w, bodyH)
	if m.modal != nil {
		body = m.overlay(body, w, bodyH)
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.headerView(w))
	lines = append(lines, body...)
	lines = append(lines, m.statusView(w))
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

func (m *Model) headerView(w int) string {
	st := &m.st
	var b strings.Builder
	b.WriteString(st.title.Render("switchboard") + " ")
	for i, p := range m.panes {
		label := fmt.Sprintf(" %d %s ", i+1, paneNames[p])
		if p == m.focus {
			b.WriteString(st.tabActive.Render(label))
		} else {
			b.WriteString(st.tab.Render(label))
		}
	}
	return fit(b.String(), w)
}

func (m *Model) paneView(w, h int) []string {
	st := &m.st
	now := m.eng.Now()
	if !m.loaded {
		return []string{st.dim.Render("  loading…")}
	}
	switch m.focus {
	case paneQueue, paneBoard:
		return m.dashboard(w, h)
	case paneLeads:
		return m.leads.view(st, w, h, true, now)
	case paneRules:
		return m.rules.view(st, w, h, true)
	case paneHistory:
		return m.hist.view(st, w, h, true, m.eng.Location())
	case paneMine:
		return m.mine.view(st, w, h, true, now)
	case paneShared:
		return m.shared.view(st, w, h, true, now)
	case paneNotes:
		return m.notes.view(st, w, h, true, now)
	}
	return nil
}

// dashboard is the queue, the team and the live history strip. Wide terminals get the
// team beside the queue; narrow ones stack them and give the focused one more room.
func (m *Model) dashboard(w, h int) []string {
	st := &m.st
	now := m.eng.Now()
	stripH := 0
	switch {
	case h >= 40:
		stripH = 8
	case h >= 18:
		stripH = 4
	}
	mainH := h - stripH
	var out []string
	if w >= wideAt {
		boardW := min(84, w*2/5)
		queueW := w - boardW - 1
		q := block(m.queue.view(st, queueW, mainH, m.focus == paneQueue, now), queueW, mainH)
		b := block(m.board.view(st, boardW, mainH, m.focus == paneBoard, now), boardW, mainH)
		out = sideBySide(q, b, st.dim.Render("│"))
	} else {
		boardH := min(len(m.board.agents)+1, mainH/3)
		if m.focus == paneBoard {
			boardH = min(len(m.board.agents)+1, mainH*2/3)
		}
		boardH = max(boardH, min(2, mainH))
		queueH := mainH - boardH
		out = append(block(m.queue.view(st, w, queueH, m.focus == paneQueue, now), w, queueH),
			block(m.board.view(st, w, boardH, m.focus == paneBoard, now), w, boardH)...)
	}
	if stripH > 0 {
		strip := []string{paneTitle(st, "Live", w, false)}
		loc := m.eng.Location()
		for _, e := range m.strip {
			if len(strip) >= stripH {
				break
			}
			strip = append(strip, eventLine(st, e, loc))
		}
		out = append(out, block(strip, w, stripH)...)
	}
	return out
}

// overlay draws the open dialog in a box over the bottom of the body.
func (m *Model) overlay(body []string, w, h int) []string {
	st := &m.st
	if p, ok := m.modal.(*prompt); ok {
		// The filter prompt sits on the last lines so the list above stays in sight.
		lines := p.view(st, w)
		for i, l := range lines {
			if row := h - len(lines) + i; row >= 0 {
				body[row] = fit(l, w)
			}
		}
		return body
	}
	boxW := min(w, max(60, w*2/3))
	inner := boxW - 4
	lines := m.modal.view(st, inner)
	if len(lines) > h-2 {
		lines = lines[:max(0, h-2)]
	}
	for i := range lines {
		lines[i] = fit(lines[i], inner)
	}
	box := strings.Split(st.modal.Width(boxW).Render(strings.Join(lines, "\n")), "\n")
	top := max(0, (h-len(box))/2)
	left := (w - boxW) / 2
	for i, l := range box {
		if top+i >= h {
			break
		}
		bg := body[top+i]
		body[top+i] = ansi.Cut(bg, 0, left) + fit(l, boxW) + ansi.Cut(bg, left+boxW, w)
	}
	return body
}

func (m *Model) statusView(w int) string {
	st := &m.st
	seg := func(s string) string { return st.status.Render(s) }
	var left strings.Builder
	left.WriteString(st.statusKey.Render(" " + m.actor.Name))
	if m.actor.Name != string(m.actor.Role) {
		left.WriteString(seg(" " + string(m.actor.Role)))
	}
	left.WriteString(seg(" "))
	if m.dispatcher() {
		left.WriteString(seg("│ queue " + groupDigits(m.queue.total) + " "))
		if n := len(m.listInFocus().selectedIDs()); n > 0 {
			left.WriteString(st.statusKey.Render(fmt.Sprintf("│ %d selected ", n)))
		}
	} else {
		left.WriteString(seg(fmt.Sprintf("│ %d mine · %d shared ", len(m.mine.visible), len(m.shared.items))))
		bell := "│ 🔔 0 "
		if m.notes.unread > 0 {
			left.WriteString(st.bell.Render(fmt.Sprintf("│ 🔔 %d ", m.notes.unread)))
		} else {
			left.WriteString(seg(bell))
		}
	}
	right := seg("? help  q quit ")
	switch {
	case m.err != nil:
		right = st.errMsg.Inherit(st.status).Render(" " + clean(errText(m.err)) + " ")
	case m.working != "":
		right = seg(" " + m.working + " ")
	case m.toast != "":
		right = st.toast.Render(" " + clean(m.toast) + " ")
	}
	l := left.String()
	lw, rw := ansi.StringWidth(l), ansi.StringWidth(right)
	if lw+rw > w {
		right = ansi.Truncate(right, max(0, w-lw), "…")
		rw = ansi.StringWidth(right)
	}
	gap := max(0, w-lw-rw)
	return fit(l+seg(strings.Repeat(" ", gap))+right, w)
}

// errText is an engine refusal as a person should read it.
func errText(err error) string {
	switch engine.KindOf(err) {
	case engine.KindForbidden:
		return "Not allowed: " + err.Error()
	case engine.KindInternal:
		return "Error: " + err.Error()
	}
	return err.Error()
}

func (m *Model) listInFocus() *leadList {
	switch m.focus {
	case paneLeads:
		return m.leads
	case paneMine:
		return m.mine
	}
	return m.queue
}

func (l *leadList) selectedIDs() map[int64]struct{} { return l.selected }

// helpView lists every binding that applies to this session, by area.
func (m *Model) helpView(w, h int) []string {
	k := m.keys
	groups := [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.NextPane, k.PrevPane},
		{k.Select, k.SelectDown, k.SelectUp, k.Anchor, k.SelectAll, k.Clear, k.Filter, k.Open},
	}
	var acts []key.Binding
	if m.can(engine.ActAssign) {
		acts = append(acts, k.Assign, k.Unassign, k.Reroute)
	}
	acts = append(acts, k.Share, k.Status)
	if m.can(engine.ActSetAnyPresence) {
		acts = append(acts, k.Presence)
	}
	if m.actor.IsAgent() {
		acts = append(acts, k.MyPresence)
	}
	if !m.dispatcher() {
		acts = append(acts, k.Read)
	}
	groups = append(groups, acts)
	if m.can(engine.ActManageRules) {
		groups = append(groups, []key.Binding{k.New, k.Edit, k.MoveUp, k.MoveDown, k.Toggle, k.Delete})
	}
	groups = append(groups, []key.Binding{k.Help, k.Quit})
	m.help.SetWidth(w)
	lines := []string{paneTitle(&m.st, "Keys", w, true), ""}
	lines = append(lines, strings.Split(m.help.FullHelpView(groups), "\n")...)
	lines = append(lines, "",
		m.st.dim.Render("  Filter: free words match name, email, phone, company; keys "+filterKeys+","),
		m.st.dim.Render("  e.g. source:facebook,tiktok tag:vip age>1h acme. Actions apply to the selection, else the row."),
		m.st.dim.Render("  Panes: 1–9 or tab. History filter: agent:bob kind:lead.routed lead:42. Any key closes this."))
	return lines
}
