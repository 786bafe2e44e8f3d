package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
)

// statusLine is what the bottom line says besides who is logged in: the toast of the
// last action, the engine's refusal, or what is in progress.
type statusLine struct {
	toast   string
	err     error
	working string
}

func (s *statusLine) set(msg statusMsg) {
	if msg.working != "" {
		s.working = msg.working
		return
	}
	s.working, s.toast, s.err = "", msg.toast, msg.err
}

// clear forgets the last toast and error: a new key press starts afresh. What is in
// progress stays until it ends.
func (s *statusLine) clear() { s.toast, s.err = "", nil }

// maxMessageLines is how many lines a message too long for the status bar may take
// above it, wrapped at words.
const maxMessageLines = 3

// statusView is the status bar: who acts, the queue or the bell, and the last message.
// A message that does not fit beside the rest goes on lines of its own above the bar,
// wrapped at words, so that it is never cut mid-word.
func (m *Model) statusView(w int) []string {
	st := &m.st
	seg := func(s string) string { return st.status.Render(s) }
	var left strings.Builder
	left.WriteString(st.statusKey.Render(" " + clean(m.s.actor.Name)))
	if m.s.actor.Name != string(m.s.actor.Role) {
		left.WriteString(seg(" " + string(m.s.actor.Role)))
	}
	left.WriteString(seg(" "))
	if m.s.dispatcher() {
		left.WriteString(seg("│ queue " + groupDigits(m.s.snap.Queue().Len()) + " "))
		if n := m.s.unread; n > 0 {
			left.WriteString(st.bell.Render(fmt.Sprintf("│ 🔔 %d ", n)))
		}
	} else if n := m.s.unread; n > 0 {
		left.WriteString(st.bell.Render(fmt.Sprintf("│ 🔔 %d unread ", n)))
	} else {
		left.WriteString(seg("│ 🔔 0 "))
	}
	if err := m.s.snap.Err; err != nil {
		left.WriteString(st.statusErr.Render("│ live updates paused: reading failed, retrying "))
	}
	msg, style := "", st.status
	switch {
	case m.status.err != nil:
		msg, style = errText(m.status.err), st.statusErr
	case m.status.working != "":
		msg = m.status.working
	case m.status.toast != "":
		msg, style = m.status.toast, st.toast
	}
	msg = clean(msg)
	l := left.String()
	lw := cells(l)
	right := seg("? help  q quit ")
	var above []string
	if msg != "" {
		if lw+cells(msg)+2 <= w {
			right = style.Render(" " + msg + " ")
		} else {
			for _, line := range strings.Split(ansi.Wrap(msg, max(10, w-2), ""), "\n") {
				if len(above) == maxMessageLines {
					above[len(above)-1] = fit(ansi.Truncate(above[len(above)-1], w-3, "…"), w)
					break
				}
				above = append(above, style.Render(fit(" "+line, w)))
			}
			right = ""
		}
	}
	rw := cells(right)
	if lw+rw > w {
		right = ""
	}
	gap := max(0, w-lw-cells(right))
	return append(above, fit(l+seg(strings.Repeat(" ", gap))+right, w))
}

// errText is an engine refusal as a person should read it.
func errText(err error) string {
	var r refusal
	if errors.As(err, &r) {
		return string(r)
	}
	switch engine.KindOf(err) {
	case engine.KindForbidden:
		return "Not allowed: " + err.Error()
	case engine.KindInternal:
		return "Error: " + err.Error()
	}
	return err.Error()
}
