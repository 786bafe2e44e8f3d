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
// name, email, phone or company, plus keyed terms whose values match by prefix
// (s:fa is facebook). Terms of one key widen (any source listed), different keys narrow
// (all must hold); tags narrow (every tag listed).
//
//	source:facebook tag:vip age>1h acme      s:fa t:vip o:none st:new
//	sla<5m      sla:missed      team:emea
type Filter struct {
	Words    []string // lower case
	Sources  []string // lower case prefixes
	Tags     []string // lower case prefixes
	Statuses []engine.Status
	Owners   []string      // handle prefixes; "none" means unassigned
	MinAge   time.Duration // age>: older than
	MaxAge   time.Duration // age<: younger than
	// SLABelow (sla<) keeps leads whose SLA has less than that left; SLAAbove (sla>)
	// more. Either keeps only leads with an SLA running.
	SLABelow, SLAAbove time.Duration
	// SLAMissed (sla:missed) keeps leads on which someone missed an SLA.
	SLAMissed bool
	// Teams (team:) keeps leads owned by a member of a team whose name starts so; the
	// list resolves them to members (withTeams), as the team is now.
	Teams   []string
	members map[string]bool // handles of the teams' members
}

// filterKey is a keyed term of the filter.
type filterKey int

const (
	keyNone filterKey = iota
	keySource
	keyTag
	keyOwner
	keyStatus
	keyTeam
)

// filterKeyNames maps every way to write a key, the one-letter aliases included, to it.
var filterKeyNames = map[string]filterKey{
	"source": keySource, "s": keySource,
	"tag": keyTag, "t": keyTag,
	"owner": keyOwner, "o": keyOwner,
	"status": keyStatus, "st": keyStatus,
	"team": keyTeam,
}

