package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// statsPane charts what the team learns over the last day, week or 30 days
// (engine.Activity, the figures of GET /v1/stats): leads, assignments, first contacts,
// the time to assign and to first contact, SLAs met and missed, leads per hour as a
// column chart, and each agent's leads from the round-robin rules as a bar against its
// fair share, with its time to first contact. On wide terminals the rules and the
// sources stand beside the agents.
//
// The figures are read off the UI loop when the pane is in sight and history that
// changes them commits (the root's Stale/Refresh), at most once per statsMinInterval –
// longer when a read takes long, so that the pane never spends more than a fifth of
// the time reading; a pane out of sight only notes that it is out of date and reads
// when it comes back.
type statsPane struct {
	paneBase
	id   PaneID
	s    *Session
	sc   scroller
	days int // the window: the last 1, 7 or 30 days

	act   *engine.Activity
	err   error
	seq   int  // reads started; a read's answer older than the one shown is dropped
	shown int  // the seq of the answer shown
	dirty bool // history changed the figures while the pane was out of sight
	// next is the earliest a throttled read may start; took how long the last took.
	next time.Time
	took time.Duration
}

// statsMinInterval is the least time between two reads of the figures.
const statsMinInterval = 2 * time.Second

// statsWindows are the windows d, w and m choose.
var statsWindows = map[string]int{"d": 1, "w": 7, "m": 30}

// statsRead is a read's answer.
type statsRead struct {
	seq  int
	act  engine.Activity
	took time.Duration
	err  error
}

func newStatsPane(s *Session, id PaneID) Pane { return &statsPane{id: id, s: s, days: 7} }

func (p *statsPane) Title() string { return "Stats" }

// changesStats reports whether a committed event changes what the pane shows.
func changesStats(e engine.Event) bool {
	switch e.Kind.Subject() {
	case "lead", "rule":
		return e.Kind != engine.EvLeadFields
	case "agent":
		return e.Kind == engine.EvAgentAdded || e.Kind == engine.EvAgentRemoved || e.Kind == engine.EvAgentChanged
	}
	return false
}

func (p *statsPane) Stale(e engine.Event) bool { return p.focused && changesStats(e) }

// Refresh reads the figures after the events that changed them, no sooner than the
// throttle allows; out of sight it only notes that they changed.
func (p *statsPane) Refresh() tea.Cmd {
	if !p.focused {
		p.dirty = true
		return nil
	}
	now, start := time.Now(), p.next
	if start.Before(now) {
		start = now
	}
	wait := start.Sub(now)
	read := p.read(start)
	return func() tea.Msg {
		if wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-p.s.ctx.Done():
				return statsRead{seq: -1, err: p.s.ctx.Err()}
			}
		}
		return read()
	}
}

// read returns the work of one read of the figures for the window now chosen, to start
// at start, and marks the next read's earliest start.
func (p *statsPane) read(start time.Time) func() tea.Msg {
	p.seq++
	p.dirty = false
	seq, s, days := p.seq, p.s, p.days
	p.next = start.Add(max(statsMinInterval, 4*p.took))
	return func() tea.Msg {
		start := time.Now()
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		act, err := s.eng.Activity(ctx, s.actor, engine.StatsQuery{Last: time.Duration(days) * 24 * time.Hour})
		return statsRead{seq: seq, act: act, took: time.Since(start), err: err}
	}
}

// readNow reads at once, outside the root's refreshes: for a new window, or when the
// pane comes into sight out of date.
func (p *statsPane) readNow() tea.Cmd {
	read := p.read(time.Now())
	return p.s.to(p.id, read)
}

func (p *statsPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if f, ok := msg.(focusMsg); ok {
		p.focus(msg)
		if bool(f) && (p.act == nil || p.dirty) {
			return p, p.readNow()
		}
		return p, nil
	}
	switch msg := msg.(type) {
	case liveMsg:
		if !p.focused && p.act != nil && (msg.Resync || anyEvent(msg.Events, changesStats)) {
			p.dirty = true
		}
	case statsRead:
		if msg.seq <= p.shown {
			return p, nil
		}
		p.shown, p.took, p.err = msg.seq, msg.took, msg.err
		if msg.err == nil {
			p.act = &msg.act
		}
	}
	return p, nil
}

