package engine

import (
	"fmt"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine/textguard"
)

// Limits on every text the engine takes in, in characters (runes). They are generous
// for real data and small enough that no one input can weigh much: a lead is a few
// kilobytes at most, a history event well under one. A text over its limit is refused,
// never cut, so that what is stored is what was sent. README lists them.
const (
	MaxNameLen       = 200      // a lead's or agent's name, a rule's name
	MaxEmailLen      = 254      // an e-mail address (the SMTP limit)
	MaxPhoneLen      = 50       // a phone number as written
	MaxCompanyLen    = 200      // a lead's company, the team's company setting
	MaxExternalIDLen = 200      // a lead's id in the system it came from
	MaxSourceLen     = 40       // a lead's source
	MaxTags          = 20       // tags on one lead
	MaxTagLen        = 40       // one tag
	MaxFields        = 50       // fields on one lead
	MaxFieldKeyLen   = 60       // a field's name
	MaxFieldValueLen = 1000     // a field's text value
	MaxReasonLen     = 500      // why a person assigned or unassigned leads
	MaxConditionLen  = 2000     // a rule condition
	MaxURLLen        = 2000     // a webhook URL
	MaxKeyCommentLen = 200      // the comment of an SSH public key
	MaxKeyLineLen    = 16 << 10 // an authorized_keys line (a 16 384-bit RSA key is 2.8 KB)
	MaxSearchLen     = 200      // a search or filter text in a lead or history query
	MaxDurationLen   = 40       // a duration as written ("1d12h")
)

// checkText refuses control characters (tab included), invalid UTF-8 and text longer
// than max characters, naming the field and the position of the character at fault.
func checkText(field, v string, max int) error {
	return checkTextAllowing(field, v, max, textguard.Line)
}

// checkTextAllowing is checkText for text that may hold tabs or line breaks.
func checkTextAllowing(field, v string, max int, allow textguard.Allow) error {
	if err := textguard.Check(v, allow); err != nil {
		return invalidf(field, "%s: %v", field, err)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalidf(field, "%s is longer than %d characters (it has %d)", field, max, n)
	}
	return nil
}

// short quotes a text for an error message, cut to a length a person can read: a
// refusal must not echo a megabyte back.
func short(s string) string {
	const keep = 60
	i := 0
	for n := 0; i < len(s) && n < keep; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i == len(s) {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…", s[:i])
}
