package engine_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func withSchedule(tz, sched string) func(*engine.NewAgent) {
	return func(n *engine.NewAgent) { n.TZ, n.Schedule = tz, sched }
}

func (f *fixture) update(handle string, u engine.AgentUpdate) engine.Agent {
	f.t.Helper()
	a, err := f.e.UpdateAgent(f.ctx, f.owner, handle, u)
	if err != nil {
		f.t.Fatalf("update %s: %v", handle, err)
	}
	return a
}

// passedOver is the reasons a lead's routing passed agents over, "agent: reason".
func passedOver(c engine.Created) string {
	var s []string
	for _, p := range c.Routing.PassedOver {
		s = append(s, p.Agent+": "+p.Reason)
	}
	return strings.Join(s, ", ")
}

// The clock starts on Monday 23 November 2026, 10:00 UTC: 11:00 in Berlin, 05:00 in
// New York.
func TestOffScheduleSkipped(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("ber", withSchedule("Europe/Berlin", "mon-fri 09:00-17:00"))
		f.agent("nyc", withSchedule("America/New_York", "mon-fri 09:00-17:00"))
		f.agent("any")
		f.rule(rr("rr", `source == "rr"`, to("ber", 1), to("nyc", 1), to("any", 1)))
		f.rule(engine.RuleSpec{Name: "lb", Condition: `source == "lb"`, Mode: engine.LoadBalance,
			Recipients: []engine.RecipientSpec{to("nyc", 1), to("ber", 1)}})
		if got := strings.Join(f.owners(4, "rr"), " "); got != "ber any ber any" {
			t.Errorf("round robin with nyc off schedule: %s", got)
		}
		c := f.lead(engine.NewLead{Name: "L", Source: "lb"})
		if c.Lead.Owner != "ber" || passedOver(c) != "nyc: off schedule" {
			t.Errorf("load balance: owner %s, passed over %q", c.Lead.Owner, passedOver(c))
		}
		// 14:00 UTC is 09:00 in New York: nyc is on, and waits for its turn.
		f.clock.Add(4 * time.Hour)
		if got := strings.Join(f.owners(3, "rr"), " "); got != "ber nyc any" {
			t.Errorf("round robin with everyone on: %s", got)
		}
		// 16:00 UTC is 17:00 in Berlin: ber is off.
		f.clock.Add(2 * time.Hour)
		if got := strings.Join(f.owners(3, "rr"), " "); got != "nyc any nyc" {
			t.Errorf("round robin with ber off: %s", got)
		}
		if a := f.agentNamed("ber"); a.OnSchedule(f.now(), time.UTC) || a.ScheduleState(f.now(), time.UTC) != "off until 08:00 Tue" {
			t.Errorf("ber at 17:00 Berlin: %q", a.ScheduleState(f.now(), time.UTC))
		}
	})
}

func TestScheduleStartDrainsTheQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob", withSchedule("", "mon 12:00-13:00; tue 09:00-10:00"))
		f.rule(rr("main", "", to("bob", 1)))
		c := f.lead(engine.NewLead{Name: "early"})
		if c.Lead.Owner != "" || passedOver(c) != "bob: off schedule" {
			t.Fatalf("at 10:00: owner %q, passed over %q", c.Lead.Owner, passedOver(c))
		}
		if got := f.agentNamed("bob").ScheduleNextAt; !got.Equal(start.Add(2 * time.Hour)) {
			t.Fatalf("next start %v", got)
		}
		f.fire(2*time.Hour - time.Second)
		if got := f.get(c.Lead.ID).Owner; got != "" {
			t.Fatalf("drained before the schedule started: %s", got)
		}
		f.fire(time.Second)
		if got := f.get(c.Lead.ID).Owner; got != "bob" {
			t.Fatalf("not drained when the schedule started: %q", got)
		}
		if got := f.agentNamed("bob").ScheduleNextAt; !got.Equal(start.Add(23 * time.Hour)) {
			t.Errorf("next start after Monday's: %v, want Tuesday 09:00", got)
		}
		// Changing the schedule moves the next start, and one that starts now drains.
		f.fire(time.Hour) // 13:00: off
		late := f.lead(engine.NewLead{Name: "late"})
		if late.Lead.Owner != "" {
			t.Fatalf("at 13:00: %s", late.Lead.Owner)
		}
		sched := "mon 13:00-14:00"
		f.update("bob", engine.AgentUpdate{Schedule: &sched})
		if got := f.get(late.Lead.ID).Owner; got != "bob" {
			t.Errorf("a schedule that puts bob on now did not drain: %q", got)
		}
	})
}

