package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Returning leads (R20): a new lead whose e-mail or phone matches an owned lead created
// within sticky_window goes back to that lead's owner when the owner can take it,
// before any rule runs. This file holds how e-mails and phones are compared (the
// stores index the keys below) and the lookup; routing.go decides with it.

// SettingStickyWindow is how far back a returning lead is looked for ("" = off).
const SettingStickyWindow = "sticky_window"

// minPhoneDigits is how many digits a phone needs to be compared at all: "0" or "n/a"
// written in a phone field would otherwise make strangers into returning leads.
const minPhoneDigits = 5

// EmailKey is how e-mail addresses are compared: trimmed, in lower case. "" for none.
func EmailKey(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(e, "@") {
		return ""
	}
	return e
}

// PhoneKey is how phones are compared: their digits, with the leading + kept when the
// number starts with one; "+1 (555) 010-0199" and "+15550100199" are one phone. "" for
// a phone with fewer than five digits.
func PhoneKey(phone string) string {
	p := strings.TrimSpace(phone)
	var b strings.Builder
	if strings.HasPrefix(p, "+") {
		b.WriteByte('+')
	}
	digits := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
			digits++
		}
	}
	if digits < minPhoneDigits {
		return ""
	}
	return b.String()
}

// ReturningLabel says, for people, which lead this one returns to and why:
// "#12, same email". "" when it is not a returning lead.
func (l Lead) ReturningLabel() string {
	if l.ReturningOf == 0 {
		return ""
	}
	by := l.ReturningBy
	if by == "" {
		by = "email or phone"
	}
	return fmt.Sprintf("#%d, same %s", l.ReturningOf, by)
}

// returningBy says what a returning lead matched: "email", "phone" or "email and phone".
func returningBy(l, match *Lead) string {
	email := EmailKey(l.Email) != "" && EmailKey(l.Email) == EmailKey(match.Email)
	phone := PhoneKey(l.Phone) != "" && PhoneKey(l.Phone) == PhoneKey(match.Phone)
	switch {
	case email && phone:
		return "email and phone"
	case phone:
		return "phone"
	}
	return "email"
}

// stickyWindow is sticky_window (0: off), as the routing model holds it.
func (t *txn) stickyWindow() (time.Duration, error) {
	m, err := t.routing()
	if err != nil {
		return 0, err
	}
	return m.sticky, nil
}

// batchReturning is what a batch of new leads may return to, read for all of them at
// once (readReturning): by e-mail and phone key, the newest owned lead within the
// window, the batch's own leads included as they are created.
type batchReturning struct {
	byEmail, byPhone map[string]*Lead
}

// match is the newer of the leads the keys find, nil for none.
func (b *batchReturning) match(email, phone string) *Lead {
	var best *Lead
	for _, l := range []*Lead{b.byEmail[email], b.byPhone[phone]} {
		if l != nil && (best == nil || newerLead(l, best)) {
			best = l
		}
	}
	if best == nil {
		return nil
	}
	c := *best
	return &c
}

// add notes l as a lead the keys find, if it is newer than what they find.
func (b *batchReturning) add(l *Lead) {
	if l.OwnerID == 0 {
		return
	}
	c := *l
	for key, m := range map[string]map[string]*Lead{EmailKey(l.Email): b.byEmail, PhoneKey(l.Phone): b.byPhone} {
		if key != "" && (m[key] == nil || newerLead(&c, m[key])) {
			m[key] = &c
		}
	}
}

// newerLead reports whether a was created after b (at the same time, the later id).
func newerLead(a, b *Lead) bool {
	return a.CreatedAt.After(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID > b.ID)
}

// readReturning reads, in one query, the leads a batch's inputs (those without an
// error) may return to: findReturning then looks in t.returning.
func (t *txn) readReturning(in []NewLead, out []Created) error {
	window, err := t.stickyWindow()
	if err != nil || window <= 0 {
		return err
	}
	var emails, phones []string
	for i := range in {
		if out[i].Err == nil {
			emails, phones = append(emails, EmailKey(in[i].Email)), append(phones, PhoneKey(in[i].Phone))
		}
	}
	found, err := t.ReturningLeads(emails, phones, t.now.Add(-window))
	if err != nil {
		return fmt.Errorf("looking for returning leads: %w", err)
	}
	t.returning = &batchReturning{byEmail: map[string]*Lead{}, byPhone: map[string]*Lead{}}
	for i := range found {
		t.returning.add(&found[i])
	}
	return nil
}

// findReturning is the lead that makes l a returning lead: the most recent owned lead
// created within sticky_window whose e-mail or phone is l's, or nil. It is one lookup
// on an index of each key: it costs the same whatever the number of leads.
func (t *txn) findReturning(l *Lead) (*Lead, error) {
	email, phone := EmailKey(l.Email), PhoneKey(l.Phone)
	if email == "" && phone == "" {
		return nil, nil
	}
	window, err := t.stickyWindow()
	if err != nil || window <= 0 {
		return nil, err
	}
	if t.returning != nil { // a batch: read for all its leads at once
		return t.returning.match(email, phone), nil
	}
	m, err := t.ReturningLead(email, phone, t.now.Add(-window))
	if errors.Is(err, ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking for a returning lead: %w", err)
	}
	return &m, nil
}
