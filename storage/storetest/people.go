package storetest

import (
	"reflect"
	"slices"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testAgentWhen: an agent's zone, schedule, away-until, auto-presence, remembered
// presence and last sighting round-trip; the aways and schedule starts due at a time
// are the agents on the team whose time has come, earliest first, up to the limit; a
// removed agent's no longer fall due.
func testAgentWhen(e *env) {
	t := e.t
	a := e.agent("ana")
	a.TZ, a.Schedule, a.AutoPresence, a.AutoAwayFrom = "Europe/Berlin", "mon-fri 09:00-17:00", true, engine.Busy
	a.ScheduleNextAt, a.AwayUntil, a.SeenAt = at.Add(time.Hour), at.Add(2*time.Hour), at.Add(-time.Minute)
	e.write(func(tx engine.WriteTx) error { return tx.UpdateAgent(&a) })
	got := read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(a.ID) })
	if got.TZ != a.TZ || got.Schedule != a.Schedule || !got.AutoPresence || got.AutoAwayFrom != engine.Busy ||
		!got.ScheduleNextAt.Equal(a.ScheduleNextAt) || !got.AwayUntil.Equal(a.AwayUntil) || !got.SeenAt.Equal(a.SeenAt) {
		t.Errorf("agent read back as %+v, stored %+v", got, a)
	}
	b := engine.Agent{Handle: "bob", Name: "Bob", Role: engine.RoleAgent, Presence: engine.Away, CreatedAt: at,
		AwayUntil: at.Add(time.Hour), ScheduleNextAt: at.Add(3 * time.Hour)}
	e.write(func(tx engine.WriteTx) error { return tx.InsertAgent(&b) })
	if got := read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(b.ID) }); got.AutoPresence || !got.AwayUntil.Equal(b.AwayUntil) {
		t.Errorf("inserted agent read back as %+v", got)
	}
	e.agent("cid") // neither
	handles := func(as []engine.Agent) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, a.Handle)
		}
		return out
	}
	for _, c := range []struct {
		name       string
		next       func(r engine.Reader) (time.Time, bool, error)
		due        func(r engine.Reader, now time.Time, limit int) ([]engine.Agent, error)
		first      time.Time
		now        time.Time
		limit      int
		want       []string
		afterwards []string // once bob is removed
	}{
		{"away until", engine.Reader.NextAwayUntil, engine.Reader.AwayUntilDue, at.Add(time.Hour), at.Add(2 * time.Hour), 10, []string{"bob", "ana"}, []string{"ana"}},
		{"away until, limit", engine.Reader.NextAwayUntil, engine.Reader.AwayUntilDue, at.Add(time.Hour), at.Add(2 * time.Hour), 1, []string{"bob"}, []string{"ana"}},
		{"away until, early", engine.Reader.NextAwayUntil, engine.Reader.AwayUntilDue, at.Add(time.Hour), at.Add(time.Hour - time.Millisecond), 10, []string{}, []string{}},
		{"schedule", engine.Reader.NextScheduleStart, engine.Reader.ScheduleStartDue, at.Add(time.Hour), at.Add(3 * time.Hour), 10, []string{"ana", "bob"}, []string{"ana"}},
		{"schedule, at the time", engine.Reader.NextScheduleStart, engine.Reader.ScheduleStartDue, at.Add(time.Hour), at.Add(time.Hour), 10, []string{"ana"}, []string{"ana"}},
	} {
		next, ok := read2(e, c.next)
		if !ok || !next.Equal(c.first) {
			t.Errorf("%s: next %v %v, want %v", c.name, next, ok, c.first)
		}
		got := read(e, func(r engine.Reader) ([]engine.Agent, error) { return c.due(r, c.now, c.limit) })
		if !slices.Equal(handles(got), c.want) {
			t.Errorf("%s: due %v, want %v", c.name, handles(got), c.want)
		}
	}
	e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(b.ID, at) })
	if got := read(e, func(r engine.Reader) ([]engine.Agent, error) { return r.AwayUntilDue(at.Add(time.Hour), 10) }); len(got) != 0 {
		t.Errorf("a removed agent's away falls due: %v", handles(got))
	}
	if next, _ := read2(e, engine.Reader.NextScheduleStart); !next.Equal(at.Add(time.Hour)) {
		t.Errorf("next schedule start after bob left: %v", next)
	}
	a.AwayUntil, a.ScheduleNextAt = time.Time{}, time.Time{}
	e.write(func(tx engine.WriteTx) error { return tx.UpdateAgent(&a) })
	if _, ok := read2(e, engine.Reader.NextAwayUntil); ok {
		t.Error("an away-until with none set")
	}
	if _, ok := read2(e, engine.Reader.NextScheduleStart); ok {
		t.Error("a schedule start with none set")
	}
}

