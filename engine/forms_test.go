package engine_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func TestFormsLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		form, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site", Source: " Web ",
			Redirect: "https://example.com/thanks", Origins: []string{"https://Example.com:443/", "http://localhost:8080", "https://example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(form.Key, "fk_") || len(form.Key) != 35 {
			t.Errorf("key %q, want fk_ and 32 characters", form.Key)
		}
		if form.Source != "web" || !reflect.DeepEqual(form.Origins, []string{"https://example.com", "http://localhost:8080"}) {
			t.Errorf("form %+v: want source web and the origins as browsers send them, once each", form)
		}
		if _, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site"}); engine.KindOf(err) != engine.KindConflict {
			t.Errorf("a second form named site: %v, want a conflict", err)
		}
		list, err := f.e.Forms(f.ctx, f.owner)
		if err != nil || len(list) != 1 || list[0].Key != form.Key {
			t.Fatalf("forms = %+v, %v; want site with its key", list, err)
		}
		got, ok, err := f.e.FormByKey(f.ctx, form.Key)
		if err != nil || !ok || got.Name != "site" {
			t.Fatalf("form by key: %+v %v %v", got, ok, err)
		}
		if _, err := f.e.DeleteForm(f.ctx, f.owner, "site"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.e.FormByKey(f.ctx, form.Key); ok {
			t.Error("a removed form's key still finds it")
		}
		_, err = f.e.SubmitForm(f.ctx, form.Key, []engine.FormValue{{"name", "Ada"}})
		mustKind(t, err, engine.KindNotFound)
		if _, err := f.e.DeleteForm(f.ctx, f.owner, "site"); engine.KindOf(err) != engine.KindNotFound {
			t.Errorf("removing site twice: %v, want not found", err)
		}
		var kinds []engine.EventKind
		for _, ev := range f.events(0) {
			kinds = append(kinds, ev.Kind)
		}
		if !reflect.DeepEqual(kinds, []engine.EventKind{engine.EvFormCreated, engine.EvFormDeleted}) {
			t.Errorf("history %v, want form.created, form.deleted", kinds)
		}
	})
}

func TestFormSettingsRefused(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	for _, tc := range []struct {
		name  string
		in    engine.NewForm
		field string
	}{
		{"name with a space", engine.NewForm{Name: "my site"}, "name"},
		{"no name", engine.NewForm{}, "name"},
		{"origin with a path", engine.NewForm{Name: "a", Origins: []string{"https://example.com/contact"}}, "origins"},
		{"origin without scheme", engine.NewForm{Name: "a", Origins: []string{"example.com"}}, "origins"},
		{"origin star", engine.NewForm{Name: "a", Origins: []string{"*"}}, "origins"},
		{"origin ftp", engine.NewForm{Name: "a", Origins: []string{"ftp://example.com"}}, "origins"},
		{"origin with ESC", engine.NewForm{Name: "a", Origins: []string{"https://exa\x1bmple.com"}}, "origins"},
		{"too many origins", engine.NewForm{Name: "a", Origins: make([]string, 21)}, "origins"},
		{"relative redirect", engine.NewForm{Name: "a", Redirect: "/thanks"}, "redirect"},
		{"javascript redirect", engine.NewForm{Name: "a", Redirect: "javascript:alert(1)"}, "redirect"},
		{"source with C1", engine.NewForm{Name: "a", Source: "we\u009bb"}, "source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.e.CreateForm(f.ctx, f.owner, tc.in)
			mustKind(t, err, engine.KindInvalid)
			var ee *engine.Error
			if engine.KindOf(err) == engine.KindInvalid && !(asEngineError(err, &ee) && ee.Field == tc.field) {
				t.Errorf("refusal %v names field %q, want %q", err, ee.Field, tc.field)
			}
		})
	}
	if list, _ := f.e.Forms(f.ctx, f.owner); len(list) != 0 {
		t.Errorf("refused forms were stored: %+v", list)
	}
}

func asEngineError(err error, target **engine.Error) bool { return errors.As(err, target) }

func TestFormSubmission(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob")
		f.rule(rr("web", `source == "web"`, to("bob", 1)))
		form, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site"})
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("é", 1500)
		res, err := f.e.SubmitForm(f.ctx, form.Key, []engine.FormValue{
			{"First_Name", "Ada"}, {"last_name", "Lovelace"}, {"EMAIL", " ada@example.com "},
			{"company", "Analytical Engines"}, {"interest", "demo"}, {"interest", "pricing"},
			{"message", "Hello,\r\nplease call.\r\n\r\nAda"}, {"notes", long}, {"empty", ""}, {"_gotcha", ""},
		})
		if err != nil {
			t.Fatal(err)
		}
		l := f.get(res.Lead.ID)
		if l.Name != "Ada Lovelace" || l.Email != "ada@example.com" || l.Company != "Analytical Engines" || l.Source != "web" {
			t.Errorf("lead %+v: want Ada Lovelace, ada@example.com, Analytical Engines, source web", l)
		}
		want := map[string]any{"interest": "demo, pricing", "message": "Hello, please call.  Ada", "notes": strings.Repeat("é", 1000)}
		if !reflect.DeepEqual(l.Fields, want) {
			t.Errorf("fields %q, want %q", l.Fields, want)
		}
		if l.Owner != "bob" {
			t.Errorf("owner %q: a form's lead is routed like any other, want bob", l.Owner)
		}
		created := eventsOf(f.events(l.ID), engine.EvLeadCreated)
		if len(created) != 1 || created[0].Actor != "form:site" {
			t.Errorf("lead.created %+v, want one by form:site", created)
		}

		// name wins over first and last name, which then are fields.
		res, err = f.e.SubmitForm(f.ctx, form.Key, []engine.FormValue{{"name", "Grace"}, {"first_name", "G"}, {"phone", "+1 555"}})
		if err != nil {
			t.Fatal(err)
		}
		if l := f.get(res.Lead.ID); l.Name != "Grace" || l.Fields["first_name"] != "G" {
			t.Errorf("lead %+v: want name Grace and fields.first_name G", l)
		}
	})
}

