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
