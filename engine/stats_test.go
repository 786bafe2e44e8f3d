package engine_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// statsScript plays a morning of a team through the engine's commands, on a clock
// moved by hand (start = t0):
//
//	t0+0…5m  six facebook leads, rule #1 round robin ada:2 bob:1 (SLA 10m): ada ada bob ada ada bob
//	t0+6m    a tiktok lead no rule matches: queued; ada contacts #1 and #2
//	t0+7m    bob contacts #3
//	t0+20m   the SLAs of #4 #5 (ada) and #6 (bob) have passed: #4 #5 → bob, #6 → ada
//	t0+25m   bob contacts #4 and #5;  t0+26m  ada contacts #6
//	t0+36m   dana gives the tiktok lead (#7) to cy;  t0+40m  cy contacts it
//	t0+41m   cy is away; a web lead matches rule #2 (load balance to cy): queued
//	t0+45m   now
func statsScript(t *testing.T, s enginetest.Store) *fixture {
	f := newFixture(t, s)
	ada, bob, cy := f.agent("ada"), f.agent("bob"), f.agent("cy")
	f.agent("dana", withRole(engine.RoleDispatcher))
	dana := engine.AsAgent(f.agentNamed("dana"))
	f.rule(sla(rr("fb", `source == "facebook"`, to("ada", 2), to("bob", 1)), 10*time.Minute, ""))
	f.rule(engine.RuleSpec{Name: "web", Condition: `source == "web"`, Mode: engine.LoadBalance, Recipients: []engine.RecipientSpec{to("cy", 1)}})
	var ids []int64
	for i := range 6 {
		if i > 0 {
			f.clock.Add(time.Minute)
		}
		ids = append(ids, f.lead(engine.NewLead{Name: "fb", Source: "facebook"}).Lead.ID)
	}
	if got := ownersInOrder(f.allLeads()); got != "ada ada bob ada ada bob" {
		t.Fatalf("owners %s", got)
	}
	f.clock.Add(time.Minute)
	tiktok := f.lead(engine.NewLead{Name: "tt", Source: "tiktok"}).Lead.ID
	f.status(ids[0], engine.AsAgent(ada), engine.StatusContacted)
	f.status(ids[1], engine.AsAgent(ada), engine.StatusContacted)
	f.clock.Add(time.Minute)
	f.status(ids[2], engine.AsAgent(bob), engine.StatusContacted)
	f.fire(13 * time.Minute)
	if got := ownersInOrder(f.allLeads()); got != "ada ada bob bob bob ada -" {
		t.Fatalf("owners after the SLAs passed: %s", got)
	}
	f.clock.Add(5 * time.Minute)
	f.status(ids[3], engine.AsAgent(bob), engine.StatusContacted)
	f.status(ids[4], engine.AsAgent(bob), engine.StatusContacted)
	f.clock.Add(time.Minute)
	f.status(ids[5], engine.AsAgent(ada), engine.StatusContacted)
	f.clock.Add(10 * time.Minute)
	if _, err := f.e.Assign(f.ctx, dana, []int64{tiktok}, "cy", ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(4 * time.Minute)
	f.status(tiktok, engine.AsAgent(cy), engine.StatusContacted)
	f.clock.Add(time.Minute)
	f.presence("cy", engine.Away)
	if c := f.lead(engine.NewLead{Name: "w", Source: "web"}); c.Lead.Owner != "" {
		t.Fatalf("the web lead went to %s", c.Lead.Owner)
	}
	f.clock.Add(4 * time.Minute)
	return f
}

func f64(v float64) *float64 { return &v }

// TestStatsOfAScriptedMorning: every figure of the stats, worked out by hand from the
// script, on every store.
func TestStatsOfAScriptedMorning(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := statsScript(t, s)
		got, err := f.e.Stats(f.ctx, f.owner, engine.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		until := start.Add(45*time.Minute + time.Millisecond) // now, this millisecond included
		want := engine.Stats{
			Since: until.Add(-7 * 24 * time.Hour), Until: until,
			Leads: engine.LeadCounts{Created: 8, AssignedAuto: 9, AssignedManual: 1, QueuedNow: 1, Contacted: 7},
			// Assigned after 0 s (six times) and 1800 s; contacted after 300, 300, 360,
			// 1260, 1260, 1320 and 2040 s.
			TimeToAssign:       engine.Percentiles{P50: f64(0), P90: f64(720)},
			TimeToFirstContact: engine.Percentiles{P50: f64(1260), P90: f64(1608)},
			SLA:                engine.SLACounts{Met: 6, Missed: 3},
			Agents: []engine.AgentStats{
				{Agent: "ada", Assigned: 5, Contacted: 3, TimeToFirstContactP50: f64(360), SLAMissed: 2, OpenNow: 3},
				{Agent: "bob", Assigned: 4, Contacted: 3, TimeToFirstContactP50: f64(300), SLAMissed: 1, OpenNow: 3},
				{Agent: "cy", Assigned: 1, Contacted: 1, TimeToFirstContactP50: f64(240), OpenNow: 1},
			},
			Sources: []engine.SourceStats{
				{Source: "facebook", Created: 6, Assigned: 6, Contacted: 6},
				{Source: "tiktok", Created: 1, Assigned: 1, Contacted: 1},
				{Source: "web", Created: 1},
			},
			Rules: []engine.RuleStats{
				{Rule: 1, Name: "fb", Matched: 9, Assigned: 9, Fairness: []engine.Fairness{
					{Agent: "ada", ExpectedShare: 0.667, ActualShare: f64(0.556)},
					{Agent: "bob", ExpectedShare: 0.333, ActualShare: f64(0.444)},
				}},
				{Rule: 2, Name: "web", Matched: 1},
			},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stats\n%s\nwant\n%s", js(t, got), js(t, want))
		}

		// The console's Stats pane reads the same with the leads created per hour: all
		// eight in the window's last hour.
		act, err := f.e.Activity(f.ctx, f.owner, engine.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		perHour := make([]int, 7*24)
		perHour[len(perHour)-1] = 8
		if !reflect.DeepEqual(act.Stats, got) || !reflect.DeepEqual(act.PerHour, perHour) {
			t.Errorf("activity: %v per hour\n%s", act.PerHour, js(t, act.Stats))
		}

		// The first six minutes: the rotation alone, 2:1.
		early, err := f.e.Stats(f.ctx, f.owner, engine.StatsQuery{Since: start, Until: start.Add(6 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		fair := []engine.Fairness{{Agent: "ada", ExpectedShare: 0.667, ActualShare: f64(0.667)},
			{Agent: "bob", ExpectedShare: 0.333, ActualShare: f64(0.333)}}
		if !reflect.DeepEqual(early.Rules[0].Fairness, fair) || early.Leads.Created != 6 || early.Leads.AssignedAuto != 6 {
			t.Errorf("the first six minutes: %s", js(t, early))
		}
	})
}

// TestStatsOfNothingAreNull: a window with no data has null percentiles and shares,
// and zero counts; never NaN.
func TestStatsOfNothingAreNull(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := statsScript(t, s)
		got, err := f.e.Stats(f.ctx, f.owner, engine.StatsQuery{Since: start.Add(-48 * time.Hour), Until: start.Add(-24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"since":"2026-11-21T10:00:00Z","until":"2026-11-22T10:00:00Z",` +
			`"leads":{"created":0,"assigned_auto":0,"assigned_manual":0,"queued_now":1,"contacted":0},` +
			`"time_to_assign":{"p50_s":null,"p90_s":null},"time_to_first_contact":{"p50_s":null,"p90_s":null},` +
			`"sla":{"met":0,"missed":0},"agents":[` +
			`{"agent":"ada","assigned":0,"contacted":0,"time_to_first_contact_p50_s":null,"sla_missed":0,"open_now":3},` +
			`{"agent":"bob","assigned":0,"contacted":0,"time_to_first_contact_p50_s":null,"sla_missed":0,"open_now":3},` +
			`{"agent":"cy","assigned":0,"contacted":0,"time_to_first_contact_p50_s":null,"sla_missed":0,"open_now":1}],` +
			`"sources":[],"rules":[` +
			`{"rule":1,"name":"fb","matched":0,"assigned":0,"fairness":[` +
			`{"agent":"ada","expected_share":0.667,"actual_share":null},{"agent":"bob","expected_share":0.333,"actual_share":null}]},` +
			`{"rule":2,"name":"web","matched":0,"assigned":0,"fairness":null}]}`
		if g := js(t, got); g != want {
			t.Errorf("stats of nothing\n%s\nwant\n%s", g, want)
		}
	})
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStatsWhoAndWhen: dispatchers and up read the stats, agents and intake tokens do
// not; a window must run forwards and be at most 366 days long.
func TestStatsWhoAndWhen(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	f.agent("ada")
	f.agent("dana", withRole(engine.RoleDispatcher))
	for _, c := range []struct {
		actor engine.Actor
		ok    bool
	}{
		{engine.AsAgent(f.agentNamed("dana")), true},
		{engine.AsAPI("admin", engine.RoleAdmin), true},
		{engine.AsAgent(f.agentNamed("ada")), false},
		{engine.AsAPI("site", engine.RoleIntake), false},
	} {
		_, err := f.e.Stats(f.ctx, c.actor, engine.StatsQuery{})
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.actor.Name, err)
		}
		if !c.ok {
			mustKind(t, err, engine.KindForbidden)
		}
	}
	for _, q := range []engine.StatsQuery{
		{Since: start, Until: start},
		{Since: start, Until: start.Add(-time.Hour)},
		{Since: start.Add(-367 * 24 * time.Hour), Until: start},
	} {
		_, err := f.e.Stats(f.ctx, f.owner, q)
		mustKind(t, err, engine.KindInvalid)
		if !strings.Contains(err.Error(), "since") {
			t.Errorf("%v: %v", q, err)
		}
	}
	if _, err := f.e.Stats(f.ctx, f.owner, engine.StatsQuery{Since: start.Add(-366 * 24 * time.Hour), Until: start}); err != nil {
		t.Errorf("a year and a day: %v", err)
	}
}

// TestStatsFairnessOfATeam: a round robin to a team shares its turns among the team's
// members, so fairness names each member with the team's weight – never the team, nor
// a recipient without a name – and the Stats pane's rotation adds them up the same way;
// an empty team is nobody.
func TestStatsFairnessOfATeam(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := newFixture(t, s)
		f.agent("ada")
		f.agent("bob")
		f.agent("cy")
		f.team("emea", "ada", "bob")
		f.rule(rr("web", `source == "web"`, teamOf("emea", 2), to("cy", 1)))
		f.team("apac")
		f.rule(rr("apac", `source == "apac"`, teamOf("apac", 1)))
		for range 10 {
			f.lead(engine.NewLead{Name: "w", Source: "web"})
			f.clock.Add(time.Second)
		}
		// The turns: ada ada bob bob cy, twice.
		got, err := f.e.Stats(f.ctx, f.owner, engine.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		want := []engine.Fairness{
			{Agent: "ada", ExpectedShare: 0.4, ActualShare: f64(0.4)},
			{Agent: "bob", ExpectedShare: 0.4, ActualShare: f64(0.4)},
			{Agent: "cy", ExpectedShare: 0.2, ActualShare: f64(0.2)},
		}
		if !reflect.DeepEqual(got.Rules[0].Fairness, want) {
			t.Errorf("fairness %s\nwant %s", js(t, got.Rules[0].Fairness), js(t, want))
		}
		// A rule whose only team has nobody in it gives nobody a share (routing
		// queues its leads), not the whole team.
		if len(got.Rules[1].Fairness) != 0 {
			t.Errorf("an empty team's fairness: %s", js(t, got.Rules[1].Fairness))
		}
		act, err := f.e.Activity(f.ctx, f.owner, engine.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		rot := []engine.RotationShare{{Agent: "ada", Got: 4, Fair: 4}, {Agent: "bob", Got: 4, Fair: 4}, {Agent: "cy", Got: 2, Fair: 2}}
		if !reflect.DeepEqual(act.Rotation, rot) {
			t.Errorf("rotation %+v, want %+v", act.Rotation, rot)
		}
	})
}