func TestScheduleAndZoneAreChecked(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob")
		for _, c := range []struct {
			tz, schedule, want string
		}{
			{"", "mon-fir 09:00-17:00", `schedule: "mon-fir" at position 1: unknown day "fir": use mon, tue, wed, thu, fri, sat, sun`},
			{"Mars/Olympus", "", `tz: unknown time zone "Mars/Olympus"`},
			{"Europe/Berlin\x1b", "", "tz: control character U+001B"},
			{"", "mon 09:00-17:00\u009b", "schedule: control character U+009B"},
			{"", strings.Repeat("mon 09:00-17:00;", 40), "schedule is longer than 500 characters"},
		} {
			tz, sched := c.tz, c.schedule
			_, err := f.e.UpdateAgent(f.ctx, f.owner, "bob", engine.AgentUpdate{TZ: &tz, Schedule: &sched})
			mustKind(t, err, engine.KindInvalid)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("tz %q schedule %q: %v, want %s", c.tz, c.schedule, err, c.want)
			}
			_, err = f.e.AddAgent(f.ctx, f.owner, engine.NewAgent{Handle: "new", Name: "New", TZ: tz, Schedule: sched})
			mustKind(t, err, engine.KindInvalid)
		}
		if a := f.agentNamed("bob"); a.Schedule != "" || a.TZ != "" {
			t.Errorf("a refused change changed bob: %+v", a)
		}
		sched, tz := "Sat, Sun 10:00-14:00; MON-FRI 9:00-17:00", "America/New_York"
		a := f.update("bob", engine.AgentUpdate{TZ: &tz, Schedule: &sched})
		if a.Schedule != "sat,sun 10:00-14:00; mon-fri 09:00-17:00" || a.TZ != tz {
			t.Errorf("stored %q in %q", a.Schedule, a.TZ)
		}
		// Only admins set schedules; an agent may not set its own.
		bob := engine.Actor{Name: "bob", Role: engine.RoleAgent, AgentID: a.ID}
		_, err := f.e.UpdateAgent(f.ctx, bob, "bob", engine.AgentUpdate{Schedule: &sched})
		mustKind(t, err, engine.KindForbidden)
	})
}

func TestParseWhen(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // Monday, 11:00 in Berlin
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2h", now.Add(2 * time.Hour)},
		{"90m", now.Add(90 * time.Minute)},
		{"1d12h", now.Add(36 * time.Hour)},
		{"17:00", at("2026-11-23 17:00")},
		{"09:00", at("2026-11-24 09:00")}, // already past today
		{"today 17:00", at("2026-11-23 17:00")},
		{"Tomorrow  09:00", at("2026-11-24 09:00")},
		{"tomorrow", at("2026-11-24 00:00")},
		{"fri 09:00", at("2026-11-27 09:00")},
		{"monday 09:00", at("2026-11-30 09:00")}, // today's is past
		{"monday 15:00", at("2026-11-23 15:00")},
		{"sat", at("2026-11-28 00:00")},
		{"2026-12-24", at("2026-12-24 00:00")},
		{"2026-12-24 09:30", at("2026-12-24 09:30")},
		{"2026-12-24T09:30", at("2026-12-24 09:30")},
		{"2026-12-24T09:30:00Z", time.Date(2026, 12, 24, 9, 30, 0, 0, time.UTC)},
	} {
		got, err := engine.ParseWhen(c.in, now, berlin)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"", "write a duration (2h, 3d), a time"},
		{"soon", "write a duration (2h, 3d), a time"},
		{"tomorow 09:00", "write a duration"},
		{"25:00", "write a duration"},
		{"2026-11-01", "that is not in the future (it is 2026-11-23 11:00 CET now)"},
		{"today 08:00", "not in the future"},
		{"2028-01-01", "more than a year away"},
		{"400d", "more than a year away"},
		{strings.Repeat("1", 100), "write a duration"},
	} {
		_, err := engine.ParseWhen(c.in, now, berlin)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseWhen(%q): %v, want %s", c.in, err, c.want)
		}
	}
}

