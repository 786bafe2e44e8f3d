package engine_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// node is a second engine on the fixture's database, as another process (or another
// `serve` node on PostgreSQL) would run it.
func (f *fixture) node(opts engine.Options) *engine.Engine {
	f.t.Helper()
	st, err := storage.Open(f.ctx, f.dsn, storage.Options{})
	if err != nil {
		f.t.Fatalf("opening the database again: %v", err)
	}
	if opts.Now == nil {
		opts.Now = f.now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	e, err := engine.New(st, opts)
	if err != nil {
		st.Close()
		f.t.Fatalf("starting a second engine: %v", err)
	}
	f.t.Cleanup(func() {
		e.Close()
		st.Close()
	})
	return e
}

// waitFor reads sub until an event satisfies ok; the deadline only keeps a broken
// build from hanging.
func waitFor(t *testing.T, sub *engine.Subscription, what string, ok func(engine.Event) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case c, open := <-sub.C:
			if !open {
				t.Fatalf("waiting for %s: the subscription closed", what)
			}
			for _, ev := range c.Events {
				if ok(ev) {
					return
				}
			}
		case <-deadline:
			t.Fatalf("%s never reached the other engine", what)
		}
	}
}

// TestNodesHearEachOther: on PostgreSQL, a commit on one node reaches the hub of
// another at once through LISTEN/NOTIFY – here with no polling at all – and still does
// after the listening connection is cut (it reconnects and catches up).
func TestNodesHearEachOther(t *testing.T) {
	f := newFixture(t, enginetest.Postgres)
	f.agent("a")
	f.rule(rr("main", "", to("a", 1)))
	b := f.node(engine.Options{TailInterval: -1})
	sub := b.Subscribe(1024)
	defer sub.Close()

	first := f.lead(engine.NewLead{Name: "first"}).Lead
	waitFor(t, sub, "a lead created on the first node", func(ev engine.Event) bool {
		return ev.Kind == engine.EvLeadRouted && ev.LeadID == first.ID
	})

	// Cut every listening connection on the database; the node reconnects.
	conn, err := pgx.Connect(f.ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(f.ctx)
	var cut int
	if err := conn.QueryRow(f.ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%'`).Scan(&cut); err != nil {
		t.Fatal(err)
	}
	if cut == 0 {
		t.Fatal("no listening connection to cut")
	}
	second := f.lead(engine.NewLead{Name: "second"}).Lead
	waitFor(t, sub, "a lead created after the listener was cut", func(ev engine.Event) bool {
		return ev.Kind == engine.EvLeadRouted && ev.LeadID == second.ID
	})
}

// TestShareExpiresOnce: a share that ends while two engines run on one database is
// expired once – one share.expired event, one notice – however the engines' timers and
// explicit calls race.
func TestShareExpiresOnce(t *testing.T) { eachStore(t, testShareExpiresOnce) }

func testShareExpiresOnce(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.rule(rr("main", "", to("a", 1)))
	l := f.lead(engine.NewLead{Name: "L"}).Lead
	if _, err := f.e.Share(f.ctx, f.owner, engine.NewShare{LeadID: l.ID, Agent: "b", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	nodes := []*engine.Engine{f.e, f.node(engine.Options{}), f.node(engine.Options{})}
	f.clock.Add(2 * time.Hour)
	var wg sync.WaitGroup
	for _, e := range nodes {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.ExpireShares(f.ctx); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if exp := eventsOf(f.events(l.ID), engine.EvShareExpired); len(exp) != 1 {
		t.Fatalf("%d share.expired events, want 1: %+v", len(exp), exp)
	}
	notes, _, err := f.e.Notifications(f.ctx, engine.AsAgent(f.agentNamed("b")), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range notes {
		if x.Kind == engine.EvShareExpired {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("b was told %d times that its access ended, want once", n)
	}
}

// TestNodesShareOneRotation: on PostgreSQL, 32 callers spread over two nodes create
// leads at once; the weighted rotation runs unbroken over every lead in commit order,
// each lead is routed once, and each node's hub hands out all history in id order
// with no gap, its own commits and the other node's.
func TestNodesShareOneRotation(t *testing.T) {
	f := newFixture(t, enginetest.Postgres)
	weightedTeam(f)
	nodes := []*engine.Engine{f.e, f.node(engine.Options{TailInterval: -1})}
	subs := make([]*engine.Subscription, len(nodes))
	for i, e := range nodes {
		subs[i] = e.Subscribe(100000)
		defer subs[i].Close()
	}
	const callers, each = 32, 10
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := nodes[(c+i)%2] // each caller alternates between the nodes
				if _, err := e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: fmt.Sprintf("c%d-%d", c, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	leads := f.allLeads()
	if len(leads) != callers*each {
		t.Fatalf("%d leads, want %d", len(leads), callers*each)
	}
	if got, want := ownersInOrder(leads), cycle(len(leads), "a", "a", "b", "c"); got != want {
		t.Fatalf("owners in commit order:\n%s\nwant\n%s", got, want)
	}
	routed := map[int64]int{}
	for _, ev := range eventsOf(f.events(0), engine.EvLeadRouted) {
		routed[ev.LeadID]++
	}
	for _, l := range leads {
		if routed[l.ID] != 1 {
			t.Fatalf("lead #%d routed %d times", l.ID, routed[l.ID])
		}
	}
	last, err := lastEventID(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, sub := range subs {
		var ids []int64
		deadline := time.After(30 * time.Second)
		for len(ids) == 0 || ids[len(ids)-1] < last {
			select {
			case c := <-sub.C:
				if c.Resync {
					t.Fatalf("node %d: resync", i)
				}
				for _, ev := range c.Events {
					ids = append(ids, ev.ID)
				}
			case <-deadline:
				t.Fatalf("node %d's hub stopped at event #%d of %d", i, ids[len(ids)-1], last)
			}
		}
		for j := 1; j < len(ids); j++ {
			if ids[j] != ids[j-1]+1 {
				t.Fatalf("node %d's hub: event #%d after #%d", i, ids[j], ids[j-1])
			}
		}
	}
}

func lastEventID(f *fixture) (int64, error) {
	var last int64
	err := f.store.Read(f.ctx, func(r engine.Reader) (err error) {
		last, err = r.LastEventID()
		return err
	})
	return last, err
}

// BenchmarkNodeToNode measures, on PostgreSQL, how long a lead committed on one node
// takes to reach a subscriber – what a console reads – on another node: from its
// arrival on the first node's hub (right after the commit) to its arrival on the
// second's. Leads are created one at a time at about 200 a second. The figure is in
// README; nothing here asserts a time.
func BenchmarkNodeToNode(b *testing.B) {
	f := newFixture(b, enginetest.Postgres)
	f.agent("a")
	f.rule(rr("main", "", to("a", 1)))
	other := f.node(engine.Options{})
	here, there := f.e.Subscribe(1<<16), other.Subscribe(1<<16)
	defer here.Close()
	defer there.Close()
	type seen struct {
		mu sync.Mutex
		at map[int64]time.Time
	}
	watch := func(sub *engine.Subscription, s *seen) {
		for c := range sub.C {
			now := time.Now()
			s.mu.Lock()
			for _, ev := range c.Events {
				if ev.Kind == engine.EvLeadCreated {
					s.at[ev.LeadID] = now
				}
			}
			s.mu.Unlock()
		}
	}
	a, z := &seen{at: map[int64]time.Time{}}, &seen{at: map[int64]time.Time{}}
	go watch(here, a)
	go watch(there, z)
	ctx := context.Background()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var ids []int64
	b.ResetTimer()
	for b.Loop() {
		<-tick.C
		c, err := f.e.CreateLead(ctx, f.owner, engine.NewLead{Name: "L"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, c.Lead.ID)
	}
	b.StopTimer()
	deadline := time.Now().Add(30 * time.Second)
	var lat []time.Duration
	for _, id := range ids {
		for {
			a.mu.Lock()
			ta, okA := a.at[id]
			a.mu.Unlock()
			z.mu.Lock()
			tz, okZ := z.at[id]
			z.mu.Unlock()
			if okA && okZ {
				lat = append(lat, tz.Sub(ta))
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("lead #%d never reached both hubs", id)
			}
			time.Sleep(time.Millisecond)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(slices.Max(lat).Microseconds())/1000, "max-ms")
}
