package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard/switchboard/engine"
)

// Filter is what the `/` prompt selects: free words that must all appear in a lead's
// name, email, phone or company, plus keyed terms. Terms of one key widen (any source
// listed), different keys narrow (all must hold); tags narrow (every tag listed).
//
//	source:facebook tag:vip age>1h acme
type Filter struct {
	Words    []string // lower case
	Sources  []string // lower case
	Tags     []string // lower case
	Statuses []engine.Status
	Owners   []string      // handles; "none" means unassigned
	MinAge   time.Duration // age>: older than
	MaxAge   time.Duration // age<: younger than
}

// filterKeys lists the keyed terms, for error messages and help.
const filterKeys = "source:, tag:, status:, owner:, age>, age<"

// ParseFilter reads a filter as typed at the `/` prompt. An empty string matches
// everything. Words may be quoted ("acme corp") to keep their spaces.
func ParseFilter(s string) (Filter, error) {
	var f Filter
	toks, err := splitTerms(s)
	if err != nil {
		return Filter{}, err
	}
	for _, t := range toks {
		if t == "" {
			continue // "" typed on its own
		}
		lt := strings.ToLower(t)
		if op, rest, ok := ageTerm(lt); ok {
			if rest == "" {
				return Filter{}, fmt.Errorf("%q needs a duration, e.g. age%s1h", t, op)
			}
			d, err := engine.ParseDuration(rest)
			if err != nil {
				return Filter{}, fmt.Errorf("%s: %w", t, err)
			}
			if op == ">" {
				f.MinAge = d
			} else {
				f.MaxAge = d
			}
			continue
		}
		k, v, ok := strings.Cut(lt, ":")
		if !ok || !isFilterKey(k) {
			f.Words = append(f.Words, lt)
			continue
		}
		if v == "" {
			return Filter{}, fmt.Errorf("%q needs a value, e.g. %s:…", t, k)
		}
		for _, v := range strings.Split(v, ",") {
			if v == "" {
				continue
			}
			switch k {
			case "source":
				f.Sources = appendNew(f.Sources, v)
			case "tag":
				f.Tags = appendNew(f.Tags, v)
			case "owner":
				f.Owners = appendNew(f.Owners, v)
			case "status":
				st, err := engine.ParseStatus(v)
				if err != nil {
					return Filter{}, fmt.Errorf("status:%s: %w", v, err)
				}
				if !slices.Contains(f.Statuses, st) {
					f.Statuses = append(f.Statuses, st)
				}
			}
		}
	}
	if f.MinAge > 0 && f.MaxAge > 0 && f.MinAge >= f.MaxAge {
		return Filter{}, fmt.Errorf("age>%s and age<%s select nothing", engine.FormatDuration(f.MinAge), engine.FormatDuration(f.MaxAge))
	}
	return f, nil
}

func isFilterKey(k string) bool {
	switch k {
	case "source", "tag", "status", "owner":
		return true
	}
	return false
}

func ageTerm(t string) (op, rest string, ok bool) {
	for _, op := range []string{">", "<"} {
		if r, ok := strings.CutPrefix(t, "age"+op); ok {
			return op, r, true
		}
	}
	return "", "", false
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// splitTerms splits on spaces, keeping double-quoted runs together.
func splitTerms(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		quote bool
		has   bool
	)
	for _, r := range s {
		switch {
		case r == '"':
			quote = !quote
			has = true
		case unicode.IsSpace(r) && !quote:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if quote {
		return nil, fmt.Errorf("a quote is not closed")
	}
	if has && cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

// Empty reports whether the filter matches every lead.
func (f Filter) Empty() bool {
	return len(f.Words) == 0 && len(f.Sources) == 0 && len(f.Tags) == 0 &&
		len(f.Statuses) == 0 && len(f.Owners) == 0 && f.MinAge == 0 && f.MaxAge == 0
}

// String writes the filter in the form ParseFilter reads.
func (f Filter) String() string {
	var parts []string
	if len(f.Sources) > 0 {
		parts = append(parts, "source:"+quoteTerm(strings.Join(f.Sources, ",")))
	}
	for _, t := range f.Tags {
		parts = append(parts, "tag:"+quoteTerm(t))
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		parts = append(parts, "status:"+strings.Join(ss, ","))
	}
	if len(f.Owners) > 0 {
		parts = append(parts, "owner:"+quoteTerm(strings.Join(f.Owners, ",")))
	}
	if f.MinAge > 0 {
		parts = append(parts, "age>"+engine.FormatDuration(f.MinAge))
	}
	if f.MaxAge > 0 {
		parts = append(parts, "age<"+engine.FormatDuration(f.MaxAge))
	}
	for _, w := range f.Words {
		parts = append(parts, quoteTerm(w))
	}
	return strings.Join(parts, " ")
}

func quoteTerm(s string) string {
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return `"` + s + `"`
	}
	return s
}

// Match reports whether row r passes the filter at time now.
func (f Filter) Match(r *row, now time.Time) bool {
	if len(f.Sources) > 0 && !slices.Contains(f.Sources, r.source) {
		return false
	}
	for _, t := range f.Tags {
		if !slices.Contains(r.tags, t) {
			return false
		}
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, r.status) {
		return false
	}
	if len(f.Owners) > 0 {
		owner := r.owner
		if owner == "" {
			owner = "none"
		}
		if !slices.Contains(f.Owners, owner) {
			return false
		}
	}
	age := now.Sub(r.created)
	if f.MinAge > 0 && age <= f.MinAge {
		return false
	}
	if f.MaxAge > 0 && age >= f.MaxAge {
		return false
	}
	for _, w := range f.Words {
		if !strings.Contains(r.text, w) {
			return false
		}
	}
	return true
}
