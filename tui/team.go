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
	// filter narrows the board: team:emea, and words in handles and names.
	filter     Filter
	filterText string
}

// agents is the team as the board shows it: filtered when it has a filter.
func (p *teamPane) agents() []engine.Agent {
	team := p.s.team()
	if p.filterText == "" {
		return team
	}
	out := make([]engine.Agent, 0, len(team))
	for _, a := range team {
		if boardMatch(p.filter, a) {
			out = append(out, a)
		}
	}
	return out
}

// boardMatch reports whether agent a passes the board's filter: in a team named by
// its team terms (by prefix), with every word in its handle or name.
func boardMatch(f Filter, a engine.Agent) bool {
	if len(f.Teams) > 0 && !teamsMatch(a, f.Teams) {
		return false
	}
	text := strings.ToLower(a.Handle + " " + a.Name)
	for _, w := range f.Words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// parseBoardFilter reads the board's filter: the `/` syntax's team: terms and words.
func parseBoardFilter(v string) (Filter, error) {
	f, err := ParseFilter(v)
	if err != nil {
		return Filter{}, err
	}
	if len(f.Sources)+len(f.Tags)+len(f.Statuses)+len(f.Owners) > 0 || f.HasAge() || f.SLAMissed {
		return Filter{}, fmt.Errorf("the board filters by team: and by words in handles and names")
	}
	return Filter{Words: f.Words, Teams: f.Teams}, nil
}

// filterPrompt opens the board's filter at the bottom, applied as it is typed.
func (p *teamPane) filterPrompt() tea.Cmd {
	before, beforeF := p.filterText, p.filter
	in := newInput(p.s.st, "team:emea bob   (tab completes a team)")
	in.SetValue(p.filterText)
	in.CursorEnd()
	apply := func(v string) error {
		f, err := parseBoardFilter(v)
		if err != nil {
			return err
		}
		p.filterText, p.filter = strings.TrimSpace(v), f
		p.sc.clamp(len(p.agents()))
		return nil
	}
	return p.s.open(&prompt{
		s: p.s, label: "/", input: in,
		change: apply, submit: func(v string) (tea.Cmd, error) { return nil, apply(v) },
		cancel: func() { p.filterText, p.filter = before, beforeF },
		complete: func(text string) (string, string) {
			return completeFilter(text, func(k filterKey) []string {
				seen := map[string]bool{}
				if k == keyTeam {
					for _, a := range p.s.team() {
						for _, t := range a.TeamList() {
							seen[t] = true
						}
					}
				}
				return sortedKeys(seen)
			})
		},
	})
}

// boardLine is everything one drawn row of the board depends on.
type boardLine struct {
	agent  engine.Agent
	cols   boardCols
	width  int
	dark   bool
	cursor bool
	last   string
	when   string
}

func newTeamPane(s *Session, id PaneID) Pane { return &teamPane{id: id, s: s} }

func (p *teamPane) Title() string { return "Team" }

func (p *teamPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	if _, ok := msg.(liveMsg); ok {
		p.sc.clamp(len(p.agents()))
	}
	return p, nil
}

// ShowsTime: the board says how long ago each agent last got a lead, and when an away
// or a schedule ends.
func (p *teamPane) ShowsTime() bool {
	for _, a := range p.s.team() {
		if !a.LastAssignedAt.IsZero() || hasWhen(a) {
			return true
		}
	}
	return false
}

// hasWhen reports whether the agent has an away-until or a schedule to show.
func hasWhen(a engine.Agent) bool { return !a.AwayUntil.IsZero() || a.Schedule != "" }

// whenText says when the agent is back or on, in its zone: "away until 14:00", "off
// until 09:00 Tue", "on until 17:00"; "" when it has neither an away-until nor a
// schedule.
func whenText(a engine.Agent, now time.Time, loc *time.Location) string {
	if !a.AwayUntil.IsZero() {
		return "away until " + a.When(a.AwayUntil, now, loc)
	}
	return a.ScheduleState(now, loc)
}

func (p *teamPane) current() (engine.Agent, bool) {
	team := p.agents()
	if p.sc.cursor < 0 || p.sc.cursor >= len(team) {
		return engine.Agent{}, false
	}
	return team[p.sc.cursor], true
}

func (p *teamPane) Keys() Actions {
	n := func() int { return len(p.agents()) }
	return append(moveActions(&p.sc, n),
		act(bind(keys("/"), "/", "filter: team:emea, words"), do(p.filterPrompt)),
		act(bind(keys("esc"), "esc", "clear the filter"), do(func() tea.Cmd {
			p.filterText, p.filter = "", Filter{}
			return nil
		})),
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
	team := p.agents()
	now := p.s.now()
	avail, present, when := 0, 0, false
	for _, a := range team {
		if a.Presence == engine.Available && a.OnSchedule(now, p.s.location()) {
			avail++
		}
		if a.Sessions > 0 {
			present++
		}
		when = when || hasWhen(a)
	}
	title := fmt.Sprintf("Team %s", st.dim.Render(fmt.Sprintf("%d of %d available · %d at a console", avail, len(team), present)))
	if p.filterText != "" {
		title += st.accent.Render("  / " + clean(p.filterText))
	}
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
	cols := boardColumns(width, when)
	drawn := make(map[boardLine]string, end-start)
	for i := start; i < end; i++ {
		a := team[i]
		k := boardLine{agent: a, cols: cols, width: width, dark: st.dark, cursor: i == p.sc.cursor && p.focused,
			last: lastAssigned(a, now), when: whenText(a, now, p.s.location())}
		line, ok := p.lines[k]
		switch {
		case ok:
		case k.cursor:
			line = st.cursor.Render(fit(cols.row(nil, a, k.last, k.when), width))
		default:
			line = fit(cols.row(st, a, k.last, k.when), width)
		}
		drawn[k] = line
		lines = append(lines, line)
	}
	p.lines = drawn
	if len(team) == 0 {
		msg := "  No agents yet."
		if p.filterText != "" {
			msg = "  Nobody matches the filter (esc clears it)."
		}
		lines = append(lines, st.dim.Render(fit(msg, width)))
	}
	return strings.Join(lines, "\n")
}

// boardColumns decides which of the board's columns fit: presence, whether the agent is
// at a console, handle, load and its bar always; then when an away or a schedule ends
// (when anyone has one), today's count, the last assignment and the name as room
// allows.
type boardCols struct {
	name, when  int
	today, last bool
	// presence is the presence column's width; wider than a presence's name when the
	// board is too narrow for a column of its own for when: then an agent that is off
	// its schedule or away until a time shows that in place of its presence's name.
	presence int
}

func boardColumns(width int, when bool) boardCols {
	c := boardCols{presence: 9}
	rest := width - 42
	switch {
	case when && rest >= 21:
		c.when = 20
		rest -= c.when + 1
	case when && rest > 0:
		c.presence += min(rest, 11)
		rest -= min(rest, 11)
	}
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

// row draws one agent, last being its lastAssigned and when its whenText; with st nil
// it is plain, for the cursor's even background.
func (c boardCols) row(st *styles, a engine.Agent, last, when string) string {
	paint := func(s string, style func(*styles) ink) string {
		if st == nil {
			return s
		}
		return style(st).Render(s)
	}
	presence := func(st *styles) ink { return st.presence[a.Presence] }
	dim := func(st *styles) ink { return st.dim }
	var sb strings.Builder
	sb.WriteString(paint(presenceSymbol(a.Presence), presence))
	// ▪: a console session is open (SSH or local, in any process).
	if a.Sessions > 0 {
		sb.WriteString(paint("▪", presence) + " ")
	} else {
		sb.WriteString("  ")
	}
	sb.WriteString(pad(clean(a.Handle), 10) + " ")
	if c.name > 0 {
		sb.WriteString(paint(pad(clean(a.Name), c.name), dim) + " ")
	}
	state := string(a.Presence)
	if c.presence > 9 && (strings.HasPrefix(when, "off") || strings.HasPrefix(when, "away")) {
		state = when
		presence = func(st *styles) ink { return st.accent }
	}
	sb.WriteString(paint(pad(state, c.presence), presence) + " ")
	sb.WriteString(loadBar(st, a.OpenLeads, a.Capacity, 8) + " ")
	sb.WriteString(pad(loadLabel(a.OpenLeads, a.Capacity), 7) + " ")
	if c.today {
		today := fmt.Sprintf("today %d", a.AssignedToday)
		if a.DailyCap > 0 {
			today += fmt.Sprintf("/%d", a.DailyCap)
		}
		sb.WriteString(paint(pad(today, 11), dim) + " ")
	}
	if c.when > 0 {
		style := dim
		if strings.HasPrefix(when, "off") || strings.HasPrefix(when, "away") {
			style = func(st *styles) ink { return st.accent }
		}
		sb.WriteString(paint(pad(when, c.when), style) + " ")
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
