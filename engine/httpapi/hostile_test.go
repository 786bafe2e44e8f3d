package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/storage"
)

// TestHostileBodiesRefused: text that would reach a terminal with control characters
// in it, text that is not UTF-8, numbers out of range and oversized texts are each a
// 400 problem that names the field, and nothing is created.
func TestHostileBodiesRefused(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, body, field, detail string
	}{
		{"C1 CSI in a name", `{"name":"Eve\u009b2J"}`, "name", "name: control character U+009B at position 4 is not allowed"},
		{"C1 OSC in a company", `{"name":"Eve","company":"\u009d0;pwned\u009c"}`, "company", "control character U+009D at position 1"},
		{"ESC in a field key", `{"name":"Eve","fields":{"\u001b]0;pwned\u0007":"v"}}`, "fields", `the key "\x1b]0;pwned\a": control character U+001B at position 1`},
		{"ESC in a field value", `{"name":"Eve","fields":{"note":"\u001b[2J"}}`, "fields.note", "control character U+001B"},
		{"NUL in a tag", `{"name":"Eve","tags":["a\u0000"]}`, "tags", "control character U+0000 at position 2"},
		{"invalid UTF-8 in a name", "{\"name\":\"Ad\xffa\"}", "name", "name: invalid UTF-8 at position 3"},
		{"invalid UTF-8 after an escape", "{\"name\":\"\\u00e9t\xe9\"}", "name", "name: invalid UTF-8 at position 3"},
		{"invalid UTF-8 in a field value", "{\"name\":\"A\",\"fields\":{\"city\":\"Z\xfcrich\"}}", "fields.city", "fields.city: invalid UTF-8 at position 2"},
		{"invalid UTF-8 in a field key", "{\"name\":\"A\",\"fields\":{\"c\xffity\":\"x\"}}", "fields", "fields: invalid UTF-8 at position 2"},
		{"invalid UTF-8 in a tag", "{\"name\":\"A\",\"tags\":[\"ok\",\"b\xff\"]}", "tags", "tags: invalid UTF-8 at position 2"},
		{"a number out of range", `{"name":"A","fields":{"a":1e400}}`, "fields.a", "fields.a: the number 1e400 is out of range"},
		{"a name over its limit", `{"name":"` + strings.Repeat("x", 201) + `"}`, "name", "longer than 200 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/v1/leads", e.intake, tc.body)
			wantProblem(t, r, http.StatusBadRequest, tc.detail)
			if got := r.str("field"); got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
			if strings.ContainsAny(string(r.raw), "\x1b\u009b\u009d\x00") {
				t.Errorf("the answer carries a raw control character: %q", r.raw)
			}
		})
	}
	if n := e.countLeads(); n != 0 {
		t.Fatalf("%d leads created by refused bodies", n)
	}
}

