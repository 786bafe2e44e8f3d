// Package schedule reads and evaluates an agent's working hours (R16): entries
// separated by ";", each "DAYS HH:MM-HH:MM", where DAYS is a day (mon … sun), a range of
// days (mon-fri, fri-mon) or a list of both (sat,sun or mon-wed,fri). A range that ends
// before it starts runs past midnight and belongs to the day it starts: "fri
// 22:00-02:00" is Friday 22:00 to Saturday 02:00. 24:00 ends a range at midnight. An
// empty schedule means always.
//
// A schedule is wall-clock time in the agent's zone: whether it is on at an instant is
// decided by that instant's local weekday and time. So on the night a clock moves
// forward, an hour that does not exist is never on (an entry from 02:30 starts at 03:00
// that night), and on the night it moves back, an hour that happens twice is on (or
// off) both times. Entries may overlap; the schedule is on when any entry is.
//
// The zone database is embedded (time/tzdata), so a machine without one still knows
// every IANA zone.
package schedule

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // every IANA zone, on machines without a zone database
	"unicode"
	"unicode/utf8"
)

// MaxLen bounds a schedule as written, in characters (about 35 entries).
const MaxLen = 500

// Schedule is a parsed schedule. The zero value is the empty schedule: always on.
type Schedule struct {
	entries []entry
}

// entry is one "DAYS HH:MM-HH:MM": the days it starts on, and its start and end in
// minutes after midnight (end 1440 is midnight at the end of the day; end <= start runs
// past midnight).
type entry struct {
	days       [7]bool // by time.Weekday
	start, end int
}

const dayMinutes = 24 * 60

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// week is the order people write days in: Monday first.
var week = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

const daysHelp = "use mon, tue, wed, thu, fri, sat, sun"

// Error is a schedule that does not parse: the word at fault, where it starts (in
// characters, from 1) and what is wrong with it.
type Error struct {
	Word     string
	Position int
	Msg      string
}

func (e *Error) Error() string {
	if e.Word == "" {
		return "schedule: " + e.Msg
	}
	return fmt.Sprintf("schedule: %q at position %d: %s", e.Word, e.Position, e.Msg)
}

// word is a piece of the text with its position (in characters, from 1).
type word struct {
	text string
	pos  int
}

func (w word) fail(format string, args ...any) *Error {
	return &Error{Word: w.text, Position: w.pos, Msg: fmt.Sprintf(format, args...)}
}

// Parse reads a schedule as people write it, e.g.
// "mon-fri 09:00-12:30; mon-fri 13:30-18:00; sat 10:00-14:00". Day names are read in
// any case. Its errors name the word at fault and say what is allowed.
func Parse(s string) (Schedule, error) {
	if n := utf8.RuneCountInString(s); n > MaxLen {
		return Schedule{}, &Error{Msg: fmt.Sprintf("the schedule is %d characters long; the limit is %d", n, MaxLen)}
	}
	var sch Schedule
	for _, part := range split(s, ';') {
		fields := fieldsOf(part)
		if len(fields) == 0 {
			continue // "a; b;" and empty schedules
		}
		e, err := parseEntry(fields)
		if err != nil {
			return Schedule{}, err
		}
		sch.entries = append(sch.entries, e)
	}
	return sch, nil
}

// split cuts s at sep, keeping each piece's position.
func split(s string, sep rune) []word {
	var out []word
	start, pos := 0, 1
	startPos := 1
	for i, r := range s {
		if r == sep {
			out = append(out, word{s[start:i], startPos})
			start, startPos = i+utf8.RuneLen(r), pos+1
		}
		pos++
	}
	return append(out, word{s[start:], startPos})
}

// fieldsOf cuts w at white space, keeping each field's position.
func fieldsOf(w word) []word {
	var out []word
	pos := w.pos
	start, startPos := -1, 0
	for i, r := range w.text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, word{w.text[start:i], startPos})
				start = -1
			}
		} else if start < 0 {
			start, startPos = i, pos
		}
		pos++
	}
	if start >= 0 {
		out = append(out, word{w.text[start:], startPos})
	}
	return out
}

