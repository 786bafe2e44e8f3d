package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage/postgres"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
	"github.com/switchboard/switchboard/storage/storetest"
)

var ctx = context.Background()

func open(t *testing.T, url string) *postgres.Postgres {
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
