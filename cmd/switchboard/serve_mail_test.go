package main

import (
	"context"
	"io"
	netsmtp "net/smtp"
	"regexp"
	"strings"
	"testing"
)

// TestServeMail: serve --mail takes a keyword mail for mail_recipients and makes a
// lead of it; --mail-lmtp alone is a usage error.
func TestServeMail(t *testing.T) {
	c := newCLI(t)
	c.team()
	c.ok("setting", "set", "mail_recipients", "sales@example.com")
	c.fails(2, "--mail-lmtp needs --mail", "serve", "--http", "", "--ssh", "", "--mail-lmtp")

	logs := &syncBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs}
	root := a.rootCmd()
	root.SetArgs([]string{"serve", "--db", c.db, "--http", "", "--ssh", "", "--mail", "127.0.0.1:0"})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	addr := waitFor(t, logs, regexp.MustCompile(`mail: listening" addr=(\S+)`), done)
	msg := "From: Grace Hopper <grace@example.com>\r\nTo: sales@example.com\r\nSubject: Pricing?\r\nMessage-ID: <g1@example.com>\r\n\r\nHow much for a compiler?\r\n"
	if err := netsmtp.SendMail(addr, nil, "grace@example.com", []string{"sales@example.com"}, []byte(msg)); err != nil {
		t.Fatalf("sending: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "mail: lead") {
		t.Errorf("no log line for the message:\n%s", logs)
	}
	out := c.ok("lead", "list", "--source", "email")
	if !strings.Contains(out, "Grace Hopper") {
		t.Errorf("the mail's lead is not listed:\n%s", out)
	}
}
