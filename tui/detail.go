package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// detailPane is one lead over the panes: its fields, owner and load, active shares, and
// its history with each routing decision explained, wrapped to the width.
type detailPane struct {
	paneBase
	id     PaneID
	s      *Session
	leadID int64
	d      *leadDetail
	err    error
	sc     scroller // scrolls the lines, which may be more than the screen
	lines  int      // lines the last view had, for scrolling
}

// leadDetail is what the pane reads of its lead.
type leadDetail struct {
	lead    engine.LeadDetail
	owner   *engine.Agent
	history []engine.Event // oldest first: the lead's story reads top to bottom
}

type detailRead struct {
	d   *leadDetail
	err error
}

func newDetailPane(s *Session, id PaneID, lead int64) Pane {
	return &detailPane{id: id, s: s, leadID: lead}
}

func (p *detailPane) Title() string { return fmt.Sprintf("Lead #%d", p.leadID) }

// Stale: an event about the lead, or about its owner's presence or load.
func (p *detailPane) Stale(e engine.Event) bool {
	if e.LeadID == p.leadID {
		return true
	}
	return p.d != nil && p.d.owner != nil && e.Agent == p.d.owner.Handle && e.Kind.Subject() == "agent"
}

func (p *detailPane) Refresh() tea.Cmd {
	s, id := p.s, p.leadID
	return func() tea.Msg {
		d, err := loadDetail(s, id)
		return detailRead{d: d, err: err}
	}
}

func loadDetail(s *Session, id int64) (*leadDetail, error) {
	ld, err := s.eng.Lead(s.ctx, s.actor, id)
	if err != nil {
		return nil, err
	}
	d := &leadDetail{lead: ld}
	if ld.Lead.Owner != "" {
		if a, err := s.eng.Agent(s.ctx, s.actor, ld.Lead.Owner); err == nil {
			d.owner = &a
		}
	}
	page, err := s.eng.History(s.ctx, s.actor, engine.HistoryQuery{LeadID: id, Limit: 200})
	if err != nil {
		return nil, err
	}
	d.history = slices.Clone(page.Items)
	slices.Reverse(d.history)
	return d, nil
}

func (p *detailPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	if msg, ok := msg.(detailRead); ok {
		p.err = msg.err
		if msg.err == nil {
			p.d = msg.d
		}
	}
	return p, nil
}

func (p *detailPane) ShowsTime() bool { return p.d != nil }

func (p *detailPane) Keys() Actions {
	scroll := func(d func() int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			p.sc.scroll(d(), p.lines, p.sc.height)
			return nil
		}
	}
	page := func() int { return max(1, p.sc.height) }
	as := Actions{
		act(bind(keys("esc", "q"), "esc q", "back"), do(p.s.closeLead)),
		act(bind(keys("down", "j"), "↓ j", "scroll down"), scroll(func() int { return 1 })),
		act(bind(keys("up", "k"), "↑ k", "scroll up"), scroll(func() int { return -1 })),
		act(bind(keys("pgdown", "ctrl+d", "space"), "pgdn", "page down"), scroll(page)),
		act(bind(keys("pgup", "ctrl+u"), "pgup", "page up"), scroll(func() int { return -page() })),
	}
	one := func() []int64 { return []int64{p.leadID} }
	return append(as, leadActions(p.s, one, func() {})...)
}

func (p *detailPane) View(width, height int) string {
	st := p.s.st
	lines := p.content(width)
	p.lines = len(lines)
	p.sc.height = height - 1
	p.sc.scroll(0, len(lines)-1, height-1)
	out := []string{lines[0]}
	body := lines[1:]
	out = append(out, body[min(p.sc.offset, len(body)):min(len(body), p.sc.offset+height-1)]...)
	if more := len(body) - p.sc.offset - (height - 1); more > 0 && len(out) == height {
		out[len(out)-1] = st.dim.Render(fit(fmt.Sprintf("  ↓ %d more lines", more+1), width))
	}
	return strings.Join(out, "\n")
}

