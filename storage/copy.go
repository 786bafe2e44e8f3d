package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/storage/postgres"
	"github.com/switchboard/switchboard/storage/sqlite"
)

// kind is how a column is kept in SQLite, so that it is written as PostgreSQL keeps it.
type kind int

const (
	plain  kind = iota // the same value on both sides: integers, text
	millis             // SQLite: Unix milliseconds; PostgreSQL: timestamptz
	flag               // SQLite: 0 or 1; PostgreSQL: boolean
	jsonb              // SQLite: JSON text; PostgreSQL: jsonb
	bytes              // SQLite: BLOB; PostgreSQL: bytea
)

type column struct {
	name string
	kind kind
}

type table struct {
	name    string
	columns []column
	order   string // the copy's order: parents' ids before their children's
}

func cols(spec ...any) []column {
	var out []column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, column{name: spec[i].(string), kind: spec[i+1].(kind)})
	}
	return out
}

// team is every table of a team with every column, parents before the tables that
// refer to them. TestCopyCoversTheSchemas fails when a migration adds a table or a
// column that is not here.
var team = []table{
	{"agents", cols("id", plain, "handle", plain, "name", plain, "email", plain, "role", plain, "presence", plain,
		"capacity", plain, "daily_cap", plain, "email_notify", flag, "webhook_url", plain, "webhook_secret", plain,
		"away_since", millis, "open_leads", plain, "last_assigned_at", millis, "created_at", millis, "removed_at", millis,
		"tz", plain, "schedule", plain, "schedule_next_at", millis, "away_until", millis, "auto_presence", flag,
		"auto_away_from", plain, "seen_at", millis), "id"},
	{"agent_keys", cols("id", plain, "agent_id", plain, "fingerprint", plain, "public_key", plain, "comment", plain,
		"created_at", millis), "id"},
	{"agent_days", cols("agent_id", plain, "day", plain, "auto_assigned", plain), "agent_id, day"},
	{"console_sessions", cols("id", plain, "agent_id", plain, "via", plain, "opened_at", millis, "expires_at", millis), "id"},
	{"teams", cols("id", plain, "name", plain, "created_at", millis, "updated_at", millis), "id"},
	{"team_members", cols("team_id", plain, "position", plain, "agent_id", plain), "team_id, position"},
	{"leads", cols("id", plain, "external_id", plain, "source", plain, "name", plain, "email", plain, "phone", plain,
		"company", plain, "tags", jsonb, "fields", jsonb, "status", plain, "owner_id", plain, "waiting", plain,
		"wait_reason", plain, "created_at", millis, "assigned_at", millis, "first_contact_at", millis,
		"sla_due_at", millis, "sla_action", plain, "sla_missed_by", jsonb, "updated_at", millis,
		"email_key", plain, "phone_key", plain, "returning_of", plain, "returning_by", plain,
		"first_assigned_at", millis, "contact_owner_id", plain, "contact_assigned_at", millis, "sla_met", flag), "id"},
	{"rules", cols("id", plain, "name", plain, "position", plain, "enabled", flag, "condition", plain, "mode", plain,
		"share_access", plain, "share_duration_ms", plain, "sla_ms", plain, "sla_action", plain, "turn_agent_id", plain, "turn_given", plain,
		"last_agent_id", plain, "created_at", millis, "updated_at", millis), "id"},
	{"rule_recipients", cols("rule_id", plain, "position", plain, "agent_id", plain, "team_id", plain, "per_round", plain), "rule_id, position"},
	{"shares", cols("id", plain, "lead_id", plain, "agent_id", plain, "access", plain, "status", plain,
		"created_at", millis, "expires_at", millis, "ended_at", millis, "created_by", plain, "via", plain), "id"},
	{"events", cols("id", plain, "at", millis, "kind", plain, "actor", plain, "lead_id", plain, "agent", plain,
		"rule_id", plain, "from_value", plain, "to_value", plain, "reason", plain, "routing", jsonb), "id"},
	{"notifications", cols("id", plain, "agent_id", plain, "event_id", plain, "lead_id", plain, "kind", plain,
		"text", plain, "created_at", millis, "read_at", millis), "id"},
	{"outbox", cols("id", plain, "event_id", plain, "agent_id", plain, "channel", plain, "target", plain,
		"payload", plain, "status", plain, "attempts", plain, "next_attempt_at", millis, "last_error", plain,
		"created_at", millis, "delivered_at", millis), "id"},
	{"settings", cols("key", plain, "value", plain), "key"},
	{"tokens", cols("id", plain, "name", plain, "role", plain, "prefix", plain, "hash", bytes,
		"created_at", millis, "created_by", plain, "revoked_at", millis), "id"},
	{"forms", cols("id", plain, "name", plain, "source", plain, "key", plain, "prefix", plain, "redirect", plain,
		"origins", jsonb, "dropped", plain, "created_at", millis, "created_by", plain, "deleted_at", millis), "id"},
}