// TestHostileCommandsRefused: the other doors of the API refuse the same way.
func TestHostileCommandsRefused(t *testing.T) {
	e := newEnv(t)
	id := e.lead("Target")
	ids := make([]int64, 400)
	for i := range ids {
		ids[i] = e.lead(fmt.Sprint("L", i))
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		field, detail      string
	}{
		{"a 600 KB reason for 400 leads", "POST", "/v1/leads/assign",
			map[string]any{"lead_ids": ids, "agent": "bob", "reason": strings.Repeat("x", 600<<10)}, "reason", "longer than 500 characters"},
		{"ESC and NUL in a reason", "POST", "/v1/leads/assign",
			map[string]any{"lead_ids": []int64{id}, "agent": "bob", "reason": "ok\x1b[2J\x00"}, "reason", "control character U+001B at position 3"},
		{"ESC in an unassign reason", "POST", "/v1/leads/unassign",
			map[string]any{"lead_ids": []int64{id}, "reason": "\x1b]0;x\x07"}, "reason", "control character U+001B"},
		{"ESC in a rule condition's string", "POST", "/v1/rules",
			map[string]any{"name": "r", "mode": "load_balance", "condition": "name == \"\x1b]0;x\x07\""}, "condition", "condition: control character U+001B at position 10"},
		{"a costly condition", "POST", "/v1/rules",
			map[string]any{"name": "r", "mode": "load_balance", "condition": `all(1..600, {all(1..600, {all(1..600, {len(name) + # >= 0})})})`}, "condition", "all() inside all()"},
		{"a C1 control in an agent's name", "PATCH", "/v1/agents/bob", map[string]any{"name": "Bo\u0085b"}, "name", "control character U+0085"},
		{"a field key with ESC in a patch", "PATCH", "/v1/leads/" + itoa(id), map[string]any{"fields": map[string]any{"\x1b[2J": 1}}, "fields", "control character U+001B"},
		{"a number out of range in a lead id", "POST", "/v1/leads/route", `{"lead_ids":[1e400]}`, "lead_ids", "out of range"},
		{"a whole number too large", "POST", "/v1/leads/route", `{"lead_ids":[99999999999999999999]}`, "lead_ids", "out of range"},
		{"a search with ESC", "GET", "/v1/leads?q=%1B%5B2J", nil, "q", "control character U+001B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, e.admin, tc.body)
			wantProblem(t, r, http.StatusBadRequest, tc.detail)
			if got := r.str("field"); got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
		})
	}
	page, err := e.eng.ListLeads(context.Background(), engine.System(), engine.LeadQuery{Owner: "bob"})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("bob owns %d leads after refused assignments (%v)", len(page.Items), err)
	}
	if r := e.must(200, "GET", "/v1/rules", nil); !strings.HasPrefix(string(r.raw), `{"items":[]`) {
		t.Fatalf("refused rules were stored: %s", r.raw)
	}
}

// TestIntakeDuplicateLeaksNothing: an intake token that re-posts a known source and
// external id learns the lead's id, not its name, e-mail, phone or fields; an admin
// token still gets the stored lead.
func TestIntakeDuplicateLeaksNothing(t *testing.T) {
	e := newEnv(t)
	first := `{"external_id":"f-1","source":"web","name":"Ada Lovelace","email":"ada@example.com","phone":"+44 20","fields":{"budget":9000}}`
	r := e.do("POST", "/v1/leads", e.intake, first)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"]
	again := e.do("POST", "/v1/leads", e.intake, `{"external_id":"f-1","source":"web","email":"probe@example.com"}`)
	if again.status != http.StatusOK || len(again.body) != 2 || again.body["id"] != id || again.body["duplicate"] != true {
		t.Fatalf("intake duplicate answer: %d %s", again.status, again.raw)
	}
	for _, secret := range []string{"Ada", "ada@example.com", "+44", "9000"} {
		if strings.Contains(string(again.raw), secret) {
			t.Fatalf("the intake answer leaks %q: %s", secret, again.raw)
		}
	}
	admin := e.do("POST", "/v1/leads", e.admin, `{"external_id":"f-1","source":"web","name":"x"}`)
	if admin.status != http.StatusOK || admin.str("name") != "Ada Lovelace" || admin.body["duplicate"] != true {
		t.Fatalf("admin duplicate answer: %d %s", admin.status, admin.raw)
	}
}