// testSessions: session rows are listed by id with what was stored; touching moves
// the expiry of those given; deleting removes them; a removed agent's go with it.
func testSessions(e *env) {
	t := e.t
	a, b := e.agent("ana"), e.agent("bob")
	var ss []engine.Session
	for i, who := range []int64{a.ID, b.ID, a.ID} {
		s := engine.Session{AgentID: who, Via: "ssh 192.0.2.1", OpenedAt: at.Add(time.Duration(i) * time.Second), ExpiresAt: at.Add(30 * time.Second)}
		e.write(func(tx engine.WriteTx) error { return tx.InsertSession(&s) })
		ss = append(ss, s)
	}
	got := read(e, engine.Reader.Sessions)
	if !reflect.DeepEqual(got, ss) {
		t.Errorf("sessions %+v, stored %+v", got, ss)
	}
	later := at.Add(time.Minute)
	e.write(func(tx engine.WriteTx) error { return tx.TouchSessions([]int64{ss[0].ID, ss[2].ID, 9999}, later) })
	ss[0].ExpiresAt, ss[2].ExpiresAt = later, later
	if got := read(e, engine.Reader.Sessions); !reflect.DeepEqual(got, ss) {
		t.Errorf("after touching: %+v, want %+v", got, ss)
	}
	e.write(func(tx engine.WriteTx) error { return tx.DeleteSessions([]int64{ss[0].ID}) })
	e.write(func(tx engine.WriteTx) error { return tx.TouchSessions(nil, later) })
	e.write(func(tx engine.WriteTx) error { return tx.DeleteSessions(nil) })
	if got := read(e, engine.Reader.Sessions); !reflect.DeepEqual(got, ss[1:]) {
		t.Errorf("after deleting the first: %+v, want %+v", got, ss[1:])
	}
	e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(a.ID, at) })
	if got := read(e, engine.Reader.Sessions); !reflect.DeepEqual(got, ss[1:2]) {
		t.Errorf("after ana left: %+v, want %+v", got, ss[1:2])
	}
}

// testTeams: teams by name with their members in order; a removed agent is no member;
// renaming and changing members; a name is unique; a team a rule names cannot be
// deleted, and rule recipients hold agents and teams in order.
func testTeams(e *env) {
	t := e.t
	a, b, c := e.agent("ana"), e.agent("bob"), e.agent("cid")
	member := func(x engine.Agent) engine.TeamMember { return engine.TeamMember{AgentID: x.ID, Handle: x.Handle} }
	emea := engine.Team{Name: "emea", Members: []engine.TeamMember{member(c), member(a)}, CreatedAt: at, UpdatedAt: at}
	apac := engine.Team{Name: "apac", CreatedAt: at, UpdatedAt: at}
	e.write(func(tx engine.WriteTx) error { return tx.InsertTeam(&emea) })
	e.write(func(tx engine.WriteTx) error { return tx.InsertTeam(&apac) })
	if got := read(e, engine.Reader.Teams); !reflect.DeepEqual(got, []engine.Team{apac, emea}) {
		t.Errorf("teams %+v, want %+v", got, []engine.Team{apac, emea})
	}
	got, err := tryRead(e, func(r engine.Reader) (engine.Team, error) { return r.TeamByName("emea") })
	if err != nil || !reflect.DeepEqual(got, emea) {
		t.Errorf("emea: %+v %v, want %+v", got, err, emea)
	}
	_, err = tryRead(e, func(r engine.Reader) (engine.Team, error) { return r.TeamByName("amer") })
	mustNoRows(t, "a team that does not exist", err)

	emea.Name, emea.Members, emea.UpdatedAt = "europe", []engine.TeamMember{member(a), member(b), member(c)}, at.Add(time.Hour)
	e.write(func(tx engine.WriteTx) error { return tx.UpdateTeam(&emea) })
	if got := read(e, func(r engine.Reader) (engine.Team, error) { return r.TeamByName("europe") }); !reflect.DeepEqual(got, emea) {
		t.Errorf("after the change: %+v, want %+v", got, emea)
	}
	e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(b.ID, at) })
	want := emea
	want.Members = []engine.TeamMember{member(a), member(c)}
	if got := read(e, func(r engine.Reader) (engine.Team, error) { return r.TeamByName("europe") }); !reflect.DeepEqual(got, want) {
		t.Errorf("after bob left: %+v, want %+v", got, want)
	}
	dup := engine.Team{Name: "apac", CreatedAt: at, UpdatedAt: at}
	if err := tryWrite(e, func(tx engine.WriteTx) error { return tx.InsertTeam(&dup) }); err == nil {
		t.Error("two teams called apac")
	}

	r := engine.Rule{Name: "r", Position: 1, Enabled: true, Mode: engine.RoundRobin, CreatedAt: at, UpdatedAt: at,
		Recipients: []engine.Recipient{{AgentID: c.ID, Agent: "cid", PerRound: 2}, {TeamID: emea.ID, Team: "europe", PerRound: 3}, {TeamID: apac.ID, Team: "apac", PerRound: 1}}}
	e.write(func(tx engine.WriteTx) error { return tx.InsertRule(&r) })
	if got := read(e, func(rd engine.Reader) (engine.Rule, error) { return rd.Rule(r.ID) }); !reflect.DeepEqual(got.Recipients, r.Recipients) {
		t.Errorf("recipients %+v, stored %+v", got.Recipients, r.Recipients)
	}
	if err := tryWrite(e, func(tx engine.WriteTx) error { return tx.DeleteTeam(apac.ID) }); err == nil {
		t.Error("a team a rule names was deleted")
	}
	r.Recipients = r.Recipients[:2]
	e.write(func(tx engine.WriteTx) error { return tx.UpdateRule(&r) })
	e.write(func(tx engine.WriteTx) error { return tx.DeleteTeam(apac.ID) })
	if got := read(e, engine.Reader.Teams); len(got) != 1 || got[0].Name != "europe" {
		t.Errorf("after deleting apac: %+v", got)
	}
}

// tryWrite runs fn in a write transaction that commits when fn succeeds.
func tryWrite(e *env, fn func(tx engine.WriteTx) error) error {
	tx, err := e.s.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return nil
}