func TestAwayUntil(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob")
		f.rule(rr("main", "", to("bob", 1)))
		until := "2h"
		a := f.update("bob", engine.AgentUpdate{AwayUntil: &until})
		if a.Presence != engine.Away || !a.AwayUntil.Equal(start.Add(2*time.Hour)) {
			t.Fatalf("after away until: %+v", a)
		}
		waiting := f.lead(engine.NewLead{Name: "waiting"})
		if waiting.Lead.Owner != "" {
			t.Fatalf("an away agent got a lead")
		}
		f.fire(2*time.Hour - time.Millisecond)
		if got := f.agentNamed("bob").Presence; got != engine.Away {
			t.Fatalf("back early: %s", got)
		}
		f.fire(time.Millisecond)
		a = f.agentNamed("bob")
		if a.Presence != engine.Available || !a.AwayUntil.IsZero() {
			t.Fatalf("at the end of the away: %+v", a)
		}
		if got := f.get(waiting.Lead.ID).Owner; got != "bob" {
			t.Errorf("the queue did not drain when bob came back: %q", got)
		}
		evs := eventsOf(f.events(0), engine.EvAgentPresence)
		last := evs[len(evs)-1]
		if last.Actor != "system" || last.From != "away" || last.To != "available" || last.Reason != "away until 12:00 ended" {
			t.Errorf("the return: %+v", last)
		}

		// A presence set by hand clears the away's end.
		until = f.now().Add(time.Hour).Format(time.RFC3339)
		f.update("bob", engine.AgentUpdate{AwayUntil: &until})
		f.presence("bob", engine.Busy)
		if a := f.agentNamed("bob"); !a.AwayUntil.IsZero() {
			t.Errorf("busy by hand kept the away's end: %v", a.AwayUntil)
		}
		f.fire(2 * time.Hour)
		if a := f.agentNamed("bob"); a.Presence != engine.Busy {
			t.Errorf("the cleared away ended: %s", a.Presence)
		}

		// Refused: the past, too far, or with another presence; nothing changes.
		past, far, soon := f.now().Add(-time.Minute).Format(time.RFC3339), "400d", "1h"
		avail := engine.Available
		for _, u := range []engine.AgentUpdate{{AwayUntil: &past}, {AwayUntil: &far}, {AwayUntil: &soon, Presence: &avail}} {
			_, err := f.e.UpdateAgent(f.ctx, f.owner, "bob", u)
			mustKind(t, err, engine.KindInvalid)
		}
		if a := f.agentNamed("bob"); a.Presence != engine.Busy || !a.AwayUntil.IsZero() {
			t.Errorf("a refused away changed bob: %+v", a)
		}
	})
}

// TestAwayUntilOnceAcrossRestartsAndEngines: an away that ended while nothing ran ends
// when an engine starts; with three engines racing, it ends once.
func TestAwayUntilOnceAcrossRestartsAndEngines(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("bob")
		f.agent("carol")
		until := "1h"
		f.update("bob", engine.AgentUpdate{AwayUntil: &until})
		f.close()
		f.clock.Add(3 * time.Hour)
		f.open()
		if a := f.agentNamed("bob"); a.Presence != engine.Available {
			t.Fatalf("after a restart past the end: %s", a.Presence)
		}
		f.update("carol", engine.AgentUpdate{AwayUntil: &until})
		nodes := []*engine.Engine{f.e, f.node(engine.Options{}), f.node(engine.Options{})}
		f.clock.Add(time.Hour)
		var wg sync.WaitGroup
		for _, e := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.RunTimers(f.ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var back []string
		for _, ev := range eventsOf(f.events(0), engine.EvAgentPresence) {
			if strings.HasSuffix(ev.Reason, " ended") { // the fixture's own changes are the system's too
				back = append(back, ev.Agent)
			}
		}
		if strings.Join(back, " ") != "bob carol" {
			t.Errorf("system presence changes: %v, want bob carol", back)
		}
	})
}