func anyEvent(events []engine.Event, f func(engine.Event) bool) bool {
	for _, e := range events {
		if f(e) {
			return true
		}
	}
	return false
}

func (p *statsPane) Keys() Actions {
	window := func(msg tea.KeyPressMsg) tea.Cmd {
		d := statsWindows[msg.String()]
		if d == p.days && p.act != nil {
			return nil
		}
		p.days = d
		return p.readNow()
	}
	return append(Actions{
		act(bind(keys("d", "w", "m"), "d w m", "last day, week, 30 days"), window),
	}, moveActions(&p.sc, func() int { return p.agentRows() })...)
}

func (p *statsPane) agentRows() int {
	if p.act == nil {
		return 0
	}
	return len(p.act.Stats.Agents)
}

func (p *statsPane) windowLabel() string {
	if p.days == 1 {
		return "last 24 hours"
	}
	return fmt.Sprintf("last %d days", p.days)
}

func (p *statsPane) View(width, height int) string {
	st := p.s.st
	title := "Stats " + st.dim.Render(p.windowLabel()+" · d w m")
	lines := []string{paneTitle(st, title, width, p.focused)}
	switch {
	case p.act == nil && p.err != nil:
		lines = append(lines, st.errMsg.Render(fit("  "+clean(p.err.Error()), width)))
		return strings.Join(block(lines, width, height), "\n")
	case p.act == nil:
		lines = append(lines, st.dim.Render(fit("  reading…", width)))
		return strings.Join(block(lines, width, height), "\n")
	}
	s := p.act.Stats
	l := s.Leads
	lines = append(lines, joinWrapped([]string{
		countLabel(l.Created, "lead") + " created",
		fmt.Sprintf("%s assigned by rules, %s by people", groupDigits(l.AssignedAuto), groupDigits(l.AssignedManual)),
		groupDigits(l.Contacted) + " first contacts",
		groupDigits(l.QueuedNow) + " in the queue now",
		fmt.Sprintf("time to assign p50 %s, p90 %s", engine.SecondsText(s.TimeToAssign.P50), engine.SecondsText(s.TimeToAssign.P90)),
		fmt.Sprintf("time to first contact p50 %s, p90 %s", engine.SecondsText(s.TimeToFirstContact.P50), engine.SecondsText(s.TimeToFirstContact.P90)),
	}, width)...)
	lines = append(lines, p.slaLine(width))
	if p.err != nil { // the figures shown are the last read's: say why they may be old
		lines = append(lines, st.errMsg.Render(fit("  "+clean(p.err.Error()), width)))
	}

	// What is left goes to the chart and the tables below it: the chart takes what the
	// tables do not need, at most half and at most 16 rows, and at least a quarter
	// (one row at the least) when the tables would fill it all.
	wide := width >= 150
	below := len(s.Agents) + 1
	if wide {
		below = max(below, len(s.Rules)+len(s.Sources)+4)
	}
	left := height - len(lines) - 2 // the chart's label and axis
	if left >= 4 {
		rows := min(16, left/2, max(left/4, left-below))
		lines = append(lines, p.chart(width, max(1, rows))...)
	}
	rest := height - len(lines)
	if wide {
		lw := width * 3 / 5
		agents := block(p.agents(lw, rest), lw, rest)
		side := p.rulesAndSources(width-lw-1, rest)
		for i := range rest {
			lines = append(lines, agents[i]+" "+side[i])
		}
	} else {
		lines = append(lines, p.agents(width, rest)...)
	}
	return strings.Join(block(lines, width, height), "\n")
}

// slaLine is the SLAs met and missed, as a bar split between them.
func (p *statsPane) slaLine(width int) string {
	st := p.s.st
	sla := p.act.Stats.SLA
	if sla.Met+sla.Missed == 0 {
		return fit("  SLA  "+st.dim.Render("no SLA ended in the window"), width)
	}
	text := fmt.Sprintf("  %s met · %s missed (%d%% met)", groupDigits(sla.Met), groupDigits(sla.Missed),
		int(math.Round(100*float64(sla.Met)/float64(sla.Met+sla.Missed))))
	bw := min(30, width-7-cells(text))
	if bw < 4 {
		return fit("  SLA"+text, width)
	}
	met, missed := ratioBar(sla.Met, sla.Missed, bw)
	return fit("  SLA  "+st.ok.Render(strings.Repeat("█", met))+st.errMsg.Render(strings.Repeat("▒", missed))+text, width)
}