// filterKeys lists the keyed terms, for error messages and help.
const filterKeys = "source: (s:), tag: (t:), owner: (o:), status: (st:), team:, age>, age<, sla<, sla>, sla:missed"

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
		if what, op, rest, ok := timeTerm(lt); ok {
			if rest == "" {
				return Filter{}, fmt.Errorf("%q needs a duration, e.g. %s%s1h", t, what, op)
			}
			d, err := engine.ParseDuration(rest)
			if err != nil {
				return Filter{}, fmt.Errorf("%s: %w", t, err)
			}
			switch what + op {
			case "age>":
				f.MinAge = d
			case "age<":
				f.MaxAge = d
			case "sla>":
				f.SLAAbove = d
			case "sla<":
				f.SLABelow = d
			}
			continue
		}
		if v, ok := strings.CutPrefix(lt, "sla:"); ok {
			if v != "missed" {
				return Filter{}, fmt.Errorf("%q: write sla:missed for leads that missed an SLA, or sla<5m for those due soon", t)
			}
			f.SLAMissed = true
			continue
		}
		name, v, ok := strings.Cut(lt, ":")
		k := filterKeyNames[name]
		if !ok || k == keyNone {
			f.Words = append(f.Words, lt)
			continue
		}
		if v == "" {
			return Filter{}, fmt.Errorf("%q needs a value, e.g. %s:…", t, name)
		}
		for _, v := range strings.Split(v, ",") {
			if v == "" {
				continue
			}
			switch k {
			case keySource:
				f.Sources = appendNew(f.Sources, v)
			case keyTag:
				f.Tags = appendNew(f.Tags, v)
			case keyOwner:
				f.Owners = appendNew(f.Owners, v)
			case keyTeam:
				f.Teams = appendNew(f.Teams, v)
			case keyStatus:
				st, err := statusByPrefix(v)
				if err != nil {
					return Filter{}, fmt.Errorf("%s:%s: %w", name, v, err)
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
	if f.SLAAbove > 0 && f.SLABelow > 0 && f.SLAAbove >= f.SLABelow {
		return Filter{}, fmt.Errorf("sla>%s and sla<%s select nothing", engine.FormatDuration(f.SLAAbove), engine.FormatDuration(f.SLABelow))
	}
	return f, nil
}

// statusByPrefix is the status a prefix names: every status starts with its own letter.
func statusByPrefix(p string) (engine.Status, error) {
	var match []engine.Status
	for _, st := range engine.Statuses {
		if strings.HasPrefix(string(st), p) {
			match = append(match, st)
		}
	}
	if len(match) != 1 {
		_, err := engine.ParseStatus(p)
		return "", err
	}
	return match[0], nil
}

// timeTerm reads a term that compares a time: age>1h, sla<5m.
func timeTerm(t string) (what, op, rest string, ok bool) {
	for _, what := range []string{"age", "sla"} {
		for _, op := range []string{">", "<"} {
			if r, ok := strings.CutPrefix(t, what+op); ok {
				return what, op, r, true
			}
		}
	}
	return "", "", "", false
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
		len(f.Statuses) == 0 && len(f.Owners) == 0 && len(f.Teams) == 0 && !f.SLAMissed && !f.HasAge()
}

// withTeams resolves the filter's team terms against the team as it is: the members of
// every team whose name starts with one of them. A filter without team terms is as it
// was.
func (f Filter) withTeams(team []engine.Agent) Filter {
	if len(f.Teams) == 0 {
		return f
	}
	f.members = map[string]bool{}
	for _, a := range team {
		if teamsMatch(a, f.Teams) {
			f.members[a.Handle] = true
		}
	}
	return f
}

// teamsMatch reports whether agent a is in a team whose name starts with one of
// prefixes.
func teamsMatch(a engine.Agent, prefixes []string) bool {
	for _, t := range a.TeamList() {
		for _, p := range prefixes {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
	}
	return false
}

// HasAge reports whether the filter has terms that time changes on its own: age and
// time left to an SLA.
func (f Filter) HasAge() bool {
	return f.MinAge > 0 || f.MaxAge > 0 || f.SLABelow > 0 || f.SLAAbove > 0
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
	if len(f.Teams) > 0 {
		parts = append(parts, "team:"+quoteTerm(strings.Join(f.Teams, ",")))
	}
	if f.MinAge > 0 {
		parts = append(parts, "age>"+engine.FormatDuration(f.MinAge))
	}
	if f.MaxAge > 0 {
		parts = append(parts, "age<"+engine.FormatDuration(f.MaxAge))
	}
	if f.SLAAbove > 0 {
		parts = append(parts, "sla>"+engine.FormatDuration(f.SLAAbove))
	}
	if f.SLABelow > 0 {
		parts = append(parts, "sla<"+engine.FormatDuration(f.SLABelow))
	}
	if f.SLAMissed {
		parts = append(parts, "sla:missed")
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
	return f.MatchTerms(r) && f.MatchAge(r, now)
}

// MatchTerms is Match without the age terms: what does not change while the lead does
// not.
func (f Filter) MatchTerms(r *row) bool {
	if len(f.Sources) > 0 && !slices.ContainsFunc(f.Sources, func(p string) bool { return strings.HasPrefix(r.Source, p) }) {
		return false
	}
	for _, t := range f.Tags {
		if !slices.ContainsFunc(r.Tags, func(tag string) bool { return strings.HasPrefix(tag, t) }) {
			return false
		}
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, r.Status) {
		return false
	}
	if f.SLAMissed && !r.SLAMissed {
		return false
	}
	if len(f.Owners) > 0 && !slices.ContainsFunc(f.Owners, func(p string) bool {
		if r.Owner == "" {
			return p == "none"
		}
		return strings.HasPrefix(r.Owner, p)
	}) {
		return false
	}
	if len(f.Teams) > 0 && !f.members[r.Owner] {
		return false
	}
	for _, w := range f.Words {
		if !r.Contains(w) {
			return false
		}
	}
	return true
}

// MatchAge is the filter's terms that time changes alone: age and SLA left.
func (f Filter) MatchAge(r *row, now time.Time) bool {
	age := now.Sub(r.Created)
	if f.MinAge > 0 && age <= f.MinAge {
		return false
	}
	if f.MaxAge > 0 && age >= f.MaxAge {
		return false
	}
	if f.SLABelow > 0 || f.SLAAbove > 0 {
		if r.SLADue.IsZero() {
			return false
		}
		left := r.SLADue.Sub(now)
		if f.SLABelow > 0 && left >= f.SLABelow || f.SLAAbove > 0 && left <= f.SLAAbove {
			return false
		}
	}
	return true
}

// keyNames names the keys for people.
var keyNames = map[filterKey]string{keySource: "source", keyTag: "tag", keyOwner: "owner", keyStatus: "status", keyTeam: "team"}

// completeFilter completes the value of the last term of text from values, which
// lists what the leads hold for a key. It returns the text with the value completed as
// far as the candidates agree, and what to tell the person: the candidates when there
// are several, or why nothing was completed.
func completeFilter(text string, values func(filterKey) []string) (string, string) {
	done, cands, k := completeTerm(text, values)
	switch {
	case k == keyNone:
		return text, "tab completes the value of a s: t: o: st: or team: term"
	case len(cands) == 0:
		return text, "no " + keyNames[k] + " in this list starts like that"
	case len(cands) > 1:
		return done, strings.Join(cands, "  ")
	}
	return done, ""
}

func completeTerm(text string, values func(filterKey) []string) (string, []string, filterKey) {
	start := strings.LastIndexFunc(text, unicode.IsSpace) + 1
	term := text[start:]
	name, v, ok := strings.Cut(term, ":")
	k := filterKeyNames[strings.ToLower(name)]
	if !ok || k == keyNone {
		return text, nil, keyNone
	}
	// Complete only the last of a comma list: s:web,fa → s:web,facebook.
	done := ""
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		done, v = v[:i+1], v[i+1:]
	}
	v = strings.ToLower(v)
	var cands []string
	for _, c := range values(k) {
		if strings.HasPrefix(c, v) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return text, nil, k
	}
	common := []rune(cands[0])
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, string(common)) {
			common = common[:len(common)-1]
		}
	}
	value := string(common)
	if strings.ContainsFunc(value, unicode.IsSpace) {
		value = `"` + value + `"`
	}
	return text[:start] + name + ":" + done + value, cands, k
}
