package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage/postgres"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
	"github.com/switchboard/switchboard/storage/storetest"
)

var ctx = context.Background()

func open(t testing.TB, url string) *postgres.Postgres {
	t.Helper()
	s, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance is the store's contract (storage/storetest) on PostgreSQL, each test
// on a database of its own.
func TestConformance(t *testing.T) {
	if pgtest.Server() == "" {
		t.Skip(pgtest.SkipMessage)
	}
	storetest.Run(t, func(t *testing.T) engine.Store { return open(t, pgtest.NewDatabase(t)) })
}

// TestMigrations: a new database gets every migration; opening it again (or from a
// second node) applies nothing and keeps the data; a database a newer switchboard has
// migrated is refused.
func TestMigrations(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	v, err := s.Version(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.SetSetting("company", "kept"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, url)
	if v2, _ := s.Version(ctx); v2 != v {
		t.Fatalf("version after reopening %d, want %d", v2, v)
	}
	err = s.Read(ctx, func(r engine.Reader) error {
		c, err := r.Setting("company")
		if c != "kept" {
			t.Errorf("setting after reopening: %q, %v", c, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	exec(t, url, `UPDATE switchboard_schema SET version = 999`)
	_, err = postgres.Open(ctx, url, postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 999, newer than this switchboard knows") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

func exec(t *testing.T, url, sql string) error {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// TestAppendOnly: history can be neither changed nor deleted, leads never deleted,
// whatever writes to the database.
func TestAppendOnly(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := engine.Lead{Name: "L", Source: "web", Status: engine.StatusNew}
	if err := tx.InsertLead(&l); err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertEvent(&engine.Event{Kind: engine.EvLeadCreated, Actor: "system", LeadID: l.ID}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		`UPDATE events SET actor = 'mallory'`: "history is append-only",
		`DELETE FROM events`:                  "history is append-only",
		`TRUNCATE events CASCADE`:             "history is append-only",
		`DELETE FROM leads`:                   "leads are never deleted",
		`TRUNCATE leads CASCADE`:              "leads are never deleted",
	} {
		if err := exec(t, url, q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestReturningMigration: leads stored before e-mail and phone were indexed for
// returning leads get their keys when the migration runs, as the engine computes them.
func TestReturningMigration(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
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
		if _, err := conn.Exec(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		before++
	}
	for _, q := range []string{
		`CREATE TABLE switchboard_schema (version integer NOT NULL)`,
		fmt.Sprintf(`INSERT INTO switchboard_schema (version) VALUES (%d)`, before),
		`INSERT INTO agents (id, handle, name, role, presence, created_at) VALUES (1, 'a', 'A', 'agent', 'available', now())`,
		`INSERT INTO leads (id, source, email, phone, status, owner_id, created_at, updated_at) VALUES (1, 'web', ' Ada@Example.COM', '', 'assigned', 1, now(), now())`,
		`INSERT INTO leads (id, source, email, phone, status, owner_id, created_at, updated_at) VALUES (2, 'web', '', '+1 (555) 010-0199', 'assigned', 1, now(), now())`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := open(t, url)
	for _, tc := range []struct {
		email, phone string
		want         int64
	}{{"ada@example.com", "", 1}, {"", "+15550100199", 2}} {
		var got engine.Lead
		err := s.Read(ctx, func(r engine.Reader) (err error) {
			got, err = r.ReturningLead(tc.email, tc.phone, time.UnixMilli(0))
			return err
		})
		if err != nil || got.ID != tc.want {
			t.Errorf("%q %q: lead #%d %v, want #%d", tc.email, tc.phone, got.ID, err, tc.want)
		}
	}
}
