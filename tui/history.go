package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// historyKeep is how many events the history pane keeps.
const historyKeep = 500

// historyPane lists events newest first, filtered by agent, kind and lead, each with
// its routing explanation wrapped to the width. A session that may see all history
// draws the newest events the shared lead model holds, or, with a filter, takes them
// as they come, filtered by engine.HistoryQuery.Matches (the store's own rule); an
// agent's is read again from the engine, which decides what it may see.
type historyPane struct {
	paneBase
	id         PaneID
	s          *Session
	events     []engine.Event
	leads      map[int64]bool // the leads events are about: an agent's history follows them
	query      engine.HistoryQuery
	filterText string
	sc         scroller
	cur        int64 // the event under the cursor; 0 while it follows the newest
	// gen counts filter changes: a read made for an older filter is dropped.
	gen int
	err error
}

// historyRead is what a read of history brought.
type historyRead struct {
	gen    int
	events []engine.Event
	err    error
}

func newHistoryPane(s *Session, id PaneID) Pane { return &historyPane{id: id, s: s} }

func (p *historyPane) Title() string { return "History" }

func (p *historyPane) seesAll() bool { return p.s.can(engine.ActViewAllHistory) }

// shared reports whether the pane draws the lead model's newest events as they are: it
// may see them all, and no filter narrows them.
func (p *historyPane) shared() bool { return p.seesAll() && p.filterText == "" }

// n and at are the events the pane shows, newest first.
func (p *historyPane) n() int {
	if p.shared() {
		return p.s.snap.RecentLen()
	}
	return len(p.events)
}

func (p *historyPane) at(i int) engine.Event {
	if p.shared() {
		return p.s.snap.Recent(i)
	}
	return p.events[i]
}

func (p *historyPane) Stale(e engine.Event) bool {
	return !p.seesAll() && concerns(p.s, e, p.seen)
}

func (p *historyPane) seen(lead int64) bool { return p.leads[lead] }

// setEvents replaces the events shown, noting the leads they are about.
func (p *historyPane) setEvents(events []engine.Event) {
	p.events = events
	if p.seesAll() {
		return // Stale needs the leads only for an agent's history
	}
	p.leads = make(map[int64]bool, len(events))
	for _, e := range events {
		if e.LeadID != 0 {
			p.leads[e.LeadID] = true
		}
	}
}

// Refresh reads the history the pane shows: an agent's always (the engine decides what
// it sees), a dispatcher's when a filter is set (the lead model holds only the newest).
func (p *historyPane) Refresh() tea.Cmd {
	if p.shared() {
		return nil
	}
	s, q, gen := p.s, p.query, p.gen
	q.Limit = historyKeep
	return func() tea.Msg {
		page, err := s.eng.History(s.ctx, s.actor, q)
		return historyRead{gen: gen, events: page.Items, err: err}
	}
}

func (p *historyPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	switch msg := msg.(type) {
	case liveMsg:
		switch {
		case p.shared():
			p.follow(p.cur)
		case p.seesAll() && !msg.Resync:
			p.setEvents(mergeEvents(p.events, msg.Events, p.query.Matches, historyKeep))
			p.follow(p.cur)
		}
	case historyRead:
		if msg.gen != p.gen {
			return p, nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.setEvents(msg.events)
			p.follow(p.cur)
		}
	}
	return p, nil
}

// follow keeps the cursor on event id, unless it was following the newest (id 0).
func (p *historyPane) follow(id int64) {
	if id != 0 {
		if p.shared() {
			if i, ok := p.s.snap.RecentIndex(id); ok {
				p.sc.cursor = i
			}
		} else if i := slices.IndexFunc(p.events, func(e engine.Event) bool { return e.ID == id }); i >= 0 {
			p.sc.cursor = i
		}
	}
	p.sc.clamp(p.n())
}

// moved notes the event under the cursor: the pane keeps it there as events arrive,
// unless it is the newest, which the pane follows.
func (p *historyPane) moved() {
	p.cur = 0
	if p.sc.cursor > 0 && p.sc.cursor < p.n() {
		p.cur = p.at(p.sc.cursor).ID
	}
}

