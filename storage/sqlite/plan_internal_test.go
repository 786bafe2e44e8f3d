package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestReturningLookupUsesTheIndex: the returning-lead lookup searches each key's index
// by key and time, whatever the number of leads: SQLite's plan names both indexes, and
// no step scans leads (the sort it shows is of the two hits at most).
func TestReturningLookupUsesTheIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.writer.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+returningQuery, "x", "y", 0)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	text := strings.Join(plan, "; ")
	for _, want := range []string{
		"SEARCH leads USING INDEX leads_email_key (email_key=? AND created_at>?)",
		"SEARCH leads USING INDEX leads_phone_key (phone_key=? AND created_at>?)",
		"SEARCH l USING INTEGER PRIMARY KEY (rowid=?)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "SCAN leads") || strings.Contains(text, "SCAN l ") {
		t.Errorf("plan %q scans leads", text)
	}
}
