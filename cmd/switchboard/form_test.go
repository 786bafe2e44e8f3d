package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestFormCommands: a form made with the CLI takes a submission on a running serve, as
// the page `form html` prints posts it, and stops when removed.
func TestFormCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "all", "--to", "bob")
	r := c.run("", "form", "create", "--name", "site", "--source", "Web", "--origin", "https://example.com/")
	if r.code != 0 {
		t.Fatalf("form create: %d %s", r.code, r.errOut)
	}
	key := strings.TrimSpace(r.out)
	if !regexp.MustCompile(`^fk_[A-Za-z0-9_-]{32}$`).MatchString(key) {
		t.Fatalf("form create printed %q, want the key alone", r.out)
	}
	c.fails(2, "name", "form", "create", "--name", "Bad Name")
	c.fails(2, "origin", "form", "create", "--name", "x", "--origin", "example.com")
	c.fails(1, "exists already", "form", "create", "--name", "site")
	if !strings.Contains(c.run("", "form", "create", "--name", "hidden").errOut, "browsers will be refused") {
		t.Error("form create without --origin does not warn that browsers are refused")
	}
	var forms []map[string]any
	if err := json.Unmarshal([]byte(c.ok("--format", "json", "form", "list")), &forms); err != nil || len(forms) != 2 {
		t.Fatalf("form list --format json: %v %v", forms, err)
	}
	if forms[1]["key"] != key || forms[1]["source"] != "web" {
		t.Errorf("listed %v", forms[1])
	}
	page := c.ok("form", "html", "site", "--url", "https://leads.example.com/")
	for _, want := range []string{`action="https://leads.example.com/v1/forms/` + key + `"`, `name="_gotcha"`, `name="email"`, "<!doctype html>"} {
		if !strings.Contains(page, want) {
			t.Errorf("form html lacks %s:\n%s", want, page)
		}
	}
	c.fails(1, "form list", "form", "html", "nope")

	logs := &syncBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs}
	root := a.rootCmd()
	root.SetArgs([]string{"serve", "--db", c.db, "--http", "127.0.0.1:0", "--ssh", ""})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	addr := waitFor(t, logs, regexp.MustCompile(`http: listening" addr=(\S+)`), done)

	post := func() *http.Response {
		res, err := http.PostForm("http://"+addr+"/v1/forms/"+key, url.Values{"name": {"Ada"}, "message": {"Hi\r\nthere"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post(); res.StatusCode != 201 {
		t.Fatalf("a submission: %d", res.StatusCode)
	}
	if out := c.ok("form", "rm", "site"); !strings.Contains(out, "404") {
		t.Errorf("form rm said %q", out)
	}
	if res := post(); res.StatusCode != 404 {
		t.Errorf("a submission after form rm: %d, want 404", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if out := c.ok("lead", "list"); !strings.Contains(out, "Ada") {
		t.Errorf("the form's lead is not listed:\n%s", out)
	}
	if out := c.ok("history", "--kind", "form"); !strings.Contains(out, "form.created") || !strings.Contains(out, "form.deleted") {
		t.Errorf("history --kind form:\n%s", out)
	}
}
