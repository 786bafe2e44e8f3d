package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine/textguard"
)

// E-mail intake (R22): a message sent to one of the addresses in mail_recipients whose
// subject or text holds one of mail_keywords becomes a lead; any other is recorded as a
// mail.ignored event. engine/mailintake speaks SMTP and decodes MIME; what a message
// becomes is decided here.

// Setting keys of e-mail intake.
const (
	SettingMailRecipients = "mail_recipients" // the addresses intake takes mail for
	SettingMailKeywords   = "mail_keywords"   // words or phrases that make a message a lead
)

// DefaultMailKeywords are the words that make a message a lead when mail_keywords is
// unset.
var DefaultMailKeywords = []string{"quote", "pricing", "price", "demo", "trial", "buy", "purchase", "interested", "proposal", "callback"}

// Limits of a message's texts as a lead keeps them: a field's limit, which the cost
// checks of rule conditions rest on (split(fields.message) must stay as cheap as the
// checks think it is). A longer message or subject is cut, not refused: its sender
// cannot see the limit.
const (
	MailMessageCut = MaxFieldValueLen // fields.message: the text, cut
	MailSubjectCut = MaxFieldValueLen // fields.subject, cut
	// MailSource is the source of every lead made from e-mail.
	MailSource = "email"
)

// InboundMail is a message as engine/mailintake decoded it.
type InboundMail struct {
	// Recipient is the address it was delivered to: one of mail_recipients.
	Recipient string
	// FromName and FromAddr are the From header's display name and address (the
	// envelope sender's address when the message has no From).
	FromName, FromAddr string
	Subject            string
	// Text is the message's text: its text/plain part, or the text of its HTML.
	Text      string
	MessageID string // without angle brackets; "" when it has none
	// Automatic, when set, says why the message was written by a program (a bounce, an
	// auto-reply, bulk mail): it is recorded and never becomes a lead.
	Automatic string
}

// MailResult says what a message did.
type MailResult struct {
	Lead      Lead // the lead made (or, with Duplicate, the one it repeats: its id only)
	Duplicate bool // its Message-ID made a lead already (R11): nothing changed
	// Ignored is why the message made no lead ("" when it made one); it is recorded as
	// a mail.ignored event.
	Ignored string
}

// mailAddressCheck accepts an address as mail_recipients holds it.
func mailAddressCheck(v string) error {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(v, " <>,;\"") || strings.Contains(domain, "@") {
		return fmt.Errorf("write an address like sales@example.com")
	}
	return nil
}

// keywordCheck accepts a keyword: a word or a phrase with at least one letter or digit.
func keywordCheck(v string) error {
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return fmt.Errorf("a keyword needs a letter or a digit")
	}
	return nil
}

// MailRecipientAllowed reports whether intake takes mail for addr: whether it is one of
// mail_recipients, compared case-insensitively. It takes no actor: the SMTP server
// asks it at RCPT, before it knows anything of the message.
func (e *Engine) MailRecipientAllowed(ctx context.Context, addr string) (bool, error) {
	var ok bool
	err := e.read(ctx, func(r Reader) error {
		s, err := settingValue(r, SettingMailRecipients)
		if err != nil {
			return err
		}
		ok = slices.ContainsFunc(s.List, func(x string) bool { return strings.EqualFold(x, strings.TrimSpace(addr)) })
		return nil
	})
	return ok, err
}

// MailRecipients lists the addresses intake takes mail for (serve logs them at start).
func (e *Engine) MailRecipients(ctx context.Context) ([]string, error) {
	var out []string
	err := e.read(ctx, func(r Reader) error {
		s, err := settingValue(r, SettingMailRecipients)
		out = s.List
		return err
	})
	return out, err
}

