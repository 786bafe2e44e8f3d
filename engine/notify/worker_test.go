package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/notify"
	"github.com/switchboard/switchboard/storage"
)

// env is an engine on a real SQLite file, with a team to notify.
type env struct {
	t     testing.TB
	ctx   context.Context
	path  string
	store engine.Store
	e     *engine.Engine
}

func newEnv(t testing.TB) *env {
	t.Helper()
	v := &env{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "switchboard.db")}
	v.open()
	t.Cleanup(v.close)
	return v
}

func (v *env) open() {
	v.t.Helper()
	st, err := storage.Open(v.ctx, v.path, storage.Options{})
	if err != nil {
		v.t.Fatalf("open store: %v", err)
	}
	// The receivers are httptest servers on 127.0.0.1: local webhooks are allowed
	// explicitly, here and in start.
	e, err := engine.New(st, engine.Options{TailInterval: -1, AllowLocalWebhooks: true})
	if err != nil {
		v.t.Fatalf("start engine: %v", err)
	}
	v.store, v.e = st, e
}

func (v *env) close() {
	if v.e != nil {
		v.e.Close()
		v.store.Close()
		v.e, v.store = nil, nil
	}
}

// reopen is a restart: engine and store closed, then opened again on the same file.
func (v *env) reopen() { v.close(); v.open() }

func (v *env) agent(in engine.NewAgent) engine.Agent {
	v.t.Helper()
	if in.Presence == "" {
		in.Presence = engine.Available
	}
	a, err := v.e.AddAgent(v.ctx, engine.System(), in)
	if err != nil {
		v.t.Fatalf("add agent %s: %v", in.Handle, err)
	}
	return a
}

func (v *env) setting(key, value string) {
	v.t.Helper()
	if err := v.e.SetSetting(v.ctx, engine.System(), key, value); err != nil {
		v.t.Fatalf("set %s: %v", key, err)
	}
}

// assign creates a lead and has actor assign it to handle; it returns the lead and
// the lead.assigned event.
func (v *env) assign(actor engine.Actor, handle string, in engine.NewLead) (engine.Lead, engine.Event) {
	v.t.Helper()
	c, err := v.e.CreateLead(v.ctx, engine.System(), in)
	if err != nil {
		v.t.Fatalf("create lead: %v", err)
	}
	if _, err := v.e.Assign(v.ctx, actor, []int64{c.Lead.ID}, handle, ""); err != nil {
		v.t.Fatalf("assign: %v", err)
	}
	page, err := v.e.History(v.ctx, engine.System(), engine.HistoryQuery{LeadID: c.Lead.ID, Kind: string(engine.EvLeadAssigned)})
	if err != nil || len(page.Items) != 1 {
		v.t.Fatalf("the lead.assigned event: %v, %+v", err, page.Items)
	}
	return c.Lead, page.Items[0]
}

func (v *env) outbox(f engine.OutboxFilter) []engine.OutboxItem {
	v.t.Helper()
	rows, err := v.e.Outbox(v.ctx, engine.System(), f)
	if err != nil {
		v.t.Fatalf("read outbox: %v", err)
	}
	return rows
}

func (v *env) history(leadID int64, kind engine.EventKind) []engine.Event {
	v.t.Helper()
	page, err := v.e.History(v.ctx, engine.System(), engine.HistoryQuery{LeadID: leadID, Kind: string(kind), Limit: 1000})
	if err != nil {
		v.t.Fatalf("read history: %v", err)
	}
	return page.Items
}

// settled waits until no row of the event is pending any more.
func (v *env) settled(eventID int64) []engine.OutboxItem {
	v.t.Helper()
	var rows []engine.OutboxItem
	waitFor(v.t, fmt.Sprintf("the notifications of event #%d to settle", eventID), func() bool {
		rows = v.outbox(engine.OutboxFilter{EventID: eventID})
		for _, o := range rows {
			if o.Status == engine.OutboxPending {
				return false
			}
		}
		return true
	})
	return rows
}

// start runs a worker until the test ends (or the returned stop is called).
func (v *env) start(opts notify.Options) (stop func()) {
	v.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts.AllowLocalTargets = true
	w := notify.New(v.e, opts)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				v.t.Errorf("worker: %v", err)
			}
		})
	}
	v.t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds. The bound only keeps a broken build from hanging:
// nothing here asserts how fast anything is.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fast makes retries and giving up quick enough for tests.
func fast(opts notify.Options) notify.Options {
	opts.Backoff = notify.Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	opts.PollInterval = 50 * time.Millisecond
	opts.Logger = slog.New(slog.DiscardHandler)
	if opts.GiveUpAfter == 0 {
		opts.GiveUpAfter = time.Minute
	}
	return opts
}

func mailer(t *testing.T, cfg notify.SMTPConfig) *notify.Mailer {
	t.Helper()
	m, err := notify.NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var grace = engine.NewLead{
	Name: "Grace Hopper", Company: "Navy", Email: "grace@navy.example", Phone: "+1 555 0100",
	Source: "web", Tags: []string{"vip"}, Fields: map[string]any{"budget": 5000, "city": "Arlington"},
}

func TestAssignmentSendsOneEmailAndOneSignedWebhook(t *testing.T) {
	v := newEnv(t)
	box := newMailbox(t, nil)
	h := newHook(t, nil)
	v.setting(engine.SettingCompany, "Acme Sales")
	lin := v.agent(engine.NewAgent{Handle: "lin", Name: "Lin Dispatch", Role: engine.RoleDispatcher})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com",
		EmailNotify: true, WebhookURL: h.url("/hooks/ada/T0K3N")})
	// bob has a webhook but did not opt in to e-mail.
	v.agent(engine.NewAgent{Handle: "bob", Name: "Bob Byte", Email: "bob@example.com", WebhookURL: h.url("/hooks/bob")})
	v.start(fast(notify.Options{Mailer: mailer(t, notify.SMTPConfig{Addr: box.addr, From: "Switchboard <leads@acme.example>"})}))

	lead, ev := v.assign(engine.AsAgent(lin), "ada", grace)
	rows := v.settled(ev.ID)
	if len(rows) != 2 {
		t.Fatalf("outbox of the assignment: %+v", rows)
	}
	for _, o := range rows {
		if o.Status != engine.OutboxDelivered || o.Attempts != 1 {
			t.Errorf("row %s %s: status %s after %d attempts (%s)", o.Channel, o.Target, o.Status, o.Attempts, o.LastError)
		}
	}

	// Exactly one e-mail, to ada, from the configured sender.
	msgs := box.messages()
	if len(msgs) != 1 {
		t.Fatalf("want one e-mail, got %d", len(msgs))
	}
	if msgs[0].from != "leads@acme.example" || len(msgs[0].to) != 1 || msgs[0].to[0] != "ada@example.com" {
		t.Fatalf("envelope: from %q to %q", msgs[0].from, msgs[0].to)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].data))
	if err != nil {
		t.Fatalf("the e-mail does not parse: %v", err)
	}
	wantHeaders := map[string]string{
		"From":                      `"Switchboard" <leads@acme.example>`,
		"To":                        `"Ada Lovelace" <ada@example.com>`,
		"Subject":                   "New lead: Grace Hopper (Navy)",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"X-Switchboard-Event":       strconv.FormatInt(ev.ID, 10),
		"X-Switchboard-Kind":        "lead.assigned",
	}
	for k, want := range wantHeaders {
		if got := m.Header.Get(k); got != want {
			t.Errorf("header %s: %q, want %q", k, got, want)
		}
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@acme.example>") {
		t.Errorf("Message-ID %q", id)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	for _, want := range []string{
		"lin assigned you Grace Hopper (web)",
		"Lead #" + strconv.FormatInt(lead.ID, 10) + "\r\n  Name:    Grace Hopper\r\n  Company: Navy\r\n",
		"  E-mail:  grace@navy.example\r\n  Phone:   +1 555 0100\r\n  Source:  web\r\n",
		"  Tags:    vip\r\n  budget:  5000\r\n  city:    Arlington\r\n",
		"sent to you by Lin Dispatch at Acme Sales",
		"event " + strconv.FormatInt(ev.ID, 10),
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("body lacks %q:\n%s", want, text)
		}
	}

	// Exactly one webhook, to ada's URL, signed with ada's secret.
	reqs := h.requests()
	if len(reqs) != 1 {
		t.Fatalf("want one webhook request, got %d", len(reqs))
	}
	r := reqs[0]
	secret := agentSecret(t, v, "ada")
	if got := r.header.Get(notify.HeaderSignature); !hmac.Equal([]byte(got), []byte(notify.Sign(secret, r.body))) || secret == "" {
		t.Errorf("signature %q does not match the body under ada's secret", got)
	}
	if got := r.header.Get(notify.HeaderEvent); got != strconv.FormatInt(ev.ID, 10) {
		t.Errorf("X-Switchboard-Event %q, want %d", got, ev.ID)
	}
	var p struct {
		EventID int64  `json:"event_id"`
		Kind    string `json:"kind"`
		Text    string `json:"text"`
		Sender  string `json:"sender"`
		Lead    struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Owner string `json:"owner"`
		} `json:"lead"`
		Agent struct {
			Handle string `json:"handle"`
		} `json:"agent"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("webhook body: %v", err)
	}
	if p.EventID != ev.ID || p.Kind != "lead.assigned" || p.Lead.ID != lead.ID || p.Lead.Name != "Grace Hopper" ||
		p.Lead.Owner != "ada" || p.Agent.Handle != "ada" || p.Sender != "Lin Dispatch" || !strings.Contains(p.Text, "Grace Hopper") {
		t.Errorf("webhook payload: %+v", p)
	}
	if got := v.history(lead.ID, engine.EvNotificationDelivered); len(got) != 2 {
		t.Errorf("want two notification.delivered events, got %+v", got)
	}

	// bob gets his webhook and no e-mail.
	_, ev2 := v.assign(engine.AsAgent(lin), "bob", engine.NewLead{Name: "Alan Turing"})
	rows = v.settled(ev2.ID)
	if len(rows) != 1 || rows[0].Channel != engine.ChannelWebhook || rows[0].Status != engine.OutboxDelivered {
		t.Fatalf("bob's notifications: %+v", rows)
	}
	if n := len(box.messages()); n != 1 {
		t.Fatalf("bob did not opt in to e-mail, yet %d e-mails went out in all", n)
	}
	if reqs := h.requests(); len(reqs) != 2 || !bytes.Contains(reqs[1].body, []byte(`"handle":"bob"`)) {
		t.Fatalf("bob's webhook: %d requests", len(reqs))
	}
}

func agentSecret(t *testing.T, v *env, handle string) string {
	t.Helper()
	a, err := v.e.Agent(v.ctx, engine.System(), handle)
	if err != nil {
		t.Fatal(err)
	}
	return a.WebhookSecret
}

func TestGlobalWebhookIsSignedWithTheTeamSecret(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, nil)
	v.setting(engine.SettingWebhookURL, h.url("/team"))
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace"})
	v.start(fast(notify.Options{}))

	lead, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if len(rows) != 1 || rows[0].AgentID != 0 || rows[0].Status != engine.OutboxDelivered {
		t.Fatalf("global webhook row: %+v", rows)
	}
	if got := v.history(lead.ID, engine.EvNotificationDelivered); len(got) != 1 || got[0].Agent != "ada" ||
		!strings.HasPrefix(got[0].Reason, "team webhook to http://127.0.0.1:") {
		t.Errorf("delivered events: %+v", got)
	}
	secret, err := v.e.Setting(v.ctx, engine.System(), engine.SettingWebhookSecret)
	if err != nil || secret.Value == "" {
		t.Fatalf("team secret: %+v, %v", secret, err)
	}
	reqs := h.requests()
	if len(reqs) != 1 || reqs[0].header.Get(notify.HeaderSignature) != notify.Sign(secret.Value, reqs[0].body) {
		t.Fatalf("global webhook not signed with webhook_secret: %+v", reqs)
	}
}

func TestRetriesUntilTheReceiverAnswers(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: h.url("/ada")})
	v.start(fast(notify.Options{}))

	lead, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if len(rows) != 1 || rows[0].Status != engine.OutboxDelivered || rows[0].Attempts != 3 {
		t.Fatalf("after two failures: %+v", rows)
	}
	if !strings.Contains(rows[0].LastError, "HTTP 503 Service Unavailable: down for maintenance") {
		t.Errorf("last error %q", rows[0].LastError)
	}
	reqs := h.requests()
	if len(reqs) != 3 {
		t.Fatalf("want 3 requests, got %d", len(reqs))
	}
	for _, r := range reqs {
		if r.header.Get(notify.HeaderEvent) != strconv.FormatInt(ev.ID, 10) || !bytes.Equal(r.body, reqs[0].body) {
			t.Errorf("a retry is not the same message: %v", r.header)
		}
	}
	if got := v.history(lead.ID, engine.EvNotificationDelivered); len(got) != 1 || !strings.Contains(got[0].Reason, "(attempt 3)") {
		t.Errorf("delivered events: %+v", got)
	}
	if got := v.history(lead.ID, engine.EvNotificationFailed); len(got) != 0 {
		t.Errorf("a delivery that got through recorded failures: %+v", got)
	}
}

func TestGivesUpOnAReceiverThatAlwaysFails(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusInternalServerError)
	})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: h.url("/ada/SECRET")})
	v.start(fast(notify.Options{GiveUpAfter: 300 * time.Millisecond}))

	lead, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if len(rows) != 1 || rows[0].Status != engine.OutboxFailed {
		t.Fatalf("want a failed row: %+v", rows)
	}
	if n := len(h.requests()); n < 2 || n != rows[0].Attempts {
		t.Errorf("%d requests for %d recorded attempts: want them equal and retried", n, rows[0].Attempts)
	}
	failed := v.history(lead.ID, engine.EvNotificationFailed)
	if len(failed) != 1 {
		t.Fatalf("want one notification.failed event, got %+v", failed)
	}
	reason := failed[0].Reason
	for _, want := range []string{"webhook to http://127.0.0.1:", "/… for lead.assigned #", "gave up after", "HTTP 500 Internal Server Error: nope"} {
		if !strings.Contains(reason, want) {
			t.Errorf("failure reason %q lacks %q", reason, want)
		}
	}
	if strings.Contains(reason, "SECRET") || failed[0].Agent != "ada" {
		t.Errorf("failure event: %+v", failed[0])
	}
}

// A receiver that never answers holds one delivery until the timeout, never the others.
func TestASlowReceiverDoesNotHoldUpTheOthers(t *testing.T) {
	v := newEnv(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	slow := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			entered <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	quick := newHook(t, nil)
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: slow.url("/ada")})
	v.agent(engine.NewAgent{Handle: "bob", Name: "Bob Byte", WebhookURL: quick.url("/bob")})
	v.start(fast(notify.Options{Concurrency: 2, Timeout: time.Minute}))

	_, evAda := v.assign(engine.System(), "ada", grace)
	<-entered
	_, evBob := v.assign(engine.System(), "bob", engine.NewLead{Name: "Alan Turing"})
	if rows := v.settled(evBob.ID); rows[0].Status != engine.OutboxDelivered {
		t.Fatalf("bob's webhook: %+v", rows)
	}
	if rows := v.outbox(engine.OutboxFilter{EventID: evAda.ID}); rows[0].Status != engine.OutboxPending {
		t.Fatalf("ada's receiver has not answered, yet her row is %s", rows[0].Status)
	}
	close(release)
	if rows := v.settled(evAda.ID); rows[0].Status != engine.OutboxDelivered || rows[0].Attempts != 1 {
		t.Fatalf("ada's webhook after the receiver answered: %+v", rows)
	}
}

func TestATimeoutIsRetried(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			<-r.Context().Done() // never answers the first time
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: h.url("/ada")})
	v.start(fast(notify.Options{Timeout: 100 * time.Millisecond}))

	_, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if rows[0].Status != engine.OutboxDelivered || rows[0].Attempts != 2 || !strings.Contains(rows[0].LastError, "no answer within 100ms") {
		t.Fatalf("after a timeout: %+v", rows)
	}
}

// Rows written while no worker runs are delivered by the next one, after a restart of
// the whole process; so is a row whose attempt a shutdown cut short.
func TestRowsPendingAtShutdownAreDeliveredAfterRestart(t *testing.T) {
	v := newEnv(t)
	box := newMailbox(t, nil)
	entered := make(chan struct{}, 1)
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			entered <- struct{}{}
			<-r.Context().Done() // hangs until the worker gives up on it
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com", EmailNotify: true, WebhookURL: h.url("/ada")})
	opts := func() notify.Options {
		return fast(notify.Options{Mailer: mailer(t, notify.SMTPConfig{Addr: box.addr, From: "leads@acme.example"})})
	}

	// A worker is stopped while a webhook is in flight and before a second lead is
	// assigned.
	stop := v.start(opts())
	_, ev1 := v.assign(engine.System(), "ada", grace)
	<-entered
	// Stop once the e-mail is recorded: a shutdown in the middle of an SMTP exchange
	// would rightly send it again, which is not what this test counts.
	waitFor(t, "the first e-mail to be recorded", func() bool {
		for _, o := range v.outbox(engine.OutboxFilter{EventID: ev1.ID}) {
			if o.Channel == engine.ChannelEmail {
				return o.Status == engine.OutboxDelivered
			}
		}
		return false
	})
	stop()
	_, ev2 := v.assign(engine.System(), "ada", engine.NewLead{Name: "Alan Turing"})
	var hookRow engine.OutboxItem
	for _, o := range v.outbox(engine.OutboxFilter{EventID: ev1.ID}) {
		if o.Channel == engine.ChannelWebhook {
			hookRow = o
		}
	}
	if hookRow.Status != engine.OutboxPending || hookRow.LastError != "interrupted by shutdown" {
		t.Fatalf("the interrupted row: %+v", hookRow)
	}
	if rows := v.outbox(engine.OutboxFilter{EventID: ev2.ID}); len(rows) != 2 || rows[0].Attempts != 0 || rows[1].Attempts != 0 {
		t.Fatalf("rows written with no worker running: %+v", rows)
	}

	v.reopen()
	v.start(opts())
	for _, ev := range []engine.Event{ev1, ev2} {
		for _, o := range v.settled(ev.ID) {
			if o.Status != engine.OutboxDelivered {
				t.Errorf("after restart, row %s of event #%d is %s (%s)", o.Channel, ev.ID, o.Status, o.LastError)
			}
		}
	}
	if n := len(box.messages()); n != 2 {
		t.Errorf("want one e-mail per assignment, got %d", n)
	}
	// The interrupted attempt reached the receiver but was not answered: it is sent
	// again (at least once), with the same event id for the receiver to drop.
	perEvent := map[string]int{}
	for _, r := range h.requests() {
		perEvent[r.header.Get(notify.HeaderEvent)]++
	}
	want := map[string]int{strconv.FormatInt(ev1.ID, 10): 2, strconv.FormatInt(ev2.ID, 10): 1}
	if fmt.Sprint(perEvent) != fmt.Sprint(want) {
		t.Errorf("webhook requests per event: %v, want %v", perEvent, want)
	}
}

// Rows another process writes on the same database are found by the poll.
func TestRowsWrittenByAnotherProcessAreDelivered(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, nil)
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: h.url("/ada")})
	v.start(fast(notify.Options{}))

	other := &env{t: t, ctx: v.ctx, path: v.path}
	other.open()
	t.Cleanup(other.close)
	_, ev := other.assign(engine.System(), "ada", grace)
	if rows := v.settled(ev.ID); rows[0].Status != engine.OutboxDelivered {
		t.Fatalf("a row from another process: %+v", rows)
	}
}

func TestMailerSMTPConversations(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	msg := []byte("Subject: hi\r\n\r\nhello\r\n")
	tests := []struct {
		name    string
		tls     bool
		user    string
		cfg     notify.SMTPConfig
		reject  bool
		wantErr string
	}{
		{name: "plain", cfg: notify.SMTPConfig{}},
		{name: "starttls and auth", tls: true, user: "relay",
			cfg: notify.SMTPConfig{StartTLS: true, Username: "relay", Password: "pw", TLSConfig: clientTLS}},
		{name: "starttls required but not offered", cfg: notify.SMTPConfig{StartTLS: true},
			wantErr: "does not offer STARTTLS"},
		{name: "wrong password", tls: true, user: "relay",
			cfg:     notify.SMTPConfig{StartTLS: true, Username: "relay", Password: "wrong", TLSConfig: clientTLS},
			wantErr: "authenticating as relay"},
		{name: "auth required", tls: true, user: "relay", cfg: notify.SMTPConfig{StartTLS: true, TLSConfig: clientTLS},
			wantErr: "MAIL FROM"},
		{name: "recipient refused", reject: true, wantErr: "RCPT TO ada@example.com: 550"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st *tls.Config
			if tt.tls {
				st = serverTLS
			}
			box := newMailbox(t, st)
			box.user, box.password = tt.user, "pw"
			if tt.reject {
				box.reject = func(string) error {
					return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
				}
			}
			cfg := tt.cfg
			cfg.Addr, cfg.From = box.addr, "leads@acme.example"
			err := mailer(t, cfg).Send(context.Background(), "ada@example.com", msg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("send: %v", err)
				}
				if got := box.messages(); len(got) != 1 || !bytes.Contains(got[0].data, []byte("hello")) {
					t.Fatalf("received %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want an error with %q, got %v", tt.wantErr, err)
			}
			if n := len(box.messages()); n != 0 {
				t.Fatalf("a refused conversation delivered %d messages", n)
			}
		})
	}
}

// A recipient the mail server refuses for good fails at once instead of being retried
// for a day.
func TestARefusedMailboxFailsAtOnce(t *testing.T) {
	v := newEnv(t)
	box := newMailbox(t, nil)
	box.reject = func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com", EmailNotify: true})
	v.start(fast(notify.Options{Mailer: mailer(t, notify.SMTPConfig{Addr: box.addr, From: "leads@acme.example"})}))

	lead, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if rows[0].Status != engine.OutboxFailed || rows[0].Attempts != 1 {
		t.Fatalf("refused mailbox: %+v", rows)
	}
	if got := v.history(lead.ID, engine.EvNotificationFailed); len(got) != 1 ||
		!strings.Contains(got[0].Reason, "email to ada@example.com") || !strings.Contains(got[0].Reason, "no such user") {
		t.Fatalf("failure event: %+v", got)
	}
}

func TestNewMailerRejectsBadConfig(t *testing.T) {
	tests := []struct {
		cfg     notify.SMTPConfig
		wantErr string
	}{
		{notify.SMTPConfig{Addr: "smtp.example.com", From: "a@b.c"}, "HOST:PORT"},
		{notify.SMTPConfig{Addr: "smtp.example.com:587"}, "no sender address"},
		{notify.SMTPConfig{Addr: "smtp.example.com:587", From: "not an address"}, "sender address"},
		{notify.SMTPConfig{Addr: "smtp.example.com:587", From: "a@b.c", Username: "u"}, "both a user name and a password"},
	}
	for _, tt := range tests {
		if _, err := notify.NewMailer(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: want an error with %q, got %v", tt.cfg, tt.wantErr, err)
		}
	}
	m, err := notify.NewMailer(notify.SMTPConfig{Addr: "smtp.example.com:587", From: "Leads <leads@example.com>"})
	if err != nil || m.From().Address != "leads@example.com" {
		t.Fatalf("a good config: %v", err)
	}
}

// An e-mail row with no SMTP server configured waits, saying why, and gives up.
func TestEmailWithoutAMailServerGivesUpSayingWhy(t *testing.T) {
	v := newEnv(t)
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com", EmailNotify: true})
	v.start(fast(notify.Options{GiveUpAfter: 100 * time.Millisecond}))

	_, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if rows[0].Status != engine.OutboxFailed || !strings.Contains(rows[0].LastError, "--smtp-addr") {
		t.Fatalf("without SMTP: %+v", rows)
	}
}

// TestLocalTargetsRefusedWhenDelivering: a webhook URL that reaches the server's own
// machine – set while local targets were allowed, or a name that resolves there now –
// is refused when the worker connects, whatever the URL says: nothing reaches the
// receiver and the row fails at once.
func TestLocalTargetsRefusedWhenDelivering(t *testing.T) {
	v := newEnv(t)
	h := newHook(t, func(_ int, w http.ResponseWriter, _ *http.Request) {})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada Lovelace", WebhookURL: h.url("/ada")})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w := notify.New(v.e, fast(notify.Options{})) // local targets not allowed
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	lead, ev := v.assign(engine.System(), "ada", grace)
	rows := v.settled(ev.ID)
	if len(rows) != 1 || rows[0].Status != engine.OutboxFailed || rows[0].Attempts != 1 {
		t.Fatalf("want one row failed at its first attempt: %+v", rows)
	}
	if n := len(h.requests()); n != 0 {
		t.Fatalf("the local receiver got %d requests", n)
	}
	failed := v.history(lead.ID, engine.EvNotificationFailed)
	if len(failed) != 1 || !strings.Contains(failed[0].Reason, "127.0.0.1 is a loopback address, which webhooks may not reach") {
		t.Fatalf("failure: %+v", failed)
	}
}