// chart is the leads created per hour over the window: a label, rows of columns, and
// an axis that says when the window starts and that it ends now.
func (p *statsPane) chart(width, rows int) []string {
	st := p.s.st
	cw := width - 4
	cols := resample(p.act.PerHour, cw)
	// The label says the busiest hour's count, not the chart's tallest column: a column
	// is the mean of the hours it covers, and depends on the terminal's width.
	busiest := 0
	for _, n := range p.act.PerHour {
		busiest = max(busiest, n)
	}
	leads := "leads"
	if busiest == 1 {
		leads = "lead"
	}
	label := "  Leads per hour " + st.dim.Render(fmt.Sprintf("· busiest hour %s %s", groupDigits(busiest), leads))
	out := []string{fit(label, width)}
	for _, r := range columns(cols, cw, rows) {
		out = append(out, fit("  "+st.accent.Render(r), width))
	}
	since := p.act.Stats.Since.In(p.s.location()).Format("Mon 2 Jan 15:04")
	axis := "  " + since
	if gap := cw - cells(since) - 3; gap > 0 {
		axis += strings.Repeat(" ", gap) + "now" // under the chart's last column
	}
	return append(out, st.dim.Render(fit(axis, width)))
}

// joinWrapped puts items on lines of width cells, indented by two and separated by
// " · ", breaking only between items (an item longer than the width is cut).
func joinWrapped(items []string, width int) []string {
	var out []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = "  " + it
		case cells(line)+3+cells(it) <= width:
			line += " · " + it
		default:
			out = append(out, fit(line, width))
			line = "  " + it
		}
	}
	if line != "" {
		out = append(out, fit(line, width))
	}
	return out
}