// TestBulkShareAndStatusEndpoints: POST /v1/leads/share and /v1/leads/status change
// every lead or none.
func TestBulkShareAndStatusEndpoints(t *testing.T) {
	e := newEnv(t)
	a, b := e.lead("A"), e.lead("B")
	e.must(200, "POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{a, b}, "agent": "alice"})

	r := e.do("POST", "/v1/leads/share", e.admin, map[string]any{"lead_ids": []int64{a, b, 999}, "agent": "bob", "access": "edit", "duration": "48h"})
	wantProblem(t, r, http.StatusNotFound, "lead #999")
	r = e.must(200, "POST", "/v1/leads/share", map[string]any{"lead_ids": []int64{a, b}, "agent": "bob", "access": "edit", "duration": "48h"})
	if fmt.Sprint(r.body["changed"]) != fmt.Sprintf("[%d %d]", a, b) {
		t.Fatalf("share: %s", r.raw)
	}
	r = e.do("POST", "/v1/leads/share", e.admin, map[string]any{"lead_ids": []int64{a}, "agent": "bob", "duration": "forever"})
	wantProblem(t, r, http.StatusBadRequest, "bad duration")

	r = e.do("POST", "/v1/leads/status", e.admin, map[string]any{"lead_ids": []int64{a, b}, "status": "assigned"})
	wantProblem(t, r, http.StatusBadRequest, "follows from assignment")
	r = e.do("POST", "/v1/leads/status", e.admin, map[string]any{"lead_ids": []int64{a, 999}, "status": "won"})
	wantProblem(t, r, http.StatusNotFound, "lead #999")
	if got := e.must(200, "GET", "/v1/leads/"+itoa(a), nil).str("status"); got != "assigned" {
		t.Fatalf("a refused bulk status changed lead #%d to %s", a, got)
	}
	r = e.must(200, "POST", "/v1/leads/status", map[string]any{"lead_ids": []int64{a, b}, "status": "won"})
	if fmt.Sprint(r.body["changed"]) != fmt.Sprintf("[%d %d]", a, b) {
		t.Fatalf("status: %s", r.raw)
	}
	r = e.do("POST", "/v1/leads/status", e.intake, map[string]any{"lead_ids": []int64{a}, "status": "lost"})
	wantProblem(t, r, http.StatusForbidden, "intake")
}

// TestRefusalsBeforeTheHandler: the answers net/http gives by itself, before any
// handler runs, are problem+json too: headers over 64 KiB (431) and a request it
// cannot parse (400).
func TestRefusalsBeforeTheHandler(t *testing.T) {
	e := newEnv(t)
	srv := httpapi.NewServer(e.srv.Config.Handler, slog.New(slog.DiscardHandler))
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- httpapi.Serve(ctx, srv, ln) }()
	t.Cleanup(func() { cancel(); <-served })

	for _, tc := range []struct {
		name, request string
		status        int
		detail        string
	}{
		{"headers over the limit", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 70<<10) + "\r\n\r\n",
			http.StatusRequestHeaderFieldsTooLarge, "larger than 64 KiB"},
		{"no Host header", "GET /healthz HTTP/1.1\r\n\r\n", http.StatusBadRequest, "missing required Host header"},
		{"a broken request line", "NONSENSE\r\n\r\n", http.StatusBadRequest, "not valid HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go io.WriteString(c, tc.request)
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r := response{status: res.StatusCode, header: res.Header, raw: raw}
			if err := json.Unmarshal(raw, &r.body); err != nil {
				t.Fatalf("answer is not JSON: %v\n%s", err, raw)
			}
			wantProblem(t, r, tc.status, tc.detail)
		})
	}
	// The server still answers.
	res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz after the refusals: %v %v", res, err)
	}
	res.Body.Close()
}

// TestAnswersEscapeC1: a lead an older version stored with C1 and DEL in its name is
// answered with them as \u escapes, the same data for a program, nothing a terminal
// showing the answer (curl) would run.
func TestAnswersEscapeC1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	eng := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	st := enginetest.OpenStore(t, path, storage.Options{})
	tx, err := st.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	l := engine.Lead{Name: "Eve\u009b2J\u009d0;t\u009c\x7f", Source: "web", Status: engine.StatusNew, Waiting: engine.WaitingNoRule, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertLead(&l); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	_, admin, err := eng.CreateToken(context.Background(), engine.System(), "ops", engine.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(eng, httpapi.Options{Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/leads/"+itoa(l.ID), nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if bytes.ContainsAny(raw, "\u009b\u009d\u009c\x7f") || !bytes.Contains(raw, []byte(`"Eve\u009b2J\u009d0;t\u009c\u007f"`)) {
		t.Fatalf("answer: %q", raw)
	}
	var got struct{ Name string }
	if err := json.Unmarshal(raw, &got); err != nil || got.Name != l.Name {
		t.Fatalf("the name decodes as %q (%v), want %q", got.Name, err, l.Name)
	}
}
