package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// results decodes a batch's answer: each lead's body, with its status and error.
func results(t *testing.T, r response) []map[string]any {
	t.Helper()
	var out struct {
		Results []struct {
			Status float64        `json:"status"`
			Lead   map[string]any `json:"lead"`
			Error  map[string]any `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.raw, &out); err != nil {
		t.Fatalf("answer: %v\n%s", err, r.raw)
	}
	var res []map[string]any
	for _, x := range out.Results {
		m := map[string]any{"http_status": x.Status}
		for k, v := range x.Lead {
			m[k] = v
		}
		if x.Error != nil {
			m["error"] = x.Error
		}
		res = append(res, m)
	}
	return res
}

// TestCreateLeadsBatch: each lead of a batch gets what POST /v1/leads would have
// answered for it, in order – created, a duplicate of a stored lead, a duplicate of an
// earlier lead of the same batch, refused for what is wrong with it (its field named
// leads[i].…) – in one transaction; a repeated batch creates nothing.
func TestCreateLeadsBatch(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/v1/rules", map[string]any{"name": "all", "mode": "round_robin"})
	stored := e.must(201, "POST", "/v1/leads", map[string]any{"external_id": "s-1", "name": "Stored", "source": "web"})
	body := `{"leads": [
		{"external_id": "b-1", "name": "Ada", "source": "web", "fields": {"budget": 9000}},
		{"external_id": "s-1", "name": "Stored again", "source": "web"},
		{"external_id": "b-1", "name": "Ada again", "source": "web"},
		{"company": "Nobody"},
		{"name": "Typo", "nmae": "x"},
		{"name": "Bad BYTE"},
		{"email": "grace@example.com"}
	]}`
	body = strings.Replace(body, "BYTE", "\xff", 1) // not UTF-8
	r := e.do("POST", "/v1/leads/batch", e.admin, body)
	if r.status != 200 {
		t.Fatalf("status %d\n%s", r.status, r.raw)
	}
	res := results(t, r)
	if len(res) != 7 {
		t.Fatalf("%d results, want 7\n%s", len(res), r.raw)
	}
	for i, want := range []float64{201, 200, 200, 400, 400, 400, 201} {
		if res[i]["http_status"] != want {
			t.Errorf("lead %d: status %v, want %v", i, res[i]["http_status"], want)
		}
	}
	ada := res[0]
	if ada["owner"] == nil || ada["duplicate"] != false || ada["routing"] == nil || ada["external_id"] != "b-1" {
		t.Errorf("created: %v", ada)
	}
	if res[1]["id"] != stored.body["id"] || res[1]["duplicate"] != true || res[1]["name"] != "Stored" {
		t.Errorf("duplicate of a stored lead: %v", res[1])
	}
	if res[2]["id"] != ada["id"] || res[2]["duplicate"] != true || res[2]["name"] != "Ada" {
		t.Errorf("duplicate within the batch: %v", res[2])
	}
	for i, want := range map[int][2]string{
		3: {"leads[3].name", "at least one of name, email or phone"},
		4: {"leads[4].nmae", "unknown field"},
		5: {"leads[5].name", "invalid UTF-8"},
	} {
		p, _ := res[i]["error"].(map[string]any)
		if p == nil || p["field"] != want[0] || !strings.Contains(fmt.Sprint(p["detail"]), want[1]) || p["status"] != 400.0 {
			t.Errorf("lead %d: %v, want field %s and %q", i, res[i], want[0], want[1])
		}
	}
	if n := e.countLeads(); n != 3 {
		t.Errorf("%d leads, want 3", n)
	}

	// The same batch again: every lead it created is a duplicate now.
	again := results(t, e.do("POST", "/v1/leads/batch", e.admin, body))
	if again[0]["http_status"] != 200.0 || again[0]["id"] != ada["id"] || again[6]["http_status"] != 201.0 {
		t.Errorf("repeated batch: %v, %v", again[0], again[6])
	}
	if n := e.countLeads(); n != 4 { // grace has no external id: she is new again
		t.Errorf("%d leads after the repeat, want 4", n)
	}

	// An intake token learns only the id of a duplicate.
	intake := results(t, e.do("POST", "/v1/leads/batch", e.intake, `{"leads": [{"external_id": "b-1", "source": "web", "name": "X"}]}`))
	if len(intake) != 1 || intake[0]["http_status"] != 200.0 || intake[0]["id"] != ada["id"] || intake[0]["name"] != nil || len(intake[0]) != 3 {
		t.Errorf("intake duplicate: %v", intake)
	}
}

// TestCreateLeadsBatchRefused: a body that is no batch is refused whole, and nothing
// is created.
func TestCreateLeadsBatchRefused(t *testing.T) {
	e := newEnv(t)
	var many strings.Builder
	many.WriteString(`{"leads": [`)
	for i := range 1001 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"name": "L"}`)
	}
	many.WriteString("]}")
	for _, c := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"no leads", `{}`, 400, `send {"leads": [...]}`},
		{"empty", `{"leads": []}`, 400, "empty"},
		{"a lead, not a list", `{"leads": {"name": "A"}}`, 400, "leads must be a list"},
		{"unknown member", `{"leads": [], "lead": []}`, 400, "unknown field"},
		{"too many", many.String(), 400, "at most 1000 leads at once (got 1001)"},
		{"over 4 MiB", `{"leads": [{"name": "` + strings.Repeat("x", 4<<20) + `"}]}`, 413, "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, e.do("POST", "/v1/leads/batch", e.admin, c.body), c.status, c.detail)
		})
	}
	if n := e.countLeads(); n != 0 {
		t.Errorf("%d leads created by refused batches", n)
	}
}