// content is every line of the detail at width: a title, the fields, the history.
func (p *detailPane) content(width int) []string {
	st := p.s.st
	if p.d == nil {
		title := paneTitle(st, fmt.Sprintf("Lead #%d", p.leadID), width, true)
		switch {
		case p.err != nil && (engine.KindOf(p.err) == engine.KindNotFound || engine.KindOf(p.err) == engine.KindForbidden):
			return []string{title, st.warn.Render(fit(fmt.Sprintf("  Lead #%d is not yours to see (any more): esc goes back.", p.leadID), width))}
		case p.err != nil:
			return []string{title, st.errMsg.Render(fit("  "+clean(errText(p.err)), width))}
		}
		return []string{title, st.dim.Render(fit("  opening…", width))}
	}
	now, loc := p.s.now(), p.s.location()
	l := p.d.lead.Lead
	lines := []string{paneTitle(st, fmt.Sprintf("Lead #%d  %s", l.ID, clean(l.Title())), width, true)}
	kv := func(k, v string) {
		if v == "" {
			return
		}
		for i, part := range strings.Split(wrap(v, max(10, width-12)), "\n") {
			label := ""
			if i == 0 {
				label = k
			}
			lines = append(lines, fit(st.dim.Render(pad(label, 10))+"  "+part, width))
		}
	}
	kv("Name", clean(l.Name))
	kv("Company", clean(l.Company))
	kv("Email", clean(l.Email))
	kv("Phone", clean(l.Phone))
	kv("Source", clean(l.Source))
	kv("Tags", clean(strings.Join(l.Tags, ", ")))
	kv("Status", string(l.Status))
	kv("Returning", l.ReturningLabel())
	if len(l.Fields) > 0 {
		keys := make([]string, 0, len(l.Fields))
		for k := range l.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = clean(fmt.Sprintf("%s=%v", k, l.Fields[k]))
		}
		kv("Fields", strings.Join(parts, " "))
	}
	kv("Created", fmt.Sprintf("%s (%s ago)", l.CreatedAt.In(loc).Format("2006-01-02 15:04"), age(now.Sub(l.CreatedAt))))
	switch a := p.d.owner; {
	case a != nil:
		kv("Owner", fmt.Sprintf("%s %s (%s) %s, %s open", presenceSymbol(a.Presence), clean(a.Handle), clean(a.Name), a.Presence, loadLabel(a.OpenLeads, a.Capacity)))
	case l.Owner != "":
		kv("Owner", clean(l.Owner))
	default:
		kv("Owner", "none: "+clean(l.WaitReason))
	}
	if l.Contacted() {
		kv("Contacted", fmt.Sprintf("%s (%s ago)", l.FirstContactAt.In(loc).Format("2006-01-02 15:04"), age(now.Sub(l.FirstContactAt))))
	}
	if left, ok := l.SLALeft(now); ok {
		v := fmt.Sprintf("first contact due %s (%s left), then %s", l.SLADueAt.In(loc).Format("15:04:05"), age(left), l.SLAAction)
		if l.SLAUrgent(now) {
			v = st.errMsg.Render(v)
		}
		kv("SLA", v)
	}
	if by := p.d.lead.SLAMissedBy; len(by) > 0 {
		kv("Missed SLA", clean(strings.Join(by, ", ")))
	}
	kv("Access", string(p.d.lead.Access))
	var shares []string
	for _, s := range p.d.lead.Shares {
		if !s.ActiveAt(now) {
			continue
		}
		left := "until revoked"
		if !s.ExpiresAt.IsZero() {
			left = age(s.ExpiresAt.Sub(now)) + " left"
		}
		shares = append(shares, fmt.Sprintf("%s (%s, %s)", clean(s.Agent), s.Access, left))
	}
	if len(shares) == 0 {
		shares = []string{"not shared"}
	}
	kv("Shared", strings.Join(shares, ", "))
	lines = append(lines, paneTitle(st, "History", width, false))
	for _, e := range p.d.history {
		lines = append(lines, eventLines(st, e, loc, width, false)...)
	}
	return lines
}
