package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/switchboard/switchboard/engine"
)

// board is the agent presence board: who is there, how loaded, what they got today.
type board struct {
	agents []engine.Agent
	cursor int
	offset int
	// lines keeps the rows the last view drew: every session redraws the board on
	// every commit, and an agent's row changes far less often than that.
	lines map[boardLine]string
}

// boardLine is everything one drawn row of the board depends on.
type boardLine struct {
	agent  engine.Agent
	cols   boardCols
	width  int
	dark   bool
	cursor bool
	last   string
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
	cols := boardColumns(width)
	if b.cursor < b.offset {
		b.offset = b.cursor
	}
	if b.cursor >= b.offset+rows {
		b.offset = b.cursor - rows + 1
	}
	end := min(len(b.agents), b.offset+rows)
	drawn := make(map[boardLine]string, end-b.offset)
	for i := b.offset; i < end; i++ {
		a := b.agents[i]
		k := boardLine{agent: a, cols: cols, width: width, dark: st.dark, cursor: i == b.cursor && focused, last: lastAssigned(a, now)}
		line, ok := b.lines[k]
		switch {
		case ok:
		case k.cursor:
			line = st.cursor.Render(fit(cols.row(nil, a, k.last), width))
		default:
			line = fit(cols.row(st, a, k.last), width)
		}
		drawn[k] = line
		lines = append(lines, line)
	}
	b.lines = drawn
	if len(b.agents) == 0 {
		lines = append(lines, st.dim.Render("  No agents yet: `switchboard agent add`."))
	}
	return lines
}

// boardColumns decides which of the board's columns fit: presence, handle, load and
// its bar always; then today's count, the name and the last assignment as room allows.
type boardCols struct {
	name        int
	today, last bool
}

func boardColumns(width int) boardCols {
	var c boardCols
	rest := width - 40
	if rest >= 12 {
		c.today, rest = true, rest-12
	}
	if rest >= 14 {
		c.last, rest = true, rest-14
	}
	if rest >= 8 {
		c.name = min(18, rest-1)
	}
	return c
}

// lastAssigned says how long ago the agent last got a lead.
func lastAssigned(a engine.Agent, now time.Time) string {
	if a.LastAssignedAt.IsZero() {
		return "—"
	}
	return age(now.Sub(a.LastAssignedAt)) + " ago"
}

// row draws one agent, last being its lastAssigned; with st nil it is plain, for the
// cursor's even background.
func (c boardCols) row(st *styles, a engine.Agent, last string) string {
	paint := func(s string, style func(*styles) lipgloss.Style) string {
		if st == nil {
			return s
		}
		return style(st).Render(s)
	}
	presence := func(st *styles) lipgloss.Style { return st.presence[a.Presence] }
	dim := func(st *styles) lipgloss.Style { return st.dim }
	var sb strings.Builder
	sb.WriteString(paint(presenceSymbol(a.Presence), presence) + " ")
	sb.WriteString(pad(a.Handle, 10) + " ")
	if c.name > 0 {
		sb.WriteString(paint(pad(a.Name, c.name), dim) + " ")
	}
	sb.WriteString(paint(pad(string(a.Presence), 9), presence) + " ")
	sb.WriteString(loadBar(st, a.OpenLeads, a.Capacity, 8) + " ")
	sb.WriteString(pad(loadLabel(a.OpenLeads, a.Capacity), 7) + " ")
	if c.today {
		today := fmt.Sprintf("today %d", a.AssignedToday)
		if a.DailyCap > 0 {
			today += fmt.Sprintf("/%d", a.DailyCap)
		}
		sb.WriteString(paint(pad(today, 11), dim) + " ")
	}
	if c.last {
		sb.WriteString(paint(pad("last "+last, 13), dim))
	}
	return sb.String()
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
	if st == nil {
		return strings.Repeat("█", full) + strings.Repeat("░", width-full)
	}
	style := st.barFull
	if capacity > 0 && open >= capacity {
		style = st.barOver
	}
	return style.Render(strings.Repeat("█", full)) + st.barEmpty.Render(strings.Repeat("░", width-full))
}