// parseEntry reads one entry: days (possibly written with spaces after commas) and the
// hours, last.
func parseEntry(fields []word) (entry, error) {
	var e entry
	last := fields[len(fields)-1]
	if len(fields) == 1 {
		if strings.ContainsAny(last.text, "0123456789:") {
			return e, last.fail("no days: write DAYS HH:MM-HH:MM, e.g. mon-fri 09:00-17:00")
		}
		return e, last.fail("no hours: write DAYS HH:MM-HH:MM, e.g. mon-fri 09:00-17:00")
	}
	for _, f := range fields[:len(fields)-1] {
		for _, item := range split(f.text, ',') {
			item.pos += f.pos - 1
			if item.text == "" {
				continue // "sat, sun" and "sat,,sun"
			}
			if err := e.addDays(item); err != nil {
				return e, err
			}
		}
	}
	if e.days == [7]bool{} {
		return e, fields[0].fail("no days: write DAYS HH:MM-HH:MM, e.g. mon-fri 09:00-17:00")
	}
	from, to, ok := strings.Cut(last.text, "-")
	if !ok {
		return e, last.fail("hours are a range HH:MM-HH:MM, e.g. 09:00-17:00")
	}
	var err error
	if e.start, err = parseClock(word{from, last.pos}, false); err != nil {
		return e, err
	}
	if e.end, err = parseClock(word{to, last.pos + utf8.RuneCountInString(from) + 1}, true); err != nil {
		return e, err
	}
	if e.start == e.end {
		return e, last.fail("the range starts and ends at the same time: for a whole day write 00:00-24:00")
	}
	return e, nil
}

// addDays adds a day or a range of days ("mon", "mon-fri", "fri-mon").
func (e *entry) addDays(w word) error {
	from, to, isRange := strings.Cut(w.text, "-")
	a, err := parseDay(w, from)
	if err != nil {
		return err
	}
	if !isRange {
		e.days[a] = true
		return nil
	}
	b, err := parseDay(w, to)
	if err != nil {
		return err
	}
	for d := a; ; d = (d + 1) % 7 {
		e.days[d] = true
		if d == b {
			return nil
		}
	}
}

func parseDay(w word, s string) (time.Weekday, error) {
	name := strings.ToLower(s)
	for d, n := range dayNames {
		if n == name {
			return time.Weekday(d), nil
		}
	}
	if s == "" {
		return 0, w.fail("a range of days needs a day at each end, e.g. mon-fri: %s", daysHelp)
	}
	if strings.ContainsAny(s, "0123456789:") {
		return 0, w.fail("days come first, then the hours: write DAYS HH:MM-HH:MM, e.g. mon-fri 09:00-17:00")
	}
	return 0, w.fail("unknown day %q: %s", s, daysHelp)
}

// parseClock reads "HH:MM" (or "H:MM") as minutes after midnight; an end may be 24:00.
func parseClock(w word, isEnd bool) (int, error) {
	h, m, ok := strings.Cut(w.text, ":")
	bad := func() (int, error) {
		return 0, w.fail("not a time of day: write HH:MM from 00:00 to 23:59 (24:00 may end a range)")
	}
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return bad()
	}
	hh, mm := atoi(h), atoi(m)
	switch {
	case hh == 24 && mm == 0 && isEnd:
		return dayMinutes, nil
	case hh > 23 || mm > 59:
		return bad()
	}
	return hh*60 + mm, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// IsZero reports whether the schedule is empty: always on.
func (s Schedule) IsZero() bool { return len(s.entries) == 0 }

// String writes the schedule in its canonical form, which Parse reads back to the same
// schedule: "mon-fri 09:00-17:00; sat,sun 10:00-14:00".
func (s Schedule) String() string {
	parts := make([]string, len(s.entries))
	for i, e := range s.entries {
		parts[i] = e.daysText() + " " + clock(e.start) + "-" + clock(e.end)
	}
	return strings.Join(parts, "; ")
}

