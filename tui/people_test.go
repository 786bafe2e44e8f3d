package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// peopleTeam is an engine on a hand-moved clock (Monday 23 November 2026, 10:00 UTC)
// with ana in Berlin on schedule, ben in New York off it, cy without one, dana a
// dispatcher; ana and ben are the team sales, and the one rule routes to it.
func peopleTeam(t *testing.T) (*engine.Engine, *manualClock) {
	t.Helper()
	clock := &manualClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1, Now: clock.Now, Location: time.UTC})
	ctx := context.Background()
	for _, a := range []engine.NewAgent{
		{Handle: "ana", Name: "Ana Berger", Presence: engine.Available, TZ: "Europe/Berlin", Schedule: "mon-fri 09:00-18:00"},
		{Handle: "ben", Name: "Ben Cole", Presence: engine.Available, TZ: "America/New_York", Schedule: "mon-fri 09:00-17:00"},
		{Handle: "cy", Name: "Cy Park", Presence: engine.Available},
		{Handle: "dana", Name: "Dana Reyes", Role: engine.RoleDispatcher, Presence: engine.Available},
	} {
		if _, err := eng.AddAgent(ctx, engine.System(), a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.CreateTeam(ctx, engine.System(), "sales", []string{"ana", "ben"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: "sales", Mode: engine.RoundRobin,
		Recipients: []engine.RecipientSpec{{Team: "sales"}}}); err != nil {
		t.Fatal(err)
	}
	return eng, clock
}

// The board says who is off schedule and until when, on the console's clock; /team:
// narrows it; away until… sets an away that the board shows and that ends by itself.
func TestBoardShowsWhenPeopleWork(t *testing.T) {
	eng, clock := peopleTeam(t)
	c, _ := startConsole(t, eng, actorOf(t, eng, "dana"), 200, 40)
	// 10:00 UTC is 11:00 in Berlin and 05:00 in New York, whose 09:00 is 14:00 UTC.
	waitScreen(t, c, "off until 14:00", "on until 17:00", "3 of 4 available")
	c.Send(press("2")) // the board
	c.Send(press("/"))
	c.Type("team:sa")
	c.Send(press("enter"))
	waitScreen(t, c, "1 of 2 available", "/ team:sa")
	// cy's away until… from the presence menu; the prompt says when that is.
	c.Send(press("esc"))
	c.Send(press("G")) // dana is last; cy before her
	c.Send(press("k"))
	c.Send(press("p"))
	waitScreen(t, c, "Presence of cy", "away until…")
	c.Send(press("u"))
	c.Type("2h")
	waitScreen(t, c, "cy is back at 12:00")
	c.Send(press("enter"))
	waitScreen(t, c, "away until 12:00  ", "cy is away until 12:00")
	clock.Add(2 * time.Hour)
	if err := eng.RunTimers(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, c, "3 of 4 available")
	finish(t, c)
}

// team: narrows the lead lists to leads owned by a member, as the team is now.
func TestLeadsFilterByTeam(t *testing.T) {
	eng, _ := peopleTeam(t)
	ctx := context.Background()
	for _, n := range []string{"Ada Lovelace", "Grace Hopper"} {
		if _, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	// Both went to ana (ben is off schedule); give one to cy.
	page, err := eng.ListLeads(ctx, engine.System(), engine.LeadQuery{OldestFirst: true})
	if err != nil || len(page.Items) != 2 || page.Items[0].Owner != "ana" {
		t.Fatalf("leads: %+v %v", page.Items, err)
	}
	if _, err := eng.Assign(ctx, engine.System(), []int64{page.Items[1].ID}, "cy", ""); err != nil {
		t.Fatal(err)
	}
	c, m := startConsole(t, eng, actorOf(t, eng, "dana"), 120, 30)
	c.Send(press("3")) // open leads
	waitScreen(t, c, "Open leads 2 leads")
	c.Send(press("/"))
	c.Type("team:sales")
	c.Send(press("enter"))
	waitScreen(t, c, "Open leads 1 lead of 2", "Ada Lovelace")
	// cy joins the team: the filter follows.
	if _, err := eng.SetTeam(ctx, engine.System(), "sales", []string{"ana", "ben", "cy"}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, c, "Open leads 2 leads")
	m = finish(t, c)
	if got := len(ids(listOf(m, "leads"))); got != 2 {
		t.Errorf("after cy joined: %d leads", got)
	}
}

// An agent's workspace shows its own hours on its own clock.
func TestAgentSeesItsHours(t *testing.T) {
	eng, _ := peopleTeam(t)
	c, _ := startConsole(t, eng, actorOf(t, eng, "ben"), 100, 24)
	waitScreen(t, c, "Your hours: mon-fri 09:00-17:00 (America/New_York) · off until 09:00")
	finish(t, c)
}

// The agent picker says who is off schedule until when, at 80 columns too, so that
// its list never reads "available" for someone who gets no leads now.
func TestPickerSaysWhoIsOffSchedule(t *testing.T) {
	eng, _ := peopleTeam(t)
	ctx := context.Background()
	c0, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: "Queued one"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Unassign(ctx, engine.System(), []int64{c0.Lead.ID}, "back to the queue"); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "dana"), 80, 24)
	waitScreen(t, c, "Queue 1 lead", "unassigned by")
	c.Send(press("a"))
	waitScreen(t, c, "Assign 1 lead to")
	// The board says it too, without names: the picker's row names ben.
	for _, line := range strings.Split(frameOf(c), "\n") {
		if strings.Contains(line, "Ben Cole") && strings.Contains(line, "off until 14:00") {
			return
		}
	}
	t.Fatalf("the picker does not say ben is off until 14:00:\n%s", frameOf(c))
}
