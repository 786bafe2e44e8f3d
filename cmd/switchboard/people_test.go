package main

import (
	"strings"
	"testing"
)

func TestTeamCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("agent", "add", "dora", "--name", "Dora", "--presence", "available")
	if out := c.ok("team", "add", "emea", "bob,carol"); !strings.Contains(out, "Made team emea: bob, carol.") {
		t.Errorf("team add: %q", out)
	}
	c.ok("team", "set", "emea", "dora", "bob", "carol")
	c.ok("team", "add", "apac")
	if out := c.ok("team", "list"); !strings.Contains(out, "apac  -") || !strings.Contains(out, "emea  dora, bob, carol") {
		t.Errorf("team list:\n%s", out)
	}
	if out := strings.Join(strings.Fields(c.ok("--format", "json", "team", "list")), ""); !strings.Contains(out, `{"name":"emea","members":["dora","bob","carol"]}`) {
		t.Errorf("team list as JSON:\n%s", out)
	}
	c.ok("rule", "add", "--name", "europe", "--to", "team:emea:2,bob")
	if out := c.ok("rule", "list"); !strings.Contains(out, "team:emea×2, bob") {
		t.Errorf("rule list:\n%s", out)
	}
	c.fails(1, `team emea is a recipient of rule #1 "europe": take it out of that rule first`, "team", "rm", "emea")
	c.fails(1, `unknown agent "zed"`, "team", "add", "nordics", "zed")
	c.fails(2, "team name", "team", "add", "Nordics")
	c.fails(1, `team "nope" does not exist`, "rule", "add", "--name", "x", "--to", "team:nope")
	if out := c.ok("agent", "list"); !strings.Contains(out, "emea") {
		t.Errorf("agent list has no teams:\n%s", out)
	}
	c.ok("team", "rm", "apac")
	if out := c.ok("history", "--kind", "team"); strings.Count(out, "team.") != 4 {
		t.Errorf("team history:\n%s", out)
	}
}

func TestAgentWhenFlags(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.fails(2, `schedule: "mon-fir" at position 1: unknown day "fir": use mon, tue, wed, thu, fri, sat, sun`, "agent", "set", "bob", "--schedule", "mon-fir 09:00-17:00")
	c.fails(2, "unknown time zone", "agent", "set", "bob", "--tz", "Mars/Base")
	c.fails(2, "write a duration (2h, 3d), a time", "agent", "set", "bob", "--away-until", "whenever")
	out := c.ok("agent", "set", "bob", "--tz", "Asia/Tokyo", "--schedule", "sat 10:00-10:01", "--away-until", "2h", "--auto-presence=false")
	if !strings.Contains(out, "bob: agent, away (away until ") {
		t.Errorf("agent set: %q", out)
	}
	if out := strings.Join(strings.Fields(c.ok("--format", "json", "agent", "list")), ""); !strings.Contains(out, `"tz":"Asia/Tokyo","schedule":"sat10:00-10:01"`) || !strings.Contains(out, `"auto_presence":false`) {
		t.Errorf("agent list as JSON:\n%s", out)
	}
	c.ok("agent", "set", "bob", "--presence", "available")
	if out := c.ok("agent", "list"); !strings.Contains(out, "off until ") {
		t.Errorf("agent list has no schedule state:\n%s", out)
	}
	c.ok("agent", "add", "erin", "--name", "Erin", "--tz", "Europe/Berlin", "--schedule", "mon-fri 09:00-17:00", "--auto-presence=false")
}
