package engine_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// returningFixture is alice and bob in a round robin, one at a time.
func returningFixture(t *testing.T, s enginetest.Store) *fixture {
	f := newFixture(t, s)
	f.agent("alice")
	f.agent("bob")
	f.rule(rr("web", "", to("alice", 1), to("bob", 1)))
	return f
}

func (f *fixture) rotation() [3]int64 {
	f.t.Helper()
	rules, err := f.e.Rules(f.ctx, f.owner)
	if err != nil {
		f.t.Fatal(err)
	}
	r := rules[0]
	return [3]int64{r.TurnAgentID, int64(r.TurnGiven), r.LastAgentID}
}

func TestReturningLeadGoesToItsOwner(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f := returningFixture(t, s)
		first := f.lead(engine.NewLead{Name: "Ada", Email: "Ada@Example.com"}).Lead
		if first.Owner != "alice" {
			t.Fatalf("first lead to %s, want alice", first.Owner)
		}
		turn := f.rotation()
		c := f.lead(engine.NewLead{Name: "Ada again", Email: " ada@example.COM"})
		if c.Lead.Owner != "alice" || c.Lead.ReturningOf != first.ID || c.Lead.ReturningBy != "email" {
			t.Errorf("returning lead to %q, returning_of %d by %q; want alice, #%d by email", c.Lead.Owner, c.Lead.ReturningOf, c.Lead.ReturningBy, first.ID)
		}
		if want := "returning lead #1 → alice"; c.Routing.Reason != want || c.Routing.Rule != 0 || c.Routing.Explain() != want {
			t.Errorf("routing %+v (%q), want %q and no rule", c.Routing, c.Routing.Explain(), want)
		}
		if got := f.rotation(); got != turn {
			t.Errorf("rotation moved from %v to %v", turn, got)
		}
		// The rotation goes on as if the returning lead had not come: bob is next.
		if next := f.lead(engine.NewLead{Name: "New"}).Lead; next.Owner != "bob" {
			t.Errorf("next lead to %s, want bob", next.Owner)
		}
		routed := eventsOf(f.events(c.Lead.ID), engine.EvLeadRouted)
		if len(routed) != 1 || routed[0].Actor != "system" || routed[0].RuleID != 0 || routed[0].Reason != "returning lead #1 → alice" {
			t.Errorf("lead.routed %+v", routed)
		}
		if got := f.get(c.Lead.ID); got.ReturningOf != first.ID || got.ReturningBy != "email" {
			t.Errorf("stored returning_of %d by %q", got.ReturningOf, got.ReturningBy)
		}
		if a := f.agentNamed("alice"); a.AssignedToday != 2 || a.OpenLeads != 2 {
			t.Errorf("alice: %d assigned today, %d open; want 2 and 2 (a returning lead is an automatic assignment)", a.AssignedToday, a.OpenLeads)
		}
	})
}

func TestReturningLeadMatches(t *testing.T) {
	f := returningFixture(t, enginetest.SQLite)
	f.lead(engine.NewLead{Name: "Grace", Phone: "+1 (555) 010-0199"}) // alice
	for _, tc := range []struct {
		name, email, phone string
		returning          bool
		by                 string
	}{
		{"the same phone written another way", "", "+15550100199", true, "phone"},
		{"the same phone with dots", "", "+1.555.010.0199", true, "phone"},
		{"the digits without the +", "", "1 555 010 0199", false, ""},
		{"another phone", "", "+1 555 010 0198", false, ""},
		{"too few digits to compare", "", "0199", false, ""},
		{"another e-mail", "grace@example.com", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.lead(engine.NewLead{Name: "G", Email: tc.email, Phone: tc.phone})
			if got := c.Lead.ReturningOf != 0; got != tc.returning || c.Lead.ReturningBy != tc.by {
				t.Errorf("returning_of %d by %q, want returning %v by %q", c.Lead.ReturningOf, c.Lead.ReturningBy, tc.returning, tc.by)
			}
		})
	}
	// Both keys on one lead, and the most recent match.
	both := f.lead(engine.NewLead{Name: "Both", Email: "both@example.com", Phone: "+44 20 7946 0000"}).Lead
	c := f.lead(engine.NewLead{Name: "Both again", Email: "BOTH@example.com", Phone: "+442079460000"})
	if c.Lead.ReturningOf != both.ID || c.Lead.ReturningBy != "email and phone" {
		t.Errorf("returning_of %d by %q, want #%d by email and phone", c.Lead.ReturningOf, c.Lead.ReturningBy, both.ID)
	}
	again := f.lead(engine.NewLead{Name: "Both, third", Email: "both@example.com"})
	if again.Lead.ReturningOf != c.Lead.ID {
		t.Errorf("returning_of %d, want the most recent match #%d", again.Lead.ReturningOf, c.Lead.ID)
	}
}

