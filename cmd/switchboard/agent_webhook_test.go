package main

import (
	"strings"
	"testing"
)

// The key shown when an agent's webhook is set is the one agent webhook-secret prints,
// and a new URL makes a new key.
func TestAgentWebhookSecret(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.fails(1, "bob has no webhook", "agent", "webhook-secret", "bob")

	r := c.run("", "agent", "set", "bob", "--webhook-url", "https://hooks.example.com/bob")
	if r.code != 0 {
		t.Fatalf("agent set: exit %d: %s", r.code, r.errOut)
	}
	secret := strings.TrimSpace(c.ok("agent", "webhook-secret", "bob"))
	if len(secret) < 32 || !strings.Contains(r.errOut, secret) {
		t.Fatalf("agent set said %q; webhook-secret printed %q", r.errOut, secret)
	}
	c.ok("agent", "set", "bob", "--webhook-url", "https://hooks.example.com/bob2")
	if again := strings.TrimSpace(c.ok("agent", "webhook-secret", "bob")); again == secret {
		t.Fatal("a new webhook URL kept the old key")
	}
	if out := c.ok("--format", "json", "agent", "webhook-secret", "bob"); !strings.Contains(out, `"webhook_secret"`) {
		t.Fatalf("json: %s", out)
	}
}

// A webhook on the server's own machine is refused unless --allow-local-webhooks says
// so, for an agent and for the team.
func TestLocalWebhookNeedsTheFlag(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.fails(2, "may not reach the server's own machine", "agent", "set", "bob", "--webhook-url", "http://127.0.0.1:6379/")
	c.fails(2, "may not reach the server's own machine", "setting", "set", "webhook_url", "http://169.254.169.254/latest")
	c.ok("agent", "set", "bob", "--webhook-url", "http://127.0.0.1:9/hook", "--allow-local-webhooks")
	c.ok("--allow-local-webhooks", "setting", "set", "webhook_url", "http://localhost:9/team")
}