func (p *historyPane) Keys() Actions {
	var as Actions
	for _, a := range moveActions(&p.sc, p.n) {
		move := a.Do
		a.Do = func(msg tea.KeyPressMsg) tea.Cmd {
			cmd := move(msg)
			p.moved()
			return cmd
		}
		as = append(as, a)
	}
	return append(as,
		act(bind(keys("/"), "/", "filter"), do(p.filterPrompt)),
		act(bind(keys("esc"), "esc", "clear the filter"), do(func() tea.Cmd { return p.setFilter(engine.HistoryQuery{}, "") })),
		act(bind(keys("enter"), "enter", "open the lead"), do(func() tea.Cmd {
			if p.sc.cursor < p.n() {
				if id := p.at(p.sc.cursor).LeadID; id != 0 {
					return p.s.openLead(id)
				}
			}
			return nil
		})),
	)
}

func (p *historyPane) HelpNotes() []string {
	return []string{"Filter: agent:bob kind:lead.routed (or a subject: lead, share, agent, rule, notification) lead:42."}
}

// setFilter shows the events q selects, read again from the engine.
func (p *historyPane) setFilter(q engine.HistoryQuery, text string) tea.Cmd {
	if text == p.filterText {
		return nil
	}
	p.query, p.filterText = q, text
	p.gen++
	p.setEvents(nil)
	p.sc, p.cur = scroller{}, 0
	if cmd := p.Refresh(); cmd != nil {
		return p.s.to(p.id, cmd)
	}
	return nil
}

func (p *historyPane) filterPrompt() tea.Cmd {
	in := newInput(p.s.st, "agent:bob kind:lead.routed lead:42")
	in.SetValue(p.filterText)
	in.CursorEnd()
	return p.s.open(&prompt{s: p.s, label: "history /", input: in, submit: func(v string) (tea.Cmd, error) {
		q, err := parseHistoryFilter(v)
		if err != nil {
			return nil, err
		}
		return p.setFilter(q, strings.TrimSpace(v)), nil
	}})
}

// parseHistoryFilter reads "agent:bob kind:lead lead:12".
func parseHistoryFilter(s string) (engine.HistoryQuery, error) {
	var q engine.HistoryQuery
	for _, t := range strings.Fields(s) {
		k, v, ok := strings.Cut(t, ":")
		if !ok || v == "" {
			return q, fmt.Errorf("%q: history filters are agent:HANDLE, kind:KIND (or lead, share, agent, rule) and lead:ID", t)
		}
		switch strings.ToLower(k) {
		case "agent":
			q.Agent = v
		case "kind":
			q.Kind = v
		case "lead":
			id, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64)
			if err != nil || id <= 0 {
				return q, fmt.Errorf("lead:%s: a lead is named by its number", v)
			}
			q.LeadID = id
		default:
			return q, fmt.Errorf("%q: history filters are agent:, kind: and lead:", k+":")
		}
	}
	return q, nil
}

func (p *historyPane) View(width, height int) string {
	st := p.s.st
	loc := p.s.location()
	title := "History"
	if p.filterText != "" {
		title += st.accent.Render("  / " + clean(p.filterText))
	}
	lines := []string{paneTitle(st, title, width, p.focused)}
	rows := height - 1
	if rows <= 0 {
		return strings.Join(lines[:min(1, height)], "\n")
	}
	if p.err != nil {
		lines = append(lines, st.errMsg.Render(fit("  reading history: "+clean(p.err.Error()), width)))
		rows--
	}
	wrapped := func(i int) []string {
		return eventLines(st, p.at(i), loc, width, i == p.sc.cursor && p.focused)
	}
	n := p.n()
	start, end := p.sc.windowLines(n, rows, func(i int) int { return len(wrapped(i)) })
	for i := start; i < end; i++ {
		lines = append(lines, wrapped(i)...)
	}
	if n == 0 {
		lines = append(lines, st.dim.Render(fit("  Nothing yet.", width)))
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}
