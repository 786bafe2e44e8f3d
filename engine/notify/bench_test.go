package notify_test

import (
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/notify"
)

// BenchmarkCommitToWebhook measures how long after an assignment commits its webhook
// reaches the receiver: the hub wakes the worker, which claims the row and posts it.
// Reported as the median and the 99th percentile.
func BenchmarkCommitToWebhook(b *testing.B) {
	v := newEnv(b)
	got := make(chan time.Time, 1)
	h := newHook(b, func(_ int, w http.ResponseWriter, _ *http.Request) {
		got <- time.Now()
		w.WriteHeader(http.StatusNoContent)
	})
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada", WebhookURL: h.url("/ada")})
	ids := make([]int64, b.N)
	for i := range ids {
		c, err := v.e.CreateLead(v.ctx, engine.System(), engine.NewLead{Name: fmt.Sprintf("Lead %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.Lead.ID
	}
	v.start(notify.Options{})

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for _, id := range ids {
		if _, err := v.e.Assign(v.ctx, engine.System(), []int64{id}, "ada", ""); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		lat = append(lat, (<-got).Sub(committed))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

// BenchmarkDrainBacklog measures how fast a backlog of webhooks (rows left pending by a
// restart, or by a receiver that was down) is delivered: ns/op is per notification, with
// the default concurrency of 8.
func BenchmarkDrainBacklog(b *testing.B) {
	v := newEnv(b)
	h := newHook(b, nil)
	v.agent(engine.NewAgent{Handle: "ada", Name: "Ada", WebhookURL: h.url("/ada")})
	ids := make([]int64, b.N)
	for i := range ids {
		c, err := v.e.CreateLead(v.ctx, engine.System(), engine.NewLead{Name: fmt.Sprintf("Lead %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.Lead.ID
	}
	if _, err := v.e.Assign(v.ctx, engine.System(), ids, "ada", ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	v.start(notify.Options{})
	waitFor(b, "the backlog to drain", func() bool {
		rows, err := v.e.Outbox(v.ctx, engine.System(), engine.OutboxFilter{Status: engine.OutboxPending, Limit: 1})
		return err == nil && len(rows) == 0
	})
	b.StopTimer()
	if n := len(h.requests()); n != b.N {
		b.Fatalf("%d webhooks for %d notifications", n, b.N)
	}
}