func TestAutoAway(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		bob := f.agent("bob")
		f.agent("carol", withPresence(engine.Busy))
		f.agent("dan", func(n *engine.NewAgent) { n.AutoPresence = new(bool) }) // opted out
		f.agent("erin")
		f.rule(rr("main", "", to("bob", 1)))
		f.presence("erin", engine.Away) // a person's choice
		f.setting(engine.SettingAutoAway, "5m")

		f.fire(5*time.Minute - time.Second)
		if a := f.agentNamed("bob"); a.Presence != engine.Available {
			t.Fatalf("away before the grace was over: %s", a.Presence)
		}
		f.fire(time.Second)
		for h, want := range map[string]engine.Presence{"bob": engine.Away, "carol": engine.Away, "dan": engine.Available, "erin": engine.Away} {
			if got := f.agentNamed(h).Presence; got != want {
				t.Errorf("%s after 5m without a session: %s, want %s", h, got, want)
			}
		}
		var auto []string
		for _, ev := range eventsOf(f.events(0), engine.EvAgentPresence) {
			if ev.Actor == "system" && ev.Reason != "presence" { // not the fixture's own changes
				auto = append(auto, ev.Agent+" "+ev.From+"→"+ev.To+" ("+ev.Reason+")")
			}
		}
		if want := "bob available→away (no console session for 5m), carol busy→away (no console session for 5m)"; strings.Join(auto, ", ") != want {
			t.Errorf("system presence events: %v", auto)
		}
		queued := f.lead(engine.NewLead{Name: "queued"})

		// A session brings back what the system took away, and only that.
		bobAct := engine.Actor{Name: "bob", Role: engine.RoleAgent, AgentID: bob.ID}
		sess, err := f.e.OpenSession(f.ctx, bobAct, "ssh 192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if a := f.agentNamed("bob"); a.Presence != engine.Available || a.Sessions != 1 {
			t.Fatalf("bob with a session: %+v", a)
		}
		if got := f.get(queued.Lead.ID).Owner; got != "bob" {
			t.Errorf("bob's return did not drain the queue: %q", got)
		}
		erin := f.agentNamed("erin")
		es, err := f.e.OpenSession(f.ctx, engine.Actor{Name: "erin", Role: engine.RoleAgent, AgentID: erin.ID}, "local")
		if err != nil {
			t.Fatal(err)
		}
		if got := f.agentNamed("erin").Presence; got != engine.Away {
			t.Errorf("a session undid erin's own away: %s", got)
		}
		es.Close(f.ctx)

		// Not while a session is open – here, in another engine, kept alive there.
		sess.Close(f.ctx)
		node := f.node(engine.Options{})
		other, err := node.OpenSession(f.ctx, bobAct, "ssh 198.51.100.2")
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			f.clock.Add(5 * time.Minute)
			if err := node.KeepSessionsAlive(f.ctx); err != nil {
				t.Fatal(err)
			}
			f.fire(0)
		}
		if a := f.agentNamed("bob"); a.Presence != engine.Available || a.Sessions != 1 {
			t.Fatalf("bob with a session in another engine: %+v", a)
		}
		// That engine dies without closing it: the session stops counting when it
		// expires (30s after its last beat), and the grace runs from then.
		node.Close()
		f.fire(30*time.Second + 5*time.Minute - time.Second)
		if got := f.agentNamed("bob").Presence; got != engine.Available {
			t.Fatalf("away before the dead session's grace was over: %s", got)
		}
		f.fire(time.Second)
		if a := f.agentNamed("bob"); a.Presence != engine.Away || a.Sessions != 0 {
			t.Fatalf("bob after his only session died: %+v", a)
		}
		_ = other

		// A person's choice clears what the system remembered.
		f.presence("bob", engine.Offline)
		s2, err := f.e.OpenSession(f.ctx, bobAct, "local")
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close(f.ctx)
		if got := f.agentNamed("bob").Presence; got != engine.Offline {
			t.Errorf("a session undid bob's own offline: %s", got)
		}
	})
}

// TestSessionCounts: sessions count per agent across engines; an actor that is no
// agent opens none.
func TestSessionCounts(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		bob := f.agent("bob")
		act := engine.Actor{Name: "bob", Role: engine.RoleAgent, AgentID: bob.ID}
		node := f.node(engine.Options{})
		var open []*engine.ConsoleSession
		for _, e := range []*engine.Engine{f.e, node, node} {
			s, err := e.OpenSession(f.ctx, act, "local")
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, s)
		}
		if got := f.agentNamed("bob").Sessions; got != 3 {
			t.Errorf("sessions: %d, want 3", got)
		}
		open[1].Close(f.ctx)
		open[1].Close(f.ctx) // twice is once
		if got := f.agentNamed("bob").Sessions; got != 2 {
			t.Errorf("sessions after one closed: %d, want 2", got)
		}
		none, err := f.e.OpenSession(f.ctx, engine.System(), "local")
		if none != nil || err != nil {
			t.Errorf("the system opened a session: %v %v", none, err)
		}
		if err := none.Close(f.ctx); err != nil {
			t.Error(err)
		}
		_, err = f.e.OpenSession(f.ctx, act, "ssh \x1b[31m")
		mustKind(t, err, engine.KindInvalid)
	})
}

