package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// TestSimulate: POST /v1/rules/simulate takes the rules as GET /v1/rules gives them,
// with one changed, and answers what would have changed; nothing is written. Bad
// drafts are refused naming the rule and the field.
func TestSimulate(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusCreated, "POST", "/v1/rules", map[string]any{"name": "all", "mode": "round_robin",
		"recipients": []any{"alice", "bob"}})
	for range 4 {
		e.must(http.StatusCreated, "POST", "/v1/leads", map[string]any{"name": "Ada", "source": "web"})
	}
	var rules struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(e.must(http.StatusOK, "GET", "/v1/rules", nil).raw, &rules); err != nil {
		t.Fatal(err)
	}
	last := func() int64 {
		page, err := e.eng.History(context.Background(), engine.System(), engine.HistoryQuery{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items[0].ID
	}
	before := last()

	// As they are: nothing changes.
	r := e.must(http.StatusOK, "POST", "/v1/rules/simulate", map[string]any{"rules": rules.Items, "since": "7d"})
	if string(r.raw) != `{"leads":4,"changed_owner":0,"agents":[{"agent":"alice","before":2,"after":2},{"agent":"bob","before":2,"after":2}],"queued":{"before":0,"after":0}}`+"\n" {
		t.Errorf("the rules as they are: %s", r.raw)
	}
	// bob alone: alice's two leads move to him.
	rules.Items[0]["recipients"] = []any{map[string]any{"agent": "bob", "per_round": 1}}
	r = e.must(http.StatusOK, "POST", "/v1/rules/simulate", map[string]any{"rules": rules.Items, "limit": 10})
	if string(r.raw) != `{"leads":4,"changed_owner":2,"agents":[{"agent":"alice","before":2,"after":0},{"agent":"bob","before":2,"after":4}],"queued":{"before":0,"after":0}}`+"\n" {
		t.Errorf("bob alone: %s", r.raw)
	}
	// No rules: everything to the queue.
	r = e.must(http.StatusOK, "POST", "/v1/rules/simulate", map[string]any{"rules": []any{}})
	if !strings.Contains(string(r.raw), `"queued":{"before":0,"after":4}`) {
		t.Errorf("no rules: %s", r.raw)
	}
	if after := last(); after != before {
		t.Errorf("simulations wrote history: last event %d → %d", before, after)
	}

	for _, c := range []struct {
		body          string
		status        int
		field, detail string
	}{
		{`{}`, 400, "rules", "rules is missing"},
		{`{"rules": [{"name": "x", "mode": "round_robin"}, {"name": "y", "mode": "sideways"}]}`, 400, "rules[1].mode", "rule 2: unknown mode"},
		{`{"rules": [{"name": "x", "mode": "round_robin", "condition": "source =="}]}`, 400, "rules[0].condition", "rule 1: invalid condition"},
		{`{"rules": [], "since": "last week"}`, 400, "since", "neither a duration"},
		{`{"rules": [], "limit": 20000}`, 400, "limit", "from 1 to 10000"},
		{`{"rules": [], "colour": "red"}`, 400, "colour", "unknown field"},
	} {
		r := e.do("POST", "/v1/rules/simulate", e.admin, c.body)
		wantProblem(t, r, c.status, c.detail)
		if r.str("field") != c.field {
			t.Errorf("%s: field %q, want %q", c.body, r.str("field"), c.field)
		}
	}
	wantProblem(t, e.do("POST", "/v1/rules/simulate", e.intake, `{"rules": []}`), 403, "intake")
}
