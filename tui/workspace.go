package tui

import (
	"fmt"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// sharedPane lists the leads shared with an agent, soonest to end first.
type sharedPane struct {
	items  []engine.SharedLead
	cursor int
}

func (p *sharedPane) move(d int) { p.cursor = max(0, min(p.cursor+d, len(p.items)-1)) }

func (p *sharedPane) current() *engine.SharedLead {
	if p.cursor < 0 || p.cursor >= len(p.items) {
		return nil
	}
	return &p.items[p.cursor]
}

func (p *sharedPane) view(st *styles, width, height int, focused bool, now time.Time) []string {
	lines := []string{paneTitle(st, "Shared with me "+st.dim.Render(countLabel(len(p.items), "lead")), width, focused)}
	for i, s := range p.items {
		if len(lines) >= height {
			break
		}
		left := "until revoked"
		if !s.Share.ExpiresAt.IsZero() {
			left = age(s.Share.ExpiresAt.Sub(now)) + " left"
		}
		text := fmt.Sprintf("  #%-6d %s %s %s %s", s.Lead.ID, pad(s.Lead.Title(), 24), pad(string(s.Share.Access), 5), pad(left, 14), "from "+orDash(s.Lead.Owner))
		line := fit(text, width)
		if i == p.cursor && focused {
			line = st.cursor.Render(line)
		}
		lines = append(lines, line)
	}
	if len(p.items) == 0 {
		lines = append(lines, st.dim.Render("  Nothing is shared with you."))
	}
	return lines
}

// notesPane lists an agent's notifications, newest first, unread ones marked.
type notesPane struct {
	items  []engine.Notification
	unread int
	cursor int
}

func (p *notesPane) move(d int) { p.cursor = max(0, min(p.cursor+d, len(p.items)-1)) }

func (p *notesPane) view(st *styles, width, height int, focused bool, now time.Time) []string {
	lines := []string{paneTitle(st, fmt.Sprintf("Notifications %s", st.dim.Render(fmt.Sprintf("%d unread", p.unread))), width, focused)}
	for i, n := range p.items {
		if len(lines) >= height {
			break
		}
		mark := "  "
		if n.ReadAt.IsZero() {
			mark = "• "
		}
		text := fit(mark+pad(age(now.Sub(n.CreatedAt)), 4)+" "+n.Text, width)
		switch {
		case i == p.cursor && focused:
			text = st.cursor.Render(text)
		case n.ReadAt.IsZero():
			text = st.bold.Render(text)
		default:
			text = st.dim.Render(text)
		}
		lines = append(lines, text)
	}
	if len(p.items) == 0 {
		lines = append(lines, st.dim.Render("  No notifications."))
	}
	return lines
}
