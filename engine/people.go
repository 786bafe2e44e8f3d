package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine/schedule"
)

// This file is when people work, R16–R18 (README, When people work): schedules, away
// until a time, and presence that follows console sessions. Teams (R19) are teams.go.
//
// R16. An agent may have a schedule (engine/schedule) in its zone TZ (the server's when
// empty). Outside it the agent is not eligible, whatever its presence (ReasonOffSchedule,
// decided in eligible, the one test). ScheduleNextAt keeps when it next starts; the
// schedule timer drains the queue for the agents whose schedule starts (R10), once
// across processes, and moves ScheduleNextAt on.
//
// R17. AwayUntil: the agent is away until then; the away-until timer makes it available
// within a second of it (actor system), once across processes and restarts. Any
// presence set by a person clears it.
//
// R18. With the setting auto_away on, an agent that is available or busy, lets the
// system set its presence (AutoPresence) and has had no console session for that long
// is set away by the auto-away timer (actor system), which remembers what it was
// (AutoAwayFrom). The next session that opens gives it back – only an away the system
// set: a person's choice clears AutoAwayFrom. Sessions are rows every process on the
// database writes and keeps alive (sessions.go), so a session in another process, or
// on another node, counts; one whose process died stops counting when it expires.

// ReasonOffSchedule is why routing passes over an agent outside its schedule (R16).
const ReasonOffSchedule = "off schedule"

// The timers of this file.
const (
	timerAwayUntil = "away until"
	timerSchedule  = "schedule start"
	timerAutoAway  = "auto-away"
)

// Zone is the agent's time zone: its TZ, or def (the server's) when it has none.
func (a Agent) Zone(def *time.Location) *time.Location {
	if a.TZ == "" {
		return def
	}
	if loc, err := schedule.Zone(a.TZ); err == nil {
		return loc
	}
	return def
}

// schedule is the agent's parsed schedule. A stored schedule always parses (it is
// checked when set); one that did not would mean always, rather than never.
func (a Agent) schedule() schedule.Schedule {
	s, _ := schedule.Cached(a.Schedule)
	return s
}

// OnSchedule reports whether the agent is within its schedule at now (R16); an agent
// without a schedule always is. def is the server's zone.
func (a Agent) OnSchedule(now time.Time, def *time.Location) bool {
	if a.Schedule == "" {
		return true
	}
	return a.schedule().On(now, a.Zone(def))
}

// ScheduleChange is when the agent's schedule next turns on or off after now; ok is
// false when it never does (no schedule, or on all week).
func (a Agent) ScheduleChange(now time.Time, def *time.Location) (at time.Time, ok bool) {
	if a.Schedule == "" {
		return time.Time{}, false
	}
	return a.schedule().NextChange(now, a.Zone(def))
}

// ScheduleState says where the agent stands in its schedule at now, as the console
// shows it: "" without a schedule, else "on until 17:00" or "off until 09:00 Tue" – in
// the server's zone def, as every time on the console is (the day when it is not
// today).
func (a Agent) ScheduleState(now time.Time, def *time.Location) string {
	if a.Schedule == "" {
		return ""
	}
	state := "off"
	if a.OnSchedule(now, def) {
		state = "on"
	}
	at, ok := a.ScheduleChange(now, def)
	if !ok {
		return state
	}
	return state + " until " + a.When(at, now, def)
}

// When writes a time soon after now as the console shows times: in the server's zone
// def (WhenShort). An agent's own workspace shows its hours in its own zone instead.
func (a Agent) When(at, now time.Time, def *time.Location) string {
	return WhenShort(at, now, def)
}

// WhenShort writes a time soon after now as people read it in zone loc: "17:00" today,
// "09:00 Tue" within the week, "09:00 2 Dec" after.
func WhenShort(at, now time.Time, loc *time.Location) string {
	at, now = at.In(loc), now.In(loc)
	y, m, d := at.Date()
	ny, nm, nd := now.Date()
	switch {
	case y == ny && m == nm && d == nd:
		return at.Format("15:04")
	case at.Sub(now) < 6*24*time.Hour:
		return at.Format("15:04 Mon")
	case y == ny:
		return at.Format("15:04 2 Jan")
	}
	return at.Format("15:04 2 Jan 2006")
}

// nextScheduleStart is when the agent's schedule next starts after now, zero when it
// has none or never starts (R10 drains the queue then).
func (a Agent) nextScheduleStart(now time.Time, def *time.Location) time.Time {
	if a.Schedule == "" {
		return time.Time{}
	}
	at, ok := a.schedule().NextStart(now, a.Zone(def))
	if !ok {
		return time.Time{}
	}
	return at
}

// maxAwayUntil bounds how far ahead an away may end by itself.
const maxAwayUntil = 366 * 24 * time.Hour

