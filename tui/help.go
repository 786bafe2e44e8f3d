package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// helpNotes are lines help adds under the keys, for the panes whose keys take more than
// a letter.
type helpNotes interface {
	HelpNotes() []string
}

// helpView lists every binding of the pane in focus (or the open lead), then the ones
// every pane has, in two columns; a binding this session may not use is dimmed with
// the reason.
func (m *Model) helpView(w, h int) []string {
	st := &m.st
	target, title := m.focused(), m.focused().pane.Title()
	if m.overlay != nil {
		target, title = m.overlay, "Lead"
	}
	all := append(Actions{}, target.pane.Keys()...)
	if m.overlay == nil {
		all = append(all, m.globalKeys()...)
	}
	entry := func(a Action, width int) string {
		hb := a.Key.Help()
		k := pad(hb.Key, 11)
		if a.Disabled != "" {
			// The reason is what a reader needs: a narrow column cuts the
			// description first.
			why := " (" + a.Disabled + ")"
			desc := fit(hb.Desc, max(4, width-12-ansi.StringWidth(why)))
			return st.dim.Render(fit(k+" "+strings.TrimRight(desc, " ")+why, width))
		}
		return st.accent.Render(k) + " " + fit(hb.Desc, width-12)
	}
	lines := []string{paneTitle(st, "Keys: "+title+st.dim.Render("  any key closes this"), w, true)}
	colW := max(20, (w-3)/2)
	cols := 2
	if w < 2*20+3 {
		cols, colW = 1, w-1
	}
	rows := (len(all) + cols - 1) / cols
	room := h - len(lines)
	var notes []string
	if n, ok := target.pane.(helpNotes); ok {
		notes = n.HelpNotes()
	}
	if rows+1+len(notes) > room {
		notes = nil
	}
	cut := rows > room
	if cut {
		rows = max(0, room-1)
	}
	for r := range rows {
		var b strings.Builder
		b.WriteString(" ")
		for c := range cols {
			i := c*((len(all)+cols-1)/cols) + r
			if i < len(all) {
				b.WriteString(entry(all[i], colW))
			} else {
				b.WriteString(strings.Repeat(" ", colW))
			}
			b.WriteString(" ")
		}
		lines = append(lines, fit(b.String(), w))
	}
	if cut {
		lines = append(lines, st.dim.Render(fit(" … a taller terminal shows the rest", w)))
	}
	if len(notes) > 0 {
		lines = append(lines, "")
		for _, n := range notes {
			for _, l := range strings.Split(ansi.Wrap(n, max(10, w-2), ""), "\n") {
				lines = append(lines, st.dim.Render(fit(" "+l, w)))
			}
		}
	}
	return lines
}

// dialogView draws the open dialog over the body: a box in the middle, or the last
// lines for a prompt, so that the list it filters stays in sight.
func (m *Model) dialogView(body []string, w, h int) []string {
	st := &m.st
	footer := keyLine(m.dialog.Keys())
	if _, ok := m.dialog.(bottomDialog); ok {
		lines := m.dialog.View(w)
		if footer != "" {
			lines = append(lines, st.dim.Render(footer))
		}
		for i, l := range lines {
			if row := h - len(lines) + i; row >= 0 {
				body[row] = fit(l, w)
			}
		}
		return body
	}
	boxW := min(w, max(60, w*2/3))
	inner := max(0, boxW-4)
	lines := m.dialog.View(inner)
	if footer != "" {
		lines = append(lines, st.dim.Render(ansi.Wrap(footer, inner, "")))
		lines = strings.Split(strings.Join(lines, "\n"), "\n")
	}
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

// keyLine is a dialog's bindings on one line: "enter pick · esc cancel".
func keyLine(as Actions) string {
	var parts []string
	for _, a := range as {
		if a.Disabled != "" {
			continue
		}
		hb := a.Key.Help()
		parts = append(parts, hb.Key+" "+hb.Desc)
	}
	return strings.Join(parts, " · ")
}
