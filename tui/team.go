package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// teamPane is the presence board: who is there, how loaded, what they got today. It
// draws the team of the shared model.
type teamPane struct {
	paneBase
	id PaneID
	s  *Session
	sc scroller
	// lines keeps the rows the last view drew: the board is drawn again at every
	// commit, and an agent's row changes far less often than that.
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

func newTeamPane(s *Session, id PaneID) Pane { return &teamPane{id: id, s: s} }

func (p *teamPane) Title() string { return "Team" }

func (p *teamPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	if _, ok := msg.(liveMsg); ok {
		p.sc.clamp(len(p.s.team()))
	}
	return p, nil
}

// ShowsTime: the board says how long ago each agent last got a lead.
func (p *teamPane) ShowsTime() bool {
	for _, a := range p.s.team() {
		if !a.LastAssignedAt.IsZero() {
			return true
		}
	}
	return false
}

func (p *teamPane) current() (engine.Agent, bool) {
	team := p.s.team()
	if p.sc.cursor < 0 || p.sc.cursor >= len(team) {
		return engine.Agent{}, false
	}
	return team[p.sc.cursor], true
}

func (p *teamPane) Keys() Actions {
	n := func() int { return len(p.s.team()) }
	return append(moveActions(&p.sc, n),
		act(bind(keys("p"), "p", "set presence"), do(func() tea.Cmd {
			a, ok := p.current()
			if !ok {
				return nil
			}
			if !p.s.can(engine.ActSetAnyPresence) && a.Handle != p.s.actor.Name {
				return failed(refusal(fmt.Sprintf("setting %s's presence: dispatchers only", clean(a.Handle))))
			}
			return p.s.open(presenceMenu(p.s, a.Handle))
		})),
	)
}

func (p *teamPane) View(width, height int) string {
	st := p.s.st
	team := p.s.team()
	now := p.s.now()
	avail := 0
	for _, a := range team {
		if a.Presence == engine.Available {
			avail++
		}
	}
	title := fmt.Sprintf("Team %s", st.dim.Render(fmt.Sprintf("%d of %d available", avail, len(team))))
	rows := height - 1
	start, end := p.sc.window(len(team), rows)
	if hidden := len(team) - (end - start); hidden > 0 && rows > 0 {
		// Say that more agents exist than fit, and where they are.
		title += st.accent.Render(fmt.Sprintf("  +%d more", hidden))
	}
	lines := []string{paneTitle(st, title, width, p.focused)}
	if rows <= 0 {
		return strings.Join(lines[:min(1, height)], "\n")
	}
	cols := boardColumns(width)
	drawn := make(map[boardLine]string, end-start)
	for i := start; i < end; i++ {
		a := team[i]
		k := boardLine{agent: a, cols: cols, width: width, dark: st.dark, cursor: i == p.sc.cursor && p.focused, last: lastAssigned(a, now)}
		line, ok := p.lines[k]
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
	p.lines = drawn
	if len(team) == 0 {
		lines = append(lines, st.dim.Render(fit("  No agents yet.", width)))
	}
	return strings.Join(lines, "\n")
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
	paint := func(s string, style func(*styles) ink) string {
		if st == nil {
			return s
		}
		return style(st).Render(s)
	}
	presence := func(st *styles) ink { return st.presence[a.Presence] }
	dim := func(st *styles) ink { return st.dim }
	var sb strings.Builder
	sb.WriteString(paint(presenceSymbol(a.Presence), presence) + " ")
	sb.WriteString(pad(clean(a.Handle), 10) + " ")
	if c.name > 0 {
		sb.WriteString(paint(pad(clean(a.Name), c.name), dim) + " ")
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

// loadBar draws open leads against capacity in width cells. Without a capacity there
// is nothing to be full against: the bar is a dotted line, never filled.
func loadBar(st *styles, open, capacity, width int) string {
	if capacity <= 0 {
		if st == nil {
			return strings.Repeat("┄", width)
		}
		return st.barEmpty.Render(strings.Repeat("┄", width))
	}
	full := min(width, open*width/capacity)
	if open > 0 && full == 0 {
		full = 1 // some load shows
	}
	if st == nil {
		return strings.Repeat("█", full) + strings.Repeat("░", width-full)
	}
	style := st.barFull
	if open >= capacity {
		style = st.barOver
	}
	return style.Render(strings.Repeat("█", full)) + st.barEmpty.Render(strings.Repeat("░", width-full))
}
