// Package leadmodel keeps one read-only model of the leads for every console of a
// process: the open leads (and the few closed ones that an agent still holds an active
// share of), the active shares and the team.
//
// A process makes one Model next to its engine and hands it to every console session,
// over SSH or local. The model follows the engine's feed: for each burst of commits it
// reads the leads the events name once, for all sessions, and publishes a new immutable
// Snapshot. Versions share everything a burst did not touch (see Set), so memory grows
// with leads plus sessions, not leads times sessions. A session keeps only its filter,
// selection and cursor; it reads the newest snapshot and the bursts since the version it
// last read (Since), and a console that opens reads no lead from the store.
//
// The model reads as the system, so it holds leads that some sessions may not see. What
// an agent sees is decided by engine.LeadAccess, the rule the engine decides every
// command by (Row.AccessOf).
package leadmodel

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// Limits on the bursts the model keeps for sessions that fall behind: a session further
// behind than these reads everything again (a resync), which is correct, only slower.
const (
	keepBursts = 512
	keepEvents = 50000
)

// KeepRecent is how many of the newest events a snapshot holds, for the consoles that
// show history as it happens.
const KeepRecent = 500

// hubBuffer is how many commits the model's feed holds while it reads: a full read of
// 100 000 leads takes about a second, and the writer never waits for a reader. (A
// variable for the test that overflows it.)
var hubBuffer = 8192

// retryAfter is how long the model waits before reading again after a failed read.
const retryAfter = time.Second

// teamPoll is how often the model reads the team again whatever it heard: console
// sessions open and close in every process without a history event, and a session whose
// process died stops counting when it expires. A read that finds the team as it was
// publishes nothing. (A variable for tests.)
var teamPoll = 5 * time.Second

// Model is the shared model of one engine's leads. Make it with New, end it with Close.
type Model struct {
	eng  *engine.Engine
	sub  *engine.Subscription
	log  *slog.Logger
	quit chan struct{}
	done chan struct{}
	once sync.Once

	// Owned by the run goroutine: the active shares of every held lead, by lead.
	sharesByLead map[int64][]engine.Share

	mu     sync.Mutex
	cur    *Snapshot
	bursts []Burst // the newest, oldest first
	events int     // events held by bursts
	feeds  map[*Feed]struct{}
}

// Snapshot is one version of the model. Nothing in it changes once published.
type Snapshot struct {
	Version uint64
	// Loaded is false until the first full read has finished.
	Loaded bool
	// Err is the last read's failure, while the model waits to read again: what the
	// snapshot holds may be stale until then.
	Err error
	// Now is the engine's time when the snapshot was made.
	Now time.Time

	all, open, queue *Set
	team             []engine.Agent
	shares           map[int64][]engine.Share // by agent id, in lead id order
	// recent is the newest events, oldest first. Versions share its array: a new
	// version appends past the end of the one before, which never sees it.
	recent []engine.Event
}

// RecentLen is how many recent events the snapshot holds (at most KeepRecent).
func (s *Snapshot) RecentLen() int { return min(len(s.recent), KeepRecent) }

// Recent is the i-th newest event, 0 ≤ i < RecentLen. Every event is there, whoever
// may see it: only sessions that may see all history read them.
func (s *Snapshot) Recent(i int) engine.Event { return s.recent[len(s.recent)-1-i] }

// RecentIndex is where event id is among the recent events (as Recent counts), if it
// is there.
func (s *Snapshot) RecentIndex(id int64) (int, bool) {
	i, ok := slices.BinarySearchFunc(s.recent, id, func(e engine.Event, id int64) int { return cmpInt(e.ID, id) })
	if !ok || len(s.recent)-1-i >= KeepRecent {
		return 0, false
	}
	return len(s.recent) - 1 - i, true
}

// withRecent is recent with events added in id order, kept to the newest: it appends
// in place, so that versions share the array, and copies only when it grows too long.
func withRecent(recent, events []engine.Event) []engine.Event {
	for _, e := range events {
		if n := len(recent); n > 0 && e.ID <= recent[n-1].ID {
			continue // already there (a resync read it), or out of order
		}
		recent = append(recent, e)
	}
	if len(recent) > 2*KeepRecent {
		recent = slices.Clone(recent[len(recent)-KeepRecent:])
	}
	return recent
}

// All is every lead the model holds: the open ones and the closed ones an agent holds
// an active share of.
func (s *Snapshot) All() *Set { return s.all }

// Open is every open lead.
func (s *Snapshot) Open() *Set { return s.open }

// Queue is every open lead without an owner.
func (s *Snapshot) Queue() *Set { return s.queue }

// Row is the lead with id, or nil when the model does not hold it.
func (s *Snapshot) Row(id int64) *Row { return s.all.Get(id) }

