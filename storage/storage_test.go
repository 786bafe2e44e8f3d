package storage_test

import (
	"strings"
	"testing"

	"github.com/switchboard/switchboard/storage"
)

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		dsn  string
		kind storage.Kind
		err  string
	}{
		{dsn: "team.db", kind: storage.SQLite},
		{dsn: "/var/lib/switchboard/team.db", kind: storage.SQLite},
		{dsn: "./postgres:team.db", kind: storage.SQLite}, // a file whose name has a colon
		{dsn: "C:team.db", kind: storage.SQLite},
		{dsn: "postgres://sb@db.example.com/team", kind: storage.Postgres},
		{dsn: "postgresql://sb@db.example.com/team?sslmode=require", kind: storage.Postgres},
		{dsn: "POSTGRES://db/team", kind: storage.Postgres},
		{dsn: "", err: "no database given"},
		{dsn: "mysql://root@localhost/team", err: `is a mysql:// URL, which switchboard cannot open: give a file path (SQLite) or a postgres:// URL`},
		{dsn: "file://team.db", err: "file:// URL"},
	} {
		kind, err := storage.KindOf(c.dsn)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("KindOf(%q) = %v, %v; want an error with %q", c.dsn, kind, err, c.err)
			}
			continue
		}
		if err != nil || kind != c.kind {
			t.Errorf("KindOf(%q) = %v, %v; want %v", c.dsn, kind, err, c.kind)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"team.db":                          "team.db",
		"postgres://sb:hunter2@db:5432/sb": "postgres://sb:xxxxx@db:5432/sb",
		"postgres://db/sb?password=hunter2&sslmode=require": "postgres://db/sb?password=xxxxx&sslmode=require",
		"postgres://sb@db/sb":                               "postgres://sb@db/sb",
	} {
		if got := storage.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