// ParseWhen reads a time people give for an away to end (R17), in zone loc, after now:
//   - a duration from now: "2h", "90m", "3d";
//   - a time of day, the next one to come: "17:00", "today 17:00", "tomorrow 09:00",
//     "tomorrow" (its start), "mon 09:00" or "monday 09:00" (the next Monday);
//   - a date, at its start or at a time: "2026-12-24", "2026-12-24 09:00",
//     "2026-12-24T09:00";
//   - an RFC 3339 time: "2026-12-24T09:00:00+01:00".
//
// It must be after now and within a year.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	in := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	bad := func() (time.Time, error) {
		return time.Time{}, invalidf("away_until", "away until %s: write a duration (2h, 3d), a time (17:00, tomorrow 09:00, fri 09:00), a date (2026-12-24, 2026-12-24 09:00) or an RFC 3339 time", short(s))
	}
	if in == "" || len(in) > 40 {
		return bad()
	}
	at, ok := parseWhen(in, now, loc)
	if !ok {
		return bad()
	}
	if !at.After(now) {
		return time.Time{}, invalidf("away_until", "away until %s: that is not in the future (it is %s now)", short(s), now.In(loc).Format("2006-01-02 15:04 MST"))
	}
	if at.Sub(now) > maxAwayUntil {
		return time.Time{}, invalidf("away_until", "away until %s: that is more than a year away", short(s))
	}
	return at.Truncate(time.Millisecond), nil
}

func parseWhen(in string, now time.Time, loc *time.Location) (time.Time, bool) {
	if d, err := ParseDuration(in); err == nil {
		return now.Add(d), true
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(in)); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02t15:04"} {
		if t, err := time.ParseInLocation(layout, in, loc); err == nil {
			return t, true
		}
	}
	local := now.In(loc)
	dayStart := func(days int) time.Time {
		y, m, d := local.Date()
		return time.Date(y, m, d+days, 0, 0, 0, 0, loc)
	}
	at := func(days int, clock string) (time.Time, bool) {
		c, err := time.Parse("15:04", clock)
		if err != nil {
			return time.Time{}, false
		}
		y, m, d := local.Date()
		return time.Date(y, m, d+days, c.Hour(), c.Minute(), 0, 0, loc), true
	}
	day, clock, hasClock := strings.Cut(in, " ")
	if !hasClock {
		switch {
		case in == "tomorrow":
			return dayStart(1), true
		case strings.Contains(in, ":"): // the next 17:00
			t, ok := at(0, in)
			if ok && !t.After(now) {
				t, ok = at(1, in)
			}
			return t, ok
		}
		if wd, ok := weekday(in); ok { // the start of the next Monday
			return dayStart(daysUntil(local.Weekday(), wd)), true
		}
		return time.Time{}, false
	}
	switch day {
	case "today":
		return at(0, clock)
	case "tomorrow":
		return at(1, clock)
	}
	if wd, ok := weekday(day); ok {
		n := daysUntil(local.Weekday(), wd)
		t, ok := at(n, clock)
		if ok && n == 0 && !t.After(now) {
			t, ok = at(7, clock)
		}
		return t, ok
	}
	return time.Time{}, false
}

// weekday reads a day's name, short or long.
func weekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		long := strings.ToLower(d.String())
		if s == long || s == long[:3] {
			return d, true
		}
	}
	return 0, false
}

// daysUntil is how many days from today (from) to the next day wd: 0 when today is wd.
func daysUntil(from, wd time.Weekday) int { return (int(wd) - int(from) + 7) % 7 }

// awayUntilTimer is R17's timer.
func awayUntilTimer() *timerKind {
	return &timerKind{name: timerAwayUntil, batch: 200,
		next: func(r Reader) (time.Time, bool, error) { return r.NextAwayUntil() },
		fire: (*txn).endAways,
	}
}

// endAways makes available at most limit agents whose away-until has come (R17), and
// drains the queue for them (R10).
func (t *txn) endAways(limit int) (int, error) {
	agents, err := t.AwayUntilDue(t.now, limit)
	if err != nil {
		return 0, fmt.Errorf("reading the aways that end: %w", err)
	}
	var back []int64
	for i := range agents {
		a := &agents[i]
		until := a.AwayUntil
		a.AwayUntil = time.Time{}
		if a.Presence != Away { // set by hand since: nothing to end (a person's change clears it)
			if err := t.UpdateAgent(a); err != nil {
				return 0, fmt.Errorf("updating %s: %w", a.Handle, err)
			}
			continue
		}
		a.Presence, a.AwaySince, a.AutoAwayFrom, a.SeenAt = Available, time.Time{}, "", t.now
		if err := t.UpdateAgent(a); err != nil {
			return 0, fmt.Errorf("updating %s: %w", a.Handle, err)
		}
		why := "away until " + a.When(until, t.now, t.e.loc) + " ended"
		if _, err := t.record(Event{Kind: EvAgentPresence, Actor: "system", Agent: a.Handle,
			From: string(Away), To: string(Available), Reason: why}); err != nil {
			return 0, err
		}
		back = append(back, a.ID)
	}
	t.teamChanged()
	return len(agents), t.drain(back)
}