// Copied is what CopyToPostgres copied: rows by table, in copy order.
type Copied []TableCount

// TableCount is one table's rows.
type TableCount struct {
	Table string
	Rows  int64
}

// CopyToPostgres copies the team in the SQLite database at path into the PostgreSQL
// database at url, which must be empty (it is made up to date first): every table, in
// one transaction, read from one snapshot of the file. Before committing it counts
// every table on both sides and refuses any difference; it leaves each id sequence
// and the history journal past the copied ids, so that ids – and every rule's rotation
// – go on where they stopped. Nothing is written unless everything is.
func CopyToPostgres(ctx context.Context, path, url string, opts Options) (Copied, error) {
	if k, err := KindOf(path); err != nil || k != SQLite {
		return nil, fmt.Errorf("migrate copies from a SQLite file: %s is not one", Redact(path))
	}
	if k, err := KindOf(url); err != nil || k != Postgres {
		return nil, fmt.Errorf("migrate copies into a PostgreSQL database (postgres://…): %s is not one", Redact(url))
	}
	src, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, url, postgres.Options{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	var copied Copied
	err = src.Snapshot(ctx, func(stx *sql.Tx) error {
		return dst.Import(ctx, func(ptx pgx.Tx) error {
			copied = nil
			for _, t := range team {
				n, err := copyTable(ctx, stx, ptx, t)
				if err != nil {
					return err
				}
				copied = append(copied, TableCount{Table: t.name, Rows: n})
			}
			return nil
		})
	})
	if errors.Is(err, postgres.ErrNotEmpty) {
		return nil, fmt.Errorf("cannot copy into %s: %w; migrate copies into an empty database only", Redact(url), err)
	}
	if err != nil {
		return nil, err
	}
	return copied, nil
}

// copyTable copies one table and checks that both sides count the same rows.
func copyTable(ctx context.Context, stx *sql.Tx, ptx pgx.Tx, t table) (int64, error) {
	var want int64
	if err := stx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&want); err != nil {
		return 0, fmt.Errorf("counting %s in SQLite: %w", t.name, err)
	}
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	query := `SELECT `
	for i, n := range names {
		if i > 0 {
			query += ", "
		}
		query += n
	}
	rows, err := stx.QueryContext(ctx, query+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", t.name, err)
	}
	defer rows.Close()
	n, err := ptx.CopyFrom(ctx, pgx.Identifier{t.name}, names, &source{rows: rows, t: t})
	if err != nil {
		return 0, fmt.Errorf("copying %s: %w", t.name, err)
	}
	var got int64
	if err := ptx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&got); err != nil {
		return 0, fmt.Errorf("counting %s in PostgreSQL: %w", t.name, err)
	}
	if n != want || got != want {
		return 0, fmt.Errorf("%s: %d rows in SQLite, %d copied, %d in PostgreSQL: nothing was copied", t.name, want, n, got)
	}
	return got, nil
}

// source feeds a SQLite table's rows to COPY, each value as PostgreSQL keeps it.
type source struct {
	rows *sql.Rows
	t    table
	vals []any
	err  error
}

func (s *source) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	raw := make([]any, len(s.t.columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	s.vals = make([]any, len(raw))
	for i, c := range s.t.columns {
		if s.vals[i], s.err = convert(raw[i], c.kind); s.err != nil {
			s.err = fmt.Errorf("%s.%s: %w", s.t.name, c.name, s.err)
			return false
		}
	}
	return true
}

func (s *source) Values() ([]any, error) { return s.vals, s.err }

func (s *source) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// convert turns a value as SQLite keeps it into one PostgreSQL keeps; NULL stays NULL.
func convert(v any, k kind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case millis:
		ms, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("a time of type %T", v)
		}
		return time.UnixMilli(ms).UTC(), nil
	case flag:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("a flag of type %T", v)
		}
		return n != 0, nil
	case jsonb:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
		return nil, fmt.Errorf("JSON of type %T", v)
	case bytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("bytes of type %T", v)
	}
	return v, nil
}
