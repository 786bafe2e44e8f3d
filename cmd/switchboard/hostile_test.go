package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

// TestRejectsFileForPeople: a rejects file is 0600, its formula-like cells are
// neutralised, and the corrected file imports back the values as they were.
func TestRejectsFileForPeople(t *testing.T) {
	c := newCLI(t)
	c.team()
	path := c.file("form.csv", "name,phone,note\n"+
		"Ada,+44 20 7946 0000,\"=cmd|' /C calc'!A0\"\n"+
		"Bob,+1 555 0100,@SUM(1+1)\n"+
		",,+1+1\n")
	old := filepath.Join(c.dir, "form.rejects.csv")
	if err := os.WriteFile(old, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(old, 0o644)
	r := c.run("", "import", path)
	if r.code != 1 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	info, err := os.Stat(old)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("rejects file mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	rej, _ := os.ReadFile(old)
	rows, err := csv.NewReader(bytes.NewReader(rej)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][4] != "'+1+1" {
		t.Fatalf("rejects file (%v):\n%s", err, rej)
	}

	// The corrected file imports "+1+1" as it was written, not "'+1+1".
	fixed := c.file("fixed.csv", strings.Replace(string(rej), `4,"a lead needs at least one of name, email or phone",,`, "4,fixed,Cy,", 1))
	c.ok("import", fixed)
	out := c.ok("lead", "list", "--format", "json", "--search", "Cy")
	if !strings.Contains(out, `"+1+1"`) || strings.Contains(out, `'+1+1`) {
		t.Fatalf("the re-imported lead:\n%s", out)
	}

	// --format csv neutralises too; --format json keeps the values.
	list := c.ok("lead", "list", "--format", "csv")
	for _, want := range []string{"'+44 20 7946 0000", "'+1 555 0100"} {
		if !strings.Contains(list, want) {
			t.Errorf("--format csv lacks %q:\n%s", want, list)
		}
	}
	show := c.ok("lead", "show", "1", "--format", "json")
	if !strings.Contains(show, `"note": "=cmd|' /C calc'!A0"`) {
		t.Errorf("--format json changed the value:\n%s", show)
	}
}

// TestCLIStripsWhatTheDatabaseHolds: a lead written into the database past the
// engine's checks (an old database, or one edited by hand) prints without a control
// character in tables and CSV; JSON keeps it, escaped.
func TestCLIStripsWhatTheDatabaseHolds(t *testing.T) {
	c := newCLI(t)
	c.team()
	st, err := storage.Open(context.Background(), c.db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	l := engine.Lead{Name: "\u009b2J\x1b]0;pwned\x07Eve", Source: "web\x7f", Status: engine.StatusNew,
		Fields: map[string]any{"\x1b[31mkey": "\u009dv"}, CreatedAt: now, UpdatedAt: now, Waiting: engine.WaitingNoRule}
	if err := tx.InsertLead(&l); err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertEvent(&engine.Event{Kind: engine.EvLeadCreated, At: now, Actor: "api:x\x1b[5m", LeadID: l.ID, To: l.Name}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Close()

	for _, args := range [][]string{
		{"lead", "list"}, {"lead", "list", "--format", "csv"}, {"lead", "show", "1"},
		{"history"}, {"history", "--format", "csv"}, {"lead", "show", "1", "--format", "json"},
		{"history", "--format", "json"},
	} {
		out := c.ok(args...)
		for i, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("switchboard %s prints U+%04X at byte %d:\n%q", strings.Join(args, " "), r, i, out)
			}
		}
		if !utf8.ValidString(out) || !strings.Contains(out, "Eve") {
			t.Fatalf("switchboard %s:\n%q", strings.Join(args, " "), out)
		}
	}
	if out := c.ok("lead", "show", "1", "--format", "json"); !strings.Contains(out, `\u009b2J\u001b]0;pwned\u0007Eve`) {
		t.Errorf("JSON lost the data instead of escaping it:\n%s", out)
	}
}

// TestTextWriterKeepsRunesCutBetweenWrites: a character split over two writes is
// printed whole.
func TestTextWriterKeepsRunesCutBetweenWrites(t *testing.T) {
	var b bytes.Buffer
	w := newTextWriter(&b)
	s := "Zoë 🚀\x1b[2J\n"
	for i := 0; i < len(s); i++ {
		w.Write([]byte{s[i]})
	}
	if got := b.String(); got != "Zoë 🚀[2J\n" {
		t.Fatalf("got %q", got)
	}
}

// TestConsoleNeedsATerminal: the console and demo, without a terminal on their input
// and output (`switchboard demo </dev/null`, `echo | switchboard`), say so in one line
// and exit 2, before they open anything or write a single escape code.
func TestConsoleNeedsATerminal(t *testing.T) {
	c := newCLI(t)
	c.team()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	outFile, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	for _, args := range [][]string{{"demo"}, {}, {"--as", "bob"}} {
		var errOut bytes.Buffer
		code := run(append([]string{"--db", c.db}, args...), devnull, outFile, &errOut)
		if code != 2 {
			t.Errorf("switchboard %v without a terminal: exit %d, want 2", args, code)
		}
		if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "the console needs a terminal") {
			t.Errorf("switchboard %v said %q", args, errOut.String())
		}
	}
	if info, err := outFile.Stat(); err != nil || info.Size() != 0 {
		t.Fatalf("the console wrote %d bytes to a file that is not a terminal", info.Size())
	}
	r := c.run("\n")
	if r.code != 2 || r.out != "" || !strings.Contains(r.errOut, "the console needs a terminal") {
		t.Fatalf("echo | switchboard: %+v", r)
	}
}