// Team is every agent, as engine.Agents lists them. The slice must not be modified.
func (s *Snapshot) Team() []engine.Agent { return s.team }

// SharesOf is the active shares agent holds, in lead id order. The slice must not be
// modified.
func (s *Snapshot) SharesOf(agentID int64) []engine.Share { return s.shares[agentID] }

// ShareOf is agent's active share of lead, or nil.
func (s *Snapshot) ShareOf(agentID, leadID int64) *engine.Share {
	list := s.shares[agentID]
	i, ok := slices.BinarySearchFunc(list, leadID, func(sh engine.Share, id int64) int { return cmpInt(sh.LeadID, id) })
	if !ok {
		return nil
	}
	return &list[i]
}

// Burst is what one version changed.
type Burst struct {
	Version uint64
	// Events are the committed events of the burst, in commit order.
	Events []engine.Event
	// Leads are the ids of the leads whose rows changed, appeared or went, ascending.
	Leads []int64
	// Team reports that the team changed (an agent, a presence, a load).
	Team bool
	// Resync means anything may have changed and events may be missing: read it all
	// again.
	Resync bool
}

// Update is what a session reads: the newest snapshot and what changed since the
// version it read before, merged into one burst.
type Update struct {
	Snapshot *Snapshot
	Burst
}

// New starts the model of eng: it subscribes to the engine's feed at once and reads
// everything in the background. Sessions may subscribe before the first read is done;
// their snapshot says Loaded false until then.
func New(eng *engine.Engine, log *slog.Logger) *Model {
	if log == nil {
		log = slog.Default()
	}
	m := &Model{
		eng: eng, sub: eng.Subscribe(hubBuffer), log: log,
		quit: make(chan struct{}), done: make(chan struct{}),
		cur:   &Snapshot{all: newSet(nil), open: newSet(nil), queue: newSet(nil), shares: map[int64][]engine.Share{}},
		feeds: map[*Feed]struct{}{},
	}
	go m.run()
	return m
}

// Engine is the engine the model follows.
func (m *Model) Engine() *engine.Engine { return m.eng }

// Close stops following the engine. Sessions keep the snapshots they hold.
func (m *Model) Close() {
	m.once.Do(func() {
		close(m.quit)
		m.sub.Close()
		<-m.done
	})
}

// Snapshot is the newest version.
func (m *Model) Snapshot() *Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur
}

// Since is the newest snapshot with every burst after version v merged. When the model
// no longer holds all of them, the update says Resync.
func (m *Model) Since(v uint64) Update {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := Update{Snapshot: m.cur}
	u.Version = m.cur.Version
	if v >= m.cur.Version {
		return u
	}
	if len(m.bursts) == 0 || m.bursts[0].Version > v+1 {
		u.Resync = true
		return u
	}
	var leads []int64
	for _, b := range m.bursts {
		if b.Version <= v {
			continue
		}
		u.Events = append(u.Events, b.Events...)
		leads = append(leads, b.Leads...)
		u.Team = u.Team || b.Team
		u.Resync = u.Resync || b.Resync
	}
	slices.Sort(leads)
	u.Leads = slices.Compact(leads)
	return u
}

// Feed tells one session that a new version is out. C has room for one signal: a
// session that has not looked yet is not told twice, and reads every change at once
// with Since.
type Feed struct {
	C  <-chan struct{}
	ch chan struct{}
	m  *Model
}

// Subscribe returns a feed for one session. Close it when the session ends.
func (m *Model) Subscribe() *Feed {
	ch := make(chan struct{}, 1)
	f := &Feed{C: ch, ch: ch, m: m}
	m.mu.Lock()
	m.feeds[f] = struct{}{}
	m.mu.Unlock()
	return f
}

// Close ends the feed. It is safe to call more than once.
func (f *Feed) Close() {
	f.m.mu.Lock()
	delete(f.m.feeds, f)
	f.m.mu.Unlock()
}

// Feeds counts the open feeds (for tests and load reports).
func (m *Model) Feeds() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.feeds)
}

// publish makes next the newest version, with what changed, and tells every feed.
func (m *Model) publish(next *Snapshot, b Burst) {
	m.mu.Lock()
	defer m.mu.Unlock()
	next.Version = m.cur.Version + 1
	b.Version = next.Version
	m.cur = next
	m.bursts = append(m.bursts, b)
	m.events += len(b.Events)
	for len(m.bursts) > keepBursts || (len(m.bursts) > 1 && m.events > keepEvents) {
		m.events -= len(m.bursts[0].Events)
		m.bursts[0] = Burst{}
		m.bursts = m.bursts[1:]
	}
	for f := range m.feeds {
		select {
		case f.ch <- struct{}{}:
		default:
		}
	}
}

