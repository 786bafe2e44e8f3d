package notify

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard/switchboard/engine"
)

// email is what an e-mail says besides the payload.
type email struct {
	From      *mail.Address
	To        string // the address
	Date      time.Time
	MessageID string // without the angle brackets
	Company   string // the team's company, for "sent to you by NAME at COMPANY"
}

// messageID is the same for every attempt at one outbox row, so that a mail reader
// shows a message sent twice (after a crash) once.
func messageID(d engine.OutboxDelivery, from *mail.Address) string {
	domain := "switchboard.invalid"
	if _, host, ok := strings.Cut(from.Address, "@"); ok && host != "" {
		domain = host
	}
	return fmt.Sprintf("switchboard.%d.%d@%s", d.EventID, d.ID, domain)
}

// subject is the message's subject line: what happened and to which lead, e.g.
// "New lead: Ada Lovelace (Acme)".
func subject(p engine.NotificationPayload) string {
	lead := leadLabel(p.Lead)
	if p.Count > 1 {
		lead = fmt.Sprintf("%d leads", p.Count)
	}
	switch p.Kind {
	case engine.EvLeadAssigned, engine.EvLeadReassigned, engine.EvLeadRouted:
		if p.Count > 1 {
			return fmt.Sprintf("%d new leads", p.Count)
		}
		return "New lead: " + lead
	case engine.EvShareCreated, engine.EvShareChanged:
		return "Lead shared with you: " + lead
	case engine.EvShareExpired, engine.EvShareRevoked:
		return "Access ended: " + lead
	case engine.EvLeadSLAMissed:
		if p.Count > 1 {
			return fmt.Sprintf("SLA missed on %d leads", p.Count)
		}
		return "SLA missed: " + lead
	}
	return "switchboard: " + oneLine(p.Text)
}

// leadLabel names a lead for a person: "Ada Lovelace (Acme)", or just the title when the
// company is the title or unknown.
func leadLabel(l engine.Lead) string {
	title := oneLine(l.Title())
	if l.Company != "" && l.Company != l.Title() {
		return title + " (" + oneLine(l.Company) + ")"
	}
	return title
}

// composeEmail writes the complete message: headers, then a plain-text body in
// quoted-printable, which survives any mail server and reads as plain text.
func composeEmail(p engine.NotificationPayload, e email) []byte {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(fold(k+": "+v) + "\r\n") }
	header("From", e.From.String())
	to := mail.Address{Name: oneLine(p.Agent.Name), Address: e.To}
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject(p)))
	header("Date", e.Date.Format(time.RFC1123Z))
	header("Message-ID", "<"+e.MessageID+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// Tells vacation responders and the like not to answer (RFC 3834).
	header("Auto-Submitted", "auto-generated")
	header(HeaderEvent, strconv.FormatInt(p.EventID, 10))
	header(HeaderKind, string(p.Kind))
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(body(p, e.Company)))
	qp.Close()
	return b.Bytes()
}

// body is the text of the message.
func body(p engine.NotificationPayload, company string) string {
	var b strings.Builder
	b.WriteString(oneLine(p.Text) + "\n\n")
	if p.Count > 1 {
		writeLeadList(&b, p)
	} else {
		writeLead(&b, p.Lead)
	}

	sender := oneLine(p.Sender)
	if sender == "" {
		sender = "switchboard"
	}
	b.WriteString("\nsent to you by " + sender)
	if company = oneLine(company); company != "" {
		b.WriteString(" at " + company)
	}
	b.WriteString("\n\n-- \n")
	fmt.Fprintf(&b, "switchboard · %s · event %d\n", p.Kind, p.EventID)
	return b.String()
}

// writeLeadList lists the leads of a grouped notification, one a line.
func writeLeadList(b *strings.Builder, p engine.NotificationPayload) {
	for _, l := range p.Leads {
		label := oneLine(l.Title)
		if l.Company != "" && l.Company != l.Title {
			label += " (" + oneLine(l.Company) + ")"
		}
		fmt.Fprintf(b, "  #%d  %s · %s\n", l.ID, label, oneLine(l.Source))
	}
	if more := p.Count - len(p.Leads); more > 0 {
		fmt.Fprintf(b, "  … and %d more\n", more)
	}
}

// writeLead writes one lead's details.
func writeLead(b *strings.Builder, l engine.Lead) {
	fmt.Fprintf(b, "Lead #%d\n", l.ID)
	type row struct{ label, value string }
	rows := []row{
		{"Name", l.Name}, {"Company", l.Company}, {"E-mail", l.Email}, {"Phone", l.Phone},
		{"Source", l.Source}, {"Status", string(l.Status)}, {"Tags", strings.Join(l.Tags, ", ")},
	}
	keys := make([]string, 0, len(l.Fields))
	for k := range l.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows = append(rows, row{k, fmt.Sprint(l.Fields[k])})
	}
	width := 0
	for _, r := range rows {
		if r.value != "" {
			width = max(width, len([]rune(oneLine(r.label))))
		}
	}
	for _, r := range rows {
		if r.value == "" {
			continue
		}
		label := oneLine(r.label) + ":"
		pad := strings.Repeat(" ", width+2-len([]rune(label)))
		b.WriteString("  " + label + pad + oneLine(r.value) + "\n")
	}
}

// oneLine keeps text from the database on one line: control characters (a newline in
// a lead's name, say) become spaces, so nothing can start a new header or break the
// layout.
func oneLine(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// fold breaks a header line at spaces so that its lines stay within the 78 characters
// RFC 5322 asks for; a reader joins them again. A run without spaces (one long address)
// is left whole rather than broken.
func fold(line string) string {
	const limit = 78
	var b strings.Builder
	for len(line) > limit {
		i := strings.LastIndexByte(line[:limit], ' ')
		if i <= 0 {
			j := strings.IndexByte(line[limit:], ' ')
			if j < 0 {
				break
			}
			i = limit + j
		}
		b.WriteString(line[:i] + "\r\n")
		line = line[i:] // the space starts the continuation line
	}
	b.WriteString(line)
	return b.String()
}
