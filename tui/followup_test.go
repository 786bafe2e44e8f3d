package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// slaTeam is an engine on a moved-by-hand clock with alice and bob available, dana a
// dispatcher, and one round-robin rule with a 10-minute SLA.
func slaTeam(t *testing.T) (*engine.Engine, *manualClock) {
	t.Helper()
	clock := &manualClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1, Now: clock.Now, Location: time.UTC})
	ctx := context.Background()
	for _, a := range []engine.NewAgent{
		{Handle: "alice", Name: "Alice Moreau", Presence: engine.Available},
		{Handle: "bob", Name: "Bob Okafor", Presence: engine.Available},
		{Handle: "dana", Name: "Dana Reyes", Role: engine.RoleDispatcher, Presence: engine.Available},
	} {
		if _, err := eng.AddAgent(ctx, engine.System(), a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: "all", Mode: engine.RoundRobin, SLA: 10 * time.Minute,
		Recipients: []engine.RecipientSpec{{Agent: "alice"}, {Agent: "bob"}}}); err != nil {
		t.Fatal(err)
	}
	return eng, clock
}

// An agent's list shows the SLA left, ticking on its own; in the last fifth the row
// turns urgent (marked "!" where there is no colour); "c" records first contact and
// the SLA is gone.
func TestAgentSeesItsSLA(t *testing.T) {
	eng, clock := slaTeam(t)
	if _, err := eng.CreateLead(context.Background(), engine.System(), engine.NewLead{Name: "Ada Lovelace"}); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 80, 24)
	waitScreen(t, c, "My leads 1 lead", "SLA", "10m   Ada Lovelace")
	clock.Add(8*time.Minute + 30*time.Second)
	// "!" marks the row urgent in the last fifth of its SLA. (The list is not read
	// while the program runs: that would race with it.)
	waitScreen(t, c, "!1:30 Ada Lovelace")
	clock.Add(40 * time.Second)
	waitScreen(t, c, "!0:50 Ada Lovelace")
	c.Send(press("c"))
	waitScreen(t, c, "First contact with 1 lead recorded", "—     Ada Lovelace")
	finish(t, c)
	page, err := eng.ListLeads(context.Background(), engine.System(), engine.LeadQuery{})
	if err != nil || len(page.Items) != 1 || !page.Items[0].Contacted() || !page.Items[0].SLADueAt.IsZero() {
		t.Fatalf("after c: %+v, %v", page.Items, err)
	}
}

// A missed SLA reaches the dispatcher's console: the live strip and history say who
// missed it and where the lead went, the inbox has the notice, and the leads pane
// filters sla:missed and sla<5m.
func TestDispatcherSeesTheMiss(t *testing.T) {
	eng, clock := slaTeam(t)
	ctx := context.Background()
	for _, n := range []string{"Ada Lovelace", "Grace Hopper"} {
		if _, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "dana"), 80, 24)
	waitScreen(t, c, "Queue")
	clock.Add(10*time.Minute + 500*time.Millisecond)
	if err := eng.RunTimers(ctx); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, c, "lead.sla_missed", "missed the 10m SLA: re-routed", "🔔 1") // one notice for both
	c.Send(press("3"))                                                          // the open leads
	pressAll(c, "/")
	c.Type("sla:missed")
	c.Send(press("enter"))
	waitScreen(t, c, "Open leads 2 leads", "/ sla:missed")
	pressAll(c, "esc", "/")
	c.Type("sla<5m")
	c.Send(press("enter"))
	waitScreen(t, c, "No lead matches the filter")
	clock.Add(6 * time.Minute) // the new owners' 10 minutes are down to 4
	waitScreen(t, c, "Open leads 2 leads", "/ sla<5m")
	c.Send(press("7"))
	waitScreen(t, c, "Notifications 1 unread", "2 leads missed their SLA")
	finish(t, c)
	page, err := eng.History(ctx, engine.System(), engine.HistoryQuery{Kind: string(engine.EvLeadSLAMissed)})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("%d misses, %v", len(page.Items), err)
	}
}

// The rule editor takes an SLA and what a miss does, checks the SLA as it is typed, and
// offers neither for a broadcast rule.
func TestRuleEditorSLA(t *testing.T) {
	eng := testEngine(t)
	c, m := startConsole(t, eng, engine.System(), 80, 24)
	c.Send(press("4"))
	waitScreen(t, c, "No rules")
	c.Send(press("n"))
	waitScreen(t, c, "New rule")
	c.Type("Fast")
	pressAll(c, "tab", "tab", "tab", "tab")
	waitScreen(t, c, "▸ SLA")
	c.Type("15 min")
	waitScreen(t, c, `sla: bad duration "15 min"`)
	for range len("15 min") {
		c.Send(press("backspace"))
	}
	c.Type("15m")
	c.Send(press("tab"))
	waitScreen(t, c, "▸ If missed")
	c.Type("u")
	waitScreen(t, c, "[unassign]")
	c.Send(press("enter"))
	waitScreen(t, c, "Saved rule #1 Fast")
	finish(t, c)
	rules, err := eng.Rules(context.Background(), engine.System())
	if err != nil || len(rules) != 1 || rules[0].SLA != 15*time.Minute || rules[0].SLAAction != engine.SLAUnassign {
		t.Fatalf("saved: %+v, %v", rules, err)
	}
	ed := newRuleEditor(m.s, &rules[0], func(engine.Rule) {})
	ed.mode = engine.Broadcast
	if v := ansi.Strip(strings.Join(ed.View(80), "\n")); !strings.Contains(v, "(owner rules only)") || strings.Contains(v, "reroute") {
		t.Errorf("a broadcast rule offers an SLA:\n%s", v)
	}
	if s, err := ed.spec(); err != nil || s.SLA != 0 {
		t.Errorf("a broadcast rule's spec: %+v, %v", s, err)
	}
}
