package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReturningLeadShown: lead show says which lead a returning lead returns to, and
// --format json carries returning_of (null for a lead that returns to none).
func TestReturningLeadShown(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("rule", "add", "--name", "all", "--to", "bob,carol")
	c.ok("lead", "add", "--name", "Ada", "--phone", "+1 (555) 010-0199")
	c.ok("lead", "add", "--name", "Ada again", "--phone", "+15550100199")
	show := c.ok("lead", "show", "2")
	for _, want := range []string{"returning        #1, same phone", "owner            bob", "returning lead #1 → bob"} {
		if !strings.Contains(show, want) {
			t.Errorf("lead show lacks %q:\n%s", want, show)
		}
	}
	var page struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(c.ok("--format", "json", "lead", "list", "--oldest-first")), &page); err != nil {
		t.Fatal(err)
	}
	got := page.Items
	if len(got) != 2 || got[0]["returning_of"] != nil || got[1]["returning_of"] != 1.0 {
		t.Errorf("returning_of in JSON: %v, %v; want null, then 1", got[0]["returning_of"], got[1]["returning_of"])
	}
	c.ok("setting", "set", "sticky_window", "")
	c.ok("lead", "add", "--name", "Ada, third", "--phone", "+15550100199")
	if show := c.ok("lead", "show", "3"); strings.Contains(show, "returning ") || !strings.Contains(show, "owner            carol") {
		t.Errorf("with sticky_window off, lead 3 is a returning lead or went to bob:\n%s", show)
	}
}
