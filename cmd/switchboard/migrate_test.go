package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// TestMigrateCommand: migrate copies the team of --db into the PostgreSQL database of
// --to and prints what it copied; the CLI then works on the copy as on the file; asking
// for anything but SQLite into PostgreSQL is a usage error, and a second copy into the
// same database is refused.
func TestMigrateCommand(t *testing.T) {
	c := newCLI(t)
	c.fails(2, "migrate needs --to", "migrate")
	c.fails(2, "--to must be a postgres:// URL", "migrate", "--to", "other.db")
	c.fails(1, "no database at", "migrate", "--to", "postgres://127.0.0.1:1/none")
	c.team()
	c.ok("rule", "add", "--name", "everyone", "--mode", "round_robin", "--to", "bob,carol")
	c.ok("lead", "add", "--name", "Ada", "--source", "web")
	url := pgtest.NewDatabase(t)

	out := c.ok("migrate", "--to", url)
	for _, want := range []string{"Copied " + c.db, "leads", "events", "agents"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate printed %q; want %q in it", out, want)
		}
	}
	if strings.Contains(out, "(none)") {
		t.Errorf("migrate printed no tables: %q", out)
	}
	c.fails(1, "already holds data", "migrate", "--to", url)

	pg := &sbCLI{t: t, dir: c.dir, db: url}
	if got := pg.ok("lead", "list"); !strings.Contains(got, "Ada") {
		t.Errorf("lead list on the copy: %q", got)
	}
	// The next lead gets the same id and owner on both: ids and the rotation go on.
	next := func(c *sbCLI) (out struct {
		Lead struct {
			ID    int64  `json:"id"`
			Owner string `json:"owner"`
		} `json:"lead"`
	}) {
		if err := json.Unmarshal([]byte(c.ok("lead", "add", "--name", "Next", "--format", "json")), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if a, b := next(c), next(pg); a != b || a.Lead.ID != 2 {
		t.Errorf("the next lead: %+v on the file, %+v on PostgreSQL; want lead #2 with one owner", a, b)
	}
	pg.fails(2, "copies from a SQLite file", "migrate", "--to", url)
}
