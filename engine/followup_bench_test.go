package engine_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// BenchmarkSLAEscalation: 10 000 routed leads under a 1-second SLA all miss at once
// and are escalated (event, grouped notices to the owner and two dispatchers,
// re-route passing over the owner), while one caller keeps creating ordinary leads one
// at a time. It reports escalations per second and the creates' latency meanwhile,
// beside their latency on the idle writer just before.
func BenchmarkSLAEscalation(b *testing.B) {
	for _, s := range enginetest.Stores() {
		b.Run(s.Name, func(b *testing.B) {
			if s.Name == enginetest.Postgres.Name && pgtest.Server() == "" {
				b.Skip(pgtest.SkipMessage)
			}
			for range b.N {
				benchEscalation(b, s)
			}
		})
	}
}

func benchEscalation(b *testing.B, s enginetest.Store) {
	const leads = 10000
	b.StopTimer()
	f := newFixture(b, s)
	var recips []engine.RecipientSpec
	for i := range 10 {
		h := fmt.Sprintf("agent%02d", i)
		f.agent(h)
		recips = append(recips, to(h, 1))
	}
	f.agent("dana", withRole(engine.RoleDispatcher), withPresence(engine.Offline))
	f.agent("dora", withRole(engine.RoleDispatcher), withPresence(engine.Offline))
	f.rule(rr("phone, no SLA", `source == "phone"`, recips...))
	f.rule(sla(rr("web, 1s SLA", "", recips...), time.Second, ""))
	batch := make([]engine.NewLead, 1000)
	for range leads / len(batch) {
		for i := range batch {
			batch[i] = engine.NewLead{Name: "L", Source: "web"}
		}
		if _, err := f.e.CreateLeads(f.ctx, f.owner, batch); err != nil {
			b.Fatal(err)
		}
	}
	create := func() time.Duration {
		start := time.Now()
		if _, err := f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Name: "ordinary", Source: "phone"}); err != nil {
			b.Error(err)
		}
		return time.Since(start)
	}
	var idle []time.Duration
	for range 200 {
		idle = append(idle, create())
	}

	f.clock.Add(2 * time.Second) // every SLA has passed
	var busy []time.Duration
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				busy = append(busy, create())
			}
		}
	}()
	b.StartTimer()
	start := time.Now()
	if err := f.e.RunTimers(f.ctx); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.StopTimer()
	close(done)
	wg.Wait()

	page, err := f.e.History(f.ctx, f.owner, engine.HistoryQuery{Kind: string(engine.EvLeadSLAMissed), Limit: 1})
	if err != nil || len(page.Items) == 0 {
		b.Fatalf("no misses: %v", err)
	}
	if n := countEvents(b, f, engine.EvLeadSLAMissed); n != leads {
		b.Fatalf("%d misses, want %d", n, leads)
	}
	b.ReportMetric(leads/took.Seconds(), "escalations/s")
	b.ReportMetric(float64(len(busy)), "creates-during")
	b.ReportMetric(ms(percentile(idle, 50)), "idle-create-p50-ms")
	b.ReportMetric(ms(percentile(idle, 99)), "idle-create-p99-ms")
	b.ReportMetric(ms(percentile(busy, 50)), "create-p50-ms")
	b.ReportMetric(ms(percentile(busy, 99)), "create-p99-ms")
	b.ReportMetric(ms(slices.Max(busy)), "create-max-ms")
}

func countEvents(b *testing.B, f *fixture, kind engine.EventKind) int {
	n := 0
	q := engine.HistoryQuery{Kind: string(kind), Limit: 1000}
	for {
		page, err := f.e.History(f.ctx, f.owner, q)
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Items)
		if page.Next == "" {
			return n
		}
		q.Cursor = page.Next
	}
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
