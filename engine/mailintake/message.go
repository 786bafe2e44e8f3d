package mailintake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"

	"github.com/switchboard/switchboard/engine"
)

func init() {
	// Mail labelled ISO-8859-1 is very often written in windows-1252 (its curly quotes,
	// dashes and euro sign sit where ISO-8859-1 has C1 controls, which switchboard
	// refuses). Browsers read the label the same way, as the WHATWG encoding standard
	// says; so does intake.
	for _, name := range []string{"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "us-ascii", "ascii"} {
		charset.RegisterEncoding(name, charmap.Windows1252)
	}
}

// errUnreadable is a message whose structure cannot be read.
type errUnreadable struct{ err error }

func (e errUnreadable) Error() string { return "the message cannot be read: " + e.err.Error() }
func (e errUnreadable) Unwrap() error { return e.err }

// Decode reads a whole message – headers, MIME structure, transfer encodings and
// charsets – into what the engine needs. envelopeFrom (MAIL FROM) stands in for a
// missing From header; an empty one marks a bounce. The text is the first text/plain
// part that is not an attachment, else the text of the first text/html one.
func Decode(raw []byte, envelopeFrom string) (engine.InboundMail, error) {
	var m engine.InboundMail
	// A part in a charset go-message does not know is readable as it is: its text is
	// kept if it is UTF-8 anyway, refused (naming the charset) otherwise.
	var charsetErr error
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return m, errUnreadable{err}
	}
	charsetErr = err
	h := mr.Header
	from, err := h.AddressList("From")
	if err != nil {
		return m, errUnreadable{fmt.Errorf("the From header is not an address: %w", err)}
	}
	if len(from) > 0 {
		m.FromName, m.FromAddr = from[0].Name, from[0].Address
	} else {
		m.FromAddr = envelopeFrom
	}
	if m.Subject, err = h.Subject(); err != nil {
		return m, errUnreadable{fmt.Errorf("the Subject header: %w", err)}
	}
	if m.MessageID, err = h.MessageID(); err != nil || m.MessageID == "" {
		// Not in the standard's form: keep it as written, so that a redelivery still
		// carries the same key.
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	m.Automatic = automatic(h, envelopeFrom)

	var plain, html []byte
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return m, errUnreadable{err}
		}
		if err != nil {
			charsetErr = err
		}
		ih, inline := p.Header.(*mail.InlineHeader)
		kind := ""
		if inline {
			kind, _, _ = ih.ContentType()
		}
		if (kind != "text/plain" || plain != nil) && (kind != "text/html" || html != nil) {
			if _, err := io.Copy(io.Discard, p.Body); err != nil {
				return m, errUnreadable{err}
			}
			continue
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			return m, errUnreadable{err}
		}
		if kind == "text/plain" {
			plain = body
		} else {
			html = body
		}
	}
	if plain != nil {
		m.Text = string(plain)
	} else if html != nil {
		m.Text = htmlText(string(html))
	}
	if charsetErr != nil && !utf8.ValidString(m.Text) {
		return m, errUnreadable{charsetErr}
	}
	return m, nil
}

// automatic says why a message was written by a program rather than a person: a bounce
// (empty envelope sender), an auto-reply or other automatic message (Auto-Submitted),
// bulk or list mail (Precedence). It is "" for a person's message.
func automatic(h mail.Header, envelopeFrom string) string {
	if envelopeFrom == "" {
		return "a bounce (empty envelope sender)"
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "an automatic message (Auto-Submitted: " + short(v) + ")"
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "junk", "list":
		return "bulk mail (Precedence: " + v + ")"
	}
	return ""
}

// short keeps a header value quoted in a reason to a few printable ASCII characters.
func short(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			b.WriteString("…")
			break
		}
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}
