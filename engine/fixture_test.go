package engine_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// clock is a hand-moved clock for the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is an engine on a new database of one kind of store.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	kind  enginetest.Store
	dsn   string // the database: a SQLite file or a PostgreSQL URL
	store engine.Store
	e     *engine.Engine
	clock *clock
	// now is the engine's clock: clock.Now, or time.Now for a real-clock fixture.
	now   func() time.Time
	owner engine.Actor
	sync  string // storage.Options.Synchronous
}

// eachStore runs test on every kind of store (enginetest.Stores).
func eachStore(t *testing.T, test func(t *testing.T, s enginetest.Store)) {
	t.Helper()
	enginetest.EachStore(t, test)
}

// start is the hand-moved clock's first reading: a Monday, 10:00 UTC.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, s enginetest.Store) *fixture {
	t.Helper()
	f := &fixture{
		t: t, ctx: context.Background(), kind: s,
		dsn:   s.NewDatabase(t),
		clock: &clock{t: start},
		owner: engine.System(),
	}
	f.now = f.clock.Now
	f.open()
	t.Cleanup(f.close)
	return f
}

// newRealClockFixture is a fixture whose engine runs on time.Now, for what only the
// real clock shows (shares expiring on their own).
func newRealClockFixture(t testing.TB, s enginetest.Store) *fixture {
	t.Helper()
	f := &fixture{
		t: t, ctx: context.Background(), kind: s,
		dsn:   s.NewDatabase(t),
		now:   time.Now,
		owner: engine.System(),
	}
	f.open()
	t.Cleanup(f.close)
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	st, err := storage.Open(f.ctx, f.dsn, storage.Options{Synchronous: f.sync})
	if err != nil {
		f.t.Fatalf("open store: %v", err)
	}
	e, err := engine.New(st, engine.Options{Now: f.now, Location: time.UTC, TailInterval: -1})
	if err != nil {
		f.t.Fatalf("new engine: %v", err)
	}
	f.store, f.e = st, e
}

func (f *fixture) close() {
	if f.e != nil {
		if !f.t.Failed() {
			if err := engine.CheckRoutingModel(f.e); err != nil {
				f.t.Error(err)
			}
		}
		f.e.Close()
		f.store.Close()
		f.e, f.store = nil, nil
	}
}

// reopen closes the engine and the store and opens them again, as a restart does.
func (f *fixture) reopen() { f.close(); f.open() }

// agent adds an available agent with role agent, then applies opts.
func (f *fixture) agent(handle string, opts ...func(*engine.NewAgent)) engine.Agent {
	f.t.Helper()
	in := engine.NewAgent{Handle: handle, Name: "Agent " + handle, Email: handle + "@example.com", Presence: engine.Available}
	for _, o := range opts {
		o(&in)
	}
	a, err := f.e.AddAgent(f.ctx, f.owner, in)
	if err != nil {
		f.t.Fatalf("add agent %s: %v", handle, err)
	}
	return a
}

func withRole(r engine.Role) func(*engine.NewAgent) { return func(n *engine.NewAgent) { n.Role = r } }
func withCapacity(c int) func(*engine.NewAgent)     { return func(n *engine.NewAgent) { n.Capacity = c } }
func withDailyCap(c int) func(*engine.NewAgent)     { return func(n *engine.NewAgent) { n.DailyCap = c } }
func withPresence(p engine.Presence) func(*engine.NewAgent) {
	return func(n *engine.NewAgent) { n.Presence = p }
}

func (f *fixture) rule(s engine.RuleSpec) engine.Rule {
	f.t.Helper()
	r, err := f.e.CreateRule(f.ctx, f.owner, s)
	if err != nil {
		f.t.Fatalf("create rule %q: %v", s.Name, err)
	}
	return r
}

// rr is a round-robin spec over handle:per_round pairs.
func rr(name, cond string, recips ...engine.RecipientSpec) engine.RuleSpec {
	return engine.RuleSpec{Name: name, Condition: cond, Mode: engine.RoundRobin, Recipients: recips}
}

func to(handle string, perRound int) engine.RecipientSpec {
	return engine.RecipientSpec{Agent: handle, PerRound: perRound}
}

func (f *fixture) lead(in engine.NewLead) engine.Created {
	f.t.Helper()
	if in.Name == "" && in.Email == "" && in.Phone == "" {
		in.Name = "Lead"
	}
	c, err := f.e.CreateLead(f.ctx, f.owner, in)
	if err != nil {
		f.t.Fatalf("create lead: %v", err)
	}
	return c
}

// owners creates n leads from source and returns each one's owner ("-" for none).
func (f *fixture) owners(n int, source string) []string {
	f.t.Helper()
	out := make([]string, n)
	for i := range out {
		c := f.lead(engine.NewLead{Name: "L", Source: source})
		out[i] = ownerOf(c.Lead)
	}
	return out
}

func ownerOf(l engine.Lead) string {
	if l.Owner == "" {
		return "-"
	}
	return l.Owner
}

func (f *fixture) presence(handle string, p engine.Presence) {
	f.t.Helper()
	if _, err := f.e.SetPresence(f.ctx, f.owner, handle, p); err != nil {
		f.t.Fatalf("set presence of %s: %v", handle, err)
	}
}

func (f *fixture) get(id int64) engine.Lead {
	f.t.Helper()
	d, err := f.e.Lead(f.ctx, f.owner, id)
	if err != nil {
		f.t.Fatalf("read lead #%d: %v", id, err)
	}
	return d.Lead
}

func (f *fixture) agentNamed(handle string) engine.Agent {
	f.t.Helper()
	a, err := f.e.Agent(f.ctx, f.owner, handle)
	if err != nil {
		f.t.Fatalf("read agent %s: %v", handle, err)
	}
	return a
}

// events reads the history of lead id (0: all history), oldest first.
func (f *fixture) events(leadID int64) []engine.Event {
	f.t.Helper()
	var out []engine.Event
	q := engine.HistoryQuery{LeadID: leadID, Limit: 1000}
	for {
		page, err := f.e.History(f.ctx, f.owner, q)
		if err != nil {
			f.t.Fatalf("read history: %v", err)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// eventsOf keeps the events of one kind.
func eventsOf(evs []engine.Event, kind engine.EventKind) []engine.Event {
	var out []engine.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// allLeads reads every lead, oldest first.
func (f *fixture) allLeads() []engine.Lead {
	f.t.Helper()
	var out []engine.Lead
	q := engine.LeadQuery{OldestFirst: true, Limit: 1000}
	for {
		page, err := f.e.ListLeads(f.ctx, f.owner, q)
		if err != nil {
			f.t.Fatalf("list leads: %v", err)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

// ownersInOrder is the owner of every lead, oldest first, joined by spaces.
func ownersInOrder(leads []engine.Lead) string {
	s := make([]string, len(leads))
	for i, l := range leads {
		s[i] = ownerOf(l)
	}
	return strings.Join(s, " ")
}

// mustKind fails unless err is an engine error of kind k.
func mustKind(t testing.TB, err error, k engine.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s error", k)
	}
	if got := engine.KindOf(err); got != k {
		t.Fatalf("got a %s error (%v), want %s", got, err, k)
	}
}
