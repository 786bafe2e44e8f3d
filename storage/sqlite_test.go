package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

var ctx = context.Background()

func open(t *testing.T, path string) *storage.SQLite {
	t.Helper()
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// write runs fn in one committed write transaction.
func write(t *testing.T, s *storage.SQLite, fn func(tx engine.WriteTx) error) {
	t.Helper()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		t.Fatalf("write: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func read[T any](t *testing.T, s *storage.SQLite, fn func(r engine.Reader) (T, error)) T {
	t.Helper()
	var out T
	err := s.Read(ctx, func(r engine.Reader) (err error) {
		out, err = fn(r)
		return err
	})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return out
}

var at = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func addAgent(t *testing.T, s *storage.SQLite, handle string) engine.Agent {
	t.Helper()
	a := engine.Agent{Handle: handle, Name: handle, Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
	write(t, s, func(tx engine.WriteTx) error { return tx.InsertAgent(&a) })
	return a
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	s := open(t, path)
	v, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	if v != len(files) {
		t.Fatalf("schema version %d, want %d (one per migration)", v, len(files))
	}
	addAgent(t, s, "kept")
	s.Close()

	// Opening again applies nothing and keeps the data.
	s = open(t, path)
	if v2, _ := s.Version(ctx); v2 != v {
		t.Fatalf("version after reopen %d, want %d", v2, v)
	}
	if a := read(t, s, func(r engine.Reader) (engine.Agent, error) { return r.AgentByHandle("kept") }); a.Name != "kept" {
		t.Fatalf("agent after reopen: %+v", a)
	}
	s.Close()

	// A database from a newer switchboard is refused, untouched.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = storage.Open(path, storage.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 999, newer than this switchboard knows") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

func TestOpenRefusesUnknownSynchronous(t *testing.T) {
	_, err := storage.Open(filepath.Join(t.TempDir(), "sb.db"), storage.Options{Synchronous: "fast"})
	if err == nil || !strings.Contains(err.Error(), `unknown synchronous mode "fast"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestPathWithURICharacters: the path is a file name, not a URI: '?', '#' and '%' in it
// name that very file.
func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "team #1 ?100%")
	path := filepath.Join(dir, "sb.db")
	s := open(t, path)
	addAgent(t, s, "x")
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			t.Fatalf("stray file %s next to the database directory", e.Name())
		}
	}
}

// TestSavepoints: a command rolled back to its savepoint is undone alone; the others in
// the transaction commit.
func TestSavepoints(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "sb.db"))
	write(t, s, func(tx engine.WriteTx) error {
		for _, h := range []string{"kept1", "undone", "kept2"} {
			if err := tx.Savepoint(); err != nil {
				return err
			}
			a := engine.Agent{Handle: h, Name: h, Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
			if err := tx.InsertAgent(&a); err != nil {
				return err
			}
			if h == "undone" {
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
	agents := read(t, s, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() })
	var got []string
	for _, a := range agents {
		got = append(got, a.Handle)
	}
	if !reflect.DeepEqual(got, []string{"kept1", "kept2"}) {
		t.Fatalf("agents = %v", got)
	}
}

// TestWriteLockAcrossProcesses: two stores on one file (two processes) serialise their
// write transactions, and the second one reads what the first committed: state read
// inside a write transaction is never stale.
func TestWriteLockAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	s1 := open(t, path)
	s2 := open(t, path)
	tx1, err := s1.Begin(ctx)
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
		tx2, err := s2.Begin(ctx) // waits for tx1's lock
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
	time.Sleep(50 * time.Millisecond) // give the second writer time to queue on the lock
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
		t.Fatal("the second writer never got the lock")
	}
}

// TestOpenLeadsFollowLeads: the triggers keep each agent's open_leads equal to the open
// leads it owns, whatever changes owner or status.
func TestOpenLeadsFollowLeads(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "sb.db"))
	a := addAgent(t, s, "a")
	b := addAgent(t, s, "b")
	leads := make([]engine.Lead, 4)
	write(t, s, func(tx engine.WriteTx) error {
		for i := range leads {
			leads[i] = engine.Lead{Name: "L", Source: "web", Status: engine.StatusAssigned, OwnerID: a.ID, CreatedAt: at, UpdatedAt: at, AssignedAt: at}
			if i == 3 {
				leads[i].OwnerID, leads[i].Status = 0, engine.StatusNew
			}
			if err := tx.InsertLead(&leads[i]); err != nil {
				return err
			}
		}
		return nil
	})
	load := func() (int, int) {
		agents := read(t, s, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() })
		return agents[0].OpenLeads, agents[1].OpenLeads
	}
	if na, nb := load(); na != 3 || nb != 0 {
		t.Fatalf("after insert: a %d b %d, want 3 0", na, nb)
	}
	steps := []struct {
		name   string
		change func(l *engine.Lead)
		lead   int
		wa, wb int
	}{
		{"reassign to b", func(l *engine.Lead) { l.OwnerID = b.ID }, 0, 2, 1},
		{"b wins it", func(l *engine.Lead) { l.Status = engine.StatusWon }, 0, 2, 0},
		{"a closed lead moves to a", func(l *engine.Lead) { l.OwnerID = a.ID }, 0, 2, 0},
		{"reopened", func(l *engine.Lead) { l.Status = engine.StatusContacted }, 0, 3, 0},
		{"unassigned", func(l *engine.Lead) { l.OwnerID = 0 }, 1, 2, 0},
		{"queued lead assigned", func(l *engine.Lead) { l.OwnerID, l.Status = b.ID, engine.StatusAssigned }, 3, 2, 1},
		{"other fields only", func(l *engine.Lead) { l.Name = "Renamed" }, 3, 2, 1},
	}
	for _, st := range steps {
		l := &leads[st.lead]
		st.change(l)
		write(t, s, func(tx engine.WriteTx) error { return tx.UpdateLead(l) })
		if na, nb := load(); na != st.wa || nb != st.wb {
			t.Fatalf("%s: a %d b %d, want %d %d", st.name, na, nb, st.wa, st.wb)
		}
	}
}

// TestAppendOnly: history can be neither changed nor deleted, leads never deleted.
func TestAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	s := open(t, path)
	write(t, s, func(tx engine.WriteTx) error {
		l := engine.Lead{Name: "L", Source: "web", Status: engine.StatusNew, CreatedAt: at, UpdatedAt: at}
		if err := tx.InsertLead(&l); err != nil {
			return err
		}
		return tx.InsertEvent(&engine.Event{At: at, Kind: engine.EvLeadCreated, Actor: "system", LeadID: l.ID})
	})
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]string{
		`UPDATE events SET actor = 'mallory'`: "history is append-only",
		`DELETE FROM events`:                  "history is append-only",
		`DELETE FROM leads`:                   "leads are never deleted",
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestRoundTrip: what the engine writes reads back the same.
func TestRoundTrip(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "sb.db"))
	a := addAgent(t, s, "a")
	in := engine.Lead{
		ExternalID: "fb-1", Name: "Ada", Email: "ada@example.com", Phone: "+33 1", Company: "Acme", Source: "facebook",
		Tags: []string{"vip", "b2b"}, Fields: map[string]any{"budget": 5000.5, "city": "Lyon", "hot": true},
		Status: engine.StatusContacted, OwnerID: a.ID, CreatedAt: at, AssignedAt: at.Add(time.Second),
		FirstContactAt: at.Add(time.Minute), UpdatedAt: at.Add(time.Hour),
	}
	routing := &engine.Routing{Rule: 3, RuleName: "main", Mode: engine.RoundRobin, Owner: "a", Reason: "rule #3",
		PassedOver: []engine.PassedOver{{Agent: "b", Rule: 3, Reason: "away"}}}
	ev := engine.Event{At: at, Kind: engine.EvLeadRouted, Actor: "rule:3", Agent: "a", RuleID: 3, To: "a", Reason: "why", Routing: routing}
	write(t, s, func(tx engine.WriteTx) error {
		if err := tx.InsertLead(&in); err != nil {
			return err
		}
		ev.LeadID = in.ID
		return tx.InsertEvent(&ev)
	})
	got := read(t, s, func(r engine.Reader) (engine.Lead, error) { return r.LeadByExternalID("facebook", "fb-1") })
	want := in
	want.Owner = "a"
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.AssignedAt.Equal(want.AssignedAt) ||
		!got.FirstContactAt.Equal(want.FirstContactAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("times: %+v", got)
	}
	got.CreatedAt, got.AssignedAt, got.FirstContactAt, got.UpdatedAt = want.CreatedAt, want.AssignedAt, want.FirstContactAt, want.UpdatedAt
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lead:\n%+v\nwant\n%+v", got, want)
	}
	evs := read(t, s, func(r engine.Reader) ([]engine.Event, error) {
		return r.Events(engine.EventFilter{LeadID: in.ID, Limit: 10})
	})
	if len(evs) != 1 || !reflect.DeepEqual(evs[0].Routing, routing) || evs[0].ID != ev.ID || evs[0].Actor != "rule:3" {
		t.Fatalf("events: %+v", evs)
	}
	_, err := read2(s, func(r engine.Reader) (engine.Lead, error) { return r.Lead(999) })
	if !errors.Is(err, engine.ErrNoRows) {
		t.Fatalf("a missing lead: %v, want ErrNoRows", err)
	}
}

func read2[T any](s *storage.SQLite, fn func(r engine.Reader) (T, error)) (T, error) {
	var out T
	err := s.Read(ctx, func(r engine.Reader) (err error) {
		out, err = fn(r)
		return err
	})
	return out, err
}
