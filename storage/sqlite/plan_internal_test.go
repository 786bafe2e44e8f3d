package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
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
	text := plan(t, s, returningQuery, "x", "y", 0)
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

// plan is SQLite's query plan for query, its steps joined by "; ".
func plan(t *testing.T, s *SQLite, query string, args ...any) string {
	t.Helper()
	rows, err := s.writer.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "; ")
}

// TestHistoryQueriesUseIndexes: each way history is read uses the index kept for it,
// and only those: a lead's history (events_lead), an agent's – what names it, what it
// did, what was taken from it – and what an agent may see (events_agent and
// events_actor, which leave out events naming nobody and actors that are no person,
// and events_kind_at for the reassignments), a kind (events_kind), a subject (a range
// of kinds, of either), the tail (the ids); the statistics' own are in
// TestStatsQueriesUseIndexes. Newest first, with or without a
// "since", the newest events are read first; no query searches by time alone, so there
// is no index on it.
func TestHistoryQueriesUseIndexes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		f     engine.EventFilter
		want  []string
		scans bool // reads back from the newest event, as a limit wants
	}{
		{"newest", engine.EventFilter{Limit: 100}, nil, true},
		{"since", engine.EventFilter{Since: now, Limit: 100}, nil, true},
		{"a lead", engine.EventFilter{LeadID: 5, Limit: 100}, []string{"USING INDEX events_lead (lead_id=?)"}, false},
		{"an agent", engine.EventFilter{Agent: "bob", Limit: 100}, []string{
			"USING INDEX events_agent (agent=?)", "USING INDEX events_actor (actor=?)", "USING INDEX events_kind_at (kind=?)"}, false},
		{"a kind", engine.EventFilter{Kind: "lead.routed", Limit: 100}, []string{"USING INDEX events_kind (kind=?)"}, false},
		{"a subject", engine.EventFilter{Kind: "lead", Limit: 100}, []string{"(kind>? AND kind<?)"}, false},
		{"what an agent sees", engine.EventFilter{VisibleTo: 3, VisibleToHandle: "bob", Now: now, Limit: 100}, []string{
			"USING INDEX events_agent (agent=?)", "USING INDEX events_actor (actor=?)", "USING INDEX events_lead (lead_id=?)"}, false},
		{"the tail", engine.EventFilter{Ascending: true, AfterID: 10, Limit: 1000}, []string{"USING INTEGER PRIMARY KEY (rowid>?)"}, false},
	} {
		query, args := eventsQuery(c.f)
		text := plan(t, s, query, args...)
		for _, want := range c.want {
			if !strings.Contains(text, want) {
				t.Errorf("%s: plan %q lacks %q", c.name, text, want)
			}
		}
		if scans := strings.Contains(text, "SCAN e"); scans != c.scans {
			t.Errorf("%s: plan %q reads all of history: %v, want %v", c.name, text, scans, c.scans)
		}
		if strings.Contains(text, "events_at ") {
			t.Errorf("%s: plan %q searches by time alone", c.name, text)
		}
	}
}

// TestStatsQueriesUseIndexes: each query of the stats reads one range of the index made
// for it – from the index alone, but for routing decisions' matched rules – and never
// sorts or builds a temporary b-tree, so that a window costs what is in it, however
// long the history before it.
func TestStatsQueriesUseIndexes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type check struct {
		name, query string
		args        []any
		want        string
	}
	checks := []check{
		{"leads created", statsCreatedQuery, []any{0, 1}, "SEARCH leads USING COVERING INDEX leads_created (created_at>? AND created_at<?)"},
		{"first contacts", statsContactsQuery, []any{0, 1}, "SEARCH leads USING COVERING INDEX leads_contacted (first_contact_at>? AND first_contact_at<?)"},
		{"leads per hour", createdEveryQuery, []any{0, 1, 3600000}, "SEARCH leads USING COVERING INDEX leads_created (created_at>? AND created_at<?)"},
	}
	for _, kind := range []engine.EventKind{engine.EvLeadRouted, engine.EvLeadQueued, engine.EvLeadAssigned, engine.EvLeadReassigned, engine.EvLeadSLAMissed} {
		query, _ := statsHistoryQuery(kind, &statsDecision{}, &sql.NullString{})
		// Routing decisions read their events for the rules they matched; the rest
		// is in the index.
		want := "SEARCH events USING COVERING INDEX events_kind_at (kind=? AND at>? AND at<?)"
		if kind == engine.EvLeadRouted || kind == engine.EvLeadQueued {
			want = "SEARCH events USING INDEX events_kind_at (kind=? AND at>? AND at<?)"
		}
		checks = append(checks, check{string(kind), query, []any{string(kind), 0, 1}, want})
	}
	for _, c := range checks {
		text := plan(t, s, c.query, c.args...)
		if !strings.Contains(text, c.want) || strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN leads") ||
			strings.Count(text, "SEARCH") != 1 {
			t.Errorf("%s: plan %q, want one %q and no sort", c.name, text, c.want)
		}
	}
}

// TestExternalLookupUsesTheIndex: a batch's duplicates are looked up by source and
// external id through leads_external, however many leads there are.
func TestExternalLookupUsesTheIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text := plan(t, s, externalStatements[4], "a", "1", "a", "2", "b", "1", "b", "2")
	if !strings.Contains(text, "USING INDEX leads_external") || strings.Contains(text, "SCAN l ") {
		t.Errorf("plan %q does not look the keys up in leads_external", text)
	}
}
