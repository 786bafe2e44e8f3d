// Package storage opens the store a --db names: a file path is a SQLite database
// (storage/sqlite), a postgres:// or postgresql:// URL a PostgreSQL one
// (storage/postgres). Anything else that looks like a URL is refused, so that a typo in
// a URL never becomes a file of that name.
package storage

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage/postgres"
	"github.com/switchboard/switchboard/storage/sqlite"
)

// Options tune Open. Each applies to the stores that name it.
type Options struct {
	// Synchronous is SQLite's synchronous pragma (default FULL: every commit is on disk
	// before it returns).
	Synchronous string
	// ReadConns caps the connections that serve reads (default 8): SQLite's read pool;
	// PostgreSQL's pool holds one more, for the writer.
	ReadConns int
	// Logger receives what a store reports in the background (PostgreSQL: losing the
	// connection that hears other nodes' commits). Default slog.Default().
	Logger *slog.Logger
}

// Kind is what kind of store a --db names.
type Kind string

const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// scheme matches the start of a URL: "name://".
var scheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// KindOf says which store dsn names, or why none does.
func KindOf(dsn string) (Kind, error) {
	if strings.TrimSpace(dsn) == "" {
		return "", fmt.Errorf("no database given: give a file path")
	}
	if m := scheme.FindStringSubmatch(dsn); m != nil {
		switch strings.ToLower(m[1]) {
		case "postgres", "postgresql":
			return Postgres, nil
		}
		return "", fmt.Errorf("%q is a %s:// URL, which switchboard cannot open: give a file path (SQLite) or a postgres:// URL (PostgreSQL)", Redact(dsn), m[1])
	}
	return SQLite, nil
}

// Open opens the store dsn names, creating a SQLite file if there is none (a
// PostgreSQL database must exist), and brings its schema up to date.
func Open(ctx context.Context, dsn string, opts Options) (engine.Store, error) {
	kind, err := KindOf(dsn)
	if err != nil {
		return nil, err
	}
	switch kind {
	case Postgres:
		var conns int32
		if opts.ReadConns > 0 {
			conns = int32(opts.ReadConns) + 1
		}
		return postgres.Open(ctx, dsn, postgres.Options{MaxConns: conns, Logger: opts.Logger})
	default:
		return sqlite.Open(dsn, sqlite.Options{Synchronous: opts.Synchronous, ReadConns: opts.ReadConns})
	}
}

// Redact is dsn fit for a log or an error message: a URL's password is replaced, and
// so is a password=… parameter of its query.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
