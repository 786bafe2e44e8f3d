package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// TestSettingsEndpoints: GET answers every setting the registry knows (a secret only
// as set or not), PATCH changes several at once or none, and only admins reach them.
func TestSettingsEndpoints(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/v1/settings", e.admin, nil)
	if res.status != http.StatusOK || len(res.body) != len(engine.SettingDefs()) {
		t.Fatalf("GET: %d %s", res.status, res.raw)
	}
	if res.body["company"] != "" || res.body["webhook_url"] != "" {
		t.Errorf("unset settings: %s", res.raw)
	}
	if sec, _ := res.body["webhook_secret"].(map[string]any); sec == nil || sec["set"] != false {
		t.Errorf("webhook_secret before any webhook: %s", res.raw)
	}

	res = e.do("PATCH", "/v1/settings", e.admin, map[string]any{"company": "Acme Sales", "webhook_url": "https://hooks.example.com/T/1"})
	if res.status != http.StatusOK || res.body["company"] != "Acme Sales" {
		t.Fatalf("PATCH: %d %s", res.status, res.raw)
	}
	if sec, _ := res.body["webhook_secret"].(map[string]any); sec == nil || sec["set"] != true || strings.Contains(string(res.raw), `"webhook_secret":"`) {
		t.Errorf("the secret after setting the webhook: %s", res.raw)
	}

	refused := []struct {
		name, body, field, detail string
		status                    int
	}{
		{"unknown key", `{"company":"X","colour":"red"}`, "key", "unknown setting", 400},
		{"bad URL", `{"company":"X","webhook_url":"ftp://x"}`, "webhook_url", "absolute http", 400},
		{"number", `{"company":5}`, "company", "takes a string", 400},
		{"array for a text", `{"company":["a"]}`, "company", "takes a string", 400},
		{"secret", `{"webhook_secret":"mine"}`, "webhook_secret", "cannot be set", 400},
		{"control character", `{"company":"A\u001b[2J"}`, "company", "control character", 400},
		{"not an object", `["company"]`, "", "JSON object", 400},
		{"empty", `{}`, "", "no settings given", 400},
		{"invalid UTF-8", "{\"company\":\"A\xff\"}", "company", "UTF-8", 400},
	}
	for _, r := range refused {
		res := e.do("PATCH", "/v1/settings", e.admin, r.body)
		if res.status != r.status || res.str("field") != r.field || !strings.Contains(res.str("detail"), r.detail) {
			t.Errorf("%s: %d %s; want %d, field %q, detail with %q", r.name, res.status, res.raw, r.status, r.field, r.detail)
		}
	}
	if res := e.do("GET", "/v1/settings", e.admin, nil); res.body["company"] != "Acme Sales" {
		t.Errorf("a refused PATCH changed company: %s", res.raw)
	}

	// null puts a setting back to its default.
	if res := e.do("PATCH", "/v1/settings", e.admin, `{"company": null}`); res.status != 200 || res.body["company"] != "" {
		t.Errorf("null: %d %s", res.status, res.raw)
	}
	if res := e.do("GET", "/v1/settings", e.intake, nil); res.status != http.StatusForbidden {
		t.Errorf("an intake token read the settings: %d", res.status)
	}
	if res := e.do("PATCH", "/v1/settings", e.intake, `{"company":"X"}`); res.status != http.StatusForbidden {
		t.Errorf("an intake token changed a setting: %d", res.status)
	}
	if res := e.do("GET", "/v1/settings?x=1", e.admin, nil); res.status != 400 {
		t.Errorf("an unknown parameter: %d", res.status)
	}
}
