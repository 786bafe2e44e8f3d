package demo_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/demo"
	"github.com/switchboard/switchboard/engine/enginetest"
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
