package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// textInput is one door through which a text reaches the engine: do sends v through it
// as actor system, and field is the field a refusal must name.
type textInput struct {
	name  string
	field string
	do    func(f *fixture, v string) error
}

// before is how many characters an input puts in front of the text it is given.
var before = map[string]int{
	"agent webhook":                 len("https://hooks.example.com/"),
	"rule condition string literal": len(`name == "`),
	"SSH key comment":               len(bareKey) + 1,
}

// bareKey is a public key without a comment.
const bareKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGeOLhX4MsmNfHrmPBKY6lKSzhSC7jl9C2DxRKpDTsPc"

func textInputs(f *fixture) []textInput {
	f.agent("bob")
	lead := f.lead(engine.NewLead{Name: "Target"}).Lead
	lead2 := f.lead(engine.NewLead{Name: "Second"}).Lead
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{lead2.ID}, "bob", ""); err != nil {
		f.t.Fatal(err)
	}
	newLead := func(set func(*engine.NewLead, string)) func(*fixture, string) error {
		return func(f *fixture, v string) error {
			in := engine.NewLead{Name: "Ada"}
			set(&in, v)
			_, err := f.e.CreateLead(f.ctx, f.owner, in)
			return err
		}
	}
	return []textInput{
		{"lead name", "name", newLead(func(n *engine.NewLead, v string) { n.Name = v })},
		{"lead email", "email", newLead(func(n *engine.NewLead, v string) { n.Email = v + "@example.com" })},
		{"lead phone", "phone", newLead(func(n *engine.NewLead, v string) { n.Phone = v })},
		{"lead company", "company", newLead(func(n *engine.NewLead, v string) { n.Company = v })},
		{"lead source", "source", newLead(func(n *engine.NewLead, v string) { n.Source = v })},
		{"lead external id", "external_id", newLead(func(n *engine.NewLead, v string) { n.ExternalID = v })},
		{"lead tag", "tags", newLead(func(n *engine.NewLead, v string) { n.Tags = []string{"ok", v} })},
		{"lead field key", "fields", newLead(func(n *engine.NewLead, v string) { n.Fields = map[string]any{v: "x"} })},
		{"lead field value", "fields.note", newLead(func(n *engine.NewLead, v string) { n.Fields = map[string]any{"note": v} })},
		{"changed field key", "fields", func(f *fixture, v string) error {
			_, err := f.e.UpdateLead(f.ctx, f.owner, lead.ID, engine.LeadUpdate{Fields: map[string]any{v: 1.0}})
			return err
		}},
		{"changed field value", "fields.note", func(f *fixture, v string) error {
			_, err := f.e.UpdateLead(f.ctx, f.owner, lead.ID, engine.LeadUpdate{Fields: map[string]any{"note": v}})
			return err
		}},
		{"assign reason", "reason", func(f *fixture, v string) error {
			_, err := f.e.Assign(f.ctx, f.owner, []int64{lead.ID}, "bob", v)
			return err
		}},
		{"unassign reason", "reason", func(f *fixture, v string) error {
			_, err := f.e.Unassign(f.ctx, f.owner, []int64{lead2.ID}, v)
			return err
		}},
		{"agent name", "name", func(f *fixture, v string) error {
			_, err := f.e.AddAgent(f.ctx, f.owner, engine.NewAgent{Handle: "carol", Name: v})
			return err
		}},
		{"changed agent name", "name", func(f *fixture, v string) error {
			_, err := f.e.UpdateAgent(f.ctx, f.owner, "bob", engine.AgentUpdate{Name: &v})
			return err
		}},
		{"agent webhook", "webhook_url", func(f *fixture, v string) error {
			u := "https://hooks.example.com/" + v
			_, err := f.e.UpdateAgent(f.ctx, f.owner, "bob", engine.AgentUpdate{WebhookURL: &u})
			return err
		}},
		{"rule name", "name", func(f *fixture, v string) error {
			_, err := f.e.CreateRule(f.ctx, f.owner, rr(v, "", to("bob", 1)))
			return err
		}},
		{"rule condition string literal", "condition", func(f *fixture, v string) error {
			_, err := f.e.CreateRule(f.ctx, f.owner, rr("r", `name == "`+v+`"`, to("bob", 1)))
			return err
		}},
		{"SSH key comment", "key", func(f *fixture, v string) error {
			_, err := f.e.AddKey(f.ctx, f.owner, "bob", bareKey+" "+v)
			return err
		}},
		{"company setting", "company", func(f *fixture, v string) error {
			return f.e.SetSetting(f.ctx, f.owner, engine.SettingCompany, v)
		}},
		{"lead search", "q", func(f *fixture, v string) error {
			_, err := f.e.ListLeads(f.ctx, f.owner, engine.LeadQuery{Text: v})
			return err
		}},
		{"history filter", "agent", func(f *fixture, v string) error {
			_, err := f.e.History(f.ctx, f.owner, engine.HistoryQuery{Agent: v})
			return err
		}},
	}
}

