package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

func TestNotifyFlagsAreCheckedAtStart(t *testing.T) {
	tests := []struct {
		name    string
		f       notifyFlags
		env     string // $SWITCHBOARD_SMTP_PASSWORD
		wantErr string
		mail    bool
	}{
		{name: "no e-mail", f: notifyFlags{}},
		{name: "from without a server", f: notifyFlags{smtpFrom: "leads@example.com"}, wantErr: "need --smtp-addr"},
		{name: "starttls without a server", f: notifyFlags{smtpStartTLS: true}, wantErr: "need --smtp-addr"},
		{name: "server without a sender", f: notifyFlags{smtpAddr: "smtp.example.com:587"}, wantErr: "no sender address"},
		{name: "server without a port", f: notifyFlags{smtpAddr: "smtp.example.com", smtpFrom: "leads@example.com"}, wantErr: "HOST:PORT"},
		{name: "user without a password", f: notifyFlags{smtpAddr: "smtp.example.com:587", smtpFrom: "leads@example.com", smtpUser: "relay"},
			wantErr: "SWITCHBOARD_SMTP_PASSWORD"},
		{name: "password from the environment", f: notifyFlags{smtpAddr: "smtp.example.com:587", smtpFrom: "Leads <leads@example.com>", smtpUser: "relay", smtpStartTLS: true},
			env: "pw", mail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(smtpPasswordEnv, tt.env)
			m, err := tt.f.mailer()
			if tt.wantErr != "" {
				var u usageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &u) {
					t.Fatalf("want a usage error with %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil || (m != nil) != tt.mail {
				t.Fatalf("mailer %v, %v", m, err)
			}
		})
	}
}

// The service serve runs delivers a committed assignment's webhook.
func TestNotifyServiceDeliversWebhooks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "team.db")
	// The receiver is on 127.0.0.1: local webhooks are allowed explicitly, here and in
	// the service's flags.
	eng := enginetest.Open(t, db, storage.Options{}, engine.Options{TailInterval: -1, AllowLocalWebhooks: true})

	got := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- r.Header.Get("X-Switchboard-Event") + " " + string(body)
	}))
	defer receiver.Close()

	env := &serveEnv{eng: eng, httpAddr: ":0", log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := notifyService(env); err == nil || !strings.Contains(err.Error(), "--notify-timeout") {
		t.Fatalf("a zero --notify-timeout: %v", err)
	}
	env.notify.timeout, env.notify.allowLocal = 5*time.Second, true
	svc, err := notifyService(env)
	if err != nil || svc == nil {
		t.Fatalf("notify service: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc(ctx) }()

	if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{Handle: "ada", Name: "Ada", Presence: engine.Available, WebhookURL: receiver.URL}); err != nil {
		t.Fatal(err)
	}
	c, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: "Grace Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Assign(ctx, engine.System(), []int64{c.Lead.ID}, "ada", ""); err != nil {
		t.Fatal(err)
	}
	if msg := <-got; !strings.Contains(msg, `"text":`) || !strings.Contains(msg, "Grace Hopper") {
		t.Errorf("webhook: %s", msg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("service stopped with %v", err)
	}

	// With nothing else to serve, there is no worker either: serve refuses to start.
	if svc, err := notifyService(&serveEnv{eng: eng}); svc != nil || err != nil {
		t.Errorf("with --http and --ssh empty: %v, %v", svc != nil, err)
	}
}