// ReceiveMail takes a message delivered to one of mail_recipients (R22). One that names
// a keyword becomes a lead – source email, name and email from its sender, fields
// subject and message, external id its Message-ID, so that a redelivered message is
// not a second lead – created and routed by the same command as every other lead, as
// mail:RECIPIENT. Any other is a mail.ignored event with its sender and subject. A
// header or text holding a control character, or a sender that is no address, is
// refused as invalid and nothing is recorded.
func (e *Engine) ReceiveMail(ctx context.Context, m InboundMail) (MailResult, error) {
	in, err := mailLead(&m)
	if err != nil {
		return MailResult{}, err
	}
	actor := Actor{Name: "mail:" + strings.ToLower(m.Recipient), Role: RoleIntake}
	var res MailResult
	err = e.writeRouting(ctx, func(t *txn) error {
		res = MailResult{}
		recipients, err := settingValue(t, SettingMailRecipients)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(recipients.List, func(x string) bool { return strings.EqualFold(x, m.Recipient) }) {
			return forbiddenf("switchboard takes no mail for %s: it is not in mail_recipients", short(m.Recipient))
		}
		why := m.Automatic
		if why == "" {
			keywords, err := settingValue(t, SettingMailKeywords)
			if err != nil {
				return err
			}
			if !matchKeyword(keywords.List, m.Subject, m.Text) {
				why = "no keyword"
			}
		}
		if why != "" {
			res.Ignored = why
			_, err := t.record(Event{Kind: EvMailIgnored, Actor: actor.Name, From: m.FromAddr,
				To: cut(m.Subject, MaxNameLen), Reason: why})
			return err
		}
		c, err := t.createLead(actor, &in)
		if err != nil {
			return err
		}
		res.Lead, res.Duplicate = c.Lead, c.Duplicate
		return nil
	})
	return res, err
}

// mailLead checks a message's texts, normalises them as a lead holds text (one line,
// runs of spaces squeezed) and writes the lead it would make.
func mailLead(m *InboundMail) (NewLead, error) {
	m.Recipient = strings.TrimSpace(m.Recipient)
	for _, f := range []struct {
		name string
		v    *string
	}{{"recipient", &m.Recipient}, {"from", &m.FromName}, {"from", &m.FromAddr}, {"subject", &m.Subject}, {"message_id", &m.MessageID}} {
		if err := textguard.Check(*f.v, textguard.Tabs); err != nil {
			return NewLead{}, invalidf(f.name, "the %s header: %v", headerName(f.name), err)
		}
		*f.v = squeeze(*f.v)
	}
	m.Text = FoldLineBreaks(m.Text)
	if err := textguard.Check(m.Text, textguard.Tabs); err != nil {
		return NewLead{}, invalidf("message", "the message's text: %v", err)
	}
	m.Text = squeeze(m.Text)
	if err := mailAddressCheck(m.FromAddr); err != nil || utf8.RuneCountInString(m.FromAddr) > MaxEmailLen {
		return NewLead{}, invalidf("from", "the sender %s is not an e-mail address switchboard can keep", short(m.FromAddr))
	}
	in := NewLead{Source: MailSource, Name: cut(m.FromName, MaxNameLen), Email: m.FromAddr, ExternalID: mailExternalID(m)}
	in.Fields = map[string]any{}
	if m.Subject != "" {
		in.Fields["subject"] = cut(m.Subject, MailSubjectCut)
	}
	if m.Text != "" {
		in.Fields["message"] = cut(m.Text, MailMessageCut)
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return NewLead{}, err
	}
	return in, nil
}

func headerName(field string) string {
	switch field {
	case "recipient":
		return "recipient"
	case "message_id":
		return "Message-ID"
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// squeeze trims s and turns every run of white space into one space.
func squeeze(s string) string {
	if strings.IndexFunc(s, unicode.IsSpace) < 0 {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// mailExternalID is the idempotency key of a message: its Message-ID, or, for one too
// long to keep or without one, a hash of it or of its sender, subject and text, so
// that a redelivery of the same message is still the same lead.
func mailExternalID(m *InboundMail) string {
	id := m.MessageID
	if id != "" && utf8.RuneCountInString(id) <= MaxExternalIDLen {
		return id
	}
	if id == "" {
		id = m.FromAddr + "\n" + m.Subject + "\n" + m.Text
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// matchKeyword reports whether any of the texts holds one of keywords as a whole word
// or phrase, case-insensitively: "price" is in "Price?" and "the price list", not in
// "priceless"; a phrase's spaces match any run of white space.
func matchKeyword(keywords []string, texts ...string) bool {
	for _, text := range texts {
		hay := strings.ToLower(squeeze(text))
		for _, k := range keywords {
			needle := strings.ToLower(squeeze(k))
			if needle != "" && containsWord(hay, needle) {
				return true
			}
		}
	}
	return false
}

func containsWord(hay, needle string) bool {
	for from := 0; from <= len(hay)-len(needle); {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(hay[:i])
		after, _ := utf8.DecodeRuneInString(hay[i+len(needle):])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		_, size := utf8.DecodeRuneInString(hay[i:])
		from = i + size
	}
	return false
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
