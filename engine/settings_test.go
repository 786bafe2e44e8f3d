package engine_test

import (
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// TestChangeSettings: values are checked and stored in their short form, a change of
// several settings is all or nothing, each changed setting is one settings.changed
// event, and a secret never reaches history or a reader below the owner.
func TestChangeSettings(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		admin := engine.AsAgent(f.agent("ada", withRole(engine.RoleAdmin)))
		history := func() []engine.Event { return eventsOf(f.events(0), engine.EvSetting) }

		all, err := f.e.ChangeSettings(f.ctx, admin, []engine.SettingChange{
			{Key: engine.SettingCompany, Text: "  Acme Sales "},
			{Key: engine.SettingWebhookURL, Text: "https://hooks.example.com/T0/X"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]engine.Setting{}
		for _, st := range all {
			got[st.Key] = st
		}
		if got["company"].Value != "Acme Sales" || !got["company"].IsSet {
			t.Errorf("company: %+v", got["company"])
		}
		if sec := got["webhook_secret"]; !sec.IsSet || !sec.Hidden || sec.Value != "" {
			t.Errorf("an admin reads the secret: %+v", sec)
		}
		owner, err := f.e.Setting(f.ctx, f.owner, engine.SettingWebhookSecret)
		if err != nil || owner.Value == "" || owner.Hidden {
			t.Errorf("the owner cannot read the secret it needs for its receiver: %+v, %v", owner, err)
		}
		evs := history()
		if len(evs) != 2 || evs[0].Reason != "company" || evs[0].From != "none (default)" || evs[0].To != "Acme Sales" ||
			evs[0].Actor != "ada" || evs[1].Reason != "webhook_url" {
			t.Fatalf("events: %+v", evs)
		}

		// All or nothing: a bad value anywhere changes nothing and records nothing.
		bad := []struct {
			name    string
			changes []engine.SettingChange
			kind    engine.Kind
		}{
			{"bad URL after a good company", []engine.SettingChange{{Key: "company", Text: "New Co"}, {Key: "webhook_url", Text: "ftp://x"}}, engine.KindInvalid},
			{"unknown key", []engine.SettingChange{{Key: "company", Text: "New Co"}, {Key: "colour", Text: "red"}}, engine.KindInvalid},
			{"read-only secret", []engine.SettingChange{{Key: "webhook_secret", Text: "mine"}}, engine.KindInvalid},
			{"twice", []engine.SettingChange{{Key: "company", Text: "A"}, {Key: "company", Text: "B"}}, engine.KindInvalid},
			{"a list for a text", []engine.SettingChange{{Key: "company", List: []string{"A"}}}, engine.KindInvalid},
			{"control character", []engine.SettingChange{{Key: "company", Text: "Acme\x1b[2J"}}, engine.KindInvalid},
			{"C1 control", []engine.SettingChange{{Key: "company", Text: "Acme\u009b"}}, engine.KindInvalid},
			{"invalid UTF-8", []engine.SettingChange{{Key: "company", Text: "Acme\xff"}}, engine.KindInvalid},
			{"too long", []engine.SettingChange{{Key: "company", Text: string(make([]byte, engine.MaxCompanyLen+1))}}, engine.KindInvalid},
			{"nothing", nil, engine.KindInvalid},
		}
		for _, b := range bad {
			_, err := f.e.ChangeSettings(f.ctx, admin, b.changes)
			if engine.KindOf(err) != b.kind {
				t.Errorf("%s: %v, want a %s error", b.name, err, b.kind)
			}
		}
		if c, _ := f.e.Setting(f.ctx, admin, "company"); c.Value != "Acme Sales" {
			t.Errorf("a refused change changed company to %q", c.Value)
		}
		if n := len(history()); n != 2 {
			t.Errorf("refused changes recorded %d events", n-2)
		}

		// The same value again is no change; unset goes back to the default.
		if err := f.e.SetSetting(f.ctx, admin, "company", "Acme Sales"); err != nil {
			t.Fatal(err)
		}
		if err := f.e.UnsetSetting(f.ctx, admin, "company"); err != nil {
			t.Fatal(err)
		}
		c, _ := f.e.Setting(f.ctx, admin, "company")
		evs = history()
		if c.IsSet || c.Value != "" || len(evs) != 3 || evs[2].From != "Acme Sales" || evs[2].To != "none (default)" {
			t.Errorf("after unset: %+v; events %+v", c, evs)
		}
	})
}
