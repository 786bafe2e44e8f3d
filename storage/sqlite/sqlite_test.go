package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage/sqlite"
	"github.com/switchboard/switchboard/storage/storetest"
)

var ctx = context.Background()

// TestConformance is the store's contract (storage/storetest) on SQLite files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) engine.Store {
		return open(t, filepath.Join(t.TempDir(), "sb.db"))
	})
}

func open(t *testing.T, path string) *sqlite.SQLite {
	t.Helper()
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// write runs fn in one committed write transaction.
func write(t *testing.T, s *sqlite.SQLite, fn func(tx engine.WriteTx) error) {
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

func read[T any](t *testing.T, s *sqlite.SQLite, fn func(r engine.Reader) (T, error)) T {
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

func addAgent(t *testing.T, s *sqlite.SQLite, handle string) engine.Agent {
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
	_, err = sqlite.Open(path, sqlite.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 999, newer than this switchboard knows") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

// TestCountsMigration: a database made while triggers kept the agents' open leads keeps
// exact counts after the migration that hands them to the engine, even counts that had
// drifted, and has no triggers left on leads but the one that forbids deleting.
func TestCountsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"0001_init.sql", "0002_tokens.sql"} {
		body, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, q := range []string{
		`PRAGMA user_version = 2`,
		`INSERT INTO agents (id, handle, name, role, presence, created_at) VALUES (1, 'a', 'A', 'agent', 'available', 0)`,
		`INSERT INTO leads (source, name, status, owner_id, created_at, updated_at) VALUES ('web', 'x', 'assigned', 1, 0, 0)`,
		`INSERT INTO leads (source, name, status, owner_id, created_at, updated_at) VALUES ('web', 'y', 'won', 1, 0, 0)`,
		`INSERT INTO leads (source, name, status, owner_id, created_at, updated_at) VALUES ('web', 'z', 'contacted', 1, 0, 0)`,
		`UPDATE agents SET open_leads = 7`, // drifted
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := open(t, path)
	a := read(t, s, func(r engine.Reader) (engine.Agent, error) { return r.Agent(1) })
	if a.OpenLeads != 2 {
		t.Errorf("open leads after the migration: %d, want 2", a.OpenLeads)
	}
	var triggers []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		triggers = append(triggers, n)
	}
	if strings.Join(triggers, " ") != "events_no_delete events_no_update leads_no_delete" {
		t.Errorf("triggers %v, want only the append-only guards", triggers)
	}
}

func TestOpenRefusesUnknownSynchronous(t *testing.T) {
	_, err := sqlite.Open(filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{Synchronous: "fast"})
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

// TestAppendOnly: history can be neither changed nor deleted, leads never deleted,
// whatever writes to the file.
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

// TestFilesArePrivate: the database, its WAL and its shared-memory file are 0600,
// whatever the umask; a database left readable by others is tightened when opened.
func TestFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sb.db")
	s := open(t, path)
	write(t, s, func(tx engine.WriteTx) error { return tx.SetSetting("company", "Acme") })
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", filepath.Base(p), mode)
		}
	}
	s.Close()

	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(old, 0o644); err != nil {
		t.Fatal(err)
	}
	open(t, old)
	if info, err := os.Stat(old); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("an old 0644 database is %v after opening (%v), want 0600", info.Mode().Perm(), err)
	}
}

// TestReturningMigration: leads stored before e-mail and phone were indexed for
// returning leads get their keys when the migration runs, as the engine computes them.
func TestReturningMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	before := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_returning.sql") {
			break
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		before++
	}
	for _, q := range []string{
		fmt.Sprintf(`PRAGMA user_version = %d`, before),
		`INSERT INTO agents (id, handle, name, role, presence, created_at) VALUES (1, 'a', 'A', 'agent', 'available', 0)`,
		`INSERT INTO leads (id, source, email, phone, status, owner_id, created_at, updated_at) VALUES (1, 'web', ' Ada@Example.COM', '', 'assigned', 1, 1000, 1000)`,
		`INSERT INTO leads (id, source, email, phone, status, owner_id, created_at, updated_at) VALUES (2, 'web', '', '+1 (555) 010-0199', 'assigned', 1, 2000, 2000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := open(t, path)
	for _, tc := range []struct {
		email, phone string
		want         int64
	}{{"ada@example.com", "", 1}, {"", "+15550100199", 2}} {
		l := read(t, s, func(r engine.Reader) (engine.Lead, error) {
			return r.ReturningLead(tc.email, tc.phone, time.UnixMilli(0))
		})
		if l.ID != tc.want {
			t.Errorf("%q %q: lead #%d, want #%d", tc.email, tc.phone, l.ID, tc.want)
		}
	}
}
