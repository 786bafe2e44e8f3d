package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// board is the agent presence board: who is there, how loaded, what they got today.
type board struct {
	agents []engine.Agent
	cursor int
	offset int
}

func (b *board) current() *engine.Agent {
	if b.cursor < 0 || b.cursor >= len(b.agents) {
		return nil
	}
	return &b.agents[b.cursor]
}

func (b *board) move(d int) {
	b.cursor = max(0, min(b.cursor+d, len(b.agents)-1))
}

func (b *board) view(st *styles, width, height int, focused bool, now time.Time) []string {
	avail := 0
	for _, a := range b.agents {
		if a.Presence == engine.Available {
			avail++
		}
	}
	lines := []string{paneTitle(st, fmt.Sprintf("Team %s", st.dim.Render(fmt.Sprintf("%d of %d available", avail, len(b.agents)))), width, focused)}
	rows := height - 1
	if rows <= 0 {
		return lines[:min(1, height)]
	}
	wide := width >= 70
	nameW := 0
	if wide {
		nameW = min(18, width-64)
	}
	if b.cursor < b.offset {
		b.offset = b.cursor
	}
	if b.cursor >= b.offset+rows {
		b.offset = b.cursor - rows + 1
	}
	end := min(len(b.agents), b.offset+rows)
	for i := b.offset; i < end; i++ {
		a := b.agents[i]
		ps := st.presence[a.Presence]
		var sb strings.Builder
		sb.WriteString(ps.Render(presenceSymbol(a.Presence)) + " ")
		sb.WriteString(pad(a.Handle, 10) + " ")
		if nameW > 0 {
			sb.WriteString(st.dim.Render(pad(a.Name, nameW)) + " ")
		}
		sb.WriteString(ps.Render(pad(string(a.Presence), 9)) + " ")
		sb.WriteString(loadBar(st, a.OpenLeads, a.Capacity, 8) + " ")
		sb.WriteString(pad(loadLabel(a.OpenLeads, a.Capacity), 7) + " ")
		if wide {
			today := fmt.Sprintf("today %d", a.AssignedToday)
			if a.DailyCap > 0 {
				today += fmt.Sprintf("/%d", a.DailyCap)
			}
			sb.WriteString(st.dim.Render(pad(today, 11)) + " ")
			last := "—"
			if !a.LastAssignedAt.IsZero() {
				last = age(now.Sub(a.LastAssignedAt)) + " ago"
			}
			sb.WriteString(st.dim.Render(pad("last "+last, 13)))
		}
		line := fit(sb.String(), width)
		if i == b.cursor && focused {
			line = st.cursor.Render(fit(presenceSymbol(a.Presence)+" "+plainBoardRow(a), width))
		}
		lines = append(lines, line)
	}
	if len(b.agents) == 0 {
		lines = append(lines, st.dim.Render("  No agents yet: `switchboard agent add`."))
	}
	return lines
}

// plainBoardRow is the cursor's row without inner colours, so its background is even.
func plainBoardRow(a engine.Agent) string {
	return pad(a.Handle, 10) + " " + pad(string(a.Presence), 9) + " " + loadLabel(a.OpenLeads, a.Capacity) +
		fmt.Sprintf("  today %d", a.AssignedToday)
}

func loadLabel(open, capacity int) string {
	if capacity > 0 {
		return fmt.Sprintf("%d/%d", open, capacity)
	}
	return fmt.Sprintf("%d/∞", open)
}

// loadBar draws open leads against capacity in width cells; without a capacity it
// shows the load on a scale of 20.
func loadBar(st *styles, open, capacity, width int) string {
	scale := capacity
	if scale <= 0 {
		scale = 20
	}
	full := min(width, (open*width+scale-1)/scale)
	style := st.barFull
	if capacity > 0 && open >= capacity {
		style = st.barOver
	}
	return style.Render(strings.Repeat("█", full)) + st.barEmpty.Render(strings.Repeat("░", width-full))
}
