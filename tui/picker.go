package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
)

// picker chooses an agent, showing presence and load. Typing narrows and ranks the
// team: handles that start with what was typed first, then names that do, then
// handles or names that merely contain it. Enter never guesses: when what was typed
// fits several agents equally well, it asks for more (or a choice with ↑↓). Before
// giving leads to an agent who should not get them by hand (away, offline, at or over
// capacity: engine.Agent.Cautions) it asks once.
type picker struct {
	dialogBase
	s     *Session
	title string
	leads int
	// warn asks before an agent with cautions (assigning; sharing needs no warning).
	warn  bool
	query textinput.Model
	shown []ranked
	sc    scroller
	// chosen: the cursor was moved by hand since the last edit, so enter takes it.
	chosen bool
	err    string
	pick   func(engine.Agent) tea.Cmd
}

// ranked is an agent as the query matches it: a lower class is a better match.
type ranked struct {
	agent engine.Agent
	class int
}

const (
	matchHandle = iota // the handle starts with the query
	matchName          // the name starts with it
	matchInside        // the handle or the name contains it
)

func newPicker(s *Session, title string, leads int, warn bool, pick func(engine.Agent) tea.Cmd) *picker {
	p := &picker{s: s, title: title, leads: leads, warn: warn, query: newInput(s.st, "type the start of a handle"), pick: pick}
	p.narrow()
	return p
}

// rank orders the team for query q; agents it does not match are left out.
func rank(team []engine.Agent, q string) []ranked {
	q = strings.ToLower(strings.TrimSpace(q))
	var out []ranked
	for _, a := range team {
		h, n := strings.ToLower(a.Handle), strings.ToLower(a.Name)
		switch {
		case strings.HasPrefix(h, q):
			out = append(out, ranked{a, matchHandle})
		case strings.HasPrefix(n, q):
			out = append(out, ranked{a, matchName})
		case strings.Contains(h, q) || strings.Contains(n, q):
			out = append(out, ranked{a, matchInside})
		}
	}
	slices.SortStableFunc(out, func(x, y ranked) int { return x.class - y.class })
	return out
}

func (p *picker) narrow() {
	p.shown = rank(p.s.team(), p.query.Value())
	p.sc.to(0, len(p.shown))
	p.chosen = false
}

func (p *picker) Keys() Actions {
	move := func(d int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			p.sc.move(d, len(p.shown))
			p.chosen, p.err = true, ""
			return nil
		}
	}
	return Actions{
		act(bind(keys("up", "ctrl+p"), "↑", "up"), move(-1)),
		act(bind(keys("down", "ctrl+n"), "↓", "down"), move(1)),
		act(bind(keys("enter"), "enter", "pick"), do(p.enter)),
		act(bind(keys("esc"), "esc", "cancel"), do(func() tea.Cmd { p.close(); return nil })),
	}
}

// enter picks the agent under the cursor, unless that would be a guess.
func (p *picker) enter() tea.Cmd {
	if len(p.shown) == 0 {
		p.err = "nobody matches: erase and type again"
		return nil
	}
	if !p.chosen && len(p.shown) > 1 {
		q := strings.TrimSpace(p.query.Value())
		if q == "" {
			p.err = "type the start of a handle, or choose with ↑↓"
			return nil
		}
		var tied []string
		for _, r := range p.shown {
			if r.class == p.shown[0].class {
				tied = append(tied, r.agent.Handle)
			}
		}
		if len(tied) > 1 {
			p.err = fmt.Sprintf("%q fits %s: type more, or choose with ↑↓", q, listNames(tied, 3))
			return nil
		}
	}
	a := p.shown[p.sc.cursor].agent
	if p.warn {
		if c := a.Cautions(p.leads, p.s.now(), p.s.location()); len(c) > 0 {
			p.then(&confirm{s: p.s, back: p, yes: func() tea.Cmd { return p.pick(a) },
				question: fmt.Sprintf("%s is %s. Give %s to %s anyway?", clean(a.Handle), strings.Join(c, " and "),
					countLabel(p.leads, "lead"), clean(a.Handle))})
			return nil
		}
	}
	p.close()
	return p.pick(a)
}

// listNames writes "alice, ada and 2 more".
func listNames(names []string, most int) string {
	if len(names) <= most {
		if len(names) == 1 {
			return names[0]
		}
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return strings.Join(names[:most], ", ") + fmt.Sprintf(" and %d more", len(names)-most)
}

func (p *picker) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	p.stay(p)
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if cmd, ok := p.Keys().Handle(k); ok {
		return p.next, cmd
	}
	before := p.query.Value()
	var cmd tea.Cmd
	p.query, cmd = p.query.Update(k)
	if p.query.Value() != before {
		p.err = ""
		p.narrow()
	}
	return p, cmd
}

// pickerRows is how many agents the picker shows at once.
const pickerRows = 10

func (p *picker) View(width int) []string {
	st := p.s.st
	p.query.SetWidth(max(10, width-4))
	lines := []string{st.bold.Render(p.title), "› " + p.query.View()}
	start, end := p.sc.window(len(p.shown), pickerRows)
	now := p.s.now()
	// Off schedule or away until a time, a row says until when, as the board does, so
	// that it does not read "available" for someone who gets no leads now; names give
	// way for it on a narrow dialog.
	whens := make([]string, end)
	nameW := 16
	for i := start; i < end; i++ {
		if a := p.shown[i].agent; !a.AwayUntil.IsZero() || !a.OnSchedule(now, p.s.location()) {
			whens[i] = whenText(a, now, p.s.location())
			nameW = min(nameW, max(8, width-32-ansi.StringWidth(whens[i])))
		}
	}
	if start > 0 {
		lines = append(lines, st.dim.Render(fmt.Sprintf("  ↑ %d more", start)))
	}
	for i := start; i < end; i++ {
		a := p.shown[i].agent
		sym := presenceSymbol(a.Presence)
		text := fmt.Sprintf(" %s %s %s %s", pad(clean(a.Handle), 10), pad(clean(a.Name), nameW), pad(string(a.Presence), 9), pad(loadLabel(a.OpenLeads, a.Capacity), 7))
		if whens[i] != "" {
			text += " " + whens[i]
		}
		if i == p.sc.cursor {
			lines = append(lines, st.cursor.Render(fit(sym+text, width)))
		} else {
			lines = append(lines, st.presence[a.Presence].Render(sym)+fit(text, width-1))
		}
	}
	if end < len(p.shown) {
		lines = append(lines, st.dim.Render(fmt.Sprintf("  ↓ %d more: type to narrow", len(p.shown)-end)))
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.dim.Render("  nobody matches"))
	}
	if p.err != "" {
		lines = append(lines, strings.Split(st.errMsg.Render(wrap(p.err, width)), "\n")...)
	}
	return lines
}
