package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// inboxKeep is how many notifications the inbox shows.
const inboxKeep = 100

// inboxPane lists an agent's notifications, newest first, unread ones marked. It reads
// them again after every event about the agent, marking read included, so the count
// in the status bar is always the engine's.
type inboxPane struct {
	paneBase
	id     PaneID
	s      *Session
	items  []engine.Notification
	unread int
	err    error
	sc     scroller
}

type inboxRead struct {
	items  []engine.Notification
	unread int
	err    error
}

func newInboxPane(s *Session, id PaneID) Pane { return &inboxPane{id: id, s: s} }

func (p *inboxPane) Title() string { return "Inbox" }

// Stale: notifications go to the agent an event names, to a lead's previous owner and
// to a share's holder; a notification.read names the agent who read; every dispatcher
// hears of a missed SLA.
func (p *inboxPane) Stale(e engine.Event) bool {
	me := p.s.actor.Name
	return e.Agent == me || e.From == me || e.Kind == engine.EvLeadSLAMissed && p.s.dispatcher()
}

func (p *inboxPane) Refresh() tea.Cmd {
	s := p.s
	return func() tea.Msg {
		items, unread, err := s.eng.Notifications(s.ctx, s.actor, inboxKeep)
		return inboxRead{items: items, unread: unread, err: err}
	}
}

func (p *inboxPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	if msg, ok := msg.(inboxRead); ok {
		p.err = msg.err
		if msg.err == nil {
			var at int64
			if p.sc.cursor < len(p.items) {
				at = p.items[p.sc.cursor].ID
			}
			p.items, p.unread = msg.items, msg.unread
			p.s.unread = msg.unread
			if i := slices.IndexFunc(p.items, func(n engine.Notification) bool { return n.ID == at }); i >= 0 {
				p.sc.cursor = i
			}
			p.sc.clamp(len(p.items))
		}
	}
	return p, nil
}

func (p *inboxPane) ShowsTime() bool { return len(p.items) > 0 }

func (p *inboxPane) markRead(ids []int64) tea.Cmd {
	s := p.s
	return s.run("", func() (string, error) {
		n, err := s.eng.MarkRead(s.ctx, s.actor, ids)
		if err != nil {
			return "", err
		}
		if ids == nil {
			return fmt.Sprintf("Marked %d read", n), nil
		}
		return "", nil
	})
}

func (p *inboxPane) Keys() Actions {
	cur := func() *engine.Notification {
		if p.sc.cursor < len(p.items) {
			return &p.items[p.sc.cursor]
		}
		return nil
	}
	return append(moveActions(&p.sc, func() int { return len(p.items) }),
		act(bind(keys("r"), "r", "mark read"), do(func() tea.Cmd {
			if n := cur(); n != nil {
				return p.markRead([]int64{n.ID})
			}
			return nil
		})),
		act(bind(keys("R"), "R", "mark all read"), do(func() tea.Cmd { return p.markRead(nil) })),
		act(bind(keys("enter"), "enter", "open the lead"), do(func() tea.Cmd {
			n := cur()
			if n == nil {
				return nil
			}
			cmds := []tea.Cmd{p.markRead([]int64{n.ID})}
			if n.LeadID != 0 {
				cmds = append(cmds, p.s.openLead(n.LeadID))
			}
			return tea.Batch(cmds...)
		})),
	)
}

func (p *inboxPane) View(width, height int) string {
	st := p.s.st
	now := p.s.now()
	lines := []string{paneTitle(st, fmt.Sprintf("Notifications %s", st.dim.Render(fmt.Sprintf("%d unread", p.unread))), width, p.focused)}
	if p.err != nil {
		lines = append(lines, st.errMsg.Render(fit("  reading notifications: "+clean(p.err.Error()), width)))
	}
	start, end := p.sc.window(len(p.items), height-len(lines))
	for i := start; i < end; i++ {
		n := p.items[i]
		mark := "  "
		if n.ReadAt.IsZero() {
			mark = "• "
		}
		text := fit(mark+pad(age(now.Sub(n.CreatedAt)), 4)+" "+clean(n.Text), width)
		switch {
		case i == p.sc.cursor && p.focused:
			text = st.cursor.Render(text)
		case n.ReadAt.IsZero():
			text = st.bold.Render(text)
		default:
			text = st.dim.Render(text)
		}
		lines = append(lines, text)
	}
	if len(p.items) == 0 && p.err == nil {
		lines = append(lines, st.dim.Render(fit("  No notifications.", width)))
	}
	return strings.Join(lines, "\n")
}
