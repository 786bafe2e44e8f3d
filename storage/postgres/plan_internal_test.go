package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// TestReturningLookupUsesTheIndex: the returning-lead lookup can search each key's
// partial index by key and time (its conditions imply the indexes'), so that it costs
// the same at any number of leads. On an empty table the planner would rather scan,
// so sequential scans are turned off for the question.
func TestReturningLookupUsesTheIndex(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN `+returningQuery, "x", "y", "2026-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	for _, index := range []string{"leads_email_key", "leads_phone_key"} {
		if !strings.Contains(text, "Scan Backward using "+index) {
			t.Errorf("the plan does not search %s:\n%s", index, text)
		}
	}
	if strings.Contains(text, "Seq Scan") {
		t.Errorf("the plan scans a table:\n%s", text)
	}
}
