package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// TestLeadUpdateIndexes: an update of leads writes the indexes of the groups it sets
// and no other. SQLite opens for writing each index whose entries the statement may
// rewrite (EXPLAIN's OpenWrite, by root page): none for the columns every update sets,
// and for each group only the indexes its comment names. A reassignment rewrites
// leads_owner and the three indexes whose WHERE names the owner, not leads_created or
// leads_contacted.
func TestLeadUpdateIndexes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		groups uint8
		want   []string
	}{
		{0, nil},
		{1, []string{"leads_email_key", "leads_owner", "leads_phone_key", "leads_queue"}},
		{2, []string{"leads_sla_due"}},
		{4, []string{"leads_contacted", "leads_created"}},
		{allGroups, []string{"leads_contacted", "leads_created", "leads_email_key", "leads_owner", "leads_phone_key",
			"leads_queue", "leads_sla_due"}},
	} {
		if got := indexesWritten(t, s, leadUpdateStatement(c.groups, 4)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("groups %03b: the update writes %v, want %v", c.groups, got, c.want)
		}
	}
}

// indexesWritten are the indexes a statement opens for writing, by name, sorted.
func indexesWritten(t *testing.T, s *SQLite, query string) []string {
	t.Helper()
	ctx := context.Background()
	roots := map[int64]string{}
	rows, err := s.writer.QueryContext(ctx, `SELECT rootpage, name FROM sqlite_schema WHERE type = 'index'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var root int64
		var name string
		if err := rows.Scan(&root, &name); err != nil {
			t.Fatal(err)
		}
		roots[root] = name
	}
	rows.Close()
	rows, err = s.writer.QueryContext(ctx, "EXPLAIN "+query, make([]any, strings.Count(query, "?"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var addr, p1, p2, p3 int64
		var op string
		var p4, comment any
		var p5 int64
		if err := rows.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &comment); err != nil {
			t.Fatal(err)
		}
		if name, ok := roots[p2]; ok && op == "OpenWrite" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// TestUpdateLeadWritesWhatChanged: updates that set only the groups they change leave
// every column as the lead is, through updates held together, written at once, after a
// savepoint rolled back, and of a lead written in full.
func TestUpdateLeadWritesWhatChanged(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return now.Add(time.Duration(m) * time.Minute) }
	w, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var agents []engine.Agent
	for _, h := range []string{"ann", "bob"} {
		a := engine.Agent{Handle: h, Name: h, Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: now}
		if err := w.InsertAgent(&a); err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	leads := make([]engine.Lead, 3)
	for i := range leads {
		leads[i] = engine.Lead{Name: "L", Email: "l@example.com", Source: "web", Status: engine.StatusAssigned,
			OwnerID: agents[0].ID, Owner: "ann", CreatedAt: now, UpdatedAt: now, AssignedAt: now, FirstAssignedAt: now,
			Tags: []string{}, Fields: map[string]any{}}
		if err := w.InsertLead(&leads[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func(step string, tx engine.Tx) {
		t.Helper()
		for _, want := range leads {
			got, err := tx.Lead(want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
				for i := range gv.NumField() {
					if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
						t.Errorf("%s: lead #%d: %s is %#v, want %#v", step, want.ID, gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
					}
				}
			}
		}
	}
	update := func(tx engine.WriteTx, i int, change func(l *engine.Lead)) {
		t.Helper()
		change(&leads[i])
		if err := tx.UpdateLead(&leads[i]); err != nil {
			t.Fatal(err)
		}
	}
	w, err = s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range leads { // read, so that updates are held
		if _, err := w.Lead(leads[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	reassign := func(l *engine.Lead) {
		l.OwnerID, l.Owner, l.AssignedAt, l.UpdatedAt = agents[1].ID, "bob", at(1), at(1)
		l.SLADueAt, l.SLAAction = at(30), engine.SLAReroute
	}
	update(w, 0, reassign)
	update(w, 1, func(l *engine.Lead) { l.UpdatedAt, l.Fields = at(1), map[string]any{"budget": 5.0} })
	check("owner and fields held together", w) // the read writes them

	if err := w.Savepoint(); err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(leads)
	update(w, 2, reassign)
	update(w, 0, func(l *engine.Lead) {
		l.Status, l.FirstContactAt, l.ContactOwnerID, l.ContactAssignedAt, l.SLAMet = engine.StatusContacted, at(2), agents[1].ID, at(1), true
		l.SLADueAt, l.SLAAction, l.UpdatedAt = time.Time{}, "", at(2)
	})
	check("contact and a second owner", w)
	if err := w.RollbackToSavepoint(); err != nil {
		t.Fatal(err)
	}
	leads = before
	check("rolled back", w)
	update(w, 0, func(l *engine.Lead) { l.Waiting, l.UpdatedAt = engine.WaitingManual, at(3) })
	update(w, 1, func(l *engine.Lead) { l.Name, l.UpdatedAt = "Renamed", at(3) }) // written in full
	update(w, 1, func(l *engine.Lead) { l.OwnerID, l.Owner, l.UpdatedAt = 0, "", at(4) })
	if err := w.ReleaseSavepoint(); err != nil {
		t.Fatal(err)
	}
	check("after the savepoint", w)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Read(ctx, func(r engine.Reader) error {
		for _, want := range leads {
			got, err := r.Lead(want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("committed: lead #%d is\n%+v, want\n%+v", want.ID, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