func TestReturningWindow(t *testing.T) {
	f := returningFixture(t, enginetest.SQLite)
	if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingStickyWindow, "1h"); err != nil {
		t.Fatal(err)
	}
	first := f.lead(engine.NewLead{Email: "ada@example.com"}).Lead
	f.clock.Add(time.Hour)
	if c := f.lead(engine.NewLead{Email: "ada@example.com"}); c.Lead.ReturningOf != first.ID {
		t.Errorf("a lead exactly one window later: returning_of %d, want #%d", c.Lead.ReturningOf, first.ID)
	}
	late := f.lead(engine.NewLead{Email: "late@example.com"}).Lead
	f.clock.Add(time.Hour + time.Millisecond)
	if c := f.lead(engine.NewLead{Email: "late@example.com"}); c.Lead.ReturningOf != 0 {
		t.Errorf("a lead a window and a millisecond later: returning_of %d (#%d), want none", c.Lead.ReturningOf, late.ID)
	}

	// Off: no lead returns, and the rules decide.
	if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingStickyWindow, ""); err != nil {
		t.Fatal(err)
	}
	turn := f.rotation()
	c := f.lead(engine.NewLead{Email: "ada@example.com"})
	if c.Lead.ReturningOf != 0 || c.Routing.Rule == 0 || f.rotation() == turn {
		t.Errorf("sticky_window off: returning_of %d, routing %+v; want the rules to run", c.Lead.ReturningOf, c.Routing)
	}
	// Unset: 90 days by default.
	if err := f.e.UnsetSetting(f.ctx, f.owner, engine.SettingStickyWindow); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(89 * 24 * time.Hour)
	if c := f.lead(engine.NewLead{Email: "ada@example.com"}); c.Lead.ReturningOf == 0 {
		t.Error("89 days later with the default window: not a returning lead")
	}
}

// TestReturningOwnerNotEligible: an owner who cannot take the lead is passed over with
// why, the rules run as usual, and the lead still says whom it returns to.
func TestReturningOwnerNotEligible(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		for _, tc := range []struct {
			name  string
			setup func(f *fixture)
			why   string
		}{
			{"away", func(f *fixture) { f.presence("alice", engine.Away) }, "returning lead's owner: away"},
			{"at capacity", func(f *fixture) {
				cap := 1
				if _, err := f.e.UpdateAgent(f.ctx, f.owner, "alice", engine.AgentUpdate{Capacity: &cap}); err != nil {
					f.t.Fatal(err)
				}
			}, "returning lead's owner: at capacity (1/1)"},
			{"daily cap reached", func(f *fixture) {
				cap := 1
				if _, err := f.e.UpdateAgent(f.ctx, f.owner, "alice", engine.AgentUpdate{DailyCap: &cap}); err != nil {
					f.t.Fatal(err)
				}
			}, "returning lead's owner: daily cap reached (1/1)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := returningFixture(t, s)
				first := f.lead(engine.NewLead{Email: "ada@example.com"}).Lead // alice
				tc.setup(f)
				c := f.lead(engine.NewLead{Email: "ada@example.com"})
				if c.Lead.Owner != "bob" || c.Lead.ReturningOf != first.ID {
					t.Errorf("lead to %q, returning_of %d; want bob by the rules, returning to #%d", c.Lead.Owner, c.Lead.ReturningOf, first.ID)
				}
				if len(c.Routing.PassedOver) == 0 || c.Routing.PassedOver[0] != (engine.PassedOver{Agent: "alice", Reason: tc.why}) {
					t.Errorf("passed over %+v, want alice first: %s", c.Routing.PassedOver, tc.why)
				}
				if c.Routing.Rule == 0 {
					t.Errorf("routing %+v: the rule should have set the owner", c.Routing)
				}
			})
		}
	})
}

