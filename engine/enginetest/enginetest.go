// Package enginetest starts engines on real stores, for the tests of the engine and of
// the packages built on it (the HTTP API, the console, the SSH server, the CLI).
package enginetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// Open starts an engine on the database dsn names (a SQLite file, created if need be, or
// a PostgreSQL URL),
// or on a new SQLite file in the test's temp dir when dsn is "". The engine and the
// store are closed when the test ends.
func Open(tb testing.TB, dsn string, so storage.Options, eo engine.Options) *engine.Engine {
	tb.Helper()
	if dsn == "" {
		dsn = filepath.Join(tb.TempDir(), "switchboard.db")
	}
	st := OpenStore(tb, dsn, so)
	eng, err := engine.New(st, eo)
	if err != nil {
		tb.Fatalf("starting the engine: %v", err)
	}
	tb.Cleanup(func() { eng.Close() })
	return eng
}

// OpenStore opens the store dsn names; it is closed when the test ends.
func OpenStore(tb testing.TB, dsn string, so storage.Options) engine.Store {
	tb.Helper()
	st, err := storage.Open(context.Background(), dsn, so)
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// Store is a kind of store that tests run on.
type Store struct {
	Name string // "sqlite" or "postgres"
	// NewDatabase makes a new, empty database and returns what --db would name it by.
	// It is removed when the test ends.
	NewDatabase func(tb testing.TB) string
}

// SQLite is the store every test can run on: a file in the test's temp dir.
var SQLite = Store{
	Name:        "sqlite",
	NewDatabase: func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "switchboard.db") },
}

// Postgres is a database of its own on the PostgreSQL server that
// SWITCHBOARD_TEST_POSTGRES names, dropped when the test ends; without the variable
// the test is skipped, saying how to run it.
var Postgres = Store{Name: "postgres", NewDatabase: pgtest.NewDatabase}

// Stores are the stores the engine's behaviour is tested on: SQLite always, PostgreSQL
// too (it skips without a server).
func Stores() []Store { return []Store{SQLite, Postgres} }

// EachStore runs fn as a subtest on every store of Stores.
func EachStore(t *testing.T, fn func(t *testing.T, s Store)) {
	t.Helper()
	for _, s := range Stores() {
		t.Run(s.Name, func(t *testing.T) {
			if s.Name == Postgres.Name && pgtest.Server() == "" {
				t.Skip(pgtest.SkipMessage)
			}
			fn(t, s)
		})
	}
}
