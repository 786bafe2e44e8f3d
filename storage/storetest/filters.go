package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// leadMix is a set of leads that differ in every way a filter looks at.
type leadMix struct {
	a, b, c engine.Agent
	leads   []engine.Lead // oldest first
	shares  []engine.Share
}

func (e *env) leadMix() leadMix {
	m := leadMix{a: e.agent("a"), b: e.agent("b"), c: e.agent("c")}
	specs := []engine.Lead{
		{Name: "Ada Lovelace", Email: "ADA@Example.com", Source: "web", Tags: []string{"vip", "b2b"}, OwnerID: m.a.ID, Status: engine.StatusAssigned},
		{Name: "Émile Zola", Company: "Acme Corp", Source: "facebook", Tags: []string{"vip"}, OwnerID: m.a.ID, Status: engine.StatusWon},
		{Phone: "+33 1 23 45", Source: "web", OwnerID: m.b.ID, Status: engine.StatusContacted},
		{Name: "queued", Source: "tiktok", Waiting: engine.WaitingNoEligible, WaitReason: "nobody"},
		{Name: "manual", Source: "web", Tags: []string{"vipx"}, Waiting: engine.WaitingManual, Status: engine.StatusLost},
		{Name: "norule", Company: "ACME", Source: "fair", Waiting: engine.WaitingNoRule},
		{Email: "grace@navy.mil", Source: "web", OwnerID: m.b.ID, Status: engine.StatusQualified},
		{Name: "Zoë", Source: "facebook", OwnerID: m.c.ID, Status: engine.StatusAssigned},
	}
	e.write(func(tx engine.WriteTx) error {
		for i := range specs {
			if err := insertLead(tx, &specs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	m.leads = read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{OldestFirst: true}) })
	l := m.leads
	// b holds shares in every state; c one that ended by time and one revoked.
	for _, s := range []engine.Share{
		{LeadID: l[0].ID, AgentID: m.b.ID},                                      // active, no end
		{LeadID: l[1].ID, AgentID: m.b.ID, ExpiresAt: at.Add(time.Hour)},        // active for an hour
		{LeadID: l[3].ID, AgentID: m.b.ID, ExpiresAt: at.Add(-time.Minute)},     // ended by time, status not yet changed
		{LeadID: l[5].ID, AgentID: m.b.ID, Status: engine.ShareExpired},         // expired
		{LeadID: l[0].ID, AgentID: m.c.ID, Status: engine.ShareRevoked},         // revoked
		{LeadID: l[4].ID, AgentID: m.c.ID, ExpiresAt: at},                       // ends exactly now
		{LeadID: l[6].ID, AgentID: m.c.ID, ExpiresAt: at.Add(time.Millisecond)}, // ends a millisecond after now
		{LeadID: l[2].ID, AgentID: m.a.ID, Access: engine.AccessEdit, ExpiresAt: at.Add(24 * time.Hour)},
	} {
		m.shares = append(m.shares, e.share(s))
	}
	return m
}

// goLeadFilter is what LeadFilter selects, written with the engine's rules in Go.
func (m leadMix) goLeadFilter(f engine.LeadFilter) []int64 {
	var out []int64
	for _, l := range m.leads {
		if len(f.IDs) > 0 && !slices.Contains(f.IDs, l.ID) ||
			len(f.Status) > 0 && !slices.Contains(f.Status, l.Status) ||
			f.OwnerID != 0 && l.OwnerID != f.OwnerID ||
			f.Source != "" && l.Source != f.Source ||
			f.Tag != "" && !slices.Contains(l.Tags, f.Tag) ||
			f.Text != "" && !textMatch(l, f.Text) ||
			f.Unassigned && l.OwnerID != 0 ||
			f.Unassigned && f.Waiting != "" && l.Waiting != f.Waiting ||
			f.Open && !l.Status.Open() ||
			f.VisibleTo != 0 && !engine.LeadVisibleTo(l, m.shares, f.VisibleTo, f.Now) ||
			f.AfterID != 0 && f.OldestFirst && l.ID <= f.AfterID ||
			f.AfterID != 0 && !f.OldestFirst && l.ID >= f.AfterID {
			continue
		}
		out = append(out, l.ID)
	}
	if !f.OldestFirst {
		slices.Reverse(out)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

// textMatch is the text filter: a substring of the name, e-mail, phone or company,
// ASCII letters in either case.
func textMatch(l engine.Lead, text string) bool {
	needle := asciiLower(text)
	return strings.Contains(asciiLower(l.Name), needle) || strings.Contains(asciiLower(l.Email), needle) ||
		strings.Contains(l.Phone, text) || strings.Contains(asciiLower(l.Company), needle)
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// compareLeads runs f on the store (list and count) and in Go, and reports a difference.
// A count ignores paging.
func (e *env) compareLeads(m leadMix, name string, f engine.LeadFilter) {
	e.t.Helper()
	want := m.goLeadFilter(f)
	got := leadIDs(read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(f) }))
	if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		e.t.Errorf("%s: the store lists %v, the engine's rule %v", name, got, want)
	}
	unpaged := f
	unpaged.AfterID, unpaged.Limit = 0, 0
	if n, want := read(e, func(r engine.Reader) (int, error) { return r.CountLeads(f) }), len(m.goLeadFilter(unpaged)); n != want {
		e.t.Errorf("%s: the store counts %d, the engine's rule %d", name, n, want)
	}
}

// testLeadFilters: every filter of LeadFilter, alone and together, against the same
// selection written in Go.
func testLeadFilters(e *env) {
	m := e.leadMix()
	l := m.leads
	filters := map[string]engine.LeadFilter{
		"all":                 {},
		"ids":                 {IDs: []int64{l[2].ID, l[0].ID, 99999}},
		"status":              {Status: []engine.Status{engine.StatusWon, engine.StatusContacted}},
		"owner":               {OwnerID: m.a.ID},
		"source":              {Source: "facebook"},
		"tag":                 {Tag: "vip"},
		"text ascii any case": {Text: "acme"},
		"text upper":          {Text: "ADA"},
		"text non-ascii":      {Text: "Émile"},
		"text phone":          {Text: "23 45"},
		"text e-mail":         {Text: "navy.MIL"},
		"unassigned":          {Unassigned: true},
		"waiting":             {Unassigned: true, Waiting: engine.WaitingNoEligible},
		"open":                {Open: true},
		"open unassigned":     {Open: true, Unassigned: true, OldestFirst: true},
		"together":            {Source: "web", Open: true, Tag: "vip", OwnerID: m.a.ID},
		"visible and open":    {VisibleTo: m.b.ID, Now: at, Open: true},
		"oldest first":        {OldestFirst: true, Source: "web"},
	}
	for name, f := range filters {
		e.compareLeads(m, name, f)
	}
}

// testOpen: Open keeps the leads Status.Open calls open, for every status.
func testOpen(e *env) {
	a := e.agent("a")
	e.write(func(tx engine.WriteTx) error {
		for _, st := range engine.Statuses {
			for _, owner := range []int64{0, a.ID} {
				if err := insertLead(tx, &engine.Lead{Status: st, OwnerID: owner}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	m := leadMix{leads: read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{OldestFirst: true}) })}
	e.compareLeads(m, "open", engine.LeadFilter{Open: true})
	e.compareLeads(m, "open and owned", engine.LeadFilter{Open: true, OwnerID: a.ID})
	for _, st := range engine.Statuses {
		e.compareLeads(m, "open "+string(st), engine.LeadFilter{Open: true, Status: []engine.Status{st}})
	}
}

// testLeadVisibility: who may see a lead (LeadFilter.VisibleTo) is exactly
// engine.LeadVisibleTo, for every agent, at times around each share's end.
func testLeadVisibility(e *env) {
	m := e.leadMix()
	for _, now := range []time.Time{at.Add(-2 * time.Minute), at.Add(-time.Millisecond), at, at.Add(time.Millisecond),
		at.Add(time.Hour), at.Add(48 * time.Hour)} {
		for _, ag := range []engine.Agent{m.a, m.b, m.c} {
			name := fmt.Sprintf("%s at %s", ag.Handle, now.Sub(at))
			e.compareLeads(m, name, engine.LeadFilter{VisibleTo: ag.ID, Now: now})
			e.compareLeads(m, name+", oldest first, paged", engine.LeadFilter{VisibleTo: ag.ID, Now: now, OldestFirst: true, AfterID: m.leads[0].ID, Limit: 3})
		}
	}
}

// testEventVisibility: which events an agent may see (EventFilter.VisibleTo) is exactly
// engine.EventVisibleTo over engine.LeadVisibleTo.
func testEventVisibility(e *env) {
	t := e.t
	m := e.leadMix()
	var evs []engine.Event
	for _, l := range m.leads {
		evs = append(evs,
			e.event(engine.Event{Kind: engine.EvLeadCreated, Actor: "api:forms", LeadID: l.ID}),
			e.event(engine.Event{Kind: engine.EvLeadStatus, Actor: "a", LeadID: l.ID, Agent: "c"}))
	}
	evs = append(evs,
		e.event(engine.Event{Kind: engine.EvAgentPresence, Actor: "b", Agent: "b"}),
		e.event(engine.Event{Kind: engine.EvAgentChanged, Actor: "system", Agent: "c"}),
		e.event(engine.Event{Kind: engine.EvSetting, Actor: "system"}),
		e.event(engine.Event{Kind: engine.EvLeadReassigned, Actor: "disp", LeadID: m.leads[7].ID, From: "b", Agent: "c"}))
	for _, now := range []time.Time{at.Add(-time.Millisecond), at, at.Add(2 * time.Hour)} {
		for _, ag := range []engine.Agent{m.a, m.b, m.c} {
			var want []int64
			for _, ev := range evs {
				visible := engine.EventVisibleTo(ev, ag.Handle, func(id int64) bool {
					i := slices.IndexFunc(m.leads, func(l engine.Lead) bool { return l.ID == id })
					return i >= 0 && engine.LeadVisibleTo(m.leads[i], m.shares, ag.ID, now)
				})
				if visible {
					want = append(want, ev.ID)
				}
			}
			slices.Reverse(want)
			f := engine.EventFilter{VisibleTo: ag.ID, VisibleToHandle: ag.Handle, Now: now}
			got := eventIDs(read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(f) }))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s at %s: the store lists %v, the engine's rule %v", ag.Handle, now.Sub(at), got, want)
			}
		}
	}
}