func TestFormSubmissionRefused(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	form, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	many := []engine.FormValue{{"name", "A"}}
	for i := range 51 {
		many = append(many, engine.FormValue{Name: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Value: "x"})
	}
	for _, tc := range []struct {
		name   string
		values []engine.FormValue
		field  string
	}{
		{"nothing to reach anyone by", []engine.FormValue{{"message", "hi"}}, "name"},
		{"ESC in a name", []engine.FormValue{{"name", "Ada\x1b[2J"}}, "name"},
		{"C1 in a field", []engine.FormValue{{"name", "Ada"}, {"city", "Lyon\u009b"}}, "fields.city"},
		{"NUL in a field's name", []engine.FormValue{{"name", "Ada"}, {"ci\x00ty", "Lyon"}}, "fields"},
		{"invalid UTF-8", []engine.FormValue{{"name", "Ada\xff"}}, "name"},
		{"a name over its limit", []engine.FormValue{{"name", strings.Repeat("a", 201)}}, "name"},
		{"not an e-mail", []engine.FormValue{{"email", "nobody"}}, "email"},
		{"a field's name over its limit", []engine.FormValue{{"name", "Ada"}, {strings.Repeat("k", 61), "v"}}, "fields"},
		{"too many fields", many, "fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.e.SubmitForm(f.ctx, form.Key, tc.values)
			mustKind(t, err, engine.KindInvalid)
			var ee *engine.Error
			if asEngineError(err, &ee) && ee.Field != tc.field {
				t.Errorf("refusal %q names field %q, want %q", err, ee.Field, tc.field)
			}
		})
	}
	if n := len(f.allLeads()); n != 0 {
		t.Errorf("%d leads stored from refused submissions", n)
	}
}

func TestFormHoneypot(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	form, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.events(0))
	for range 2 {
		res, err := f.e.SubmitForm(f.ctx, form.Key, []engine.FormValue{{"name", "Bot"}, {"_gotcha", "http://spam.example"}})
		if err != nil || !res.Dropped || res.Lead.ID != 0 {
			t.Fatalf("honeypot submission: %+v, %v; want dropped, no lead", res, err)
		}
	}
	if n := len(f.allLeads()); n != 0 {
		t.Errorf("%d leads stored from the honeypot", n)
	}
	if n := len(f.events(0)); n != before {
		t.Errorf("history grew by %d events: a dropped submission is counted, not stored", n-before)
	}
	list, err := f.e.Forms(f.ctx, f.owner)
	if err != nil || list[0].Dropped != 2 {
		t.Errorf("forms %+v %v: want 2 dropped", list, err)
	}
}

// TestFormKeysAndTokensNeverStandIn: a form key is not an API token and an API token
// is not a form key, whatever their secrets.
func TestFormKeysAndTokensNeverStandIn(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	form, err := f.e.CreateForm(f.ctx, f.owner, engine.NewForm{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := f.e.CreateToken(f.ctx, f.owner, "intake", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.e.Authenticate(f.ctx, form.Key); ok || err != nil {
		t.Errorf("a form key authenticates as a token: %v %v", ok, err)
	}
	// The same random part under the other scheme is no key either.
	if _, ok, err := f.e.Authenticate(f.ctx, "sb_"+strings.TrimPrefix(form.Key, "fk_")); ok || err != nil {
		t.Errorf("a form key's secret under sb_ authenticates: %v %v", ok, err)
	}
	for _, key := range []string{secret, "fk_" + strings.TrimPrefix(secret, "sb_")} {
		if _, ok, err := f.e.FormByKey(f.ctx, key); ok || err != nil {
			t.Errorf("token %q finds a form: %v %v", key, ok, err)
		}
		_, err := f.e.SubmitForm(f.ctx, key, []engine.FormValue{{"name", "Ada"}})
		mustKind(t, err, engine.KindNotFound)
	}
	// A form's actor may create leads and do nothing else.
	_, err = f.e.Forms(f.ctx, engine.AsForm("site"))
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.ListLeads(f.ctx, engine.AsForm("site"), engine.LeadQuery{})
	mustKind(t, err, engine.KindForbidden)
}
