package engine_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// benchTeam is ten agents on one round-robin rule with weights, and a load-balance
// rule for tiktok leads: a realistic amount of routing per lead.
func benchTeam(b *testing.B) *fixture {
	b.Helper()
	return benchTeamOn(b, enginetest.SQLite)
}

// benchTeamOn is benchTeam on store s.
func benchTeamOn(b *testing.B, s enginetest.Store) *fixture {
	b.Helper()
	f := newFixture(b, s)
	var recips []engine.RecipientSpec
	for i := range 10 {
		h := fmt.Sprintf("agent%02d", i)
		f.agent(h)
		recips = append(recips, to(h, 1+i%3))
	}
	f.rule(engine.RuleSpec{Name: "tiktok", Condition: `source == "tiktok"`, Mode: engine.LoadBalance, Recipients: recips})
	f.rule(rr("everyone else", "", recips...))
	return f
}

// BenchmarkCreateLead is one lead per CreateLead call: sequential calls pay one commit
// (one fsync) each; parallel callers share commits (group commit).
func BenchmarkCreateLead(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		f := benchTeam(b)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: "L", Source: []string{"web", "tiktok"}[i%2]}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	})
	b.Run("parallel", func(b *testing.B) {
		f := benchTeam(b)
		var n atomic.Int64
		b.SetParallelism(32) // many HTTP requests at once
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				src := []string{"web", "tiktok"}[n.Add(1)%2]
				if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: "L", Source: src}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	})
}

// BenchmarkCreateLeads is batches of 100 leads in one CreateLeads call (an import).
func BenchmarkCreateLeads(b *testing.B) {
	const size = 100
	f := benchTeam(b)
	in := make([]engine.NewLead, size)
	b.ResetTimer()
	for b.Loop() {
		for i := range in {
			in[i] = engine.NewLead{Name: "L", Source: []string{"web", "tiktok"}[i%2]}
		}
		if _, err := f.e.CreateLeads(f.ctx, f.owner, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "leads/s")
}

// BenchmarkCreateLeadsReturning is BenchmarkCreateLeads with an e-mail and a phone on
// every lead (each its own, as most new leads are), with sticky_window off and on: what
// looking for a returning lead adds to a created lead (R20), one index search per key.
func BenchmarkCreateLeadsReturning(b *testing.B) {
	const size = 100
	for _, window := range []string{"", "90d"} {
		b.Run("sticky_window="+window, func(b *testing.B) {
			f := benchTeam(b)
			if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingStickyWindow, window); err != nil {
				b.Fatal(err)
			}
			in := make([]engine.NewLead, size)
			n := 0
			for b.Loop() {
				for i := range in {
					n++
					in[i] = engine.NewLead{Name: "L", Email: fmt.Sprintf("l%d@example.com", n), Phone: fmt.Sprintf("+1 555 %07d", n),
						Source: []string{"web", "tiktok"}[i%2]}
				}
				if _, err := f.e.CreateLeads(f.ctx, f.owner, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "leads/s")
		})
	}
}

// BenchmarkAssign10000 reassigns 10 000 leads in one bulk command, back and forth
// between two agents, on each store (PostgreSQL with SWITCHBOARD_TEST_POSTGRES set).
func BenchmarkAssign10000(b *testing.B) {
	for _, s := range enginetest.Stores() {
		b.Run(s.Name, func(b *testing.B) {
			if s.Name == enginetest.Postgres.Name && pgtest.Server() == "" {
				b.Skip(pgtest.SkipMessage)
			}
			benchAssign10000(b, s)
		})
	}
}

func benchAssign10000(b *testing.B, s enginetest.Store) {
	const size = 10000
	f := benchTeamOn(b, s)
	in := make([]engine.NewLead, 1000)
	var ids []int64
	for range size / len(in) {
		for i := range in {
			in[i] = engine.NewLead{Name: "L"}
		}
		created, err := f.e.CreateLeads(f.ctx, f.owner, in)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range created {
			ids = append(ids, c.Lead.ID)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := f.e.Assign(f.ctx, f.owner, ids, []string{"agent00", "agent01"}[i%2], "bench")
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Changed)+len(res.Unchanged) != size {
			b.Fatalf("assign touched %d leads", len(res.Changed)+len(res.Unchanged))
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "leads/s")
}