// wrapList joins items with ", " on lines of at most width cells, breaking between
// items.
func wrapList(items []string, width int) []string {
	var out []string
	line := ""
	for i, it := range items {
		sep := ""
		if i < len(items)-1 {
			sep = ","
		}
		switch {
		case line == "":
			line = it + sep
		case cells(line)+1+cells(it+sep) <= width:
			line += " " + it + sep
		default:
			out = append(out, line)
			line = it + sep
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// statsColumn is a column of the agents' table after the bar.
type statsColumn struct {
	head  string
	width int
	cell  func(a engine.AgentStats, r engine.RotationShare, ok bool) string
}

// agents is the agents' table in width×height: each one's bar of leads from the
// round-robin rules against its fair share (│), then its figures. Columns give way,
// the last first, when the bar would be narrower than 8 cells.
func (p *statsPane) agents(width, height int) []string {
	st := p.s.st
	if height <= 0 {
		return nil
	}
	rot := map[string]engine.RotationShare{}
	top := 0.0
	for _, r := range p.act.Rotation {
		rot[r.Agent] = r
		top = math.Max(top, math.Max(float64(r.Got), r.Fair))
	}
	byRotation := len(p.act.Rotation) > 0
	if !byRotation {
		for _, a := range p.act.Stats.Agents {
			top = math.Max(top, float64(a.Assigned))
		}
	}
	cols := []statsColumn{
		{"ASSIGNED", 8, func(a engine.AgentStats, _ engine.RotationShare, _ bool) string { return groupDigits(a.Assigned) }},
		{"FAIR", 5, func(_ engine.AgentStats, r engine.RotationShare, ok bool) string {
			if !ok {
				return "-"
			}
			return fmt.Sprintf("%.0f", r.Fair)
		}},
		{"TO CONTACT", 11, func(a engine.AgentStats, _ engine.RotationShare, _ bool) string {
			return engine.SecondsText(a.TimeToFirstContactP50)
		}},
		{"CONTACTED", 9, func(a engine.AgentStats, _ engine.RotationShare, _ bool) string { return groupDigits(a.Contacted) }},
		{"MISSED", 6, func(a engine.AgentStats, _ engine.RotationShare, _ bool) string { return groupDigits(a.SLAMissed) }},
		{"OPEN", 4, func(a engine.AgentStats, _ engine.RotationShare, _ bool) string { return groupDigits(a.OpenNow) }},
	}
	const nameW = 10
	barW := func() int {
		w := width - 2 - nameW - 1
		for _, c := range cols {
			w -= c.width + 1
		}
		return w - 1
	}
	for len(cols) > 0 && barW() < 8 {
		cols = cols[:len(cols)-1]
	}
	bw := max(0, barW())
	barHead := "ASSIGNED (no round-robin rule)"
	if byRotation {
		barHead = "ROUND ROBIN │ FAIR SHARE"
		if bw < cells(barHead) {
			barHead = "ROTATION │ FAIR"
		}
	}
	head := "  " + pad("AGENT", nameW) + " " + pad(barHead, bw) + " "
	for _, c := range cols {
		head += " " + fmt.Sprintf("%*s", c.width, c.head)
	}
	out := []string{st.header.Render(fit(head, width))}
	agents := p.act.Stats.Agents
	if len(agents) == 0 {
		return append(out, st.dim.Render(fit("  No agents yet: no figures.", width)))
	}
	start, end := p.sc.window(len(agents), height-1)
	for i := start; i < end; i++ {
		a := agents[i]
		r, ok := rot[a.Agent]
		value, mark := float64(a.Assigned), -1.0
		if byRotation {
			value, mark = float64(r.Got), -1
			if ok {
				mark = r.Fair
			}
		}
		bar, at := hbar(value, mark, top, bw)
		var b strings.Builder
		for k, c := range bar {
			switch {
			case k == at && c == " ":
				b.WriteString(st.warn.Render("│"))
			case k == at:
				b.WriteString(st.warn.Render("┃"))
			default:
				b.WriteString(st.barFull.Render(c))
			}
		}
		name := pad(clean(a.Agent), nameW)
		if i == p.sc.cursor && p.focused {
			name = st.cursor.Render(name)
		}
		line := "  " + name + " " + b.String() + " "
		for _, c := range cols {
			line += " " + fmt.Sprintf("%*s", c.width, c.cell(a, r, ok))
		}
		out = append(out, fit(line, width))
	}
	return out
}

// rulesAndSources is the rules (matched, assigned, each round-robin recipient's share
// against its fair share) over the sources (created, assigned, contacted), in
// width×height.
func (p *statsPane) rulesAndSources(width, height int) []string {
	st := p.s.st
	s := p.act.Stats
	out := []string{st.header.Render(fit(pad("RULE", 22)+fmt.Sprintf(" %7s %8s  %s", "MATCHED", "ASSIGNED", "SHARES (FAIR)"), width))}
	for _, r := range s.Rules {
		var shares []string
		for _, f := range r.Fairness {
			got := "-"
			if f.ActualShare != nil {
				got = fmt.Sprintf("%.0f%%", *f.ActualShare*100)
			}
			shares = append(shares, fmt.Sprintf("%s %s (%.0f%%)", clean(f.Agent), got, f.ExpectedShare*100))
		}
		name := fmt.Sprintf("#%d %s", r.Rule, clean(r.Name))
		lead := pad(cut(name, 22), 22) + fmt.Sprintf(" %7s %8s  ", groupDigits(r.Matched), groupDigits(r.Assigned))
		// The shares wrap under their column rather than run off the edge.
		for i, l := range wrapList(shares, width-cells(lead)) {
			if i > 0 {
				lead = strings.Repeat(" ", cells(lead))
			}
			out = append(out, fit(lead+l, width))
		}
		if len(shares) == 0 {
			out = append(out, fit(lead, width))
		}
	}
	if len(s.Rules) == 0 {
		out = append(out, st.dim.Render(fit("No rules.", width)))
	}
	out = append(out, fit("", width),
		st.header.Render(fit(pad("SOURCE", 22)+fmt.Sprintf(" %7s %8s %9s", "CREATED", "ASSIGNED", "CONTACTED"), width)))
	for _, src := range s.Sources {
		out = append(out, fit(pad(cut(clean(src.Source), 22), 22)+fmt.Sprintf(" %7s %8s %9s", groupDigits(src.Created),
			groupDigits(src.Assigned), groupDigits(src.Contacted)), width))
	}
	if len(s.Sources) == 0 {
		out = append(out, st.dim.Render(fit("No leads created in the window.", width)))
	}
	return block(out, width, height)
}

// cut shortens plain text to n cells, with an ellipsis.
func cut(s string, n int) string {
	if cells(s) <= n {
		return s
	}
	return strings.TrimRight(fit(s, n), " ")
}