// daysText writes the days Monday first, runs of three or more as ranges.
func (e entry) daysText() string {
	if e.days == [7]bool{true, true, true, true, true, true, true} {
		return "mon-sun"
	}
	var items []string
	for i := 0; i < 7; {
		if !e.days[week[i]] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && e.days[week[j+1]] {
			j++
		}
		switch {
		case j-i >= 2:
			items = append(items, dayNames[week[i]]+"-"+dayNames[week[j]])
		case j == i+1:
			items = append(items, dayNames[week[i]], dayNames[week[j]])
		default:
			items = append(items, dayNames[week[i]])
		}
		i = j + 1
	}
	return strings.Join(items, ",")
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// On reports whether the schedule is on at t, in zone loc. The empty schedule always is.
func (s Schedule) On(t time.Time, loc *time.Location) bool {
	if len(s.entries) == 0 {
		return true
	}
	lt := t.In(loc)
	wd := lt.Weekday()
	prev := (wd + 6) % 7
	m := lt.Hour()*60 + lt.Minute()
	for _, e := range s.entries {
		if e.start < e.end {
			if e.days[wd] && m >= e.start && m < e.end {
				return true
			}
			continue
		}
		// Past midnight: the evening of a day it starts on, or the morning after.
		if (e.days[wd] && m >= e.start) || (e.days[prev] && m < e.end) {
			return true
		}
	}
	return false
}

// NextChange is the first instant after t at which the schedule turns on or off in loc;
// ok is false when it never changes (empty, or on all week).
func (s Schedule) NextChange(t time.Time, loc *time.Location) (at time.Time, ok bool) {
	if len(s.entries) == 0 {
		return time.Time{}, false
	}
	now := s.On(t, loc)
	for _, c := range s.candidates(t, loc) {
		if c.After(t) && s.On(c, loc) != now {
			return c, true
		}
	}
	return time.Time{}, false
}

// NextStart is the first instant after t at which the schedule turns on; ok is false
// when it never does (empty, or on all week).
func (s Schedule) NextStart(t time.Time, loc *time.Location) (at time.Time, ok bool) {
	c, ok := s.NextChange(t, loc)
	if !ok || !s.On(t, loc) {
		return c, ok
	}
	return s.NextChange(c, loc)
}

// candidates are the instants, in order, at which the schedule may change in the nine
// days from the day before t: every entry's start and end on every day in that window
// (each occurrence of a wall time that happens twice; none for one that does not
// happen), and every change of the zone's offset, where the wall clock jumps. Between two
// candidates the wall clock moves on without crossing a boundary, so the schedule does
// not change.
func (s Schedule) candidates(t time.Time, loc *time.Location) []time.Time {
	lt := t.In(loc)
	y, mo, d := lt.Date()
	var out []time.Time
	for k := -1; k <= 8; k++ {
		date := time.Date(y, mo, d+k, 0, 0, 0, 0, time.UTC) // a calendar day, as wall time
		wd := date.Weekday()
		for _, e := range s.entries {
			if !e.days[wd] {
				continue
			}
			end := e.end
			if end <= e.start {
				end += dayMinutes
			}
			for _, m := range []int{e.start, end} {
				out = append(out, instants(date.Add(time.Duration(m)*time.Minute), loc)...)
			}
		}
	}
	limit := time.Date(y, mo, d+9, 0, 0, 0, 0, loc)
	for at := lt; ; {
		_, end := at.ZoneBounds()
		if end.IsZero() || end.After(limit) {
			break
		}
		out = append(out, end)
		at = end
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// instants are the instants whose wall time in loc is wall (given as a UTC time): none
// in a gap where the clock jumps forward, two in an hour the clock repeats.
func instants(wall time.Time, loc *time.Location) []time.Time {
	guess := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
	var out []time.Time
	for _, probe := range []time.Time{guess.Add(-24 * time.Hour), guess, guess.Add(24 * time.Hour)} {
		_, off := probe.Zone()
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(c, wall) && !slices.ContainsFunc(out, c.Equal) {
			out = append(out, c)
		}
	}
	return out
}

func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	wy, wmo, wd := wall.Date()
	return y == wy && mo == wmo && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute()
}

var zones sync.Map // name → *time.Location

// Zone is the IANA zone called name ("Europe/Berlin"), from the embedded database,
// loaded once. "Local" and "" are refused: an agent's zone is a place.
func Zone(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, fmt.Errorf("unknown time zone %q: give an IANA name such as Europe/Berlin or America/New_York", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: give an IANA name such as Europe/Berlin or America/New_York", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// parsed keeps the schedules Cached has read, up to maxCached of them.
var parsed struct {
	sync.RWMutex
	m map[string]Schedule
}

const maxCached = 10000

// Cached parses s once per process: routing evaluates every recipient's schedule for
// every lead. A text that does not parse is not kept, and past maxCached texts (more
// than a team has) none is.
func Cached(s string) (Schedule, error) {
	parsed.RLock()
	sch, ok := parsed.m[s]
	parsed.RUnlock()
	if ok {
		return sch, nil
	}
	sch, err := Parse(s)
	if err != nil {
		return Schedule{}, err
	}
	parsed.Lock()
	if parsed.m == nil {
		parsed.m = map[string]Schedule{}
	}
	if len(parsed.m) < maxCached {
		parsed.m[s] = sch
	}
	parsed.Unlock()
	return sch, nil
}
