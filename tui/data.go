package tui

import (
	"context"
	"fmt"
	"maps"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// fullReloadOver is how many touched leads make a full reload cheaper than reading
// each one.
const fullReloadOver = 500

// refresh says what to read again.
type refresh struct {
	full      bool
	leads     map[int64]struct{}
	agents    bool
	rules     bool
	history   bool
	workspace bool
	detail    bool
}

func (r refresh) empty() bool {
	return !r.full && len(r.leads) == 0 && !r.agents && !r.rules && !r.history && !r.workspace && !r.detail
}

func (r *refresh) merge(o refresh) {
	r.full = r.full || o.full
	r.agents = r.agents || o.agents
	r.rules = r.rules || o.rules
	r.history = r.history || o.history
	r.workspace = r.workspace || o.workspace
	r.detail = r.detail || o.detail
	if len(o.leads) > 0 {
		if r.leads == nil {
			r.leads = map[int64]struct{}{}
		}
		maps.Copy(r.leads, o.leads)
	}
}

// changeMsg is a burst of committed changes, read from the subscription in one go.
type changeMsg struct {
	events []engine.Event
	resync bool
}

type subClosedMsg struct{}

// refreshedMsg carries what a refresh read.
type refreshedMsg struct {
	req     refresh
	rows    []*row         // full: every open lead
	changed []engine.Lead  // partial: leads read again
	gone    []int64        // partial: leads the actor can no longer see
	agents  []engine.Agent // nil unless read
	rules   []engine.Rule
	history []engine.Event
	strip   []engine.Event
	mine    []*row
	shared  []engine.SharedLead
	notes   []engine.Notification
	unread  int
	detail  *detail
	err     error
}

// doneMsg ends an action: a toast on success or the engine's refusal.
type doneMsg struct {
	toast string
	err   error
}

type detailMsg struct {
	d   *detail
	err error
}

// waitChange waits for the next change and gathers every change already queued
// behind it, so a burst of 200 events becomes one message and one refresh.
func (m *Model) waitChange() tea.Cmd {
	ch := m.sub.C
	return func() tea.Msg {
		c, ok := <-ch
		if !ok {
			return subClosedMsg{}
		}
		msg := changeMsg{events: c.Events, resync: c.Resync}
		for {
			select {
			case c, ok := <-ch:
				if !ok {
					return msg
				}
				msg.events = append(msg.events, c.Events...)
				msg.resync = msg.resync || c.Resync
			default:
				return msg
			}
		}
	}
}

// refreshFor says what a burst of changes makes stale.
func (m *Model) refreshFor(c changeMsg) refresh {
	if c.resync {
		return refresh{full: true}
	}
	r := refresh{history: true, workspace: !m.dispatcher()}
	for _, e := range c.events {
		switch e.Kind.Subject() {
		case "lead":
			r.agents = true
			if e.LeadID != 0 {
				if r.leads == nil {
					r.leads = map[int64]struct{}{}
				}
				r.leads[e.LeadID] = struct{}{}
			}
		case "agent":
			r.agents = true
		case "rule":
			r.rules = true
		}
		if m.detail != nil && e.LeadID == m.detail.lead.Lead.ID {
			r.detail = true
		}
	}
	if !m.dispatcher() {
		r.leads = nil
	}
	return r
}

// startRefresh runs the pending refresh unless one is running.
func (m *Model) startRefresh() tea.Cmd {
	if m.inflight || m.pending.empty() {
		return nil
	}
	req := m.pending
	m.pending = refresh{}
	m.inflight = true
	var detailID int64
	if m.detail != nil {
		detailID = m.detail.lead.Lead.ID
	}
	histQuery := m.hist.query
	eng, actor, ctx := m.eng, m.actor, m.ctx
	dispatcher := m.dispatcher()
	return func() tea.Msg {
		out := refreshedMsg{req: req}
		fail := func(what string, err error) tea.Msg {
			out.err = fmt.Errorf("reading %s: %w", what, err)
			return out
		}
		var err error
		if len(req.leads) > fullReloadOver {
			req.full, out.req.full = true, true
		}
		if dispatcher {
			if req.full {
				if out.rows, err = loadOpenLeads(eng, actor, ctx, engine.LeadQuery{Open: true}); err != nil {
					return fail("leads", err)
				}
			} else {
				for id := range req.leads {
					d, err := eng.Lead(ctx, actor, id)
					switch {
					case err == nil && d.Lead.Status.Open():
						out.changed = append(out.changed, d.Lead)
					case err == nil, engine.KindOf(err) == engine.KindNotFound, engine.KindOf(err) == engine.KindForbidden:
						out.gone = append(out.gone, id)
					default:
						return fail("a lead", err)
					}
				}
			}
			if req.full || req.agents {
				if out.agents, err = eng.Agents(ctx, actor); err != nil {
					return fail("the team", err)
				}
			}
			if (req.full || req.rules) && actor.Role.Can(engine.ActViewRules) {
				if out.rules, err = eng.Rules(ctx, actor); err != nil {
					return fail("the rules", err)
				}
				if out.rules == nil {
					out.rules = []engine.Rule{}
				}
			}
			if req.full || req.history {
				page, err := eng.History(ctx, actor, engine.HistoryQuery{Limit: 20})
				if err != nil {
					return fail("history", err)
				}
				out.strip = page.Items
			}
		} else if req.full || req.workspace {
			if out.mine, err = loadOpenLeads(eng, actor, ctx, engine.LeadQuery{Open: true, Owner: actor.Name}); err != nil {
				return fail("your leads", err)
			}
			if out.shared, err = eng.SharedWithMe(ctx, actor); err != nil {
				return fail("shared leads", err)
			}
			if out.notes, out.unread, err = eng.Notifications(ctx, actor, 100); err != nil {
				return fail("notifications", err)
			}
			if out.agents, err = eng.Agents(ctx, actor); err != nil && engine.KindOf(err) != engine.KindForbidden {
				return fail("the team", err)
			}
		}
		if req.full || req.history {
			q := histQuery
			q.Limit = 500
			page, err := eng.History(ctx, actor, q)
			if err != nil {
				return fail("history", err)
			}
			out.history = page.Items
		}
		if detailID != 0 && (req.full || req.detail) {
			d, err := loadDetail(eng, actor, ctx, detailID)
			if err != nil && engine.KindOf(err) != engine.KindNotFound && engine.KindOf(err) != engine.KindForbidden {
				return fail("the lead", err)
			}
			out.detail = d
		}
		return out
	}
}

// loadOpenLeads reads every lead a query selects, a thousand at a time, oldest first.
func loadOpenLeads(eng *engine.Engine, actor engine.Actor, ctx context.Context, q engine.LeadQuery) ([]*row, error) {
	q.OldestFirst, q.Limit = true, 1000
	var rows []*row
	for {
		page, err := eng.ListLeads(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		for _, l := range page.Items {
			rows = append(rows, rowOf(l))
		}
		if page.Next == "" {
			return rows, nil
		}
		q.Cursor = page.Next
	}
}

func loadDetail(eng *engine.Engine, actor engine.Actor, ctx context.Context, id int64) (*detail, error) {
	ld, err := eng.Lead(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	d := &detail{lead: ld}
	if ld.Lead.Owner != "" {
		if a, err := eng.Agent(ctx, actor, ld.Lead.Owner); err == nil {
			d.owner = &a
		}
	}
	page, err := eng.History(ctx, actor, engine.HistoryQuery{LeadID: id, Limit: 200})
	if err != nil {
		return nil, err
	}
	d.history = historyOldestFirst(page.Items)
	return d, nil
}

// applyRefresh puts what a refresh read on screen.
func (m *Model) applyRefresh(r refreshedMsg) {
	now := m.eng.Now()
	if r.err != nil {
		if m.ctx.Err() == nil {
			m.err = r.err
		}
		return
	}
	m.loaded = true
	switch {
	case r.req.full && m.dispatcher():
		m.store.reset(r.rows)
	case len(r.changed) > 0 || len(r.gone) > 0:
		for _, l := range r.changed {
			m.store.put(rowOf(l))
		}
		for _, id := range r.gone {
			m.store.remove(id)
		}
	}
	if m.dispatcher() && (r.req.full || len(r.changed) > 0 || len(r.gone) > 0) {
		m.queue.rebuild(m.store, now)
		m.leads.rebuild(m.store, now)
	}
	if r.agents != nil {
		m.board.agents = r.agents
		m.board.move(0)
	}
	if r.rules != nil {
		m.rules.rules = r.rules
		m.rules.move(0)
	}
	if r.strip != nil {
		m.strip = r.strip
	}
	if r.history != nil {
		m.hist.events = r.history
		m.hist.move(0)
	}
	if !m.dispatcher() && (r.req.full || r.req.workspace) {
		m.mineStore.reset(r.mine)
		m.mine.rebuild(m.mineStore, now)
		m.shared.items = r.shared
		m.shared.move(0)
		m.notes.items, m.notes.unread = r.notes, r.unread
		m.notes.move(0)
	}
	if m.detail != nil && (r.req.full || r.req.detail) && r.detail != nil {
		r.detail.offset = m.detail.offset
		m.detail = r.detail
	}
}
