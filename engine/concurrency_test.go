package engine_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// cycle repeats round's owners until n leads: the uninterrupted weighted sequence.
func cycle(n int, round ...string) string {
	out := make([]string, n)
	for i := range out {
		out[i] = round[i%len(round)]
	}
	return strings.Join(out, " ")
}

// weightedTeam is a, b, c, round robin a:2, b:1, c:1.
func weightedTeam(f *fixture) {
	f.t.Helper()
	f.agent("a")
	f.agent("b")
	f.agent("c")
	f.rule(rr("main", "", to("a", 2), to("b", 1), to("c", 1)))
}

// TestConcurrentCreates: 100 concurrent CreateLead calls (group commit) give the same
// owners as 100 in a row, in the order the writer committed them (lead ids).
func TestConcurrentCreates(t *testing.T) { eachStore(t, testConcurrentCreates) }

func testConcurrentCreates(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	weightedTeam(f)
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: fmt.Sprintf("L%d", i)}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	leads := f.allLeads()
	if got, want := ownersInOrder(leads), cycle(n, "a", "a", "b", "c"); got != want {
		t.Fatalf("owners in commit order:\n%s\nwant\n%s", got, want)
	}
	for _, l := range leads {
		if routed := eventsOf(f.events(l.ID), engine.EvLeadRouted); len(routed) != 1 || routed[0].To != l.Owner {
			t.Fatalf("lead #%d: routed events %+v, owner %s", l.ID, routed, l.Owner)
		}
	}
}

// TestTwoEnginesOneDatabase: two engines on one file, as two processes, creating leads
// at the same time: the rotation neither skips nor repeats, no lead is routed twice,
// and each engine's hub delivers history in id order without gaps.
func TestTwoEnginesOneDatabase(t *testing.T) { eachStore(t, testTwoEnginesOneDatabase) }

