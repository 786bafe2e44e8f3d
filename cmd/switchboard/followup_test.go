package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFollowThroughCommands: rules take an SLA and its action, checked as durations
// are; lead show tells the SLA running and first contact; lead contact records it;
// setting set handoff_after and sla_manual take durations; each refusal is a usage
// error that changes nothing.
func TestFollowThroughCommands(t *testing.T) {
	c := newCLI(t)
	c.team()
	out := c.ok("rule", "add", "--name", "everyone", "--to", "bob,carol", "--sla", "15m", "--sla-action", "unassign")
	if !strings.Contains(out, "SLA 15m then unassign") {
		t.Errorf("rule add: %s", out)
	}
	c.fails(2, `sla: bad duration "5x"`, "rule", "add", "--name", "x", "--sla", "5x")
	c.fails(2, "a broadcast rule sets no owner", "rule", "add", "--name", "x", "--mode", "broadcast", "--sla", "5m")
	c.fails(2, `unknown SLA action "later"`, "rule", "set", "1", "--sla-action", "later")
	if out := c.ok("rule", "set", "1", "--to", "bob"); !strings.Contains(out, "SLA 15m then unassign") {
		t.Errorf("rule set --to lost the SLA: %s", out)
	}
	if out := c.ok("rule", "list"); !strings.Contains(out, "15m unassign") {
		t.Errorf("rule list: %s", out)
	}
	var rule map[string]any
	if err := json.Unmarshal([]byte(c.ok("--format", "json", "rule", "set", "1", "--sla-action", "reroute")), &rule); err != nil ||
		rule["sla"] != "15m" || rule["sla_action"] != "reroute" {
		t.Errorf("rule as JSON: %v %v", rule, err)
	}

	c.ok("lead", "add", "--name", "Ada")
	if out := c.ok("lead", "show", "1"); !strings.Contains(out, "SLA              due ") || !strings.Contains(out, "then reroute") {
		t.Errorf("lead show, SLA running:\n%s", out)
	}
	c.fails(1, "lead #9 does not exist", "lead", "contact", "1", "9")
	if out := c.ok("lead", "contact", "1"); !strings.Contains(out, "Recorded first contact with 1 lead(s); 0 had it already.") {
		t.Errorf("lead contact: %s", out)
	}
	if out := c.ok("lead", "contact", "1"); !strings.Contains(out, "0 lead(s); 1 had it already.") {
		t.Errorf("lead contact again: %s", out)
	}
	out = c.ok("lead", "show", "1")
	if !strings.Contains(out, "first contact") || strings.Contains(out, "SLA              due") {
		t.Errorf("lead show after contact:\n%s", out)
	}
	var lead map[string]any
	if err := json.Unmarshal([]byte(c.ok("--format", "json", "lead", "show", "1")), &lead); err != nil {
		t.Fatal(err)
	}
	l := lead["lead"].(map[string]any)
	if l["first_contact_at"] == nil || l["sla_due_at"] != nil {
		t.Errorf("lead as JSON: first_contact_at %v, sla_due_at %v", l["first_contact_at"], l["sla_due_at"])
	}

	c.ok("setting", "set", "handoff_after", "10m")
	c.ok("setting", "set", "sla_manual", "1h30m")
	c.fails(2, `sla_manual: bad duration "soon"`, "setting", "set", "sla_manual", "soon")
	if out := c.ok("setting", "get", "sla_manual"); out != "1h30m\n" {
		t.Errorf("sla_manual = %q", out)
	}
	if out := c.ok("setting", "set", "handoff_after", ""); !strings.Contains(out, "Turned handoff_after off.") {
		t.Errorf("turning hand-off off: %s", out)
	}
	if out := c.ok("history", "--kind", "settings"); !strings.Contains(out, "handoff_after: 10m → off") {
		t.Errorf("history:\n%s", out)
	}
}
