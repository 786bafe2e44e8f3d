// Package pgtest gives tests a PostgreSQL database of their own: created empty on the
// server SWITCHBOARD_TEST_POSTGRES names, dropped when the test ends, so that tests may
// run in parallel. Without the variable the tests that need one are skipped, saying how
// to run them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the server: a postgres:// URL of a database the tests
// may connect to as a user that may create databases.
const Env = "SWITCHBOARD_TEST_POSTGRES"

// SkipMessage says why a test did not run, and how to run it.
const SkipMessage = "PostgreSQL tests skipped: set " + Env + "=postgres://root@127.0.0.1:5432/test to run them"

// Server is the server's URL, or "" when the tests are to skip.
func Server() string { return os.Getenv(Env) }

// NewDatabase creates an empty database sb_test_<random> and returns its URL; it is
// dropped when the test ends. It skips the test when Env is unset.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := Server()
	if server == "" {
		tb.Skip(SkipMessage)
	}
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", Env, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "sb_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	admin := func(sql string) error {
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(`CREATE DATABASE ` + name); err != nil {
		tb.Fatalf("creating a test database on %s: %v", Env, err)
	}
	tb.Cleanup(func() {
		if err := admin(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
