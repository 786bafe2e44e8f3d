package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/storage"
)

// env is the API on a real SQLite file, served on loopback, with an admin and an
// intake token and a small team.
type env struct {
	t      *testing.T
	eng    *engine.Engine
	srv    *httptest.Server
	admin  string
	intake string
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newEnv(t *testing.T) *env { return newEnvWith(t, httpapi.Options{}) }

// newEnvWith is newEnv with the API's options (its logger is the env's).
func newEnvWith(t *testing.T, opts httpapi.Options) *env {
	t.Helper()
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1, Location: time.UTC})
	e := &env{t: t, eng: eng, logs: &syncBuffer{}}
	opts.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	api := httpapi.New(eng, opts)
	e.srv = httptest.NewServer(api)
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	var err error
	if _, e.admin, err = eng.CreateToken(ctx, engine.System(), "ops", engine.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, e.intake, err = eng.CreateToken(ctx, engine.System(), "webform", engine.RoleIntake); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"alice", "bob"} {
		if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{Handle: h, Name: strings.ToUpper(h[:1]) + h[1:], Presence: engine.Available}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// response is an answer, decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// do sends a request; body is sent as it is when it is a string, else as JSON.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil && raw[0] == '{' {
			e.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

// must sends a request and fails the test unless the answer has status want.
func (e *env) must(want int, method, path string, body any) response {
	e.t.Helper()
	r := e.do(method, path, e.admin, body)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, want, r.raw)
	}
	return r
}

// wantProblem checks an error answer: its status, that it is problem+json, and that
// its detail says something.
func wantProblem(t *testing.T, r response, status int, detailHas string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if got := r.body["status"]; got != float64(status) {
		t.Errorf("problem status member %v, want %d", got, status)
	}
	if !strings.Contains(r.str("detail"), detailHas) {
		t.Errorf("detail %q does not mention %q", r.str("detail"), detailHas)
	}
}

