package storetest

import (
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testForms: a form reads back as written; only forms in use are listed, by name, and
// found by name and by key prefix; a removed form's name can be used again; the
// honeypot count adds up.
func testForms(e *env) {
	t := e.t
	site := engine.Form{Name: "site", Source: "web", Key: "fk_aaaaaaaa-one", Prefix: "fk_aaaaaaaa",
		Redirect: "https://example.com/thanks", Origins: []string{"https://example.com", "http://localhost:8080"},
		CreatedAt: at, CreatedBy: "ada"}
	other := engine.Form{Name: "fair", Source: "fair", Key: "fk_aaaaaaaa-two", Prefix: "fk_aaaaaaaa", Origins: []string{}, CreatedAt: at, CreatedBy: "ada"}
	bare := engine.Form{Name: "bare", Source: "web", Key: "fk_bbbbbbbb-three", Prefix: "fk_bbbbbbbb", CreatedAt: at, CreatedBy: "ada"}
	e.write(func(tx engine.WriteTx) error {
		for _, f := range []*engine.Form{&site, &other, &bare} {
			if err := tx.InsertForm(f); err != nil {
				return err
			}
		}
		for range 3 {
			if err := tx.AddFormDropped(site.ID); err != nil {
				return err
			}
		}
		return nil
	})
	site.Dropped = 3
	bare.Origins = []string{} // nil is written as no origins
	got := read(e, func(r engine.Reader) (engine.Form, error) { return r.FormByName("site") })
	if !reflect.DeepEqual(got, site) {
		t.Errorf("form read back\n got %+v\nwant %+v", got, site)
	}
	names := func(fs []engine.Form) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return out
	}
	if got := names(read(e, func(r engine.Reader) ([]engine.Form, error) { return r.Forms() })); !reflect.DeepEqual(got, []string{"bare", "fair", "site"}) {
		t.Errorf("forms %v, want bare fair site", got)
	}
	if got := names(read(e, func(r engine.Reader) ([]engine.Form, error) { return r.FormsByPrefix("fk_aaaaaaaa") })); !reflect.DeepEqual(got, []string{"site", "fair"}) {
		t.Errorf("forms with prefix fk_aaaaaaaa: %v, want site fair (by id)", got)
	}

	e.write(func(tx engine.WriteTx) error { return tx.RemoveForm(site.ID, at.Add(time.Hour)) })
	_, err := tryRead(e, func(r engine.Reader) (engine.Form, error) { return r.FormByName("site") })
	mustNoRows(t, "a removed form by name", err)
	if got := names(read(e, func(r engine.Reader) ([]engine.Form, error) { return r.FormsByPrefix("fk_aaaaaaaa") })); !reflect.DeepEqual(got, []string{"fair"}) {
		t.Errorf("forms in use with prefix fk_aaaaaaaa after removing site: %v, want fair", got)
	}
	again := engine.Form{Name: "site", Source: "web", Key: "fk_cccccccc-four", Prefix: "fk_cccccccc", Origins: []string{}, CreatedAt: at, CreatedBy: "ada"}
	e.write(func(tx engine.WriteTx) error { return tx.InsertForm(&again) })
	if got := read(e, func(r engine.Reader) (engine.Form, error) { return r.FormByName("site") }); got.ID != again.ID {
		t.Errorf("site is form #%d, want the new one #%d", got.ID, again.ID)
	}
	// Two forms in use may not share a name.
	tx, err := e.s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertForm(&engine.Form{Name: "fair", Source: "web", Key: "fk_dddddddd-five", Prefix: "fk_dddddddd", CreatedAt: at, CreatedBy: "ada"}); err == nil {
		t.Errorf("a second form named fair was stored")
	}
	tx.Rollback()
}
