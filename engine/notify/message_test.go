package notify

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func payload(kind engine.EventKind, l engine.Lead) engine.NotificationPayload {
	return engine.NotificationPayload{
		EventID: 7, Kind: kind, Sender: "Lin Dispatch", Text: "lin assigned you " + l.Title(),
		Lead: l, Agent: engine.AgentRef{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com"},
	}
}

func TestSubject(t *testing.T) {
	ada := engine.Lead{Name: "Ada Lovelace", Company: "Acme"}
	tests := []struct {
		kind engine.EventKind
		lead engine.Lead
		want string
	}{
		{engine.EvLeadAssigned, ada, "New lead: Ada Lovelace (Acme)"},
		{engine.EvLeadReassigned, ada, "New lead: Ada Lovelace (Acme)"},
		{engine.EvLeadRouted, engine.Lead{Name: "Ada Lovelace"}, "New lead: Ada Lovelace"},
		{engine.EvLeadRouted, engine.Lead{Company: "Acme"}, "New lead: Acme"},
		{engine.EvLeadRouted, engine.Lead{Phone: "+1 555 0100"}, "New lead: +1 555 0100"},
		{engine.EvShareCreated, ada, "Lead shared with you: Ada Lovelace (Acme)"},
		{engine.EvShareExpired, ada, "Access ended: Ada Lovelace (Acme)"},
		{engine.EvLeadSLAMissed, ada, "SLA missed: Ada Lovelace (Acme)"},
		{engine.EvLeadStatus, ada, "switchboard: lin assigned you Ada Lovelace"},
		{engine.EvLeadAssigned, engine.Lead{Name: "Eve\r\nBcc: all@example.com"}, "New lead: Eve  Bcc: all@example.com"},
	}
	for _, tt := range tests {
		if got := subject(payload(tt.kind, tt.lead)); got != tt.want {
			t.Errorf("%s %+v: %q, want %q", tt.kind, tt.lead, got, tt.want)
		}
	}
}

func compose(t *testing.T, p engine.NotificationPayload, company string) (*mail.Message, string) {
	t.Helper()
	from := &mail.Address{Name: "Switchboard", Address: "leads@acme.example"}
	raw := composeEmail(p, email{From: from, To: "ada@example.com", Date: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		MessageID: messageID(engine.OutboxDelivery{OutboxItem: engine.OutboxItem{ID: 3, EventID: p.EventID}}, from), Company: company})
	// Every line of the message fits the 78 characters RFC 5322 recommends.
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if len(sc.Text()) > 78 {
			t.Errorf("line longer than 78 characters: %q", sc.Text())
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, raw)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return m, string(text)
}

func TestEmailSaysWhoSentIt(t *testing.T) {
	l := engine.Lead{ID: 42, Name: "Ada Lovelace", Source: "web", Status: engine.StatusAssigned}
	tests := []struct {
		sender, company string
		want            string
	}{
		{"Lin Dispatch", "Acme Sales", "\r\nsent to you by Lin Dispatch at Acme Sales\r\n"},
		{"Lin Dispatch", "", "\r\nsent to you by Lin Dispatch\r\n"},
		{"", "Acme Sales", "\r\nsent to you by switchboard at Acme Sales\r\n"},
	}
	for _, tt := range tests {
		p := payload(engine.EvLeadAssigned, l)
		p.Sender = tt.sender
		_, body := compose(t, p, tt.company)
		if !strings.Contains(body, tt.want) {
			t.Errorf("sender %q, company %q: body lacks %q:\n%s", tt.sender, tt.company, tt.want, body)
		}
	}
}

func TestEmailHeadersSurviveHostileAndForeignText(t *testing.T) {
	l := engine.Lead{ID: 42, Name: "Zoë Ångström\r\nBcc: all@example.com", Company: "Ærø Fisk", Source: "web",
		Fields: map[string]any{"note": strings.Repeat("a very long note ", 20), "città": "Milano"}}
	p := payload(engine.EvLeadAssigned, l)
	p.Agent.Name = "Åsa\nBcc: x@example.com"
	m, body := compose(t, p, "Ærø\r\nX-Evil: 1")

	if len(m.Header["Bcc"]) != 0 || len(m.Header["X-Evil"]) != 0 {
		t.Fatalf("text from the database made headers: %v", m.Header)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj != "New lead: Zoë Ångström  Bcc: all@example.com (Ærø Fisk)" {
		t.Fatalf("subject %q (%v)", subj, err)
	}
	to, err := mail.ParseAddress(m.Header.Get("To"))
	if err != nil || to.Name != "Åsa Bcc: x@example.com" || to.Address != "ada@example.com" {
		t.Fatalf("To %q: %+v, %v", m.Header.Get("To"), to, err)
	}
	if got := m.Header.Get("Message-Id"); got != "<switchboard.7.3@acme.example>" {
		t.Errorf("Message-ID %q", got)
	}
	for _, want := range []string{"  città:   Milano\r\n", "  note:    a very long note a very long note", "sent to you by Lin Dispatch at Ærø  X-Evil: 1\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		in       string
		maxLines int // lines wider than 78 allowed (a run with no space in it)
	}{
		{"Subject: short", 0},
		{"X: " + strings.Repeat("x", 100), 1},
		{"Subject: " + strings.Repeat("word ", 30), 0},
		{"Subject: " + strings.Repeat("word  ", 40) + strings.Repeat("y", 90) + " end", 1},
	}
	for _, tt := range tests {
		got := fold(tt.in)
		if unfolded := strings.ReplaceAll(got, "\r\n", ""); unfolded != tt.in {
			t.Errorf("fold(%q) does not unfold to itself: %q", tt.in, unfolded)
		}
		lines := strings.Split(got, "\r\n")
		wide := 0
		for i, l := range lines {
			if len(l) > 78 {
				wide++
			}
			if i > 0 && !strings.HasPrefix(l, " ") {
				t.Errorf("fold(%q): continuation line %q does not start with a space", tt.in, l)
			}
		}
		if wide > tt.maxLines {
			t.Errorf("fold(%q): %d lines wider than 78:\n%s", tt.in, wide, got)
		}
		if len(tt.in) <= 78 && got != tt.in {
			t.Errorf("fold(%q) changed a short line: %q", tt.in, got)
		}
	}
}

// A notification about several leads (one bulk command) names how many in its subject
// and lists them in its body.
func TestEmailForSeveralLeads(t *testing.T) {
	p := payload(engine.EvLeadAssigned, engine.Lead{ID: 1, Name: "Ada", Source: "web"})
	p.Text, p.Count = "3 leads assigned to you by lin", 3
	p.Leads = []engine.LeadRef{{ID: 1, Title: "Ada", Source: "web"}, {ID: 2, Title: "Bo\nBcc: x", Company: "Acme", Source: "fair"}}
	if got := subject(p); got != "3 new leads" {
		t.Errorf("subject %q", got)
	}
	_, body := compose(t, p, "")
	for _, want := range []string{"3 leads assigned to you by lin\r\n", "  #1  Ada · web\r\n", "  #2  Bo Bcc: x (Acme) · fair\r\n", "  … and 1 more\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}
