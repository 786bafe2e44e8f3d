package mailintake_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netsmtp "net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/mailintake"
	"github.com/switchboard/switchboard/storage"
)

// env is the door on loopback over an engine on a real SQLite file, taking mail for
// sales@example.com, with a rule that gives every lead to bob.
type env struct {
	t     *testing.T
	eng   *engine.Engine
	addr  string
	clock time.Time
}

func newEnv(t *testing.T, lmtp bool) *env {
	t.Helper()
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1, Location: time.UTC})
	e := &env{t: t, eng: eng, clock: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	if err := eng.SetSetting(ctx, engine.System(), engine.SettingMailRecipients, "Sales@Example.com, quotes@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{Handle: "bob", Name: "Bob", Presence: engine.Available}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: "all", Mode: engine.RoundRobin, Recipients: []engine.RecipientSpec{{Agent: "bob"}}}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := mailintake.New(eng, mailintake.Options{LMTP: lmtp, Domain: "test", Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return e.clock }})
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	e.addr = ln.Addr().String()
	return e
}

// send delivers msg with go-smtp's client and returns the server's answer to DATA (or
// to the first command it refused).
func (e *env) send(from string, to []string, msg string) error {
	e.t.Helper()
	c, err := smtp.Dial(e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rc := range to {
		if err := c.Rcpt(rc, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (e *env) leads() []engine.Lead {
	e.t.Helper()
	page, err := e.eng.ListLeads(context.Background(), engine.System(), engine.LeadQuery{OldestFirst: true, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func (e *env) history(kind engine.EventKind) []engine.Event {
	e.t.Helper()
	page, err := e.eng.History(context.Background(), engine.System(), engine.HistoryQuery{Kind: string(kind), Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func msg(headers, body string) string {
	return strings.ReplaceAll(strings.TrimLeft(headers, "\n")+"\n"+body, "\n", "\r\n")
}

// The three encodings the issue names, each a keyword mail that becomes a lead with its
// subject and text decoded.
var encoded = []struct {
	name, msg             string
	wantName, wantSubject string
	wantMessage           string
}{
	{"quoted-printable UTF-8", msg(`
From: =?UTF-8?Q?Zo=C3=AB_Ng?= <zoe@example.org>
To: sales@example.com
Subject: =?UTF-8?Q?Devis_pour_2_si=C3=A8ges_=E2=80=94_price?=
Message-ID: <qp-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
`, "Bonjour, nous voudrions un devis =C3=A0 3 000 =E2=82=AC pour deux si=C3=A8ges=\n, livr=C3=A9s =C3=A0 Lyon.\n"),
		"Zoë Ng", "Devis pour 2 sièges — price", "Bonjour, nous voudrions un devis à 3 000 € pour deux sièges, livrés à Lyon."},
	{"base64 ISO-8859-1", msg(`
From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <jm@example.de>
To: sales@example.com
Subject: =?ISO-8859-1?B?QW5nZWJvdCBm/HIgZWluZSBEZW1v?=
Message-ID: <b64-1@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: base64
`, "R3L832UsIGljaCBo5HR0ZSBnZXJuIGVpbmUgRGVtbyD8YmVyIOQsIPYgdW5kIPwuIJNEYW5rZZQ=\n"),
		"Jürgen Müller", "Angebot für eine Demo", "Grüße, ich hätte gern eine Demo über ä, ö und ü. “Danke”"},
	{"multipart/alternative", msg(`
From: Ada Lovelace <ada@example.com>
To: sales@example.com
Subject: Pricing for the engine
Message-ID: <alt-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"
`, `--b1
Content-Type: text/html; charset=utf-8

<p>HTML version</p>
--b1
Content-Type: text/plain; charset=utf-8

Plain version: could you send a quote?
--b1--
`), "Ada Lovelace", "Pricing for the engine", "Plain version: could you send a quote?"},
}

func TestKeywordMailBecomesALead(t *testing.T) {
	e := newEnv(t, false)
	for i, tc := range encoded {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.send("bounce@example.net", []string{"sales@example.com"}, tc.msg); err != nil {
				t.Fatalf("send: %v", err)
			}
			leads := e.leads()
			if len(leads) != i+1 {
				t.Fatalf("%d leads, want %d", len(leads), i+1)
			}
			l := leads[i]
			if l.Name != tc.wantName || l.Source != "email" || l.Owner != "bob" {
				t.Errorf("lead %q from %q owned by %q, want %q from email, routed to bob", l.Name, l.Source, l.Owner, tc.wantName)
			}
			if l.Fields["subject"] != tc.wantSubject {
				t.Errorf("subject %q, want %q", l.Fields["subject"], tc.wantSubject)
			}
			if l.Fields["message"] != tc.wantMessage {
				t.Errorf("message %q, want %q", l.Fields["message"], tc.wantMessage)
			}
		})
	}
	l := e.leads()[0]
	if l.Email != "zoe@example.org" || l.ExternalID != "qp-1@example.org" {
		t.Errorf("lead %q %q, want the From address and the Message-ID", l.Email, l.ExternalID)
	}
	created := e.history(engine.EvLeadCreated)
	if len(created) != 3 || created[0].Actor != "mail:sales@example.com" {
		t.Errorf("lead.created %+v, want three by mail:sales@example.com", created)
	}
}

func TestHTMLOnlyMail(t *testing.T) {
	e := newEnv(t, false)
	m := msg(`
From: shop@example.com
To: sales@example.com
Subject: Hello
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
`, `<html><head><title>x</title><style>p{color:red}</style></head><body><p>We&#39;d like a <b>demo</b>&nbsp;please.</p><script>alert(1)</script><p>Thanks</p></body></html>`)
	if err := e.send("shop@example.com", []string{"sales@example.com"}, m); err != nil {
		t.Fatal(err)
	}
	leads := e.leads()
	if len(leads) != 1 || leads[0].Fields["message"] != "We'd like a demo please. Thanks" {
		t.Fatalf("leads %+v, want one with the HTML's text", leads)
	}
}

// TestRedeliveryIsNotASecondLead: the same Message-ID again, by another client and to
// another of the addresses, is the same lead.
func TestRedeliveryIsNotASecondLead(t *testing.T) {
	e := newEnv(t, false)
	m := encoded[2].msg
	if err := e.send("a@example.com", []string{"sales@example.com"}, m); err != nil {
		t.Fatal(err)
	}
	if err := netsmtp.SendMail(e.addr, nil, "a@example.com", []string{"quotes@example.com"}, []byte(m)); err != nil {
		t.Fatalf("net/smtp: %v", err)
	}
	if n := len(e.leads()); n != 1 {
		t.Errorf("%d leads after a redelivery, want 1", n)
	}
}

func TestUnknownRecipientRefusedAtRCPT(t *testing.T) {
	e := newEnv(t, false)
	err := e.send("a@example.com", []string{"nobody@example.com"}, encoded[2].msg)
	if smtpCode(err) != 550 {
		t.Fatalf("RCPT to an unknown address: %v, want 550", err)
	}
	// net/smtp sees the same refusal.
	err = netsmtp.SendMail(e.addr, nil, "a@example.com", []string{"sales@other.example"}, []byte(encoded[2].msg))
	if err == nil || !strings.HasPrefix(err.Error(), "550") {
		t.Errorf("net/smtp to an unknown address: %v, want 550", err)
	}
	if n := len(e.leads()); n != 0 {
		t.Errorf("%d leads", n)
	}
}

func TestOversizedMessageRefusedAtDATA(t *testing.T) {
	e := newEnv(t, false)
	big := msg(`
From: a@example.com
To: sales@example.com
Subject: quote
`, strings.Repeat(strings.Repeat("x", 76)+"\n", mailintake.MaxMessageBytes/77+10))
	err := e.send("a@example.com", []string{"sales@example.com"}, big)
	if smtpCode(err) != 552 {
		t.Fatalf("a message over 1 MiB: %v, want 552", err)
	}
	if n := len(e.leads()); n != 0 {
		t.Errorf("%d leads", n)
	}
}

func TestMailWithoutKeywordIsIgnored(t *testing.T) {
	e := newEnv(t, false)
	for _, m := range []string{
		msg("From: Pat <pat@example.com>\nTo: sales@example.com\nSubject: Lunch on Friday?\nMessage-ID: <l1@x>\n", "Are you free? Priceless view.\n"),
		msg("From: Robot <robot@example.com>\nTo: sales@example.com\nSubject: Out of office: your quote\nAuto-Submitted: auto-replied\n", "I am away.\n"),
	} {
		if err := e.send("pat@example.com", []string{"sales@example.com"}, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.leads()); n != 0 {
		t.Errorf("%d leads from mail without a keyword", n)
	}
	ignored := e.history(engine.EvMailIgnored)
	if len(ignored) != 2 {
		t.Fatalf("%d mail.ignored events, want 2", len(ignored))
	}
	// Newest first.
	if ev := ignored[1]; ev.From != "pat@example.com" || ev.To != "Lunch on Friday?" || ev.Reason != "no keyword" || ev.Actor != "mail:sales@example.com" {
		t.Errorf("mail.ignored %+v, want sender, subject and why", ev)
	}
	if ev := ignored[0]; !strings.Contains(ev.Reason, "automatic") {
		t.Errorf("an auto-reply was ignored because %q", ev.Reason)
	}
}

// TestHostileHeadersRefused: control characters in headers, however they are encoded,
// refuse the message with 554 and store nothing.
func TestHostileHeadersRefused(t *testing.T) {
	e := newEnv(t, false)
	for _, tc := range []struct{ name, msg, want string }{
		{"ESC in an encoded subject", msg("From: a@example.com\nTo: sales@example.com\nSubject: =?UTF-8?Q?price=1B[2J?=\n", "quote\n"), "Subject"},
		{"C1 in the sender's name", msg("From: =?UTF-8?B?wps=?= <a@example.com>\nTo: sales@example.com\nSubject: price\n", "quote\n"), "From"},
		{"a From that is no address", msg("From: not an address\nTo: sales@example.com\nSubject: price\n", "quote\n"), "From"},
		{"invalid UTF-8 in the subject", msg("From: a@example.com\nTo: sales@example.com\nSubject: price \xff\n", "quote\n"), "Subject"},
		{"NUL in the text", msg("From: a@example.com\nTo: sales@example.com\nSubject: price\n", "quote\x00\n"), "text"},
		{"an unknown charset", msg("From: a@example.com\nTo: sales@example.com\nSubject: price\nContent-Type: text/plain; charset=x-nonsense\n", "quote \xff\xfe\n"), "charset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.send("a@example.com", []string{"sales@example.com"}, tc.msg)
			if smtpCode(err) != 554 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want 554 naming %s", err, tc.want)
			}
		})
	}
	if n := len(e.leads()); n != 0 {
		t.Errorf("%d leads", n)
	}
	if n := len(e.history(engine.EvMailIgnored)); n != 0 {
		t.Errorf("%d mail.ignored events: a refused message is not recorded", n)
	}
}

func TestMailRateLimit(t *testing.T) {
	e := newEnv(t, false)
	for i := range mailintake.Burst {
		m := msg(fmt.Sprintf("From: a@example.com\nTo: sales@example.com\nSubject: quote %d\nMessage-ID: <r%d@x>\n", i, i), "hi\n")
		if err := e.send("a@example.com", []string{"sales@example.com"}, m); err != nil {
			t.Fatalf("message %d of the burst: %v", i+1, err)
		}
	}
	err := e.send("a@example.com", []string{"sales@example.com"}, msg("From: a@example.com\nSubject: quote\n", "hi\n"))
	if smtpCode(err) != 450 {
		t.Fatalf("past the burst: %v, want 450", err)
	}
	e.clock = e.clock.Add(6 * time.Second)
	if err := e.send("a@example.com", []string{"sales@example.com"}, msg("From: a@example.com\nSubject: quote\nMessage-ID: <late@x>\n", "hi\n")); err != nil {
		t.Errorf("6s later: %v", err)
	}
	if n := len(e.leads()); n != mailintake.Burst+1 {
		t.Errorf("%d leads, want %d", n, mailintake.Burst+1)
	}
}

func TestLMTP(t *testing.T) {
	e := newEnv(t, true)
	conn, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("ada@example.com", nil); err != nil {
		t.Fatal(err)
	}
	for _, rc := range []string{"sales@example.com", "quotes@example.com"} {
		if err := c.Rcpt(rc, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Rcpt("nobody@example.com", nil); smtpCode(err) != 550 {
		t.Errorf("LMTP RCPT to an unknown address: %v, want 550", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(encoded[2].msg))
	statuses, err := w.CloseWithLMTPResponse()
	if err != nil || len(statuses) != 2 || statuses["sales@example.com"] == nil || statuses["quotes@example.com"] == nil {
		t.Errorf("LMTP statuses %v, %v: want 250 for each recipient", statuses, err)
	}
	if n := len(e.leads()); n != 1 {
		t.Errorf("%d leads from one message to two addresses, want 1", n)
	}
}

// TestConnectionCap: past MaxConnections connections at once, the next is told 421 and
// closed; once one closes, a new one is served.
func TestConnectionCap(t *testing.T) {
	e := newEnv(t, false)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	greeting := func(c net.Conn) string {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 256)
		n, _ := c.Read(buf)
		return string(buf[:n])
	}
	for i := range mailintake.MaxConnections {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if g := greeting(c); !strings.HasPrefix(g, "220 ") {
			t.Fatalf("connection %d was greeted %q", i+1, g)
		}
	}
	over, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	if g := greeting(over); !strings.HasPrefix(g, "421 4.7.0") {
		t.Errorf("connection %d was greeted %q, want 421", mailintake.MaxConnections+1, g)
	}
	conns[0].Close()
	// The slot is free once the server has seen the close: try until a greeting comes.
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		g := greeting(c)
		if strings.HasPrefix(g, "220 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one closed: %q", g)
		}
	}
}
