package storetest

import (
	"errors"
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testReturningLead: the lookup behind returning leads finds the most recent owned lead
// created since a time whose e-mail (any case, trimmed) or phone (its digits and
// leading +) is the one asked for, follows changes of e-mail, phone and owner, and
// keeps a lead's returning_of and returning_by.
func testReturningLead(e *env) {
	t := e.t
	a := e.agent("ada")
	owned := func(l engine.Lead) engine.Lead {
		l.OwnerID = a.ID
		return e.lead(l)
	}
	first := owned(engine.Lead{Email: " Ada@Example.com ", Phone: "+1 (555) 010-0199", CreatedAt: at.Add(-2 * time.Hour)})
	second := owned(engine.Lead{Email: "ada@example.com", CreatedAt: at.Add(-time.Hour)})
	e.lead(engine.Lead{Email: "ada@example.com", Phone: "+15550100199", CreatedAt: at}) // no owner
	byPhone := owned(engine.Lead{Phone: "+15550100199", CreatedAt: at.Add(-30 * time.Minute)})
	old := owned(engine.Lead{Email: "old@example.com", CreatedAt: at.Add(-48 * time.Hour)})
	owned(engine.Lead{Email: "tie@example.com", CreatedAt: at})
	tieB := owned(engine.Lead{Email: "tie@example.com", CreatedAt: at})

	since := at.Add(-3 * time.Hour)
	lookup := func(email, phone string, since time.Time) (int64, error) {
		l, err := tryRead(e, func(r engine.Reader) (engine.Lead, error) { return r.ReturningLead(email, phone, since) })
		return l.ID, err
	}
	for _, tc := range []struct {
		name         string
		email, phone string
		since        time.Time
		want         int64 // 0: none
	}{
		{"by e-mail, the most recent owned one", "ada@example.com", "", since, second.ID},
		{"by phone", "", "+15550100199", since, byPhone.ID},
		{"by either, the more recent", "ada@example.com", "+15550100199", since, byPhone.ID},
		{"created exactly at since", "old@example.com", "", at.Add(-48 * time.Hour), old.ID},
		{"created a millisecond before since", "old@example.com", "", at.Add(-48*time.Hour + time.Millisecond), 0},
		{"created at the same time: the higher id", "tie@example.com", "", since, tieB.ID},
		{"no keys", "", "", since, 0},
		{"nobody", "nobody@example.com", "", since, 0},
	} {
		got, err := lookup(tc.email, tc.phone, tc.since)
		switch {
		case tc.want == 0 && !errors.Is(err, engine.ErrNoRows):
			t.Errorf("%s: lead #%d, %v; want ErrNoRows", tc.name, got, err)
		case tc.want != 0 && (err != nil || got != tc.want):
			t.Errorf("%s: lead #%d, %v; want #%d", tc.name, got, err, tc.want)
		}
	}

	// Keys follow the lead: a new e-mail, and an owner taken away.
	second.Email = "new@example.com"
	byPhone.OwnerID, byPhone.Status = 0, engine.StatusNew
	e.write(func(tx engine.WriteTx) error {
		if err := tx.UpdateLead(&second); err != nil {
			return err
		}
		return tx.UpdateLead(&byPhone)
	})
	if got, err := lookup("ada@example.com", "", since); err != nil || got != first.ID {
		t.Errorf("after the second lead's e-mail changed: #%d %v, want #%d", got, err, first.ID)
	}
	if got, err := lookup("new@example.com", "", since); err != nil || got != second.ID {
		t.Errorf("by the new e-mail: #%d %v, want #%d", got, err, second.ID)
	}
	if got, err := lookup("", "+15550100199", since); err != nil || got != first.ID {
		t.Errorf("by phone once its newest lead has no owner: #%d %v, want #%d", got, err, first.ID)
	}

	// Many keys at once find what each finds alone, each lead once.
	emails := []string{"ada@example.com", "new@example.com", "tie@example.com", "old@example.com", "nobody@example.com", ""}
	phones := []string{"+15550100199", "+10000000000", ""}
	want := map[int64]bool{}
	for _, k := range emails {
		if id, err := lookup(k, "", since); err == nil {
			want[id] = true
		}
	}
	for _, k := range phones {
		if id, err := lookup("", k, since); err == nil {
			want[id] = true
		}
	}
	many := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.ReturningLeads(emails, phones, since) })
	got := map[int64]bool{}
	for _, l := range many {
		if got[l.ID] {
			t.Errorf("ReturningLeads lists lead #%d twice", l.ID)
		}
		got[l.ID] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReturningLeads found %v, the lookups one key at a time %v", got, want)
	}
	if none := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.ReturningLeads(nil, []string{""}, since) }); len(none) != 0 {
		t.Errorf("no keys found %d leads", len(none))
	}

	back := e.lead(engine.Lead{Email: "ada@example.com", ReturningOf: first.ID, ReturningBy: "email and phone", CreatedAt: at})
	stored := read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(back.ID) })
	if stored.ReturningOf != first.ID || stored.ReturningBy != "email and phone" {
		t.Errorf("returning_of %d by %q, want #%d by email and phone", stored.ReturningOf, stored.ReturningBy, first.ID)
	}
}
