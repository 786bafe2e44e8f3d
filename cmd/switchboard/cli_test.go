package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKey is an ed25519 public key for init and agent key add.
const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFxUZGQCiyMR1YQo6RBS5RtSot9+vpW9CkMIh/091lPZ alice@laptop"

// sbCLI runs commands against one temporary database.
type sbCLI struct {
	t   *testing.T
	dir string
	db  string
}

func newCLI(t *testing.T) *sbCLI {
	dir := t.TempDir()
	return &sbCLI{t: t, dir: dir, db: filepath.Join(dir, "sb.db")}
}

type result struct {
	code        int
	out, errOut string
}

// run runs switchboard with args and stdin.
func (c *sbCLI) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--db", c.db}, args...), strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// ok runs a command that must succeed and returns its standard output.
func (c *sbCLI) ok(args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != 0 {
		c.t.Fatalf("switchboard %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r.out
}

// fails runs a command that must exit with code and say want on stderr.
func (c *sbCLI) fails(code int, want string, args ...string) {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != code || !strings.Contains(r.errOut, want) {
		c.t.Fatalf("switchboard %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), r.code, r.errOut, code, want)
	}
}

func (c *sbCLI) file(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// team initialises the database with alice as owner and two available agents.
func (c *sbCLI) team() {
	c.t.Helper()
	c.ok("init", "--owner", "alice", "--name", "Alice Martin", "--key", c.file("alice.pub", "# my key\n"+testKey+"\n"))
	c.ok("agent", "add", "bob", "--name", "Bob Stone", "--presence", "available")
	c.ok("agent", "add", "carol", "--name", "Carol", "--presence", "available", "--capacity", "5")
}

func TestInit(t *testing.T) {
	c := newCLI(t)
	c.fails(1, "no database at", "agent", "list")
	c.fails(2, "init needs --owner HANDLE and --name NAME", "init", "--owner", "alice")
	c.fails(2, "handle", "init", "--owner", "Alice Martin", "--name", "A")
	c.fails(1, "not an SSH public key", "init", "--owner", "alice", "--name", "A", "--key", c.file("id", "-----BEGIN OPENSSH PRIVATE KEY-----\n"))
	if _, err := os.Stat(c.db); err == nil {
		t.Fatal("a refused init created the database")
	}
	out := c.ok("init", "--owner", "alice", "--name", "Alice Martin", "--key", c.file("alice.pub", testKey))
	if !strings.Contains(out, "owner alice (Alice Martin), SSH key SHA256:") {
		t.Errorf("init said %q", out)
	}
	c.fails(1, "already has a team", "init", "--owner", "zed", "--name", "Z")
	if keys := c.ok("agent", "key", "list", "alice"); !strings.Contains(keys, "ssh-ed25519") || !strings.Contains(keys, "alice@laptop") {
		t.Errorf("alice's keys:\n%s", keys)
	}
}

// TestDatabaseURL: a --db that looks like a URL is a store switchboard knows or a usage
// error that names what it takes; it never becomes a file or directory of that name.
func TestDatabaseURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, db := range []string{"mysql://root@localhost/team", "sqlite://team.db", "https://example.com/db"} {
		var out, errOut bytes.Buffer
		code := run([]string{"--db", db, "init", "--owner", "alice", "--name", "A"}, strings.NewReader(""), &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "which switchboard cannot open") {
			t.Errorf("--db %s: exit %d, %q; want 2 and what --db takes", db, code, errOut.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused URLs left %d entries in the directory, first %s", len(entries), entries[0].Name())
	}
}

func TestAgentCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.fails(2, `unknown role "boss"`, "agent", "add", "dan", "--name", "Dan", "--role", "boss")
	c.fails(1, "exists already", "agent", "add", "bob", "--name", "Bob")
	c.fails(2, "nothing to change", "agent", "set", "bob")
	c.fails(2, "0 (no limit) or more", "agent", "set", "bob", "--capacity", "-1")
	c.fails(1, `"zed"`, "agent", "set", "zed", "--presence", "away")
	c.fails(2, "accepts 1 arg", "agent", "add")

	out := c.ok("agent", "set", "bob", "--presence", "away", "--daily-cap", "25", "--email", "bob@example.com", "--email-notify")
	if !strings.Contains(out, "bob: agent, away, capacity -, daily cap 25") {
		t.Errorf("set said %q", out)
	}
	var agents []map[string]any
	if err := json.Unmarshal([]byte(c.ok("agent", "list", "--format", "json")), &agents); err != nil {
		t.Fatal(err)
	}
	if len(agents) != 3 || agents[1]["handle"] != "bob" || agents[1]["presence"] != "away" || agents[1]["email_notify"] != true {
		t.Fatalf("agents: %v", agents)
	}
	table := c.ok("agent", "list")
	if !regexp.MustCompile(`(?m)^carol\s+Carol\s+agent\s+available\s+-\s+0\s+5\s+0\s+-`).MatchString(table) {
		t.Errorf("agent table:\n%s", table)
	}
	csvOut := c.ok("agent", "list", "--format", "csv")
	if rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll(); err != nil || len(rows) != 4 || rows[0][0] != "HANDLE" {
		t.Errorf("agent csv (%v):\n%s", err, csvOut)
	}
	c.fails(2, `unknown --format "xml"`, "agent", "list", "--format", "xml")

	key := c.run(strings.ReplaceAll(testKey, "alice@laptop", "bob"), "agent", "key", "add", "bob", "-")
	if key.code != 1 || !strings.Contains(key.errOut, "registered to alice already") {
		t.Errorf("the same key twice: %+v", key)
	}
	c.ok("agent", "rm", "bob")
	if strings.Contains(c.ok("agent", "list"), "bob") {
		t.Error("bob is still listed after rm")
	}
}

func TestRuleCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	r := c.run("", "rule", "add", "--name", "bad", "--if", `source == "web" &&`)
	if r.code != 2 || !strings.Contains(r.errOut, "line 1, column") {
		t.Fatalf("bad condition: %+v", r)
	}
	c.fails(2, "a number from 1 to 10, e.g. bob:2", "rule", "add", "--name", "x", "--to", "bob:two")
	c.fails(1, "zed", "rule", "add", "--name", "x", "--to", "zed")
	c.ok("rule", "add", "--name", "web", "--if", `source == "web"`, "--to", "bob:2,carol")
	c.ok("rule", "add", "--name", "watch vips", "--mode", "broadcast", "--if", `"vip" in tags`, "--to", "alice", "--for", "7d")
	c.ok("rule", "add", "--name", "rest", "--mode", "load_balance")
	c.ok("rule", "move", "3", "1")
	c.ok("rule", "disable", "2")
	c.ok("rule", "set", "1", "--to", "carol")
	c.fails(2, "nothing to change", "rule", "set", "1")
	c.fails(1, "#9", "rule", "rm", "9")
	list := c.ok("rule", "list")
	want := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^1\s+#3\s+rest\s+yes\s+load balance\s+\(every lead\)\s+\(every agent\)\s+-$`),
		regexp.MustCompile(`(?m)^2\s+#1\s+web\s+yes\s+round robin\s+source == "web"\s+carol\s+-$`),
		regexp.MustCompile(`(?m)^3\s+#2\s+watch vips\s+no\s+broadcast\s+"vip" in tags\s+alice \(read, for 1w\)\s+-$`),
	}
	for _, w := range want {
		if !w.MatchString(list) {
			t.Errorf("rule list lacks %s:\n%s", w, list)
		}
	}
	c.ok("rule", "rm", "3")
	var rules []map[string]any
	json.Unmarshal([]byte(c.ok("rule", "list", "--format", "json")), &rules)
	if len(rules) != 2 || rules[0]["name"] != "web" || rules[0]["position"] != 1.0 {
		t.Fatalf("after rm: %v", rules)
	}
}

func TestLeadCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "web", "--if", `source == "web" && fields.budget > 5000`, "--to", "bob")
	out := c.ok("lead", "add", "--name", "Ada", "--email", "ada@example.com", "--source", "web", "--field", "budget=9000", "--tag", "vip", "--external-id", "w-1")
	if !strings.Contains(out, "Created lead #1, Ada: rule #1 round robin → bob") {
		t.Errorf("lead add said %q", out)
	}
	if out := c.ok("lead", "add", "--name", "Ada 2", "--source", "web", "--external-id", "w-1"); !strings.Contains(out, "already has web external id") {
		t.Errorf("a repeated external id: %q", out)
	}
	c.ok("lead", "add", "--phone", "+1 555 0100")
	c.fails(2, "at least one of name, email or phone", "lead", "add", "--company", "Acme")
	c.fails(2, "KEY=VALUE", "lead", "add", "--name", "X", "--field", "budget")

	var page struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next_cursor"`
	}
	json.Unmarshal([]byte(c.ok("lead", "list", "--format", "json", "--limit", "1")), &page)
	if len(page.Items) != 1 || page.Items[0]["id"] != 2.0 || page.Next == "" {
		t.Fatalf("first page: %+v", page)
	}
	json.Unmarshal([]byte(c.ok("lead", "list", "--format", "json", "--limit", "1", "--cursor", page.Next)), &page)
	if len(page.Items) != 1 || page.Items[0]["id"] != 1.0 || page.Items[0]["owner"] != "bob" {
		t.Fatalf("second page: %+v", page)
	}
	r := c.run("", "lead", "list", "--limit", "1")
	if !strings.Contains(r.errOut, "more: add --cursor") {
		t.Errorf("a table page does not say how to get the next: %q", r.errOut)
	}
	if list := c.ok("lead", "list", "--unassigned"); !strings.Contains(list, "+1 555 0100") || strings.Contains(list, "Ada") {
		t.Errorf("unassigned:\n%s", list)
	}

	c.fails(1, "#99", "lead", "assign", "1", "2", "99", "--to", "carol")
	c.fails(2, "needs --to", "lead", "assign", "1")
	c.fails(2, `"x" is not a lead id`, "lead", "assign", "x", "--to", "carol")
	if strings.Contains(c.ok("lead", "list", "--owner", "carol"), "Ada") {
		t.Fatal("a refused bulk assign changed a lead")
	}
	if out := c.ok("lead", "assign", "1,2", "--to", "carol", "--reason", "speaks German"); !strings.Contains(out, "Assigned 2 lead(s) to carol") {
		t.Errorf("assign said %q", out)
	}
	if out := c.ok("lead", "unassign", "#2"); !strings.Contains(out, "Returned 1 lead(s)") {
		t.Errorf("unassign said %q", out)
	}
	show := c.ok("lead", "show", "1")
	for _, want := range []string{"Lead #1  Ada", "fields.budget    9000", "owner            carol", "lead.reassigned", "speaks German", "rule #1 round robin → bob"} {
		if !strings.Contains(show, want) {
			t.Errorf("lead show lacks %q:\n%s", want, show)
		}
	}
	c.fails(1, "#42", "lead", "show", "42")

	// Share and status: all the leads or none.
	c.fails(1, "#99", "lead", "share", "1", "99", "--with", "bob")
	c.fails(2, "needs --with", "lead", "share", "1")
	c.fails(2, "bad duration", "lead", "share", "1", "--with", "bob", "--for", "soon")
	if out := c.ok("lead", "share", "1", "2", "--with", "bob", "--access", "edit", "--for", "48h"); !strings.Contains(out, "Shared 2 lead(s) with bob (edit, for 2d)") {
		t.Errorf("share said %q", out)
	}
	c.fails(2, "follows from assignment", "lead", "status", "1", "assigned")
	c.fails(1, "#99", "lead", "status", "1", "99", "won")
	if strings.Contains(c.ok("lead", "show", "1"), "status           won") {
		t.Fatal("a refused bulk status changed lead #1")
	}
	if out := c.ok("lead", "status", "1", "2", "won"); !strings.Contains(out, "Marked 2 lead(s) won") {
		t.Errorf("status said %q", out)
	}
}

func TestTokenCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	r := c.run("", "token", "create", "--name", "webform", "--role", "intake")
	if r.code != 0 || !regexp.MustCompile(`^sb_[A-Za-z0-9_-]{43}\n$`).MatchString(r.out) || !strings.Contains(r.errOut, "not shown again") {
		t.Fatalf("token create: %+v", r)
	}
	c.fails(2, "intake (may only create leads) or admin", "token", "create", "--name", "x", "--role", "owner")
	c.fails(2, "needs --name", "token", "create", "--role", "admin")
	c.fails(1, "exists already", "token", "create", "--name", "webform", "--role", "admin")
	c.ok("token", "revoke", "webform")
	c.fails(1, "no active token", "token", "revoke", "webform")
	list := c.ok("token", "list")
	if !regexp.MustCompile(`(?m)^webform\s+intake\s+sb_\S+…\s+revoked`).MatchString(list) || strings.Contains(list, strings.TrimSpace(r.out)) {
		t.Errorf("token list:\n%s", list)
	}
	hist := c.ok("history", "--kind", "token", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(hist)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][3] != "token.revoked" || rows[2][3] != "token.created" {
		t.Fatalf("token history (%v):\n%s", err, hist)
	}
}

func TestHistory(t *testing.T) {
	c := newCLI(t)
	c.team()
	for range 3 {
		c.ok("lead", "add", "--name", "L")
	}
	var events []map[string]any
	if err := json.Unmarshal([]byte(c.ok("history", "--format", "json", "--limit", "0")), &events); err != nil {
		t.Fatal(err)
	}
	// init (agent.added, key_added), two agents, three leads created and queued.
	if len(events) != 10 || events[0]["kind"] != "lead.queued" || events[9]["kind"] != "agent.added" {
		t.Fatalf("%d events: %v", len(events), events)
	}
	json.Unmarshal([]byte(c.ok("history", "--format", "json", "--limit", "2")), &events)
	if len(events) != 2 {
		t.Errorf("--limit 2 gave %d", len(events))
	}
	json.Unmarshal([]byte(c.ok("history", "--format", "json", "--lead", "2", "--since", "1h")), &events)
	if len(events) != 2 || events[1]["kind"] != "lead.created" || events[1]["actor"] != "system" {
		t.Errorf("lead 2: %v", events)
	}
	json.Unmarshal([]byte(c.ok("history", "--format", "json", "--agent", "bob")), &events)
	if len(events) != 1 || events[0]["kind"] != "agent.added" {
		t.Errorf("bob: %v", events)
	}
	// --kind takes a subject: every notification.* event (none yet) and nothing else.
	if out := c.ok("history", "--kind", "notification"); strings.TrimSpace(out) != "(none)" {
		t.Errorf("notification history: %q", out)
	}
	if out := c.ok("history", "--format", "json", "--kind", "notification"); strings.TrimSpace(out) != "[]" {
		t.Errorf("empty JSON history: %q", out)
	}
	c.fails(2, "neither a duration", "history", "--since", "yesterday")
}

