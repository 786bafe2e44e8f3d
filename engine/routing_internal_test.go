package engine

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Routing is a pure function over a model: these tests route over a team held in
// memory, with no store, as a simulation of the rules does.

func memTeam(agents ...Agent) []Agent {
	for i := range agents {
		agents[i].ID = int64(i + 1)
		if agents[i].Role == "" {
			agents[i].Role = RoleAgent
		}
		if agents[i].Presence == "" {
			agents[i].Presence = Available
		}
	}
	return agents
}

func memModel(t *testing.T, agents []Agent, rules ...Rule) *routingModel {
	t.Helper()
	var cc conditionCache
	for i := range rules {
		rules[i].ID, rules[i].Position, rules[i].Enabled = int64(i+1), i+1, true
	}
	return newRoutingModel(agents, rules, nil, "2026-11-23", time.UTC, func(src string) (*condition, error) {
		return cc.get(src, slog.Default())
	})
}

// routeAll routes n leads of source over m and says who got each ("-": nobody).
func routeAll(t *testing.T, m *routingModel, n int, source string) string {
	t.Helper()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var out []string
	for range n {
		l := &Lead{Name: "L", Source: source, Status: StatusNew}
		d, err := m.routeInMemory(&routeInput{lead: l, at: at, now: at})
		if err != nil {
			t.Fatal(err)
		}
		if d.owner == nil {
			out = append(out, "-")
		} else {
			out = append(out, d.owner.Handle)
		}
	}
	return strings.Join(out, " ")
}

func TestRoutingInMemory(t *testing.T) {
	weighted := func(ids ...int64) []Recipient {
		var rs []Recipient
		for i, id := range ids {
			rs = append(rs, Recipient{AgentID: id, PerRound: []int{2, 1, 1}[i]})
		}
		return rs
	}
	for _, tc := range []struct {
		name   string
		agents []Agent
		rules  []Rule
		want   string
	}{
		{"R6: A:2, B:1, C:1", memTeam(Agent{Handle: "a"}, Agent{Handle: "b"}, Agent{Handle: "c"}),
			[]Rule{{Mode: RoundRobin, Recipients: weighted(1, 2, 3)}}, "a a b c a a b c"},
		{"R6: with B away", memTeam(Agent{Handle: "a"}, Agent{Handle: "b", Presence: Away}, Agent{Handle: "c"}),
			[]Rule{{Mode: RoundRobin, Recipients: weighted(1, 2, 3)}}, "a a c a a c"},
		{"R5: capacity and daily cap", memTeam(Agent{Handle: "a", Capacity: 2}, Agent{Handle: "b", DailyCap: 1}),
			[]Rule{{Mode: RoundRobin}}, "a b a - -"},
		{"R7: fewest open leads, ties after the last", memTeam(Agent{Handle: "a", OpenLeads: 2}, Agent{Handle: "b"}, Agent{Handle: "c"}),
			[]Rule{{Mode: LoadBalance}}, "b c b c a b c"},
		{"R2: the next owner rule when nobody is eligible", memTeam(Agent{Handle: "a", Presence: Busy}, Agent{Handle: "b"}),
			[]Rule{{Mode: RoundRobin, Recipients: []Recipient{{AgentID: 1, PerRound: 1}}}, {Mode: LoadBalance, Recipients: []Recipient{{AgentID: 2, PerRound: 1}}}}, "b b"},
		{"R1: no rule matched", memTeam(Agent{Handle: "a"}),
			[]Rule{{Mode: RoundRobin, Condition: `source == "fair"`}}, "- -"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := memModel(t, tc.agents, tc.rules...)
			if got := routeAll(t, m, len(strings.Fields(tc.want)), "web"); got != tc.want {
				t.Errorf("owners %q, want %q", got, tc.want)
			}
		})
	}
}

// TestShareLimitInMemory: broadcast passes over a recipient at the share limit, and the
// shares routing makes count towards it.
func TestShareLimitInMemory(t *testing.T) {
	m := memModel(t, memTeam(Agent{Handle: "a"}), Rule{Mode: Broadcast, ShareDuration: time.Hour})
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	shares := make([]Share, MaxActiveShares-1)
	for i := range shares {
		shares[i] = Share{ExpiresAt: at.Add(time.Duration(i+1) * time.Second)}
	}
	m.setShares(1, shares)
	in := func(now time.Time) *routeInput {
		return &routeInput{lead: &Lead{Name: "L", Status: StatusNew}, at: now, now: now}
	}
	d, err := m.routeInMemory(in(at))
	if err != nil || len(d.shares) != 1 {
		t.Fatalf("one below the limit: %d shares (%v), want 1", len(d.shares), err)
	}
	d, _ = m.routeInMemory(in(at))
	if len(d.shares) != 0 || len(d.routing.PassedOver) != 1 || d.routing.PassedOver[0].Reason != "holds 2000 active shares, the limit" {
		t.Fatalf("at the limit: shares %v, passed over %+v", d.shares, d.routing.PassedOver)
	}
	// Ten seconds on, ten shares have ended: there is room again.
	d, _ = m.routeInMemory(in(at.Add(10 * time.Second)))
	if len(d.shares) != 1 {
		t.Fatalf("after ten shares ended: %d shares, want 1", len(d.shares))
	}
}