// run follows the engine's feed until Close.
func (m *Model) run() {
	defer close(m.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-m.quit
		cancel()
	}()
	stale := true // everything must be read: at start, and after a resync or a failure
	var retry <-chan time.Time
	poll := time.NewTicker(teamPoll)
	defer poll.Stop()
	for {
		if stale {
			if err := m.reload(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				m.failed(err)
				retry = time.After(retryAfter)
			} else {
				stale, retry = false, nil
			}
		}
		select {
		case <-m.quit:
			return
		case <-retry:
			continue
		case <-poll.C:
			if !stale {
				if err := m.pollTeam(ctx); err != nil && ctx.Err() == nil {
					m.log.Warn("leadmodel: reading the team", "err", err)
				}
			}
		case c, ok := <-m.sub.C:
			if !ok {
				return
			}
			events, resync := gather(c, m.sub.C)
			if resync || stale {
				stale = true
				continue
			}
			if err := m.apply(ctx, events); err != nil {
				if ctx.Err() != nil {
					return
				}
				stale = true
				m.failed(err)
			}
		}
	}
}

// gather takes every change already waiting behind c, so that a burst of commits is one
// read and one version.
func gather(c engine.Change, ch <-chan engine.Change) ([]engine.Event, bool) {
	events, resync := c.Events, c.Resync
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				return events, resync
			}
			events = append(events, c.Events...)
			resync = resync || c.Resync
		default:
			return events, resync
		}
	}
}

// failed publishes the failure with the last good data, for sessions to show.
func (m *Model) failed(err error) {
	m.log.Warn("leadmodel: reading leads", "err", err)
	cur := m.Snapshot()
	next := *cur
	next.Err = err
	m.publish(&next, Burst{})
}

// reload reads everything: every open lead, every active share and the leads they are
// of, and the team.
func (m *Model) reload(ctx context.Context) error {
	sys := engine.System()
	var rows []*Row
	q := engine.LeadQuery{Open: true, OldestFirst: true, Limit: 1000}
	for {
		page, err := m.eng.ListLeads(ctx, sys, q)
		if err != nil {
			return fmt.Errorf("reading the open leads: %w", err)
		}
		for _, l := range page.Items {
			rows = append(rows, RowOf(l))
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	shares, err := m.eng.ActiveShares(ctx, sys)
	if err != nil {
		return fmt.Errorf("reading the shares: %w", err)
	}
	open := newSet(rows)
	m.sharesByLead = map[int64][]engine.Share{}
	var closed []int64
	for _, s := range shares {
		m.sharesByLead[s.LeadID] = append(m.sharesByLead[s.LeadID], s)
		if _, ok := open.Find(s.LeadID); !ok {
			closed = append(closed, s.LeadID)
		}
	}
	all := open
	if len(closed) > 0 {
		slices.Sort(closed)
		found, _, err := m.eng.LeadsByID(ctx, sys, slices.Compact(closed))
		if err != nil {
			return fmt.Errorf("reading shared leads: %w", err)
		}
		var put []*Row
		for _, d := range found {
			put = append(put, RowOf(d.Lead))
		}
		all = open.with(put, nil)
	}
	team, err := m.eng.Agents(ctx, sys)
	if err != nil {
		return fmt.Errorf("reading the team: %w", err)
	}
	page, err := m.eng.History(ctx, sys, engine.HistoryQuery{Limit: KeepRecent})
	if err != nil {
		return fmt.Errorf("reading history: %w", err)
	}
	recent := slices.Clone(page.Items)
	slices.Reverse(recent)
	var queued []*Row
	open.Each(func(r *Row) bool {
		if r.Queued() {
			queued = append(queued, r)
		}
		return true
	})
	next := &Snapshot{
		Loaded: true, Now: m.eng.Now(),
		all: all, open: open, queue: newSet(queued),
		team: team, shares: byAgent(m.sharesByLead), recent: recent,
	}
	m.publish(next, Burst{Resync: true, Team: true})
	return nil
}

// byAgent indexes shares by agent, each agent's in lead id order.
func byAgent(byLead map[int64][]engine.Share) map[int64][]engine.Share {
	out := map[int64][]engine.Share{}
	for _, list := range byLead {
		for _, s := range list {
			out[s.AgentID] = append(out[s.AgentID], s)
		}
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b engine.Share) int { return cmpInt(a.LeadID, b.LeadID) })
	}
	return out
}

