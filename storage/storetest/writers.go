package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testSavepoints: a command rolled back to its savepoint is undone alone; the others in
// the transaction commit.
func testSavepoints(e *env) {
	t := e.t
	e.write(func(tx engine.WriteTx) error {
		for _, h := range []string{"kept1", "undone", "kept2"} {
			if err := tx.Savepoint(); err != nil {
				return err
			}
			a := engine.Agent{Handle: h, Name: h, Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
			if err := tx.InsertAgent(&a); err != nil {
				return err
			}
			if err := tx.InsertEvent(&engine.Event{At: at, Kind: engine.EvAgentAdded, Actor: "system", Agent: h}); err != nil {
				return err
			}
			if h == "undone" {
				// A command fails after a failed statement too: a store whose transaction
				// is broken by an error must recover at the savepoint.
				dup := engine.Agent{Handle: "kept1", Name: "dup", Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
				if err := tx.InsertAgent(&dup); err == nil {
					return fmt.Errorf("a second agent kept1 was stored")
				}
				if err := tx.RollbackToSavepoint(); err != nil {
					return err
				}
			}
			if err := tx.ReleaseSavepoint(); err != nil {
				return err
			}
		}
		return nil
	})
	var got []string
	for _, a := range read(e, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() }) {
		got = append(got, a.Handle)
	}
	if !reflect.DeepEqual(got, []string{"kept1", "kept2"}) {
		t.Errorf("agents = %v, want kept1 kept2", got)
	}
	evs := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{Ascending: true}) })
	if len(evs) != 2 || evs[0].Agent != "kept1" || evs[1].Agent != "kept2" {
		t.Errorf("history = %+v, want kept1's and kept2's events", evs)
	}
	// A rolled back transaction leaves nothing.
	tx, err := e.s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertAgent(&engine.Agent{Handle: "never", Name: "n", Role: engine.RoleAgent, Presence: engine.Offline, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	_, err = tryRead(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByHandle("never") })
	mustNoRows(t, "an agent of a rolled back transaction", err)
}

// testFailedWriteIsTheCommands: a write that fails – at once, or when a store that holds
// writes back sends it – fails by the savepoint's release at the latest; the savepoint
// rolls it back, and the transaction goes on and commits the other commands.
func testFailedWriteIsTheCommands(e *env) {
	t := e.t
	l := e.lead(engine.Lead{Name: "kept"})
	e.write(func(tx engine.WriteTx) error {
		if err := tx.Savepoint(); err != nil {
			return err
		}
		bad := l
		bad.Name, bad.OwnerID = "changed", 999999 // no such agent
		err := tx.UpdateLead(&bad)
		if err == nil {
			err = tx.ReleaseSavepoint()
		}
		if err == nil {
			return fmt.Errorf("a lead owned by a missing agent was stored")
		}
		if err := tx.RollbackToSavepoint(); err != nil {
			return fmt.Errorf("rolling back after the failed write: %w", err)
		}
		if err := tx.ReleaseSavepoint(); err != nil {
			return err
		}
		if err := tx.Savepoint(); err != nil {
			return err
		}
		if err := tx.SetSetting("company", "after"); err != nil {
			return err
		}
		return tx.ReleaseSavepoint()
	})
	if got := read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(l.ID) }); got.Name != "kept" || got.OwnerID != 0 {
		t.Errorf("the lead after the failed write: %+v", got)
	}
	if v := read(e, func(r engine.Reader) (string, error) { return r.Setting("company") }); v != "after" {
		t.Errorf("the command after the failed one: company = %q", v)
	}
}