func TestParseTeamRecipients(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"bob:2, carol", "bob:2, carol"},
		{"team:emea", "team:emea"},
		{"team:emea:2 bob", "team:emea:2, bob"},
		{"team:2", "team:2"}, // the agent called team, two a turn
		{"team", "team"},
		{"", ""},
	} {
		rs, err := engine.ParseRecipients(c.in)
		if err != nil {
			t.Errorf("ParseRecipients(%q): %v", c.in, err)
			continue
		}
		if got := engine.FormatRecipients(rs); got != c.want {
			t.Errorf("ParseRecipients(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	rs, _ := engine.ParseRecipients("team:2")
	if rs[0].Agent != "team" || rs[0].PerRound != 2 {
		t.Errorf("team:2 = %+v", rs[0])
	}
	for _, c := range []struct{ in, want string }{
		{"team:emea:0", `recipient "team:emea:0": the leads per turn after the colon are a number from 1 to 10`},
		{"team:emea:x", "a number from 1 to 10"},
		{"team:emea:2:3", "write team:NAME or team:NAME:N"},
		{"bob:2:3", "write HANDLE, HANDLE:N, team:NAME or team:NAME:N"},
		{":2", "has no handle"},
		{"team::2", "has no handle"},
	} {
		_, err := engine.ParseRecipients(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRecipients(%q): %v, want %s", c.in, err, c.want)
		}
	}
}

func teamOf(name string, perRound int) engine.RecipientSpec {
	return engine.RecipientSpec{Team: name, PerRound: perRound}
}

func (f *fixture) team(name string, members ...string) {
	f.t.Helper()
	if _, err := f.e.CreateTeam(f.ctx, f.owner, name, members); err != nil {
		f.t.Fatalf("create team %s: %v", name, err)
	}
}

func (f *fixture) setTeam(name string, members ...string) {
	f.t.Helper()
	if _, err := f.e.SetTeam(f.ctx, f.owner, name, members); err != nil {
		f.t.Fatalf("set team %s: %v", name, err)
	}
}

func TestTeamRecipients(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		for _, h := range []string{"ana", "bob", "cid", "dee", "eve"} {
			f.agent(h)
		}
		f.team("emea", "ana", "bob", "cid")
		f.rule(rr("teams", "", teamOf("emea", 1)))
		if got := strings.Join(f.owners(2, "web"), " "); got != "ana bob" {
			t.Fatalf("team rotation: %s", got)
		}
		// A member added mid-rotation waits for its turn: the turn is cid's.
		f.setTeam("emea", "dee", "ana", "bob", "cid", "eve")
		if got := strings.Join(f.owners(5, "web"), " "); got != "cid eve dee ana bob" {
			t.Errorf("after adding dee and eve: %s", got)
		}
		// The member whose turn it is leaves: the turn passes to the next one.
		f.setTeam("emea", "dee", "ana", "bob", "eve")
		if got := strings.Join(f.owners(3, "web"), " "); got != "eve dee ana" {
			t.Errorf("after cid left with the turn: %s", got)
		}
		// A member away loses its turn as any recipient does (R6).
		f.presence("bob", engine.Away)
		if got := strings.Join(f.owners(3, "web"), " "); got != "eve dee ana" {
			t.Errorf("with bob away: %s", got)
		}
		f.presence("bob", engine.Available)
		// An agent removed from the team leaves every team.
		if err := f.e.RemoveAgent(f.ctx, f.owner, "dee"); err != nil {
			t.Fatal(err)
		}
		if tm, _ := f.e.Team(f.ctx, f.owner, "emea"); strings.Join(tm.Handles(), " ") != "ana bob eve" {
			t.Errorf("emea after dee left: %v", tm.Handles())
		}
		if got := strings.Join(f.owners(3, "web"), " "); got != "bob eve ana" {
			t.Errorf("after dee left: %s", got)
		}
	})
}

