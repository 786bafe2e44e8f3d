package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// TestStats: GET /v1/stats answers the engine's stats object for the window asked,
// and refuses a window it cannot read with a problem that names the parameter.
func TestStats(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusCreated, "POST", "/v1/rules", map[string]any{"name": "all", "mode": "round_robin",
		"recipients": []map[string]any{{"agent": "alice", "per_round": 2}, {"agent": "bob"}}})
	for range 3 {
		e.must(http.StatusCreated, "POST", "/v1/leads", map[string]any{"name": "Ada", "source": "web"})
	}
	r := e.must(http.StatusOK, "GET", "/v1/stats?since=24h", nil)
	leads := r.body["leads"].(map[string]any)
	if leads["created"] != 3.0 || leads["assigned_auto"] != 3.0 || leads["queued_now"] != 0.0 {
		t.Errorf("leads %v", leads)
	}
	rules := r.body["rules"].([]any)
	fair := rules[0].(map[string]any)["fairness"].([]any)
	if a := fair[0].(map[string]any); a["agent"] != "alice" || a["expected_share"] != 0.667 || a["actual_share"] != 0.667 {
		t.Errorf("fairness %v", fair)
	}
	if tta := r.body["time_to_first_contact"].(map[string]any); tta["p50_s"] != nil {
		t.Errorf("time to first contact with no contact: %v", tta)
	}
	since, err1 := time.Parse(time.RFC3339Nano, r.str("since"))
	until, err2 := time.Parse(time.RFC3339Nano, r.str("until"))
	if err1 != nil || err2 != nil || until.Sub(since) != 24*time.Hour {
		t.Errorf("since=24h is the window %s – %s", r.str("since"), r.str("until"))
	}

	// A window in the past, as RFC 3339 times: nothing in it.
	r = e.must(http.StatusOK, "GET", "/v1/stats?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z", nil)
	if r.str("since") != "2020-01-01T00:00:00Z" || r.body["leads"].(map[string]any)["created"] != 0.0 {
		t.Errorf("a day in 2020: %s", r.raw)
	}

	for _, c := range []struct{ query, field, detail string }{
		{"since=yesterday", "since", "neither a duration"},
		{"until=1d&since=1h", "since", "must come before until"},
		{"since=400d", "since", "at most 366 days"},
		{"sinse=7d", "sinse", "unknown query parameter"},
		{"until=%1B", "until", "neither a duration"},
		{"since=1d&since=2d", "since", "since is given 2 times: give it once"},
	} {
		r := e.do("GET", "/v1/stats?"+c.query, e.admin, nil)
		wantProblem(t, r, http.StatusBadRequest, c.detail)
		if r.str("field") != c.field {
			t.Errorf("%s: field %q, want %q", c.query, r.str("field"), c.field)
		}
	}
}