func (e *env) countLeads() int {
	e.t.Helper()
	n, err := e.eng.CountLeads(context.Background(), engine.System(), engine.LeadQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) lead(name string) int64 {
	e.t.Helper()
	r := e.must(http.StatusCreated, "POST", "/v1/leads", map[string]any{"name": name})
	return int64(r.body["id"].(float64))
}

func TestHealthzNeedsNoToken(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/healthz", "", nil)
	if r.status != 200 || r.str("status") != "ok" {
		t.Fatalf("healthz: %d %s", r.status, r.raw)
	}
}

// TestAuthMatrix: no token, a bad or revoked one is 401; an intake token may only
// create leads (403 elsewhere); an admin token may do everything an admin may.
func TestAuthMatrix(t *testing.T) {
	e := newEnv(t)
	_, revoked, err := e.eng.CreateToken(context.Background(), engine.System(), "old", engine.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.RevokeToken(context.Background(), engine.System(), "old"); err != nil {
		t.Fatal(err)
	}
	id := e.lead("Seed")
	lead := "/v1/leads/" + itoa(id)
	endpoints := []struct {
		method, path string
		body         any
		admin        int // the admin token's status
	}{
		{"GET", "/v1/leads", nil, 200},
		{"GET", lead, nil, 200},
		{"PATCH", lead, map[string]any{"status": "contacted"}, 200},
		{"POST", "/v1/leads/assign", map[string]any{"lead_ids": []int64{id}, "agent": "alice"}, 200},
		{"POST", "/v1/leads/unassign", map[string]any{"lead_ids": []int64{id}}, 200},
		{"POST", "/v1/leads/route", map[string]any{"lead_ids": []int64{id}}, 200},
		{"POST", lead + "/shares", map[string]any{"agent": "bob", "duration": "1h"}, 201},
		{"DELETE", "/v1/shares/1", nil, 200},
		{"GET", "/v1/agents", nil, 200},
		{"POST", "/v1/agents", map[string]any{"handle": "carol", "name": "Carol"}, 201},
		{"PATCH", "/v1/agents/carol", map[string]any{"presence": "away"}, 200},
		{"GET", "/v1/rules", nil, 200},
		{"POST", "/v1/rules", map[string]any{"name": "all", "mode": "round_robin"}, 201},
		{"PUT", "/v1/rules/1", map[string]any{"name": "all", "mode": "load_balance"}, 200},
		{"POST", "/v1/rules/1/move", map[string]any{"position": 1}, 200},
		{"DELETE", "/v1/rules/1", nil, 204},
		{"GET", "/v1/history", nil, 200},
		{"GET", "/v1/stats", nil, 200},
		{"POST", "/v1/rules/simulate", map[string]any{"rules": []any{}}, 200},
	}
	tokens := []struct {
		name, header string
		want         int
	}{
		{"none", "", 401},
		{"bad", "Bearer sb_nottherealtokenatallnottherealtokenatall01", 401},
		{"revoked", "Bearer " + revoked, 401},
		{"basic", "Basic " + e.admin, 401},
		{"intake", "Bearer " + e.intake, 403},
	}
	for _, ep := range endpoints {
		for _, tk := range tokens {
			t.Run(ep.method+" "+ep.path+" "+tk.name, func(t *testing.T) {
				var body io.Reader
				if ep.body != nil {
					j, _ := json.Marshal(ep.body)
					body = bytes.NewReader(j)
				}
				req, _ := http.NewRequest(ep.method, e.srv.URL+ep.path, body)
				if tk.header != "" {
					req.Header.Set("Authorization", tk.header)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var p map[string]any
				json.Unmarshal(raw, &p)
				wantProblem(t, response{status: res.StatusCode, header: res.Header, raw: raw, body: p}, tk.want, "")
				if tk.want == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
		// The admin token, in order: each endpoint's change is what the next builds on.
		if r := e.do(ep.method, ep.path, e.admin, ep.body); r.status != ep.admin {
			t.Fatalf("admin %s %s: %d, want %d\n%s", ep.method, ep.path, r.status, ep.admin, r.raw)
		}
	}
	// The intake token creates leads, recorded as api:webform.
	r := e.do("POST", "/v1/leads", e.intake, map[string]any{"email": "x@example.com"})
	if r.status != 201 {
		t.Fatalf("intake create: %d %s", r.status, r.raw)
	}
	page, err := e.eng.History(context.Background(), engine.System(), engine.HistoryQuery{Kind: "lead.created", Limit: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].Actor != "api:webform" {
		t.Fatalf("history of the intake lead: %+v %v", page.Items, err)
	}
	// An admin token cannot do what only an owner may: change the owner.
	if _, err := e.eng.AddAgent(context.Background(), engine.System(), engine.NewAgent{Handle: "olga", Name: "Olga", Role: engine.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.do("PATCH", "/v1/agents/olga", e.admin, map[string]any{"name": "O"}), 403, "api:ops cannot change olga")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestUnknownPathsAndMethods(t *testing.T) {
	e := newEnv(t)
	wantProblem(t, e.do("GET", "/v2/leads", e.admin, nil), 404, "no endpoint at GET /v2/leads")
	r := e.do("PUT", "/v1/leads", e.admin, "{}")
	wantProblem(t, r, 405, "PUT is not allowed on /v1/leads")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q", allow)
	}
}

func TestAccessLog(t *testing.T) {
	e := newEnv(t)
	e.lead("Logged")
	e.do("GET", "/v1/leads/999", e.admin, nil)
	logs := e.logs.String()
	for _, want := range []string{"method=POST path=/v1/leads status=201", "actor=api:ops", "path=/v1/leads/999 status=404"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if n := strings.Count(logs, "msg=http"); n != 2 {
		t.Errorf("%d log lines for 2 requests:\n%s", n, logs)
	}
}

// TestServeFinishesRequestsInFlight: cancelling Serve's context stops new connections
// but the request being answered completes.
func TestServeFinishesRequestsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	srv := httpapi.NewServer(h, slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
		t.Fatalf("a timeout is unset: %+v", srv)
	}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- httpapi.Serve(ctx, srv, ln) }()

	got := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestNewLeadTokenRevokedByAnotherProcess: POST /v1/leads checks a token it knows in
// the lead's transaction rather than before; a token another process revoked is
// still a 401 at the next request, whatever its body, and creates nothing.
func TestNewLeadTokenRevokedByAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := enginetest.SQLite.NewDatabase(t)
	eng := enginetest.Open(t, path, storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
	cli := enginetest.Open(t, path, storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
	srv := httptest.NewServer(httpapi.New(eng, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	e := &env{t: t, eng: eng, srv: srv}
	bodies := []any{map[string]any{"name": "after"}, "{", map[string]any{"tags": []string{"x"}}}
	secrets := make([]string, len(bodies))
	for i := range bodies { // the first request reads the token, the second leaves it to the write
		var err error
		if _, secrets[i], err = cli.CreateToken(ctx, engine.System(), fmt.Sprintf("site%d", i), engine.RoleIntake); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if r := e.do("POST", "/v1/leads", secrets[i], map[string]any{"name": "before"}); r.status != 201 {
				t.Fatalf("POST /v1/leads with a working token: %d %s", r.status, r.raw)
			}
		}
		if _, err := cli.RevokeToken(ctx, engine.System(), fmt.Sprintf("site%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, body := range bodies {
		for range 2 { // found revoked, then forgotten: read again
			r := e.do("POST", "/v1/leads", secrets[i], body)
			if r.status != 401 || r.header.Get("WWW-Authenticate") == "" || !strings.Contains(r.str("detail"), "unknown or revoked") {
				t.Errorf("POST /v1/leads %v with a revoked token: %d %s", body, r.status, r.raw)
			}
		}
	}
	if n := e.countLeads(); n != 2*len(bodies) {
		t.Fatalf("%d leads, want the %d made before the revocations", n, 2*len(bodies))
	}
}
