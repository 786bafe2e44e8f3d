package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFollowThroughFields: rules take sla and sla_action, checked with the field named;
// a lead shows first_contact_at and sla_due_at (null when unset); PATCH /v1/settings
// takes sla_manual and handoff_after as durations.
func TestFollowThroughFields(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/v1/rules", e.admin, `{"name":"all","mode":"round_robin","recipients":[{"agent":"alice"}],"sla":"15m","sla_action":"notify"}`)
	if res.status != http.StatusCreated || res.body["sla"] != "15m" || res.body["sla_action"] != "notify" {
		t.Fatalf("rule with an SLA: %d %s", res.status, res.raw)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"name":"x","mode":"round_robin","sla":"15 minutes"}`, "sla"},
		{`{"name":"x","mode":"round_robin","sla":"15m","sla_action":"escalate"}`, "sla_action"},
		{`{"name":"x","mode":"broadcast","sla":"15m"}`, "sla"},
		{`{"name":"x","mode":"round_robin","sla":"1\u001b[2J5m"}`, "sla"},
		{`{"name":"x","mode":"round_robin","sla":"` + strings.Repeat("9", 5000) + `m"}`, "sla"},
		{`{"name":"x","mode":"round_robin","sla":"15m","sla_action":"re\u0085route"}`, "sla_action"},
	} {
		if res := e.do("POST", "/v1/rules", e.admin, bad.body); res.status != 400 || res.str("field") != bad.field {
			t.Errorf("%s: %d %s", bad.body, res.status, res.raw)
		}
	}
	res = e.do("POST", "/v1/leads", e.admin, `{"name":"Ada"}`)
	due, err := time.Parse(time.RFC3339, res.str("sla_due_at"))
	if res.status != http.StatusCreated || err != nil || res.body["first_contact_at"] != nil {
		t.Fatalf("lead: %d %s", res.status, res.raw)
	}
	if left := time.Until(due); left < 14*time.Minute || left > 15*time.Minute {
		t.Errorf("sla_due_at is %v away", left)
	}
	id := itoa(int64(res.body["id"].(float64)))
	if res := e.do("POST", "/v1/leads/status", e.admin, `{"lead_ids":[`+id+`],"status":"qualified"}`); res.status != 200 {
		t.Fatalf("status: %d %s", res.status, res.raw)
	}
	res = e.do("GET", "/v1/leads/"+id, e.admin, nil)
	if res.body["first_contact_at"] == nil || res.body["sla_due_at"] != nil {
		t.Errorf("after qualifying: %s", res.raw)
	}
	res = e.do("PATCH", "/v1/settings", e.admin, `{"sla_manual":"30m","handoff_after":"10m"}`)
	if res.status != 200 || res.body["sla_manual"] != "30m" || res.body["handoff_after"] != "10m" {
		t.Errorf("settings: %d %s", res.status, res.raw)
	}
	if res := e.do("PATCH", "/v1/settings", e.admin, `{"sla_manual":"","handoff_after":"ten minutes"}`); res.status != 400 || res.str("field") != "handoff_after" {
		t.Errorf("a bad hand-off: %d %s", res.status, res.raw)
	}
	if res := e.do("GET", "/v1/settings", e.admin, nil); res.body["sla_manual"] != "30m" {
		t.Errorf("a refused PATCH changed sla_manual: %s", res.raw)
	}
}
