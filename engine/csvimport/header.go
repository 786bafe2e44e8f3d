package csvimport

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/textguard"
)

// What a column gives the lead.
const (
	colField = iota // an entry of fields, under the column's key
	colName
	colFirstName
	colLastName
	colEmail
	colPhone
	colCompany
	colSource
	colTags
	colExternalID
	colIgnore // the reject_line and reject_reason columns of a rejects file
)

var targetNames = map[int]string{
	colName: "name", colFirstName: "first name", colLastName: "last name", colEmail: "email",
	colPhone: "phone", colCompany: "company", colSource: "source", colTags: "tags", colExternalID: "external_id",
}

// aliases maps a normalised header (lower case, words joined by '_') to what the column
// gives the lead.
var aliases = map[string]int{
	"name": colName, "full_name": colName, "fullname": colName, "contact": colName, "contact_name": colName,
	"lead_name": colName, "customer": colName, "customer_name": colName,
	"first_name": colFirstName, "firstname": colFirstName, "given_name": colFirstName,
	"last_name": colLastName, "lastname": colLastName, "surname": colLastName, "family_name": colLastName,
	"email": colEmail, "e_mail": colEmail, "email_address": colEmail, "mail": colEmail,
	"phone": colPhone, "phone_number": colPhone, "telephone": colPhone, "tel": colPhone, "mobile": colPhone,
	"mobile_phone": colPhone, "cell": colPhone,
	"company": colCompany, "company_name": colCompany, "organization": colCompany, "organisation": colCompany,
	"org": colCompany, "account": colCompany,
	"source": colSource, "lead_source": colSource, "channel": colSource,
	"tags": colTags, "tag": colTags, "labels": colTags,
	"external_id": colExternalID, "externalid": colExternalID, "ext_id": colExternalID, "id": colExternalID,
	"lead_id": colExternalID, "reference": colExternalID,
	RejectLineColumn: colIgnore, RejectReasonColumn: colIgnore,
}

// The columns a rejects file adds in front of the original ones. An import ignores
// them, so that a corrected rejects file can be imported as it is.
const (
	RejectLineColumn   = "reject_line"
	RejectReasonColumn = "reject_reason"
)

// maxFieldColumns matches the engine's limit on a lead's fields.
const maxFieldColumns = engine.MaxFields

// Column says what one column of the file gives the lead.
type Column struct {
	Header string // as written in the file
	Target string // "name", "email", … or "fields.KEY", or "" when ignored
}

type column struct {
	kind int
	key  string // the field key, for colField
}

// normalizeHeader turns "E-mail Address" into "e_mail_address".
func normalizeHeader(h string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if r == ' ' || r == '-' || r == '.' || r == '_' || r == '/' {
			under = b.Len() > 0
			continue
		}
		if under {
			b.WriteByte('_')
			under = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mapHeader decides what each column gives the lead. It refuses a header that cannot
// give any lead a contact field, or that maps two columns to one thing.
func mapHeader(header []string) ([]column, error) {
	cols := make([]column, len(header))
	seen := map[string]int{} // target → column index
	fields, contact := 0, false
	for i, h := range header {
		if err := textguard.Check(h, textguard.Line); err != nil {
			return nil, fmt.Errorf("the name of column %d: %v", i+1, err)
		}
		key := normalizeHeader(h)
		if key == "" {
			key = "column_" + strconv.Itoa(i+1)
		}
		kind, ok := aliases[key]
		if !ok {
			kind = colField
			fields++
			if n := utf8.RuneCountInString(key); n > engine.MaxFieldKeyLen {
				return nil, fmt.Errorf("the name of column %d is longer than %d characters (it has %d): it names a field", i+1, engine.MaxFieldKeyLen, n)
			}
		}
		cols[i] = column{kind: kind, key: key}
		if kind == colIgnore {
			continue
		}
		target := key
		if kind != colField {
			target = targetNames[kind]
		}
		if j, dup := seen[target]; dup {
			return nil, fmt.Errorf("columns %d (%q) and %d (%q) both give the lead's %s: rename or remove one", j+1, header[j], i+1, h, target)
		}
		seen[target] = i
		switch kind {
		case colName, colFirstName, colLastName, colEmail, colPhone:
			contact = true
		}
	}
	if !contact {
		return nil, fmt.Errorf("the header (%s) has no name, email or phone column, and every lead needs one of them", strings.Join(header, ", "))
	}
	if fields > maxFieldColumns {
		return nil, fmt.Errorf("the header has %d columns that would become fields; a lead holds at most %d", fields, maxFieldColumns)
	}
	return cols, nil
}
