package tui

import (
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// row is what a lead list keeps of a lead in memory: the few fields it shows and
// filters on. A 100 000-lead queue is about 30 MB of rows.
type row struct {
	id      int64
	title   string
	company string
	source  string // lower case
	tags    []string
	status  engine.Status
	owner   string
	created time.Time
	why     string
	// text is the lower-cased name, email, phone and company the free words search.
	text string
}

// rowOf keeps what a list shows of l, stripped of control characters (see clean.go).
func rowOf(l engine.Lead) *row {
	tags := make([]string, len(l.Tags))
	for i, t := range l.Tags {
		tags[i] = clean(strings.ToLower(t))
	}
	return &row{
		id: l.ID, title: clean(l.Title()), company: clean(l.Company),
		source: clean(strings.ToLower(l.Source)), tags: tags,
		status: l.Status, owner: clean(l.Owner), created: l.CreatedAt, why: clean(l.WaitReason),
		text: strings.ToLower(strings.Join([]string{l.Name, l.Email, l.Phone, l.Company}, "\x00")),
	}
}