// TestImport: a file mixing good rows, a repeat of an external id, a row without any
// contact field and a malformed line imports the good rows, skips the repeat, and
// reports and writes the two bad ones.
func TestImport(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "big", "--if", "fields.budget > 5000", "--to", "bob")
	path := c.file("leads.csv", "Full Name,E-mail,Phone Number,Company,ID,Budget\n"+
		"Ada Lovelace,ada@example.com,,Analytical,a-1,9000\n"+
		",,,Acme Ltd,a-2,100\n"+
		"Ada Again,ada2@example.com,,,a-1,1\n"+
		"\"Broken,bb@example.com,,,a-3,5\n"+
		"Cyd,cyd@example.com,+1 555 0100,,a-4,200\n"+
		"Dee,,555,,a-5,6000\n")
	r := c.run("", "import", path)
	if r.code != 1 {
		t.Fatalf("import with rejects: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if !strings.Contains(r.out, "Imported 3 of 6 rows from "+path) || !strings.Contains(r.out, "2 assigned, 1 queued; 1 duplicates skipped; 2 rejected") {
		t.Errorf("summary: %q", r.out)
	}
	for _, want := range []string{"line 3: a lead needs at least one of name, email or phone", "line 5: the line's quotes do not balance", "2 row(s) rejected"} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
	rej, err := os.ReadFile(filepath.Join(c.dir, "leads.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(bytes.NewReader(rej))
	cr.FieldsPerRecord = -1 // the malformed line is kept whole, in one cell
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "reject_line" || rows[0][2] != "Full Name" || rows[1][0] != "3" || rows[1][5] != "Acme Ltd" || rows[2][0] != "5" {
		t.Fatalf("rejects file (%v):\n%s", err, rej)
	}
	var page struct{ Items []map[string]any }
	json.Unmarshal([]byte(c.ok("lead", "list", "--format", "json")), &page)
	if len(page.Items) != 3 {
		t.Fatalf("%d leads imported, want 3", len(page.Items))
	}
	for _, l := range page.Items {
		if l["source"] != "csv" {
			t.Errorf("lead %v has source %v, want csv", l["id"], l["source"])
		}
	}
	if hist := c.ok("history", "--kind", "lead.created", "--limit", "1"); !strings.Contains(hist, "import:leads.csv") {
		t.Errorf("imports are not recorded as import:leads.csv:\n%s", hist)
	}

	// The corrected rejects file imports as it is; a clean import removes it.
	fixed := strings.Replace(string(rej), ",,,Acme Ltd", ",ops@acme.example,,Acme Ltd", 1)
	fixed = strings.Replace(fixed, `"""Broken,bb@example.com,,,a-3,5"`, "Broken,bb@example.com,,,a-3,5", 1)
	fixedPath := c.file("fixed.csv", fixed)
	if out := c.ok("import", fixedPath, "--format", "json"); !strings.Contains(out, `"imported": 2`) {
		t.Fatalf("importing the fixed rejects: %s", out)
	}
	again := c.run("", "import", path, "--dry-run")
	if again.code != 1 || !strings.Contains(again.out, "Dry run") {
		t.Errorf("dry run: %+v", again)
	}
	c.fails(1, "no name, email or phone column", "import", c.file("bad.csv", "company,budget\nAcme,5\n"))
	c.fails(1, "opening the file", "import", filepath.Join(c.dir, "missing.csv"))
	clean := c.file("clean.csv", "email\nz@example.com\n")
	os.WriteFile(filepath.Join(c.dir, "clean.rejects.csv"), []byte("stale"), 0o600)
	c.ok("import", clean)
	if _, err := os.Stat(filepath.Join(c.dir, "clean.rejects.csv")); err == nil {
		t.Error("a clean import left an old rejects file")
	}
}

// syncBuffer is a bytes.Buffer that serve's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe starts serve with the HTTP API only, posts a lead with a token made by the
// CLI, and stops it as SIGINT would (by cancelling its context).
func TestServe(t *testing.T) {
	c := newCLI(t)
	c.team()
	token := strings.TrimSpace(c.ok("token", "create", "--name", "web", "--role", "intake"))
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
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/leads", strings.NewReader(`{"name":"Via HTTP","source":"web"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("POST /v1/leads: %d", res.StatusCode)
	}
	// token revoke says requests now get 401: the very next one does, with serve
	// running on the same database.
	if out := c.ok("token", "revoke", "web"); !strings.Contains(out, "now get 401") {
		t.Errorf("token revoke said %q", out)
	}
	req, _ = http.NewRequest("POST", "http://"+addr+"/v1/leads", strings.NewReader(`{"name":"After revoke"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("POST with a revoked token: %d, want 401", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "status=201") || !strings.Contains(logs.String(), "actor=api:web") {
		t.Errorf("no request log line:\n%s", logs)
	}
	if !strings.Contains(c.ok("lead", "list"), "Via HTTP") {
		t.Error("the lead posted to serve is not in the database")
	}
	c.fails(2, "nothing to serve", "serve", "--http", "", "--ssh", "")
}

// waitFor polls the log until re matches and returns its first group; it fails if serve
// ends first. The deadline only bounds a hang: nothing here is timed.
func waitFor(t *testing.T, logs *syncBuffer, re *regexp.Regexp, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve never logged %s:\n%s", re, logs)
	return ""
}

// The engine names no command in its refusals (the console shows them to people who
// cannot run one); the CLI adds where to look.
func TestNotFoundHints(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("lead", "add", "--name", "Ada")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lead", "assign", "1", "--to", "nobody"}, "unknown agent \"nobody\"\nswitchboard: see the team with `switchboard agent list`\n"},
		{[]string{"agent", "key", "rm", "bob", "SHA256:nope"}, "bob has no key \"SHA256:nope\"\nswitchboard: see an agent's keys with `switchboard agent key list HANDLE`\n"},
		{[]string{"token", "revoke", "nope"}, "no active token is named \"nope\"\nswitchboard: see the tokens with `switchboard token list`\n"},
		{[]string{"rule", "add", "--name", "x", "--to", "bob:0"}, "--to: recipient \"bob:0\""},
	} {
		r := c.run("", tt.args...)
		if r.code == 0 || !strings.Contains(r.errOut, tt.want) {
			t.Errorf("switchboard %s: exit %d, stderr %q; want it to contain %q", strings.Join(tt.args, " "), r.code, r.errOut, tt.want)
		}
	}
}
