package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

func TestCreateLeadRoutesAndIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.must(200, "PATCH", "/v1/agents/bob", map[string]any{"presence": "away"})
	rule := e.must(201, "POST", "/v1/rules", map[string]any{
		"name": "web to the team", "mode": "round_robin", "condition": `source == "web"`,
		"recipients": []map[string]any{{"agent": "bob"}, {"agent": "alice", "per_round": 2}},
	})
	ruleID := rule.body["id"].(float64)

	in := map[string]any{"external_id": "f-1", "name": "Ada Lovelace", "email": "ada@example.com",
		"source": "web", "tags": []string{"vip"}, "fields": map[string]any{"budget": 9000, "city": "London"}}
	r := e.must(201, "POST", "/v1/leads", in)
	if r.str("owner") != "alice" || r.str("status") != "assigned" || r.str("external_id") != "f-1" {
		t.Fatalf("created lead: %s", r.raw)
	}
	if loc := r.header.Get("Location"); loc != "/v1/leads/"+itoa(int64(r.body["id"].(float64))) {
		t.Errorf("Location %q", loc)
	}
	routing, _ := r.body["routing"].(map[string]any)
	if routing == nil || routing["rule"] != ruleID || routing["mode"] != "round_robin" || routing["reason"] == "" {
		t.Fatalf("routing: %s", r.raw)
	}
	passed, _ := routing["passed_over"].([]any)
	if len(passed) != 1 || passed[0].(map[string]any)["agent"] != "bob" || passed[0].(map[string]any)["reason"] != "away" {
		t.Errorf("passed_over: %v", routing["passed_over"])
	}
	if fields := r.body["fields"].(map[string]any); fields["budget"] != 9000.0 || fields["city"] != "London" {
		t.Errorf("fields: %v", fields)
	}

	// The same source and external id again: 200, the existing lead, nothing routed.
	again := e.must(200, "POST", "/v1/leads", map[string]any{"external_id": "f-1", "name": "Someone else", "source": "web"})
	if again.body["id"] != r.body["id"] || again.str("name") != "Ada Lovelace" || again.body["duplicate"] != true || again.body["routing"] != nil {
		t.Fatalf("repeat: %s", again.raw)
	}
	if n := e.countLeads(); n != 1 {
		t.Fatalf("%d leads after a repeat, want 1", n)
	}
	// No rule matches: no owner, rule and mode null, the reason says so.
	q := e.must(201, "POST", "/v1/leads", map[string]any{"phone": "+44 20 7946 0000", "source": "tiktok"})
	qr := q.body["routing"].(map[string]any)
	if q.body["owner"] != nil || qr["rule"] != nil || qr["mode"] != nil || !strings.Contains(qr["reason"].(string), "no rule") {
		t.Fatalf("queued lead: %s", q.raw)
	}
}

// TestCreateLeadBadInput: every kind of bad body is a 4xx problem that says what to
// fix, and nothing is created.
func TestCreateLeadBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		body   string
		status int
		detail string
	}{
		{"empty", ``, 400, "body is empty"},
		{"malformed", `{"name": "Ada",}`, 400, "malformed JSON at byte"},
		{"truncated", `{"name": "Ada"`, 400, "ends in the middle"},
		{"not an object", `["Ada"]`, 400, "must be a JSON object, not an array"},
		{"two values", `{"name":"A"} {"name":"B"}`, 400, "more than one JSON value"},
		{"unknown field", `{"name": "Ada", "nmae": "x"}`, 400, `unknown field "nmae": the fields are company, email`},
		{"wrong type", `{"name": 42}`, 400, "name must be a string, not a number"},
		{"tags as string", `{"name": "A", "tags": "vip"}`, 400, "tags must be a list of strings, not a string"},
		{"no contact", `{"company": "Acme", "source": "web"}`, 400, "at least one of name, email or phone"},
		{"blank contact", `{"name": "   ", "email": ""}`, 400, "at least one of name, email or phone"},
		{"nested field", `{"name": "A", "fields": {"addr": {"city": "x"}}}`, 400, `field "addr" must be a string, a number or true/false, not an object`},
		{"null field", `{"name": "A", "fields": {"x": null}}`, 400, "leave the field out"},
		{"bad email", `{"email": "not-an-address"}`, 400, "is not an e-mail address"},
		{"too long", `{"name": "` + strings.Repeat("a", 201) + `"}`, 400, "longer than 200"},
		{"over 1 MiB", `{"name": "A", "company": "` + strings.Repeat("x", 1<<20) + `"}`, 413, "larger than 1048576 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, e.do("POST", "/v1/leads", e.admin, c.body), c.status, c.detail)
		})
	}
	if n := e.countLeads(); n != 0 {
		t.Fatalf("bad input created %d leads", n)
	}
	r := e.do("POST", "/v1/leads", e.admin, `{"name": 42}`)
	if r.str("field") != "name" {
		t.Errorf("problem field %q, want name", r.str("field"))
	}
}