// testEvents: history newest first or oldest first, paged by id both ways, and every
// filter against HistoryQuery.Matches, the engine's rule for it.
func testEvents(e *env) {
	t := e.t
	l := e.lead(engine.Lead{})
	var evs []engine.Event
	kinds := []engine.EventKind{engine.EvLeadCreated, engine.EvLeadRouted, engine.EvLeadReassigned, engine.EvShareCreated,
		engine.EvAgentPresence, engine.EvRuleCreated, engine.EvNotificationDelivered, engine.EvLeadStatus}
	for i := range 24 {
		ev := engine.Event{At: at.Add(time.Duration(i) * time.Minute), Kind: kinds[i%len(kinds)], Actor: []string{"ada", "system", "rule:1"}[i%3],
			Agent: []string{"", "bob", "ada"}[i%3], From: []string{"", "bob"}[i%2]}
		if i%2 == 0 {
			ev.LeadID = l.ID
		}
		evs = append(evs, e.event(ev))
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ID <= evs[i-1].ID {
			t.Fatalf("event ids %d then %d: not increasing", evs[i-1].ID, evs[i].ID)
		}
	}
	if last := read(e, func(r engine.Reader) (int64, error) { return r.LastEventID() }); last != evs[len(evs)-1].ID {
		t.Errorf("LastEventID %d, want %d", last, evs[len(evs)-1].ID)
	}
	// Pages newest first (BeforeID) and oldest first (AfterID) give the whole history.
	var down, up []int64
	f := engine.EventFilter{Limit: 7}
	for range 10 {
		page := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(f) })
		if len(page) == 0 {
			break
		}
		down = append(down, eventIDs(page)...)
		f.BeforeID = page[len(page)-1].ID
	}
	f = engine.EventFilter{Ascending: true, Limit: 7, BeforeID: evs[3].ID} // BeforeID is ignored when tailing
	for range 10 {
		page := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(f) })
		if len(page) == 0 {
			break
		}
		up = append(up, eventIDs(page)...)
		f.AfterID = page[len(page)-1].ID
	}
	all := eventIDs(evs)
	if !reflect.DeepEqual(up, all) {
		t.Errorf("tailing oldest first: %v, want %v", up, all)
	}
	slices.Reverse(all)
	if !reflect.DeepEqual(down, all) {
		t.Errorf("paging newest first: %v, want %v", down, all)
	}
	// Filters: the store's query and the engine's Go rule agree.
	for _, q := range []engine.HistoryQuery{
		{LeadID: l.ID}, {Agent: "bob"}, {Agent: "ada"}, {Kind: "lead"}, {Kind: "lead.routed"}, {Kind: "notification"},
		{Kind: "lea"}, {Since: at.Add(10 * time.Minute)}, {Agent: "bob", Kind: "lead", LeadID: l.ID, Since: at.Add(5 * time.Minute)},
	} {
		var want []int64
		for _, ev := range evs {
			if q.Matches(ev) {
				want = append(want, ev.ID)
			}
		}
		slices.Reverse(want)
		f := engine.EventFilter{LeadID: q.LeadID, Agent: q.Agent, Kind: q.Kind, Since: q.Since}
		got := eventIDs(read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(f) }))
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("history %+v: the store lists %v, HistoryQuery.Matches %v", q, got, want)
		}
	}
}
