package tui

import (
	"context"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// TestDetailShowsReturningLead: a lead that returned to its owner says so in its
// detail, with the lead it returns to and what matched.
func TestDetailShowsReturningLead(t *testing.T) {
	eng := testEngine(t)
	ctx := context.Background()
	if _, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: "all", Mode: engine.RoundRobin,
		Recipients: []engine.RecipientSpec{{Agent: "alice"}}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []engine.NewLead{{Name: "Ada First", Email: "ada@example.com"}, {Name: "Ada Again", Email: "ADA@example.com"}} {
		if _, err := eng.CreateLead(ctx, engine.System(), n); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, c, "The queue is empty")
	c.Send(press("3"))
	waitScreen(t, c, "Open leads 2")
	c.Send(press("enter"))
	waitScreen(t, c, "Lead #2  Ada Again", "Returning   #1, same email", "returning lead #1 → alice")
	finish(t, c)
}