func TestListLeadsPagesWithCursor(t *testing.T) {
	e := newEnv(t)
	want := map[float64]bool{}
	for i := range 7 {
		src := "web"
		if i%2 == 0 {
			src = "facebook"
		}
		r := e.must(201, "POST", "/v1/leads", map[string]any{"name": "L" + itoa(int64(i)), "source": src})
		want[r.body["id"].(float64)] = true
	}
	seen := map[float64]bool{}
	cursor, pages := "", 0
	for {
		r := e.must(200, "GET", "/v1/leads?limit=3&cursor="+cursor, nil)
		pages++
		items := r.body["items"].([]any)
		for _, it := range items {
			id := it.(map[string]any)["id"].(float64)
			if seen[id] {
				t.Fatalf("lead %v on two pages", id)
			}
			seen[id] = true
		}
		cursor = r.str("next_cursor")
		if cursor == "" {
			break
		}
		if len(items) != 3 {
			t.Fatalf("a page before the last has %d items", len(items))
		}
	}
	if pages != 3 || len(seen) != len(want) {
		t.Fatalf("%d pages, %d leads; want 3 pages, 7 leads", pages, len(seen))
	}
	if r := e.must(200, "GET", "/v1/leads?source=facebook&unassigned=true&status=new", nil); len(r.body["items"].([]any)) != 4 {
		t.Errorf("filtered: %s", r.raw)
	}
	if r := e.must(200, "GET", "/v1/leads?owner=alice", nil); len(r.body["items"].([]any)) != 0 || r.raw[len(r.raw)-2] != '}' {
		t.Errorf("empty list: %s", r.raw)
	}
	for _, c := range []struct{ query, detail string }{
		{"cursor=bogus", "is not one this list gave out"},
		{"limit=5000", "limit must be between 1 and 1000"},
		{"limit=ten", "limit must be a whole number"},
		{"unassigned=maybe", "unassigned must be true or false"},
		{"status=pending", `unknown status "pending"`},
		{"sauce=web", `unknown query parameter "sauce"`},
	} {
		wantProblem(t, e.do("GET", "/v1/leads?"+c.query, e.admin, nil), 400, c.detail)
	}
	wantProblem(t, e.do("GET", "/v1/leads?owner=nobody", e.admin, nil), 404, "nobody")
}