func testTwoEnginesOneDatabase(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	weightedTeam(f)
	st2, err := storage.Open(f.ctx, f.dsn, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	e2, err := engine.New(st2, engine.Options{Now: f.clock.Now, Location: time.UTC, TailInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()

	sub := f.e.Subscribe(100000)
	defer sub.Close()

	const perWorker, workers = 20, 3
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for _, e := range []*engine.Engine{f.e, e2} {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWorker {
					var err error
					if i%5 == 4 { // some batches too
						_, err = e.CreateLeads(f.ctx, f.owner, []engine.NewLead{{Name: "b1"}, {Name: "b2"}})
					} else {
						_, err = e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: fmt.Sprintf("w%d-%d", w, i)})
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	leads := f.allLeads()
	n := 2 * workers * (perWorker + perWorker/5)
	if len(leads) != n {
		t.Fatalf("%d leads, want %d", len(leads), n)
	}
	if got, want := ownersInOrder(leads), cycle(n, "a", "a", "b", "c"); got != want {
		t.Fatalf("owners in lead order:\n%s\nwant\n%s", got, want)
	}
	routed := map[int64]int{}
	for _, ev := range eventsOf(f.events(0), engine.EvLeadRouted) {
		routed[ev.LeadID]++
	}
	for _, l := range leads {
		if routed[l.ID] != 1 {
			t.Fatalf("lead #%d was routed %d times", l.ID, routed[l.ID])
		}
	}
	owned := map[string]int{}
	for _, l := range leads {
		owned[l.Owner]++
	}
	for _, a := range []string{"a", "b", "c"} {
		if got, want := f.agentNamed(a).OpenLeads, owned[a]; got != want {
			t.Fatalf("%s has open_leads %d, owns %d", a, got, want)
		}
	}

	// The hub of the first engine published both engines' history, in order, once.
	var last int64
	for drained := false; !drained; {
		select {
		case c := <-sub.C:
			if c.Resync {
				t.Fatal("resync with a buffer that fits everything")
			}
			for _, ev := range c.Events {
				if last != 0 && ev.ID != last+1 {
					t.Fatalf("hub went from event #%d to #%d", last, ev.ID)
				}
				last = ev.ID
			}
		default:
			drained = true
		}
	}
	if last == 0 {
		t.Fatal("the hub published nothing")
	}
}

// TestConcurrentStress: leads created while others bulk-reassign overlapping sets and
// flip presence. Afterwards every owner change has exactly one history event, the
// events replay to the owners stored, and open_leads matches.
func TestConcurrentStress(t *testing.T) { eachStore(t, testConcurrentStress) }

func testConcurrentStress(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.sync = "NORMAL"
	f.reopen()
	handles := []string{"a", "b", "c", "d"}
	for _, h := range handles {
		f.agent(h, withCapacity(15))
	}
	f.rule(rr("team", "", to("a", 2), to("b", 1), to("c", 1), to("d", 1)))
	disp := engine.AsAgent(f.agent("disp", withRole(engine.RoleDispatcher)))

	const creators, perCreator, movers, moves, flips = 4, 25, 2, 15, 30
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for c := range creators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perCreator {
				if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: fmt.Sprintf("c%d-%d", c, i)}); err != nil {
					report(err)
					return
				}
			}
		}()
	}
	for m := range movers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(m), 7))
			for range moves {
				// An overlapping window of the lead ids that exist by now (unknown ids are
				// refused as a whole, so stay below the count).
				n, err := f.e.CountLeads(f.ctx, disp, engine.LeadQuery{})
				if err != nil {
					report(err)
					return
				}
				if n < 2 {
					time.Sleep(time.Millisecond)
					continue
				}
				lo := 1 + rng.IntN(n/2+1)
				var ids []int64
				for id := lo; id <= min(n, lo+10); id++ {
					ids = append(ids, int64(id))
				}
				switch rng.IntN(4) {
				case 0:
					_, err = f.e.Unassign(f.ctx, disp, ids, "stress")
				case 1:
					_, err = f.e.Reroute(f.ctx, disp, ids)
				default:
					_, err = f.e.Assign(f.ctx, disp, ids, handles[rng.IntN(len(handles))], "stress")
				}
				if err != nil {
					report(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(99, 1))
		for range flips {
			p := []engine.Presence{engine.Available, engine.Away, engine.Busy}[rng.IntN(3)]
			if _, err := f.e.SetPresence(f.ctx, disp, handles[rng.IntN(len(handles))], p); err != nil {
				report(err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	leads := f.allLeads()
	if len(leads) != creators*perCreator {
		t.Fatalf("%d leads, want %d", len(leads), creators*perCreator)
	}
	// Replay the owner changes of every lead.
	owner := map[int64]string{}
	changes := 0
	for _, ev := range f.events(0) {
		if !ev.Kind.ChangesOwner() {
			continue
		}
		changes++
		if ev.From != owner[ev.LeadID] {
			t.Fatalf("event #%d (%s) says lead #%d moved from %q, but it was %q", ev.ID, ev.Kind, ev.LeadID, ev.From, owner[ev.LeadID])
		}
		if ev.Kind == engine.EvLeadUnassigned {
			if ev.To != "" {
				t.Fatalf("unassign event #%d to %q", ev.ID, ev.To)
			}
		} else if ev.To == "" || ev.To == ev.From {
			t.Fatalf("event #%d (%s) changes nothing: %q → %q", ev.ID, ev.Kind, ev.From, ev.To)
		}
		owner[ev.LeadID] = ev.To
	}
	if changes < len(leads)/2 {
		t.Fatalf("only %d owner changes for %d leads: the stress did not stress", changes, len(leads))
	}
	open := map[string]int{}
	for _, l := range leads {
		if owner[l.ID] != l.Owner {
			t.Fatalf("lead #%d is owned by %q, its history says %q", l.ID, l.Owner, owner[l.ID])
		}
		if l.Owner != "" && l.Status.Open() {
			open[l.Owner]++
		}
		if (l.Owner == "") != (l.Waiting != engine.WaitingNone) {
			t.Fatalf("lead #%d: owner %q but waiting %q", l.ID, l.Owner, l.Waiting)
		}
	}
	agents, err := f.e.Agents(f.ctx, f.owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if a.OpenLeads != open[a.Handle] {
			t.Fatalf("%s: open_leads %d, history says %d", a.Handle, a.OpenLeads, open[a.Handle])
		}
	}
}

// TestHubSlowSubscriber: a subscriber that never reads does not hold up the writer and
// ends up with a Resync; one that reads gets every event, in order.
func TestHubSlowSubscriber(t *testing.T) { eachStore(t, testHubSlowSubscriber) }

func testHubSlowSubscriber(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	weightedTeam(f)
	slow := f.e.Subscribe(2)
	fast := f.e.Subscribe(10000)
	defer fast.Close()
	if n := f.e.Hub().Subscribers(); n != 2 {
		t.Fatalf("%d subscribers, want 2", n)
	}
	const n = 30
	for i := range n {
		f.lead(engine.NewLead{Name: fmt.Sprintf("L%d", i)})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.lead(engine.NewLead{Name: fmt.Sprintf("C%d", i)})
		}()
	}
	wg.Wait()

	first := <-slow.C
	if !first.Resync {
		t.Fatalf("the slow subscriber's first change is %+v, want a Resync", first)
	}
	slow.Close()
	slow.Close()       // twice is fine
	for range slow.C { // what was buffered after the Resync, then closed
	}
	if n := f.e.Hub().Subscribers(); n != 1 {
		t.Fatalf("%d subscribers after Close, want 1", n)
	}

	var kinds []engine.EventKind
	var ids []int64
	for len(kinds) < 4*n {
		select {
		case c := <-fast.C:
			if c.Resync {
				t.Fatal("the fast subscriber got a Resync")
			}
			for _, ev := range c.Events {
				if ev.Kind.Subject() == "lead" {
					kinds = append(kinds, ev.Kind)
				}
				ids = append(ids, ev.ID)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the fast subscriber got %d lead events, want %d", len(kinds), 4*n)
		}
	}
	if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
		t.Fatalf("events out of order: %v", ids)
	}
	for i := 0; i < len(kinds); i += 2 {
		if kinds[i] != engine.EvLeadCreated || kinds[i+1] != engine.EvLeadRouted {
			t.Fatalf("events %d–%d: %s %s, want created then routed", i, i+1, kinds[i], kinds[i+1])
		}
	}
}