// apply reads what a burst of events touched and publishes the next version.
func (m *Model) apply(ctx context.Context, events []engine.Event) error {
	sys := engine.System()
	var ids []int64
	team := false
	for _, e := range events {
		if e.LeadID != 0 {
			ids = append(ids, e.LeadID)
		}
		team = team || changesTeam(e)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	cur := m.Snapshot()
	next := *cur
	next.Err, next.Now = nil, m.eng.Now()
	if len(ids) > 0 {
		found, gone, err := m.eng.LeadsByID(ctx, sys, ids)
		if err != nil {
			return fmt.Errorf("reading changed leads: %w", err)
		}
		m.applyLeads(&next, found, gone)
	}
	if team {
		agents, err := m.eng.Agents(ctx, sys)
		if err != nil {
			return fmt.Errorf("reading the team: %w", err)
		}
		next.team = agents
	}
	next.recent = withRecent(cur.recent, events)
	m.publish(&next, Burst{Events: events, Leads: ids, Team: team})
	return nil
}

// pollTeam reads the team and publishes a version when it differs from the newest one:
// a console session opened or closed somewhere, or one expired.
func (m *Model) pollTeam(ctx context.Context) error {
	agents, err := m.eng.Agents(ctx, engine.System())
	if err != nil {
		return err
	}
	cur := m.Snapshot()
	if slices.Equal(agents, cur.team) {
		return nil
	}
	next := *cur
	next.Err, next.Now, next.team = nil, m.eng.Now(), agents
	m.publish(&next, Burst{Team: true})
	return nil
}

// applyLeads puts the leads read again into next: their rows, and their shares.
func (m *Model) applyLeads(next *Snapshot, found []engine.LeadDetail, gone []int64) {
	now := next.Now
	var (
		putAll, putOpen, putQueue []*Row
		delAll, delOpen, delQueue []int64
		agents                    = map[int64]bool{} // whose shares changed
	)
	drop := func(id int64) {
		delAll, delOpen, delQueue = append(delAll, id), append(delOpen, id), append(delQueue, id)
	}
	for _, id := range gone {
		drop(id)
		for _, s := range m.sharesByLead[id] {
			agents[s.AgentID] = true
		}
		delete(m.sharesByLead, id)
	}
	for _, d := range found {
		id := d.Lead.ID
		var active []engine.Share
		for _, s := range d.Shares {
			if s.ActiveAt(now) {
				active = append(active, s)
			}
		}
		if !sameShares(m.sharesByLead[id], active) {
			for _, s := range m.sharesByLead[id] {
				agents[s.AgentID] = true
			}
			for _, s := range active {
				agents[s.AgentID] = true
			}
			if len(active) > 0 {
				m.sharesByLead[id] = active
			} else {
				delete(m.sharesByLead, id)
			}
		}
		r := RowOf(d.Lead)
		if !r.Open() && len(active) == 0 {
			drop(id)
			continue
		}
		putAll = append(putAll, r)
		if r.Open() {
			putOpen = append(putOpen, r)
		} else {
			delOpen = append(delOpen, id)
		}
		if r.Queued() {
			putQueue = append(putQueue, r)
		} else {
			delQueue = append(delQueue, id)
		}
	}
	byID := func(a, b *Row) int { return cmpInt(a.ID, b.ID) }
	for _, p := range [][]*Row{putAll, putOpen, putQueue} {
		slices.SortFunc(p, byID)
	}
	for _, d := range [][]int64{delAll, delOpen, delQueue} {
		slices.Sort(d)
	}
	next.all = next.all.with(putAll, delAll)
	next.open = next.open.with(putOpen, delOpen)
	next.queue = next.queue.with(putQueue, delQueue)
	if len(agents) > 0 {
		shares := make(map[int64][]engine.Share, len(next.shares)+len(agents))
		for k, v := range next.shares {
			if !agents[k] {
				shares[k] = v
			}
		}
		touched := make(map[int64]bool, len(found)+len(gone))
		for _, d := range found {
			touched[d.Lead.ID] = true
		}
		for _, id := range gone {
			touched[id] = true
		}
		for a := range agents {
			var list []engine.Share
			for _, s := range next.shares[a] {
				if !touched[s.LeadID] {
					list = append(list, s)
				}
			}
			for _, d := range found {
				for _, s := range m.sharesByLead[d.Lead.ID] {
					if s.AgentID == a {
						list = append(list, s)
					}
				}
			}
			slices.SortFunc(list, func(x, y engine.Share) int { return cmpInt(x.LeadID, y.LeadID) })
			if len(list) > 0 {
				shares[a] = list
			}
		}
		next.shares = shares
	}
}

func sameShares(a, b []engine.Share) bool {
	return slices.EqualFunc(a, b, func(x, y engine.Share) bool {
		return x.ID == y.ID && x.Access == y.Access && x.ExpiresAt.Equal(y.ExpiresAt) && x.Status == y.Status
	})
}

// changesTeam reports whether an event changes what the team shows: an agent's
// settings or presence, or anyone's load.
func changesTeam(e engine.Event) bool {
	switch {
	case e.Kind.Subject() == "agent", e.Kind.Subject() == "team", e.Kind.ChangesOwner():
		return true
	case e.Kind == engine.EvLeadStatus:
		return e.Agent != "" // an owned lead closed or reopened
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