// TestAgentInTwoTeamsCountsOnce: an agent listed twice – in two teams of one rule, or
// directly and through a team – counts once, at its first place, with that place's
// per_round.
func TestAgentInTwoTeamsCountsOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		for _, h := range []string{"ana", "bob", "cid"} {
			f.agent(h)
		}
		f.team("emea", "ana", "bob")
		f.team("sales", "bob", "cid", "ana")
		f.rule(rr("both", `source == "both"`, teamOf("emea", 1), teamOf("sales", 2)))
		f.rule(rr("direct", `source == "direct"`, to("cid", 2), teamOf("sales", 1)))
		if got := strings.Join(f.owners(6, "both"), " "); got != "ana bob cid cid ana bob" {
			t.Errorf("two teams: %s", got)
		}
		if got := strings.Join(f.owners(8, "direct"), " "); got != "cid cid bob ana cid cid bob ana" {
			t.Errorf("directly and through a team: %s", got)
		}
		a := f.agentNamed("bob")
		if got := a.TeamList(); strings.Join(got, ",") != "emea,sales" {
			t.Errorf("bob's teams: %v", got)
		}
	})
}

func TestTeamCommands(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("ana")
		f.agent("bob")
		f.team("emea", "ana")
		_, err := f.e.CreateTeam(f.ctx, f.owner, "emea", nil)
		mustKind(t, err, engine.KindConflict)
		for _, c := range []struct {
			name    string
			members []string
			kind    engine.Kind
		}{
			{"EMEA", nil, engine.KindInvalid},
			{"em ea", nil, engine.KindInvalid},
			{"apac", []string{"ana", "ana"}, engine.KindInvalid},
			{"apac", []string{"zed"}, engine.KindNotFound},
			{"apac\x1b", nil, engine.KindInvalid},
		} {
			_, err := f.e.CreateTeam(f.ctx, f.owner, c.name, c.members)
			mustKind(t, err, c.kind)
		}
		_, err = f.e.SetTeam(f.ctx, f.owner, "nope", []string{"ana"})
		mustKind(t, err, engine.KindNotFound)
		f.setTeam("emea", "bob", "ana")
		r1 := f.rule(rr("web", "", teamOf("emea", 1)))
		r2 := f.rule(rr("mail", "", to("ana", 1), teamOf("emea", 2)))
		_, err = f.e.CreateRule(f.ctx, f.owner, rr("bad", "", teamOf("apac", 1)))
		mustKind(t, err, engine.KindNotFound)
		_, err = f.e.CreateRule(f.ctx, f.owner, rr("twice", "", teamOf("emea", 1), teamOf("emea", 2)))
		mustKind(t, err, engine.KindInvalid)

		err = f.e.DeleteTeam(f.ctx, f.owner, "emea")
		mustKind(t, err, engine.KindConflict)
		if want := `team emea is a recipient of rule #1 "web", rule #2 "mail": take it out of those rules first`; err.Error() != want {
			t.Errorf("refusal: %q, want %q", err, want)
		}
		if got, _ := f.e.Rule(f.ctx, f.owner, r2.ID); got.Describe() != "round robin to ana, team:emea×2 for every lead" {
			t.Errorf("describe: %s", got.Describe())
		}
		for _, id := range []int64{r1.ID, r2.ID} {
			if err := f.e.DeleteRule(f.ctx, f.owner, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.e.DeleteTeam(f.ctx, f.owner, "emea"); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range f.events(0) {
			if ev.Kind.Subject() == "team" {
				got = append(got, string(ev.Kind)+" "+ev.Reason+": "+ev.From+" → "+ev.To)
			}
		}
		want := []string{"team.created emea:  → ana", "team.changed emea: ana → bob, ana", "team.deleted emea: bob, ana → "}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("team events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Agents see teams; only admins change them.
		ana := f.agentNamed("ana")
		agent := engine.Actor{Name: "ana", Role: engine.RoleAgent, AgentID: ana.ID}
		if _, err := f.e.Teams(f.ctx, agent); err != nil {
			t.Error(err)
		}
		_, err = f.e.CreateTeam(f.ctx, agent, "mine", []string{"ana"})
		mustKind(t, err, engine.KindForbidden)
		disp := engine.Actor{Name: "d", Role: engine.RoleDispatcher}
		_, err = f.e.CreateTeam(f.ctx, disp, "mine", nil)
		mustKind(t, err, engine.KindForbidden)
	})
}