func TestReturningLeadStillBroadcast(t *testing.T) {
	f := returningFixture(t, enginetest.SQLite)
	f.agent("carol")
	f.rule(engine.RuleSpec{Name: "heads-up", Mode: engine.Broadcast, Recipients: []engine.RecipientSpec{{Agent: "carol"}, {Agent: "alice"}}})
	f.lead(engine.NewLead{Email: "ada@example.com"}) // alice, shared with carol
	c := f.lead(engine.NewLead{Email: "ada@example.com"})
	if c.Lead.Owner != "alice" || !reflect.DeepEqual(c.Routing.SharedWith, []string{"carol"}) {
		t.Errorf("owner %q, shared with %v; want alice, and carol by the broadcast rule", c.Lead.Owner, c.Routing.SharedWith)
	}
	if want := "returning lead #1 → alice; shared with carol"; c.Routing.Explain() != want {
		t.Errorf("explained %q, want %q", c.Routing.Explain(), want)
	}
}

// TestReturningNeedsAnOwner: a match that waits in the queue is no returning lead; a
// returning lead within one batch finds a lead of the same batch.
func TestReturningNeedsAnOwner(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	f.agent("alice")
	f.rule(rr("web", `source == "web"`, to("alice", 1)))
	queued := f.lead(engine.NewLead{Email: "q@example.com", Source: "fair"}).Lead
	if queued.Owner != "" {
		t.Fatal("the first lead has an owner")
	}
	if c := f.lead(engine.NewLead{Email: "q@example.com", Source: "fair"}); c.Lead.ReturningOf != 0 {
		t.Errorf("returning_of %d: a queued lead has no owner to return to", c.Lead.ReturningOf)
	}
	res, err := f.e.CreateLeads(f.ctx, f.owner, []engine.NewLead{
		{Email: "batch@example.com", Source: "web"}, {Email: "Batch@example.com", Source: "fair"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Lead.ReturningOf != res[0].Lead.ID || res[1].Lead.Owner != "alice" {
		t.Errorf("second of the batch: returning_of %d, owner %q; want #%d, alice (no rule matches fair)", res[1].Lead.ReturningOf, res[1].Lead.Owner, res[0].Lead.ID)
	}
}

// TestReturningLeadSLA: a returning lead's owner answers within the SLA of the first
// owner rule the lead matched, as if that rule had given it to them; a lead no owner
// rule matches gets none.
func TestReturningLeadSLA(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	f.agent("alice")
	f.agent("bob")
	spec := rr("web", `source == "web"`, to("alice", 1), to("bob", 1))
	spec.SLA = 15 * time.Minute
	f.rule(spec)
	first := f.lead(engine.NewLead{Email: "ada@example.com", Source: "web"}).Lead
	c := f.lead(engine.NewLead{Email: "ada@example.com", Source: "web"})
	if c.Lead.Owner != first.Owner || !c.Lead.SLADueAt.Equal(f.clock.Now().Add(15*time.Minute)) {
		t.Errorf("returning lead to %q due %v, want %s due in 15m", c.Lead.Owner, c.Lead.SLADueAt, first.Owner)
	}
	other := f.lead(engine.NewLead{Email: "ada@example.com", Source: "fair"})
	if other.Lead.Owner != first.Owner || !other.Lead.SLADueAt.IsZero() {
		t.Errorf("a returning lead no owner rule matches: to %q due %v, want %s and no SLA", other.Lead.Owner, other.Lead.SLADueAt, first.Owner)
	}
}