// testEventIDsAfterRollback: the ids of events undone with their savepoint, or their
// transaction, are handed out again: history has no holes.
func testEventIDsAfterRollback(e *env) {
	t := e.t
	first := e.event(engine.Event{Kind: engine.EvSetting})
	tx, err := e.s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertEvent(&engine.Event{At: at, Kind: engine.EvSetting, Actor: "system"}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	var kept, undone, after engine.Event
	e.write(func(tx engine.WriteTx) error {
		kept = engine.Event{At: at, Kind: engine.EvSetting, Actor: "system", Reason: "kept"}
		if err := tx.InsertEvent(&kept); err != nil {
			return err
		}
		if err := tx.Savepoint(); err != nil {
			return err
		}
		undone = engine.Event{At: at, Kind: engine.EvSetting, Actor: "system", Reason: "undone"}
		if err := tx.InsertEvent(&undone); err != nil {
			return err
		}
		if err := tx.RollbackToSavepoint(); err != nil {
			return err
		}
		if err := tx.ReleaseSavepoint(); err != nil {
			return err
		}
		after = engine.Event{At: at, Kind: engine.EvSetting, Actor: "system", Reason: "after"}
		return tx.InsertEvent(&after)
	})
	if kept.ID != first.ID+1 || undone.ID != kept.ID+1 || after.ID != undone.ID {
		t.Errorf("event ids: first %d, kept %d, undone %d, after %d; want %d, %d, %d, %d",
			first.ID, kept.ID, undone.ID, after.ID, first.ID, first.ID+1, first.ID+2, first.ID+2)
	}
	evs := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{Ascending: true}) })
	if got := eventIDs(evs); !reflect.DeepEqual(got, []int64{first.ID, kept.ID, after.ID}) || evs[2].Reason != "after" {
		t.Errorf("history %+v", evs)
	}
}