// TestControlCharactersRefused: every text input refuses C0 controls, DEL, C1
// controls and invalid UTF-8 with an error that names the field and the position of
// the character, and nothing changes.
func TestControlCharactersRefused(t *testing.T) { eachStore(t, testControlCharactersRefused) }

func testControlCharactersRefused(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	inputs := textInputs(f)
	for _, bad := range []struct {
		name, v, what string
		pos           int
	}{
		{"ESC", "pw\x1b]0;pwned\x07", "control character U+001B", 3},
		{"C1 CSI", "ab\u009b2J", "control character U+009B", 3},
		{"C1 OSC", "\u009d0;pwned\u009c", "control character U+009D", 1},
		{"NUL", "a\x00b", "control character U+0000", 2},
		{"DEL", "ab\x7f", "control character U+007F", 3},
		{"newline", "a\nb", "control character U+000A", 2},
		{"invalid UTF-8", "a\xffb", "invalid UTF-8", 2},
	} {
		for _, in := range inputs {
			if bad.name == "newline" && in.field == "condition" {
				continue // a condition may span lines
			}
			t.Run(bad.name+"/"+in.name, func(t *testing.T) {
				want := fmt.Sprintf("%s at position %d", bad.what, before[in.name]+bad.pos)
				before := len(f.events(0))
				err := in.do(f, bad.v)
				mustKind(t, err, engine.KindInvalid)
				var e *engine.Error
				errors.As(err, &e)
				if e.Field != in.field {
					t.Errorf("field = %q, want %q (%v)", e.Field, in.field, err)
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
				if strings.ContainsAny(err.Error(), "\x1b\u009b\u009d\x00\x7f") {
					t.Errorf("the error itself carries the control character: %q", err)
				}
				if after := len(f.events(0)); after != before {
					t.Errorf("a refused input wrote %d history events", after-before)
				}
			})
		}
	}
}

// TestTabsWhereAllowed: a field value may hold a tab, and a condition may span lines;
// names may not.
func TestTabsWhereAllowed(t *testing.T) { eachStore(t, testTabsWhereAllowed) }

func testTabsWhereAllowed(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("bob")
	if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: "Ada", Fields: map[string]any{"note": "a\tb"}}); err != nil {
		t.Fatalf("a tab in a field value: %v", err)
	}
	if _, err := f.e.CreateRule(f.ctx, f.owner, rr("multi", "source == \"web\"\n\t&& hour >= 9", to("bob", 1))); err != nil {
		t.Fatalf("a condition on two lines: %v", err)
	}
	_, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: "Ada\tLovelace"})
	mustKind(t, err, engine.KindInvalid)
}

// TestTextLimits: each text is refused one character over its limit and accepted at
// it; nothing is cut.
func TestTextLimits(t *testing.T) { eachStore(t, testTextLimits) }

