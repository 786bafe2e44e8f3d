package storetest

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// StatsSpan is how far back FillForStats spreads its leads: a week of it holds 7/90 of
// them (77 778 of a million), a day 11 111.
const StatsSpan = 90 * 24 * time.Hour

// StatsNow is the time the stats benchmark asks at: the end of FillForStats's span.
var StatsNow = at

// FillForStats stores n leads for the stats benchmark, created evenly over the
// StatsSpan before StatsNow, in transactions of 10 000, with the history a team's
// routing writes: twenty agents, two round-robin rules, five sources. Of each ten
// leads, nine are routed by a rule within a minute (lead.routed, the rules matched)
// and one is queued (lead.queued), half of those given to an agent by a dispatcher an
// hour later (lead.assigned); seven in ten are contacted by their owner (lead.status), six in ten of
// those within the SLA of 15 minutes after their assignment, the others up to four
// hours later; a lead not contacted within the SLA has its lead.sla_missed. Every lead has its lead.created. The draw is
// seeded: every fill is the same.
func FillForStats(tb testing.TB, s engine.Store, n int) {
	tb.Helper()
	write := func(fn func(tx engine.WriteTx) error) { writeOrFail(tb, s, fn) }
	var agents []engine.Agent
	var rules []engine.Rule
	write(func(tx engine.WriteTx) error {
		for i := range 20 {
			a := engine.Agent{Handle: fmt.Sprintf("agent%02d", i), Name: "A", Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: StatsNow.Add(-StatsSpan)}
			if err := tx.InsertAgent(&a); err != nil {
				return err
			}
			agents = append(agents, a)
		}
		for i, cond := range []string{`source in ["facebook", "tiktok"]`, `true`} {
			r := engine.Rule{Name: fmt.Sprintf("rule%d", i+1), Position: i + 1, Enabled: true, Condition: cond, Mode: engine.RoundRobin}
			for _, a := range agents[i*10 : i*10+10] {
				r.Recipients = append(r.Recipients, engine.Recipient{AgentID: a.ID, Agent: a.Handle, PerRound: 1 + len(r.Recipients)%2})
			}
			if err := tx.InsertRule(&r); err != nil {
				return err
			}
			rules = append(rules, r)
		}
		return nil
	})
	sources := []string{"web", "facebook", "tiktok", "csv", "api"}
	rnd := rand.New(rand.NewPCG(1, 2))
	const sla = 15 * time.Minute
	for start := 0; start < n; start += 10000 {
		write(func(tx engine.WriteTx) error {
			for i := start; i < min(start+10000, n); i++ {
				created := StatsNow.Add(-StatsSpan + StatsSpan/time.Duration(n)*time.Duration(i))
				src := sources[rnd.IntN(len(sources))]
				l := engine.Lead{Name: "L", Email: fmt.Sprintf("lead%d@example.com", i), Source: src, Status: engine.StatusNew,
					Tags: []string{}, Fields: map[string]any{}, CreatedAt: created, UpdatedAt: created}
				var events []engine.Event
				ev := func(e engine.Event) { e.Actor = cmpOr(e.Actor, "system"); events = append(events, e) }
				ev(engine.Event{At: created, Kind: engine.EvLeadCreated, Actor: "api:site", Reason: "created from " + src})
				var owner engine.Agent
				switch {
				case i%10 != 9:
					r := rules[1]
					if src == "facebook" || src == "tiktok" {
						r = rules[0]
					}
					owner = agents[(r.Position-1)*10+rnd.IntN(10)]
					l.AssignedAt = created.Add(time.Duration(rnd.IntN(60000)) * time.Millisecond)
					matched := []int64{r.ID}
					if r.ID == rules[0].ID {
						matched = append(matched, rules[1].ID)
					}
					ev(engine.Event{At: l.AssignedAt, Kind: engine.EvLeadRouted, Actor: fmt.Sprintf("rule:%d", r.ID), Agent: owner.Handle, RuleID: r.ID, To: owner.Handle,
						Routing: &engine.Routing{Rule: r.ID, RuleName: r.Name, Mode: r.Mode, Owner: owner.Handle, Reason: "round robin", Matched: matched}})
				default:
					ev(engine.Event{At: created, Kind: engine.EvLeadQueued, Routing: &engine.Routing{Reason: "no eligible recipient"}})
					if i%20 == 9 {
						owner = agents[rnd.IntN(len(agents))]
						l.AssignedAt = created.Add(time.Hour)
						ev(engine.Event{At: l.AssignedAt, Kind: engine.EvLeadAssigned, Actor: "dana", Agent: owner.Handle, To: owner.Handle})
					}
				}
				if owner.ID != 0 {
					l.OwnerID, l.FirstAssignedAt, l.Status = owner.ID, l.AssignedAt, engine.StatusAssigned
					if rnd.IntN(10) < 7 {
						wait := time.Minute + time.Duration(rnd.Int64N(int64(14*time.Minute)))
						if rnd.IntN(10) < 4 {
							wait = sla + time.Duration(rnd.Int64N(int64(4*time.Hour)))
						}
						l.FirstContactAt = l.AssignedAt.Add(wait).Truncate(time.Millisecond)
						l.Status, l.ContactOwnerID, l.ContactAssignedAt = engine.StatusContacted, owner.ID, l.AssignedAt
						l.SLAMet = wait < sla
						ev(engine.Event{At: l.FirstContactAt, Kind: engine.EvLeadStatus, Actor: owner.Handle, Agent: owner.Handle, From: "assigned", To: "contacted"})
					}
					if l.FirstContactAt.IsZero() || !l.SLAMet {
						ev(engine.Event{At: l.AssignedAt.Add(sla), Kind: engine.EvLeadSLAMissed, Agent: owner.Handle, From: owner.Handle})
					}
					l.UpdatedAt = l.AssignedAt
				}
				if err := tx.InsertLead(&l); err != nil {
					return err
				}
				for j := range events {
					events[j].LeadID = l.ID
					if err := tx.InsertEvent(&events[j]); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// BenchStats times the team's stats of a window ending at StatsNow, as GET /v1/stats
// and the Stats pane read them (engine.Activity: the figures, the team, the rules, the
// queue and the leads per hour, on one snapshot), on a store filled by FillForStats.
func BenchStats(b *testing.B, s engine.Store, window time.Duration) {
	e, err := engine.New(s, engine.Options{Now: func() time.Time { return StatsNow }, Location: time.UTC, TailInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	admin := engine.AsAPI("bench", engine.RoleAdmin)
	var a engine.Activity
	cpu0 := cpuTime()
	for b.Loop() {
		if a, err = e.Activity(ctx, admin, engine.StatsQuery{Last: window}); err != nil {
			b.Fatal(err)
		}
	}
	// The machine's cores may be shared: the process's CPU time per read says what
	// the read costs whatever else runs (for PostgreSQL, the client's part only).
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(a.Stats.Leads.Created), "leads/window")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
