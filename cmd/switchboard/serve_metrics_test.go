package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestServeMetrics: serve --metrics serves Prometheus text at /metrics with no token,
// and the lead posted to the API shows in it; the API's own port has no /metrics.
func TestServeMetrics(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "web", "--if", `source == "web"`, "--mode", "round_robin")
	token := strings.TrimSpace(c.ok("token", "create", "--name", "web", "--role", "intake"))
	logs := &syncBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs}
	root := a.rootCmd()
	root.SetArgs([]string{"serve", "--db", c.db, "--http", "127.0.0.1:0", "--ssh", "", "--metrics", "127.0.0.1:0"})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	api := waitFor(t, logs, regexp.MustCompile(`http: listening" addr=(\S+)`), done)
	scrape := waitFor(t, logs, regexp.MustCompile(`metrics: listening" addr=(\S+)`), done)
	req, _ := http.NewRequest("POST", "http://"+api+"/v1/leads", strings.NewReader(`{"name":"Ada","source":"web"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("POST /v1/leads: %d", res.StatusCode)
	}
	get := func(url string) (int, string) {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("http://" + scrape + "/metrics")
	for _, want := range []string{`switchboard_leads_created_total{source="web"} 1`, `switchboard_leads_routed_total{rule="1"} 1`,
		`switchboard_http_requests_total{code="201",method="POST",route="/v1/leads"} 1`, "switchboard_queue_leads 0"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
	if code, _ := get("http://" + api + "/metrics"); code != 404 {
		t.Errorf("the API's port answers /metrics with %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
