package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// sharedPane lists the leads shared with an agent, soonest to end first. It reads the
// shared model: the agent's active shares and their leads, each one's access decided
// by engine.LeadAccess.
type sharedPane struct {
	paneBase
	id    PaneID
	s     *Session
	items []sharedItem
	sc    scroller
}

type sharedItem struct {
	row   *row
	share engine.Share
}

func newSharedPane(s *Session, id PaneID) Pane { return &sharedPane{id: id, s: s} }

func (p *sharedPane) Title() string { return "Shared" }

func (p *sharedPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	switch msg.(type) {
	case liveMsg, tickMsg:
		p.read()
	}
	return p, nil
}

// read takes the agent's shares from the newest snapshot: a few thousand at most.
func (p *sharedPane) read() {
	var at int64
	if p.sc.cursor < len(p.items) {
		at = p.items[p.sc.cursor].row.ID
	}
	snap, me, now := p.s.snap, p.s.actor, p.s.now()
	p.items = p.items[:0]
	for _, sh := range snap.SharesOf(me.AgentID) {
		r := snap.Row(sh.LeadID)
		if r == nil || r.OwnerID == me.AgentID || r.AccessOf(me, &sh, now) == engine.AccessNone {
			continue
		}
		p.items = append(p.items, sharedItem{row: r, share: sh})
	}
	sortByEnd(p.items)
	for i, it := range p.items {
		if it.row.ID == at {
			p.sc.cursor = i
		}
	}
	p.sc.clamp(len(p.items))
}

// sortByEnd orders shares soonest to end first; those until revoked last.
func sortByEnd(items []sharedItem) {
	less := func(a, b engine.Share) bool {
		switch {
		case a.ExpiresAt.IsZero():
			return false
		case b.ExpiresAt.IsZero():
			return true
		}
		return a.ExpiresAt.Before(b.ExpiresAt)
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && less(items[j].share, items[j-1].share); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func (p *sharedPane) ShowsTime() bool { return len(p.items) > 0 }

func (p *sharedPane) current() []int64 {
	if p.sc.cursor < len(p.items) {
		return []int64{p.items[p.sc.cursor].row.ID}
	}
	return nil
}

func (p *sharedPane) Keys() Actions {
	return append(moveActions(&p.sc, func() int { return len(p.items) }),
		act(bind(keys("enter"), "enter", "open the lead"), do(func() tea.Cmd {
			if ids := p.current(); ids != nil {
				return p.s.openLead(ids[0])
			}
			return nil
		})),
		act(bind(keys("S"), "S", "set status"), do(func() tea.Cmd { return statusMenu(p.s, p.current(), func() {}) })),
	)
}

func (p *sharedPane) View(width, height int) string {
	st := p.s.st
	now := p.s.now()
	lines := []string{paneTitle(st, "Shared with me "+st.dim.Render(countLabel(len(p.items), "lead")), width, p.focused)}
	start, end := p.sc.window(len(p.items), height-1)
	for i := start; i < end; i++ {
		it := p.items[i]
		left := "until revoked"
		if !it.share.ExpiresAt.IsZero() {
			left = age(it.share.ExpiresAt.Sub(now)) + " left"
		}
		text := fmt.Sprintf("  #%-6d %s %s %s %s", it.row.ID, pad(it.row.Title, 24), pad(string(it.share.Access), 5), pad(left, 14), "from "+orDash(it.row.Owner))
		line := fit(text, width)
		if i == p.sc.cursor && p.focused {
			line = st.cursor.Render(line)
		}
		lines = append(lines, line)
	}
	if len(p.items) == 0 {
		lines = append(lines, st.dim.Render(fit("  Nothing is shared with you.", width)))
	}
	return strings.Join(lines, "\n")
}