func TestLeadGetAndPatch(t *testing.T) {
	e := newEnv(t)
	id := e.lead("Grace")
	path := "/v1/leads/" + itoa(id)
	e.must(200, "POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{id}, "agent": "alice"})
	e.must(201, "POST", path+"/shares", map[string]any{"agent": "bob", "access": "edit", "duration": "2d"})
	r := e.must(200, "GET", path, nil)
	shares := r.body["shares"].([]any)
	if r.str("owner") != "alice" || len(shares) != 1 || shares[0].(map[string]any)["agent"] != "bob" || shares[0].(map[string]any)["expires_at"] == nil {
		t.Fatalf("lead with shares: %s", r.raw)
	}

	r = e.must(200, "PATCH", path, map[string]any{"status": "contacted", "fields": map[string]any{"budget": 5000, "note": "call back"}})
	if r.str("status") != "contacted" || r.body["fields"].(map[string]any)["budget"] != 5000.0 {
		t.Fatalf("patched: %s", r.raw)
	}
	r = e.must(200, "PATCH", path, map[string]any{"fields": map[string]any{"note": nil}})
	if f := r.body["fields"].(map[string]any); len(f) != 1 || f["budget"] != 5000.0 {
		t.Fatalf("removing a field: %s", r.raw)
	}

	wantProblem(t, e.do("GET", "/v1/leads/999", e.admin, nil), 404, "#999")
	wantProblem(t, e.do("GET", "/v1/leads/abc", e.admin, nil), 404, `lead "abc" does not exist`)
	wantProblem(t, e.do("PATCH", "/v1/leads/999", e.admin, map[string]any{"status": "won"}), 404, "#999")
	wantProblem(t, e.do("PATCH", path, e.admin, map[string]any{"status": "done"}), 400, `unknown status "done"`)
	wantProblem(t, e.do("PATCH", path, e.admin, map[string]any{"status": "assigned"}), 400, "assign or unassign")
	wantProblem(t, e.do("PATCH", path, e.admin, map[string]any{}), 400, "nothing to change")
	wantProblem(t, e.do("PATCH", path, e.admin, map[string]any{"owner": "bob"}), 400, `unknown field "owner"`)
}

// TestBulkAssignIsAllOrNothing: one bad id or an unknown agent changes nothing.
func TestBulkAssignIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	a, b := e.lead("A"), e.lead("B")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, map[string]any{"lead_ids": []int64{a, b, 999}, "agent": "alice"}), 404, "#999")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, map[string]any{"lead_ids": []int64{a, b}, "agent": "zed"}), 404, "zed")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, map[string]any{"lead_ids": []int64{a, b}}), 400, "agent is missing")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, map[string]any{"lead_ids": []int64{}, "agent": "alice"}), 400, "no leads given")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, map[string]any{"lead_ids": []int64{a, a}, "agent": "alice"}), 400, "listed twice")
	wantProblem(t, e.do("POST", "/v1/leads/assign", e.admin, `{"lead_ids": ["1"], "agent": "alice"}`), 400, "lead_ids must be a list of whole numbers, not a string")
	page, err := e.eng.ListLeads(context.Background(), engine.System(), engine.LeadQuery{Unassigned: true})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("after refused assigns, %d leads are unassigned (want 2): %v", len(page.Items), err)
	}

	r := e.must(200, "POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{a, b}, "agent": "alice", "reason": "she speaks German"})
	if len(r.body["changed"].([]any)) != 2 || len(r.body["unchanged"].([]any)) != 0 {
		t.Fatalf("assign: %s", r.raw)
	}
	r = e.must(200, "POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{a, b}, "agent": "alice"})
	if len(r.body["changed"].([]any)) != 0 || len(r.body["unchanged"].([]any)) != 2 {
		t.Fatalf("assign again: %s", r.raw)
	}
	r = e.must(200, "POST", "/v1/leads/unassign", map[string]any{"lead_ids": []int64{a}})
	if len(r.body["changed"].([]any)) != 1 {
		t.Fatalf("unassign: %s", r.raw)
	}
	if l := e.must(200, "GET", "/v1/leads/"+itoa(a), nil); l.body["owner"] != nil {
		t.Fatalf("unassigned lead still has an owner: %s", l.raw)
	}
	// No rule: re-routing keeps the queue as it is.
	r = e.must(200, "POST", "/v1/leads/route", map[string]any{"lead_ids": []int64{a}})
	if len(r.body["unchanged"].([]any)) != 1 {
		t.Fatalf("route: %s", r.raw)
	}
	wantProblem(t, e.do("POST", "/v1/leads/route", e.admin, map[string]any{"lead_ids": []int64{a, 12345}}), 404, "#12345")
}

func TestShares(t *testing.T) {
	e := newEnv(t)
	id := e.lead("Shared")
	path := "/v1/leads/" + itoa(id) + "/shares"
	wantProblem(t, e.do("POST", path, e.admin, map[string]any{"agent": "bob", "duration": "forever"}), 400, "forever")
	wantProblem(t, e.do("POST", path, e.admin, map[string]any{"agent": "bob", "duration": "-5m"}), 400, "")
	wantProblem(t, e.do("POST", path, e.admin, map[string]any{"agent": "bob", "access": "write"}), 400, "write")
	wantProblem(t, e.do("POST", path, e.admin, map[string]any{"agent": "zed"}), 404, "zed")
	wantProblem(t, e.do("POST", "/v1/leads/999/shares", e.admin, map[string]any{"agent": "bob"}), 404, "#999")
	s := e.must(201, "POST", path, map[string]any{"agent": "bob"})
	if s.str("access") != "read" || s.body["expires_at"] != nil || s.str("status") != "active" {
		t.Fatalf("share until revoked: %s", s.raw)
	}
	r := e.must(200, "DELETE", "/v1/shares/"+itoa(int64(s.body["id"].(float64))), nil)
	if r.str("status") != "revoked" {
		t.Fatalf("revoked share: %s", r.raw)
	}
	wantProblem(t, e.do("DELETE", "/v1/shares/777", e.admin, nil), 404, "")
}

func TestAgents(t *testing.T) {
	e := newEnv(t)
	r := e.must(201, "POST", "/v1/agents", map[string]any{"handle": "carol", "name": "Carol", "email": "carol@example.com", "role": "dispatcher", "capacity": 5})
	if r.str("role") != "dispatcher" || r.str("presence") != "offline" || r.body["capacity"] != 5.0 {
		t.Fatalf("added: %s", r.raw)
	}
	if _, leaked := r.body["webhook_secret"]; leaked {
		t.Fatal("the webhook secret left the server")
	}
	wantProblem(t, e.do("POST", "/v1/agents", e.admin, map[string]any{"handle": "carol", "name": "C"}), 409, "exists already")
	wantProblem(t, e.do("POST", "/v1/agents", e.admin, map[string]any{"handle": "Bad Handle", "name": "B"}), 400, "handle")
	wantProblem(t, e.do("POST", "/v1/agents", e.admin, map[string]any{"handle": "dan", "name": "Dan", "role": "boss"}), 400, `unknown role "boss"`)
	wantProblem(t, e.do("POST", "/v1/agents", e.admin, map[string]any{"handle": "dan", "name": "Dan", "capacity": "5"}), 400, "capacity must be a whole number, not a string")

	r = e.must(200, "PATCH", "/v1/agents/carol", map[string]any{"presence": "available", "daily_cap": 10, "email_notify": true})
	if r.str("presence") != "available" || r.body["daily_cap"] != 10.0 || r.body["email_notify"] != true {
		t.Fatalf("patched: %s", r.raw)
	}
	wantProblem(t, e.do("PATCH", "/v1/agents/carol", e.admin, map[string]any{"capacity": -1}), 400, "0 (no limit) or more")
	wantProblem(t, e.do("PATCH", "/v1/agents/carol", e.admin, map[string]any{"presence": "asleep"}), 400, `unknown presence "asleep"`)
	wantProblem(t, e.do("PATCH", "/v1/agents/carol", e.admin, map[string]any{"webhook_url": "ftp://x"}), 400, "")
	wantProblem(t, e.do("PATCH", "/v1/agents/zed", e.admin, map[string]any{"presence": "away"}), 404, "zed")
	wantProblem(t, e.do("PATCH", "/v1/agents/carol", e.admin, map[string]any{}), 400, "nothing to change")

	list := e.must(200, "GET", "/v1/agents", nil)
	if items := list.body["items"].([]any); len(items) != 3 {
		t.Fatalf("team: %s", list.raw)
	}
	if one := e.must(200, "GET", "/v1/agents/alice", nil); one.str("handle") != "alice" || one.body["open_leads"] != 0.0 {
		t.Fatalf("one agent: %s", one.raw)
	}
}

func TestRules(t *testing.T) {
	e := newEnv(t)
	bad := e.do("POST", "/v1/rules", e.admin, map[string]any{"name": "vip", "mode": "round_robin", "condition": `source == "web" &&`})
	wantProblem(t, bad, 400, "line 1")
	if bad.str("field") != "condition" || bad.body["column"] == nil {
		t.Errorf("condition problem lacks its position: %s", bad.raw)
	}
	wantProblem(t, e.do("POST", "/v1/rules", e.admin, map[string]any{"name": "n", "mode": "random"}), 400, "random")
	wantProblem(t, e.do("POST", "/v1/rules", e.admin, map[string]any{"name": "n", "mode": "round_robin", "recipients": []map[string]any{{"agent": "zed"}}}), 404, "zed")
	wantProblem(t, e.do("POST", "/v1/rules", e.admin, map[string]any{"name": "n", "mode": "broadcast", "share_duration": "soon"}), 400, "soon")
	wantProblem(t, e.do("POST", "/v1/rules", e.admin, map[string]any{"name": "n", "mode": "round_robin", "condition": "1 + 1"}), 400, "")

	first := e.must(201, "POST", "/v1/rules", map[string]any{"name": "vip", "mode": "round_robin", "condition": `"vip" in tags`,
		"recipients": []map[string]any{{"agent": "alice", "per_round": 2}, {"agent": "bob"}}})
	second := e.must(201, "POST", "/v1/rules", map[string]any{"name": "watchers", "mode": "broadcast", "share_access": "edit", "share_duration": "48h"})
	if second.str("share_duration") != "2d" || second.str("share_access") != "edit" || second.body["position"] != 2.0 {
		t.Fatalf("broadcast rule: %s", second.raw)
	}
	id1, id2 := itoa(int64(first.body["id"].(float64))), itoa(int64(second.body["id"].(float64)))
	moved := e.must(200, "POST", "/v1/rules/"+id2+"/move", map[string]any{"position": 1})
	if moved.body["position"] != 1.0 {
		t.Fatalf("moved: %s", moved.raw)
	}
	wantProblem(t, e.do("POST", "/v1/rules/"+id2+"/move", e.admin, map[string]any{}), 400, "position is missing")
	put := e.must(200, "PUT", "/v1/rules/"+id1, map[string]any{"name": "vip", "mode": "load_balance", "enabled": false, "condition": `"vip" in tags`})
	if put.str("mode") != "load_balance" || put.body["enabled"] != false {
		t.Fatalf("replaced: %s", put.raw)
	}
	list := e.must(200, "GET", "/v1/rules", nil)
	items := list.body["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["name"] != "watchers" {
		t.Fatalf("rules in order: %s", list.raw)
	}
	e.must(http.StatusNoContent, "DELETE", "/v1/rules/"+id1, nil)
	wantProblem(t, e.do("GET", "/v1/rules/"+id1, e.admin, nil), 404, "#"+id1)
	wantProblem(t, e.do("PUT", "/v1/rules/"+id1, e.admin, map[string]any{"name": "x", "mode": "round_robin"}), 404, "")
	wantProblem(t, e.do("DELETE", "/v1/rules/"+id1, e.admin, nil), 404, "")
}

func TestHistoryPagesAndFilters(t *testing.T) {
	e := newEnv(t)
	id := e.lead("H")
	e.must(200, "POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{id}, "agent": "alice"})
	e.must(200, "PATCH", "/v1/leads/"+itoa(id), map[string]any{"status": "contacted"})
	for range 4 {
		e.lead("More")
	}
	r := e.must(200, "GET", "/v1/history?lead="+itoa(id), nil)
	var kinds []string
	for _, it := range r.body["items"].([]any) {
		ev := it.(map[string]any)
		kinds = append(kinds, ev["kind"].(string))
		if ev["lead_id"] != float64(id) || ev["actor"] == "" {
			t.Errorf("event: %v", ev)
		}
	}
	if got := strings.Join(kinds, " "); got != "lead.status lead.assigned lead.queued lead.created" {
		t.Errorf("history of lead: %s", got)
	}
	total, cursor := 0, ""
	for {
		p := e.must(200, "GET", "/v1/history?kind=lead&limit=2&since=1h&cursor="+cursor, nil)
		total += len(p.body["items"].([]any))
		if cursor = p.str("next_cursor"); cursor == "" {
			break
		}
	}
	if total != 12 { // 5 leads created and queued, one assigned, one status change
		t.Errorf("paged %d lead events, want 12", total)
	}
	all := e.must(200, "GET", "/v1/history?kind=lead&limit=1000", nil)
	if n := len(all.body["items"].([]any)); n != total {
		t.Errorf("paged %d lead events, one page holds %d", total, n)
	}
	if r := e.must(200, "GET", "/v1/history?agent=alice&kind=lead.assigned", nil); len(r.body["items"].([]any)) != 1 {
		t.Errorf("alice's assignments: %s", r.raw)
	}
	wantProblem(t, e.do("GET", "/v1/history?since=yesterday", e.admin, nil), 400, "neither a duration")
	wantProblem(t, e.do("GET", "/v1/history?lead=x", e.admin, nil), 400, "lead must be a whole number")
}