func testTextLimits(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	inputs := map[string]textInput{}
	for _, in := range textInputs(f) {
		inputs[in.name] = in
	}
	for _, tc := range []struct {
		input string
		limit int
	}{
		{"assign reason", engine.MaxReasonLen},
		{"unassign reason", engine.MaxReasonLen},
		{"lead name", engine.MaxNameLen},
		{"lead phone", engine.MaxPhoneLen},
		{"lead company", engine.MaxCompanyLen},
		{"lead source", engine.MaxSourceLen},
		{"lead external id", engine.MaxExternalIDLen},
		{"lead tag", engine.MaxTagLen},
		{"lead field key", engine.MaxFieldKeyLen},
		{"lead field value", engine.MaxFieldValueLen},
		{"agent name", engine.MaxNameLen},
		{"rule name", engine.MaxNameLen},
		{"company setting", engine.MaxCompanyLen},
		{"lead search", engine.MaxSearchLen},
	} {
		t.Run(tc.input, func(t *testing.T) {
			in, ok := inputs[tc.input]
			if !ok {
				t.Fatalf("no input %q", tc.input)
			}
			// Accented letters: the limit counts characters, not bytes.
			over := strings.Repeat("é", tc.limit+1)
			err := in.do(f, over)
			mustKind(t, err, engine.KindInvalid)
			if want := fmt.Sprintf("longer than %d characters", tc.limit); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
			if err := in.do(f, over[len("é"):]); err != nil && !strings.Contains(tc.input, "agent name") {
				t.Errorf("at the limit: %v", err)
			}
		})
	}
}

// TestHugeReasonRefused is a size bomb: 400 leads assigned with a 600 KB
// reason would have written the reason 400 times. It is refused, and nothing is written.
func TestHugeReasonRefused(t *testing.T) { eachStore(t, testHugeReasonRefused) }

func testHugeReasonRefused(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("bob")
	ids := make([]int64, 400)
	for i := range ids {
		ids[i] = f.lead(engine.NewLead{Name: fmt.Sprint("L", i)}).Lead.ID
	}
	before := len(f.events(0))
	_, err := f.e.Assign(f.ctx, f.owner, ids, "bob", strings.Repeat("x", 600<<10))
	mustKind(t, err, engine.KindInvalid)
	if len(err.Error()) > 200 {
		t.Errorf("the refusal is %d bytes long: it must not echo the input", len(err.Error()))
	}
	if after := len(f.events(0)); after != before {
		t.Fatalf("wrote %d events", after-before)
	}
}

// TestLocalWebhooksRefused: a webhook URL that names the server's own machine or link
// is refused when it is set, for an agent and for the team, unless the engine allows
// local webhooks.
func TestLocalWebhooksRefused(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	f.agent("bob")
	for _, u := range []string{
		"http://127.0.0.1:6379/", "http://localhost:8080/hook", "http://[::1]/x",
		"http://169.254.169.254/latest/meta-data", "http://0.0.0.0:80/", "https://api.localhost/",
	} {
		_, err := f.e.AddAgent(f.ctx, f.owner, engine.NewAgent{Handle: "carol", Name: "Carol", WebhookURL: u})
		mustKind(t, err, engine.KindInvalid)
		if !strings.Contains(err.Error(), "may not reach the server's own machine") {
			t.Errorf("%s: %v", u, err)
		}
		_, err = f.e.UpdateAgent(f.ctx, f.owner, "bob", engine.AgentUpdate{WebhookURL: &u})
		mustKind(t, err, engine.KindInvalid)
		mustKind(t, f.e.SetSetting(f.ctx, f.owner, engine.SettingWebhookURL, u), engine.KindInvalid)
	}
	ok := "https://hooks.example.com/services/T0/B0/x"
	if _, err := f.e.UpdateAgent(f.ctx, f.owner, "bob", engine.AgentUpdate{WebhookURL: &ok}); err != nil {
		t.Fatal(err)
	}

	allowed := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1, AllowLocalWebhooks: true})
	if _, err := allowed.AddAgent(f.ctx, engine.System(), engine.NewAgent{Handle: "ada", Name: "Ada", WebhookURL: "http://127.0.0.1:9/x"}); err != nil {
		t.Fatalf("with local webhooks allowed: %v", err)
	}
	if err := allowed.SetSetting(f.ctx, engine.System(), engine.SettingWebhookURL, "http://localhost:9/team"); err != nil {
		t.Fatal(err)
	}
}
