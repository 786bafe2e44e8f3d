package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"", ""},
		{" ; ", ""},
		{"mon-fri 09:00-17:00", "mon-fri 09:00-17:00"},
		{"MON-Fri 9:00-17:00", "mon-fri 09:00-17:00"},
		{"sat,sun 10:00-14:00", "sat,sun 10:00-14:00"},
		{"sat, sun 10:00-14:00;", "sat,sun 10:00-14:00"},
		{"mon,tue,wed,fri 08:00-12:00", "mon-wed,fri 08:00-12:00"},
		{"fri-mon 22:00-02:00", "mon,fri-sun 22:00-02:00"},
		{"mon-sun 00:00-24:00", "mon-sun 00:00-24:00"},
		{"mon-fri 09:00-12:30; mon-fri 13:30-18:00; sat 10:00-14:00", "mon-fri 09:00-12:30; mon-fri 13:30-18:00; sat 10:00-14:00"},
	}
	for _, c := range cases {
		s, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := s.String(); got != c.want {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
		again, err := Parse(s.String())
		if err != nil || again.String() != s.String() {
			t.Errorf("the canonical form %q does not read back: %v", s.String(), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"mon-fir 09:00-17:00", `schedule: "mon-fir" at position 1: unknown day "fir": use mon, tue, wed, thu, fri, sat, sun`},
		{"mon-fri 09:00-17:00; saturday 10:00-14:00", `schedule: "saturday" at position 22: unknown day "saturday": use mon, tue, wed, thu, fri, sat, sun`},
		{"sat,sun,hol 10:00-14:00", `schedule: "hol" at position 9: unknown day "hol"`},
		{"mon-fri", `schedule: "mon-fri" at position 1: no hours: write DAYS HH:MM-HH:MM`},
		{"09:00-17:00", `schedule: "09:00-17:00" at position 1: no days`},
		{"mon-fri 25:00-26:00", `schedule: "25:00" at position 9: not a time of day: write HH:MM from 00:00 to 23:59`},
		{"mon-fri 09:00-17:60", `schedule: "17:60" at position 15: not a time of day`},
		{"mon-fri 24:00-02:00", `schedule: "24:00" at position 9: not a time of day`},
		{"mon-fri 0900-1700", `schedule: "0900" at position 9: not a time of day`},
		{"mon-fri 09:00", `schedule: "09:00" at position 9: hours are a range HH:MM-HH:MM`},
		{"mon 09:00-09:00", `schedule: "09:00-09:00" at position 5: the range starts and ends at the same time`},
		{"mon- 09:00-17:00", `schedule: "mon-" at position 1: a range of days needs a day at each end`},
		{"09:00-17:00 mon", `schedule: "09:00-17:00" at position 1: days come first, then the hours`},
		{"mon-fri 09:00-17:00 extra", `schedule: "09:00-17:00" at position 9: days come first`},
		{"mon\u00a009:00-10:00; tue 10:00-1x:00", `schedule: "1x:00" at position 28: not a time of day`},
		{"sat,sün 10:00-11:00", `schedule: "sün" at position 5: unknown day "sün"`},
		{strings.Repeat("x", 501), "the schedule is 501 characters long; the limit is 500"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a schedule error", c.in, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q):\n got %s\nwant %s", c.in, err, c.want)
		}
	}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := Zone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// wall is a wall-clock time in loc; a time that happens twice is its first occurrence
// unless later is set.
func wall(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOn(t *testing.T) {
	berlin, ny := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	utc := time.UTC
	cases := []struct {
		name     string
		schedule string
		at       time.Time
		want     bool
	}{
		{"empty is always", "", wall(utc, "2026-11-23 03:00"), true},
		{"inside", "mon-fri 09:00-17:00", wall(berlin, "2026-11-23 09:00"), true},
		{"end is outside", "mon-fri 09:00-17:00", wall(berlin, "2026-11-23 17:00"), false},
		{"a minute before", "mon-fri 09:00-17:00", wall(berlin, "2026-11-23 08:59"), false},
		{"weekend", "mon-fri 09:00-17:00", wall(berlin, "2026-11-28 10:00"), false},
		{"zone: 09:00 Berlin is 03:00 New York", "mon-fri 09:00-17:00", wall(berlin, "2026-11-23 09:00"), true},
		{"the same instant is 03:00 in New York", "mon-fri 09:00-17:00", wall(berlin, "2026-11-23 09:00").In(ny), false},
		// Several entries in one day: a lunch break.
		{"morning", "mon-fri 09:00-12:30; mon-fri 13:30-18:00", wall(berlin, "2026-11-24 12:29"), true},
		{"lunch", "mon-fri 09:00-12:30; mon-fri 13:30-18:00", wall(berlin, "2026-11-24 12:30"), false},
		{"lunch's end", "mon-fri 09:00-12:30; mon-fri 13:30-18:00", wall(berlin, "2026-11-24 13:30"), true},
		// Past midnight belongs to the day it starts.
		{"friday night", "fri 22:00-02:00", wall(berlin, "2026-11-27 23:30"), true},
		{"saturday morning", "fri 22:00-02:00", wall(berlin, "2026-11-28 01:59"), true},
		{"saturday after", "fri 22:00-02:00", wall(berlin, "2026-11-28 02:00"), false},
		{"thursday morning is not friday's", "fri 22:00-02:00", wall(berlin, "2026-11-26 01:00"), false},
		{"friday early morning is thursday's", "fri 22:00-02:00", wall(berlin, "2026-11-27 01:00"), false},
		{"sunday night into monday", "sun 20:00-06:00", wall(ny, "2026-11-23 05:59"), true},
		{"to midnight", "mon 18:00-24:00", wall(berlin, "2026-11-23 23:59"), true},
		{"midnight is tuesday", "mon 18:00-24:00", wall(berlin, "2026-11-24 00:00"), false},
	}
	for _, c := range cases {
		s, err := Parse(c.schedule)
		if err != nil {
			t.Fatal(err)
		}
		loc := berlin
		if c.at.Location() == ny {
			loc = ny
		}
		if got := s.On(c.at, loc); got != c.want {
			t.Errorf("%s: On(%s) with %q = %v, want %v", c.name, c.at, c.schedule, got, c.want)
		}
	}
}

// TestDST evaluates schedules across the nights the clocks change, in Europe/Berlin
// (29 March 2026, 02:00 → 03:00; 25 October 2026, 03:00 → 02:00) and America/New_York
// (8 March 2026, 02:00 → 03:00; 1 November 2026, 02:00 → 01:00).
func TestDST(t *testing.T) {
	berlin, ny := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	utcAt := func(s string) time.Time { return wall(time.UTC, s) }
	type check struct {
		at   time.Time
		want bool
	}
	cases := []struct {
		name     string
		schedule string
		loc      *time.Location
		checks   []check
		// from, with the next change after it
		from       time.Time
		nextChange time.Time
		nextStart  time.Time
	}{
		{
			name: "Berlin spring: 09:00 is 07:00 UTC after the change, 08:00 before", schedule: "sun-mon 09:00-17:00", loc: berlin,
			checks: []check{
				{utcAt("2026-03-28 08:00"), false}, // Saturday
				{utcAt("2026-03-29 07:00"), true},  // 09:00 CEST
				{utcAt("2026-03-29 06:59"), false},
				{utcAt("2026-03-30 06:59"), false},
			},
			from: utcAt("2026-03-28 20:00"), nextChange: utcAt("2026-03-29 07:00"), nextStart: utcAt("2026-03-29 07:00"),
		},
		{
			name: "Berlin spring: a range starting in the hour that does not exist starts at 03:00", schedule: "sun 02:30-05:00", loc: berlin,
			checks: []check{
				{utcAt("2026-03-29 00:59"), false}, // 01:59 CET
				{utcAt("2026-03-29 01:00"), true},  // 03:00 CEST
				{utcAt("2026-03-29 02:59"), true},  // 04:59 CEST
				{utcAt("2026-03-29 03:00"), false}, // 05:00 CEST
			},
			from: utcAt("2026-03-29 00:00"), nextChange: utcAt("2026-03-29 01:00"), nextStart: utcAt("2026-03-29 01:00"),
		},
		{
			name: "Berlin spring: a night shift across the change is an hour shorter", schedule: "sat 22:00-06:00", loc: berlin,
			checks: []check{
				{utcAt("2026-03-28 20:59"), false},
				{utcAt("2026-03-28 21:00"), true}, // 22:00 CET
				{utcAt("2026-03-29 03:59"), true}, // 05:59 CEST
				{utcAt("2026-03-29 04:00"), false},
			},
			from: utcAt("2026-03-28 21:00"), nextChange: utcAt("2026-03-29 04:00"), nextStart: utcAt("2026-04-04 20:00"),
		},
		{
			name: "Berlin autumn: the hour that happens twice is on both times", schedule: "sun 02:00-02:30", loc: berlin,
			checks: []check{
				{utcAt("2026-10-25 00:00"), true},  // 02:00 CEST
				{utcAt("2026-10-25 00:30"), false}, // 02:30 CEST
				{utcAt("2026-10-25 01:00"), true},  // 02:00 CET, again
				{utcAt("2026-10-25 01:30"), false},
			},
			from: utcAt("2026-10-25 00:30"), nextChange: utcAt("2026-10-25 01:00"), nextStart: utcAt("2026-10-25 01:00"),
		},
		{
			name: "Berlin autumn: 09:00 is 08:00 UTC after the change", schedule: "mon-fri 09:00-17:00", loc: berlin,
			checks: []check{
				{utcAt("2026-10-23 07:00"), true},  // Friday, 09:00 CEST
				{utcAt("2026-10-26 07:00"), false}, // Monday, 08:00 CET
				{utcAt("2026-10-26 08:00"), true},
			},
			from: utcAt("2026-10-23 16:00"), nextChange: utcAt("2026-10-26 08:00"), nextStart: utcAt("2026-10-26 08:00"),
		},
		{
			name: "New York spring: the evening shift ends on the new clock", schedule: "sat 20:00-04:00", loc: ny,
			checks: []check{
				{utcAt("2026-03-08 01:00"), true},  // Sat 20:00 EST
				{utcAt("2026-03-08 06:59"), true},  // 01:59 EST
				{utcAt("2026-03-08 07:00"), true},  // 03:00 EDT
				{utcAt("2026-03-08 08:00"), false}, // 04:00 EDT
			},
			from: utcAt("2026-03-08 02:00"), nextChange: utcAt("2026-03-08 08:00"), nextStart: utcAt("2026-03-15 00:00"),
		},
		{
			name: "New York autumn: a shift ending at 01:30 ends at the second 01:30", schedule: "sat 22:00-01:30", loc: ny,
			checks: []check{
				{utcAt("2026-11-01 05:00"), true},  // 01:00 EDT
				{utcAt("2026-11-01 05:30"), false}, // 01:30 EDT
				{utcAt("2026-11-01 06:00"), true},  // 01:00 EST, again
				{utcAt("2026-11-01 06:30"), false}, // 01:30 EST
			},
			from: utcAt("2026-11-01 05:30"), nextChange: utcAt("2026-11-01 06:00"), nextStart: utcAt("2026-11-01 06:00"),
		},
		{
			name: "New York: several entries on one day", schedule: "mon-fri 09:00-12:00; mon-fri 13:00-17:00; wed 18:00-20:00", loc: ny,
			checks: []check{
				{utcAt("2026-11-25 16:59"), true},  // Wed 11:59 EST
				{utcAt("2026-11-25 17:00"), false}, // 12:00
				{utcAt("2026-11-25 23:30"), true},  // 18:30
			},
			from: utcAt("2026-11-25 17:00"), nextChange: utcAt("2026-11-25 18:00"), nextStart: utcAt("2026-11-25 18:00"),
		},
	}
	for _, c := range cases {
		s, err := Parse(c.schedule)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range c.checks {
			if got := s.On(ch.at, c.loc); got != ch.want {
				t.Errorf("%s: On(%s = %s) = %v, want %v", c.name, ch.at.Format(time.RFC3339), ch.at.In(c.loc).Format("Mon 15:04 MST"), got, ch.want)
			}
		}
		if got, ok := s.NextChange(c.from, c.loc); !ok || !got.Equal(c.nextChange) {
			t.Errorf("%s: NextChange(%s) = %s %v, want %s", c.name, c.from.Format(time.RFC3339), got.UTC().Format(time.RFC3339), ok, c.nextChange.Format(time.RFC3339))
		}
		if got, ok := s.NextStart(c.from, c.loc); !ok || !got.Equal(c.nextStart) {
			t.Errorf("%s: NextStart(%s) = %s %v, want %s", c.name, c.from.Format(time.RFC3339), got.UTC().Format(time.RFC3339), ok, c.nextStart.Format(time.RFC3339))
		}
	}
}

// TestNextChangeIsExact walks a week minute by minute in both zones across a change of
// the clocks and checks that NextChange names exactly the minutes at which On changes.
func TestNextChangeIsExact(t *testing.T) {
	for _, c := range []struct {
		zone, schedule, from string
	}{
		{"Europe/Berlin", "mon-fri 09:00-12:30; mon-fri 13:30-18:00; sat 10:00-14:00; sun 02:30-03:30; sat 23:00-01:00", "2026-03-25 00:00"},
		{"Europe/Berlin", "sun 01:30-02:30; mon-fri 09:00-17:00; fri 22:00-02:00", "2026-10-21 00:00"},
		{"America/New_York", "sun 01:00-03:00; sat,sun 10:00-14:00; mon-fri 08:00-24:00", "2026-03-04 00:00"},
		{"America/New_York", "sat 22:00-01:30; sun 00:30-01:15; mon-fri 09:00-17:00", "2026-10-28 00:00"},
	} {
		loc := zone(t, c.zone)
		s, err := Parse(c.schedule)
		if err != nil {
			t.Fatal(err)
		}
		start := wall(loc, c.from)
		next, ok := s.NextChange(start, loc)
		state := s.On(start, loc)
		for m := 1; m < 7*24*60; m++ {
			at := start.Add(time.Duration(m) * time.Minute)
			on := s.On(at, loc)
			if on == state {
				if ok && !at.Before(next) {
					t.Fatalf("%s %q: NextChange said %s, but nothing changes then", c.zone, c.schedule, next.In(loc))
				}
				continue
			}
			if !ok || !at.Equal(next) {
				t.Fatalf("%s %q: On changes at %s, NextChange said %s (%v)", c.zone, c.schedule, at.In(loc), next.In(loc), ok)
			}
			state = on
			next, ok = s.NextChange(at, loc)
		}
	}
}

func TestAlwaysOnNeverChanges(t *testing.T) {
	s, err := Parse("mon-sun 00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)
	if !s.On(at, zone(t, "Europe/Berlin")) {
		t.Error("on all week is not on")
	}
	if c, ok := s.NextChange(at, zone(t, "Europe/Berlin")); ok {
		t.Errorf("on all week changes at %s", c)
	}
}

func TestZone(t *testing.T) {
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"} {
		if _, err := Zone(name); err != nil {
			t.Errorf("Zone(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "Local", "Europe/Berlinn", "../../etc/passwd", strings.Repeat("A", 100)} {
		if _, err := Zone(name); err == nil {
			t.Errorf("Zone(%q) is accepted", name)
		}
	}
}
