package demo_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/demo"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/schedule"
	"github.com/switchboard/switchboard/storage"
)

func TestSeedSpreadsLeadsOverTheSpan(t *testing.T) {
	clock := &demo.Clock{}
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{Now: clock.Now, TailInterval: -1})
	ctx, owner := context.Background(), engine.System()
	start := time.Now()
	if err := demo.Seed(ctx, eng, owner, 120, rand.New(rand.NewPCG(1, 2)), clock, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(clock.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("the clock is %s off the wall clock after seeding", d)
	}
	agents, err := eng.Agents(ctx, owner)
	if err != nil || len(agents) != len(demo.Team) {
		t.Fatalf("agents: %d, %v", len(agents), err)
	}
	// The shifts are the seeded team's: alice and dev on now, bob not yet.
	on := map[string]bool{}
	for _, a := range agents {
		on[a.Handle] = a.OnSchedule(time.Now(), time.UTC)
		if a.Handle == "bob" && a.Schedule == "" {
			t.Error("bob was seeded without his shift")
		}
	}
	if !on["alice"] || !on["dev"] || on["bob"] {
		t.Errorf("on schedule after seeding: alice %v, dev %v, bob %v; want true, true, false", on["alice"], on["dev"], on["bob"])
	}
	page, err := eng.ListLeads(ctx, owner, engine.LeadQuery{OldestFirst: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Worked leads (won, lost) are listed too: all 120 are there.
	if len(page.Items) != 120 {
		t.Fatalf("%d leads, want 120", len(page.Items))
	}
	oldest, newest := page.Items[0].CreatedAt, page.Items[len(page.Items)-1].CreatedAt
	if age := start.Sub(oldest); age < 2*time.Hour+50*time.Minute || age > 3*time.Hour+time.Minute {
		t.Errorf("the oldest lead arrived %s before the seed, want about 3h", age)
	}
	if age := start.Sub(newest); age > 10*time.Minute {
		t.Errorf("the newest lead arrived %s before the seed, want within the last chunk", age)
	}
}

// The demo's web rule has a short SLA once the history is seeded, and none of the
// seeded leads runs one (they would all have missed it while the clock caught up): a
// new web lead is due for first contact within minutes, and escalates when nobody
// makes it (the engine's tests show the escalation itself).
func TestDemoEscalates(t *testing.T) {
	clock := &demo.Clock{}
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{Now: clock.Now, TailInterval: -1})
	ctx, owner := context.Background(), engine.System()
	if err := demo.Seed(ctx, eng, owner, 120, rand.New(rand.NewPCG(1, 2)), clock, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	page, err := eng.History(ctx, owner, engine.HistoryQuery{Kind: string(engine.EvLeadSLAMissed)})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("seeding missed %d SLAs (%v)", len(page.Items), err)
	}
	rules, err := eng.Rules(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	var sla time.Duration
	for _, r := range rules {
		if r.SLA > 0 && (sla == 0 || r.SLA < sla) {
			sla = r.SLA
		}
	}
	if sla == 0 || sla > 3*time.Minute {
		t.Fatalf("the demo's shortest SLA is %s: a newcomer waits too long to see one escalate", sla)
	}
	c, err := eng.CreateLead(ctx, owner, engine.NewLead{Name: "Web visitor", Source: "web"})
	if err != nil || c.Lead.SLADueAt.IsZero() || time.Until(c.Lead.SLADueAt) > sla {
		t.Fatalf("a web lead: due %v, %v", c.Lead.SLADueAt, err)
	}
	open, err := eng.ListLeads(ctx, owner, engine.LeadQuery{Open: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, l := range open.Items {
		if !l.SLADueAt.IsZero() {
			running++
		}
	}
	if running != 1 {
		t.Errorf("%d leads run an SLA, want only the new one", running)
	}
}

// Whatever the day and hour the demo starts – a weekend, a night in every zone – the
// same agents are on their shift, and bob comes on a few minutes in.
func TestShiftsHoldAtAnyHour(t *testing.T) {
	zones := map[string]string{}
	for _, a := range demo.Team {
		zones[a.Handle] = a.TZ
	}
	starts := []time.Time{
		time.Date(2026, 11, 29, 20, 34, 0, 0, time.UTC), // a Sunday evening
		time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC),   // Saturday night in Europe
		time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC),   // Paris moves its clocks forward
		time.Date(2026, 7, 1, 23, 59, 30, 0, time.UTC),
	}
	for _, now := range starts {
		for _, s := range demo.Shifts {
			text, err := demo.ScheduleAround(now, zones[s.Handle], s)
			if err != nil {
				t.Fatal(err)
			}
			sched, err := schedule.Parse(text)
			if err != nil {
				t.Fatalf("%s at %s: %q: %v", s.Handle, now, text, err)
			}
			loc, _ := time.LoadLocation(zones[s.Handle])
			if on, want := sched.On(now, loc), s.Began > 0; on != want {
				t.Errorf("%s at %s (%q): on %v, want %v", s.Handle, now, text, on, want)
			}
			if s.Began < 0 && !sched.On(now.Add(-s.Began+time.Minute), loc) {
				t.Errorf("%s at %s (%q): not on a minute after the shift starts", s.Handle, now, text)
			}
			if sched.On(now.Add(s.EndsIn+2*time.Minute), loc) {
				t.Errorf("%s at %s (%q): still on after the shift ends", s.Handle, now, text)
			}
		}
	}
}