// scheduleTimer is R16's timer: entering a schedule counts as becoming available (R10).
func scheduleTimer() *timerKind {
	return &timerKind{name: timerSchedule, batch: 200,
		next: func(r Reader) (time.Time, bool, error) { return r.NextScheduleStart() },
		fire: (*txn).startSchedules,
	}
}

// startSchedules moves on the next start of at most limit agents whose schedule has
// started, and drains the queue for them.
func (t *txn) startSchedules(limit int) (int, error) {
	agents, err := t.ScheduleStartDue(t.now, limit)
	if err != nil {
		return 0, fmt.Errorf("reading the schedules that start: %w", err)
	}
	ids := make([]int64, len(agents))
	for i := range agents {
		a := &agents[i]
		a.ScheduleNextAt = a.nextScheduleStart(t.now, t.e.loc)
		if err := t.UpdateAgent(a); err != nil {
			return 0, fmt.Errorf("updating %s: %w", a.Handle, err)
		}
		ids[i] = a.ID
	}
	t.teamChanged()
	return len(agents), t.drain(ids)
}

// autoAwayTimer is R18's timer.
func autoAwayTimer() *timerKind {
	return &timerKind{name: timerAutoAway, batch: 200,
		next: func(r Reader) (time.Time, bool, error) {
			after, err := settingDuration(r, SettingAutoAway)
			if err != nil || after == 0 {
				return time.Time{}, false, err
			}
			agents, sessions, err := readPresence(r)
			if err != nil {
				return time.Time{}, false, err
			}
			var next time.Time
			for i := range agents {
				if at, ok := autoAwayDue(&agents[i], sessions[agents[i].ID], after); ok && (next.IsZero() || at.Before(next)) {
					next = at
				}
			}
			return next, !next.IsZero(), nil
		},
		fire: (*txn).autoAway,
	}
}

// readPresence reads the team and every console session, by agent.
func readPresence(r Reader) ([]Agent, map[int64][]Session, error) {
	agents, err := r.Agents()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the team: %w", err)
	}
	all, err := r.Sessions()
	if err != nil {
		return nil, nil, fmt.Errorf("reading console sessions: %w", err)
	}
	by := map[int64][]Session{}
	for _, s := range all {
		by[s.AgentID] = append(by[s.AgentID], s)
	}
	return agents, by, nil
}

// autoAwayDue is when the system sets agent a away (R18), given its console session
// rows, with auto_away at after: the last moment it was known to be at a console – its
// SeenAt, or the latest expiry of its sessions – plus after. An agent with a session
// still open is due only should that session stop being kept alive; ok is false for
// an agent the system does not set away (not available or busy, or opted out).
func autoAwayDue(a *Agent, sessions []Session, after time.Duration) (time.Time, bool) {
	if !a.AutoPresence || (a.Presence != Available && a.Presence != Busy) {
		return time.Time{}, false
	}
	seen := a.SeenAt
	for _, s := range sessions {
		if s.ExpiresAt.After(seen) {
			seen = s.ExpiresAt
		}
	}
	if seen.IsZero() {
		seen = a.CreatedAt
	}
	return seen.Add(after), true
}

// autoAway sets away the agents whose time without a console session has passed
// auto_away (R18), remembering what they were, and drops the session rows that have
// expired, keeping their expiry as when the agent was last seen.
func (t *txn) autoAway(limit int) (int, error) {
	after, err := settingDuration(t, SettingAutoAway)
	if err != nil || after == 0 {
		return 0, err
	}
	agents, sessions, err := readPresence(t)
	if err != nil {
		return 0, err
	}
	changed := 0
	for i := range agents {
		if changed == limit {
			break
		}
		a := &agents[i]
		due, ok := autoAwayDue(a, sessions[a.ID], after)
		if !ok || due.After(t.now) {
			continue
		}
		var dead []int64
		for _, s := range sessions[a.ID] {
			dead = append(dead, s.ID) // due means every one has expired
			if s.ExpiresAt.After(a.SeenAt) {
				a.SeenAt = s.ExpiresAt
			}
		}
		if err := t.DeleteSessions(dead); err != nil {
			return 0, fmt.Errorf("dropping %s's expired sessions: %w", a.Handle, err)
		}
		from := a.Presence
		a.Presence, a.AutoAwayFrom, a.AwaySince, a.AwayUntil = Away, from, t.now, time.Time{}
		if err := t.UpdateAgent(a); err != nil {
			return 0, fmt.Errorf("updating %s: %w", a.Handle, err)
		}
		why := "no console session for " + FormatDuration(after)
		if _, err := t.record(Event{Kind: EvAgentPresence, Actor: "system", Agent: a.Handle,
			From: string(from), To: string(Away), Reason: why}); err != nil {
			return 0, err
		}
		t.wake = true // hand-off (R15) counts from now
		changed++
	}
	if changed > 0 {
		t.teamChanged()
	}
	return changed, nil
}

// teamChanged drops the routing model: agents changed under it. (Their writes drop it
// already, UpdateAgent; this says so where the timers change many at once.)
func (t *txn) teamChanged() { t.dropModel() }