// testSnapshot: a read sees what was committed before it began and nothing committed
// while it runs.
func testSnapshot(e *env) {
	t := e.t
	e.lead(engine.Lead{})
	err := e.s.Read(ctx, func(r engine.Reader) error {
		before, err := r.CountLeads(engine.LeadFilter{})
		if err != nil {
			return err
		}
		e.lead(engine.Lead{}) // committed while the read runs
		e.event(engine.Event{Kind: engine.EvSetting})
		after, err := r.CountLeads(engine.LeadFilter{})
		if err != nil {
			return err
		}
		last, err := r.LastEventID()
		if err != nil {
			return err
		}
		if before != 1 || after != 1 || last != 0 {
			t.Errorf("inside one read: %d leads, then %d, and event #%d; want 1, 1 and none", before, after, last)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := read(e, func(r engine.Reader) (int, error) { return r.CountLeads(engine.LeadFilter{}) }); n != 2 {
		t.Errorf("a later read: %d leads, want 2", n)
	}
}

// again opens a second store on e's database.
func (e *env) again() engine.Store {
	e.t.Helper()
	ro, ok := e.s.(Reopener)
	if !ok {
		e.t.Fatalf("%T cannot be opened again on its database (storetest.Reopener)", e.s)
	}
	s, err := ro.Reopen()
	if err != nil {
		e.t.Fatalf("opening the database again: %v", err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

// testOneWriter: two stores on one database (two processes) serialise their write
// transactions, and the second reads what the first committed: what a write
// transaction reads is never stale.
func testOneWriter(e *env) {
	t := e.t
	other := e.again()
	tx1, err := e.s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := engine.Agent{Handle: "first", Name: "First", Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
	if err := tx1.InsertAgent(&a); err != nil {
		t.Fatal(err)
	}
	seen := make(chan []engine.Agent, 1)
	errs := make(chan error, 1)
	go func() {
		tx2, err := other.Begin(ctx) // waits for tx1
		if err != nil {
			errs <- err
			return
		}
		defer tx2.Rollback()
		agents, err := tx2.Agents()
		if err != nil {
			errs <- err
			return
		}
		seen <- agents
	}()
	// Give the second writer time to queue behind the first. Were it not kept waiting,
	// it would read the team without the first writer's agent and fail below: this
	// sleep decides nothing on its own.
	time.Sleep(50 * time.Millisecond)
	select {
	case agents := <-seen:
		t.Fatalf("a second writer began while the first was open, and read %+v", agents)
	default:
	}
	if err := tx1.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	case agents := <-seen:
		if len(agents) != 1 || agents[0].Handle != "first" {
			t.Fatalf("the second writer saw %+v, want the first writer's agent", agents)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the second writer never began")
	}
}

// testEventIDsFollowCommits: writers on two handles of one database append history
// while a reader tails it by id; the tail sees every event once, in id order, and
// never skips one that commits later.
func testEventIDsFollowCommits(e *env) {
	t := e.t
	stores := []engine.Store{e.s, e.again()}
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stores[w%2]
			for i := range perWriter {
				tx, err := st.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				for j := range 1 + i%3 {
					ev := engine.Event{At: at, Kind: engine.EvSetting, Actor: "system", Reason: fmt.Sprintf("w%d-%d-%d", w, i, j)}
					if err := tx.InsertEvent(&ev); err != nil {
						tx.Rollback()
						errs <- err
						return
					}
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var tail []engine.Event
	var last int64
	poll := func(t *testing.T) {
		page, err := tryRead(e, func(r engine.Reader) ([]engine.Event, error) {
			return r.Events(engine.EventFilter{Ascending: true, AfterID: last})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page {
			if ev.ID <= last {
				t.Fatalf("the tail got event #%d after #%d", ev.ID, last)
			}
			last = ev.ID
		}
		tail = append(tail, page...)
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
			poll(t)
		}
	}
	poll(t) // what committed after the last poll in the loop
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{Ascending: true}) })
	want := 0
	for i := range perWriter {
		want += writers * (1 + i%3)
	}
	if len(all) != want {
		t.Fatalf("%d events stored, want %d", len(all), want)
	}
	if got := eventIDs(tail); !reflect.DeepEqual(got, eventIDs(all)) {
		missing := slices.DeleteFunc(eventIDs(all), func(id int64) bool { return slices.Contains(got, id) })
		t.Fatalf("the tail read %d of %d events; it skipped %v", len(tail), len(all), missing)
	}
}

// testUnchanged: a write transaction is Unchanged exactly when nothing committed since
// the same handle's previous one ended – not at the first, yes after its own commit or
// rollback, not after another handle's commit, yes again after that.
func testUnchanged(e *env) {
	t := e.t
	other := e.again()
	begin := func(s engine.Store) engine.WriteTx {
		t.Helper()
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	n := 0
	step := func(what string, s engine.Store, want bool, end func(tx engine.WriteTx) error) {
		t.Helper()
		tx := begin(s)
		if got := tx.Unchanged(); got != want {
			t.Errorf("%s: Unchanged() = %v, want %v", what, got, want)
		}
		n++
		a := engine.Agent{Handle: fmt.Sprintf("a%d", n), Name: "A", Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
		if err := tx.InsertAgent(&a); err != nil {
			t.Fatal(err)
		}
		if err := end(tx); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	commit := func(tx engine.WriteTx) error { return tx.Commit() }
	rollback := func(tx engine.WriteTx) error { return tx.Rollback() }
	step("a handle's first transaction", e.s, false, commit)
	step("after its own commit", e.s, true, rollback)
	step("after its own rollback", e.s, true, commit)
	step("the other handle's first transaction", other, false, commit)
	step("after the other handle committed", e.s, false, commit)
	step("after nothing else committed", e.s, true, commit)
	step("the other handle, after the first committed twice", other, false, rollback)
	step("after the other handle rolled back", e.s, true, commit)
}

// testIDsAcrossWriters: a writer that waited for another's lock gives its new rows ids
// after the other's, though both held them back until their commit.
func testIDsAcrossWriters(e *env) {
	t := e.t
	other := e.again()
	tx1, err := e.s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := engine.Lead{Name: "first", Source: "web", Status: engine.StatusNew, CreatedAt: at, UpdatedAt: at}
	if err := insertLead(tx1, &first); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var second engine.Lead
	go func() {
		tx2, err := other.Begin(ctx) // waits for tx1
		if err != nil {
			done <- err
			return
		}
		second = engine.Lead{Name: "second", Source: "web", Status: engine.StatusNew, CreatedAt: at, UpdatedAt: at}
		if err := insertLead(tx2, &second); err != nil {
			tx2.Rollback()
			done <- err
			return
		}
		done <- tx2.Commit()
	}()
	// Let the second writer queue behind the first (were it not kept waiting, the ids
	// would follow anyway: this sleep decides nothing on its own).
	time.Sleep(50 * time.Millisecond)
	if err := tx1.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the second writer: %v", err)
	}
	if second.ID <= first.ID {
		t.Errorf("the second writer's lead is #%d, the first's #%d", second.ID, first.ID)
	}
	for _, l := range []engine.Lead{first, second} {
		got := read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(l.ID) })
		if got.Name != l.Name {
			t.Errorf("lead #%d is %q, want %q", l.ID, got.Name, l.Name)
		}
	}
}
