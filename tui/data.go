package tui

import (
	"context"
	"fmt"
	"maps"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// fullReloadOver is how many touched leads make a full reload cheaper than reading
// each one.
const fullReloadOver = 500

// refresh says what to read again, and carries the committed events to show when it
// is done.
type refresh struct {
	full      bool
	leads     map[int64]struct{}
	agents    bool
	rules     bool
	history   bool // the history pane: its filter changed, or an agent's history moved
	workspace bool
	detail    bool
	// events are committed events to add to the history strip and pane as they are,
	// without reading history again (sessions that may see all of it).
	events []engine.Event
}

// reads reports whether the refresh needs the engine at all.
func (r refresh) reads() bool {
	return r.full || len(r.leads) > 0 || r.agents || r.rules || r.history || r.workspace || r.detail
}

func (r refresh) empty() bool { return !r.reads() && len(r.events) == 0 }

func (r *refresh) merge(o refresh) {
	r.events = append(r.events, o.events...)
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

// refreshFor says what a burst of changes makes stale: only what its events touch.
func (m *Model) refreshFor(c changeMsg) refresh {
	if c.resync {
		return refresh{full: true}
	}
	var r refresh
	all := m.seesAllHistory()
	if all {
		r.events = c.events
	}
	for _, e := range c.events {
		r.agents = r.agents || changesTeam(e)
		switch e.Kind.Subject() {
		case "lead":
			if m.dispatcher() && e.LeadID != 0 {
				if r.leads == nil {
					r.leads = map[int64]struct{}{}
				}
				r.leads[e.LeadID] = struct{}{}
			}
		case "rule":
			r.rules = true
		}
		if m.detail != nil && e.LeadID == m.detail.lead.Lead.ID {
			r.detail = true
		}
		if !m.dispatcher() || !all {
			if m.concerns(e) {
				r.workspace = r.workspace || !m.dispatcher()
				r.history = r.history || !all
			}
		}
	}
	return r
}

// changesTeam reports whether an event changes what the team board shows: an agent's
// settings or presence, or anyone's load.
func changesTeam(e engine.Event) bool {
	switch {
	case e.Kind.Subject() == "agent", e.Kind.ChangesOwner():
		return true
	case e.Kind == engine.EvLeadStatus:
		return e.Agent != "" // an owned lead closed or reopened
	}
	return false
}

// concerns reports whether an event may be in this agent's view of history or change
// its workspace: the engine shows an agent the events about it, by it, and about the
// leads it owns or holds a share of. Leads it once saw in its history count too, so
// that a closed lead's later events are not missed; reading again for an event that
// turns out not to be visible costs one cheap, filtered read, and leaks nothing.
func (m *Model) concerns(e engine.Event) bool {
	me := m.actor.Name
	if e.Agent == me || e.Actor == me || e.From == me {
		return true
	}
	if e.LeadID == 0 {
		return false
	}
	if _, ok := m.mineStore.byID[e.LeadID]; ok {
		return true
	}
	for _, s := range m.shared.items {
		if s.Lead.ID == e.LeadID {
			return true
		}
	}
	for _, h := range m.hist.events {
		if h.LeadID == e.LeadID {
			return true
		}
	}
	return false
}

// startRefresh runs the pending refresh unless one is running. Changes that arrive
// meanwhile merge into pending, and one refresh follows for all of them.
func (m *Model) startRefresh() tea.Cmd {
	if m.inflight || m.pending.empty() {
		return nil
	}
	req := m.pending
	m.pending = refresh{}
	if !req.reads() {
		// Only events to show: nothing to wait for.
		m.showEvents(req.events)
		return nil
	}
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
			} else if len(req.leads) > 0 {
				ids := slices.Collect(maps.Keys(req.leads))
				found, gone, err := eng.LeadsByID(ctx, actor, ids)
				if err != nil {
					return fail("leads", err)
				}
				out.gone = gone
				for _, d := range found {
					l := d.Lead
					if l.Status.Open() {
						out.changed = append(out.changed, l)
					} else {
						out.gone = append(out.gone, l.ID)
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
			if req.full {
				page, err := eng.History(ctx, actor, engine.HistoryQuery{Limit: stripKeep})
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
		}
		if !dispatcher && (req.full || req.agents) {
			if out.agents, err = eng.Agents(ctx, actor); err != nil && engine.KindOf(err) != engine.KindForbidden {
				return fail("the team", err)
			}
		}
		if req.full || req.history {
			q := histQuery
			q.Limit = historyKeep
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
	return cleanDetail(d), nil
}

// applyRefresh puts what a refresh read on screen, and the events it carried.
func (m *Model) applyRefresh(r refreshedMsg) {
	m.frame = ""
	now := m.eng.Now()
	// After a history read, so that the events it may already hold are not doubled.
	defer m.showEvents(r.req.events)
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
		m.board.agents = cleanAgents(r.agents)
		m.board.move(0)
	}
	if r.rules != nil {
		m.rules.rules = cleanRules(r.rules)
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
		m.shared.items = cleanShared(r.shared)
		m.shared.move(0)
		m.notes.items, m.notes.unread = cleanNotes(r.notes), r.unread
		m.notes.move(0)
	}
	if m.detail != nil && (r.req.full || r.req.detail) && r.detail != nil {
		r.detail.offset = m.detail.offset
		m.detail = r.detail
	}
}

// showEvents adds committed events to the live strip and, when its filter keeps them,
// to the history pane, so that a commit costs no history read. Only sessions that may
// see every event get them (refreshFor); an agent's history is read again instead.
func (m *Model) showEvents(events []engine.Event) {
	if len(events) == 0 {
		return
	}
	m.frame = ""
	m.strip = mergeEvents(m.strip, events, func(engine.Event) bool { return true }, stripKeep)
	m.hist.add(events)
}

func (m *Model) seesAllHistory() bool { return m.actor.Role.Can(engine.ActViewAllHistory) }
