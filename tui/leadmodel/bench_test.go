package leadmodel

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// BenchmarkLoad reads 100 000 open leads into a new model, as a process does once at
// start (and after a resync): every console then opens without reading any.
func BenchmarkLoad(b *testing.B) {
	eng := enginetest.Open(b, "", storage.Options{Synchronous: "OFF"}, engine.Options{TailInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	batch := make([]engine.NewLead, 10000)
	for i := 0; i < 100000; i += len(batch) {
		for j := range batch {
			batch[j] = engine.NewLead{Name: fmt.Sprintf("Lead %d", i+j), Company: "Acme Corp", Source: "web", Tags: []string{"vip"}}
		}
		if _, err := eng.CreateLeads(context.Background(), engine.System(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		m := New(eng, slog.New(slog.DiscardHandler))
		feed := m.Subscribe()
		for !m.Snapshot().Loaded {
			<-feed.C
		}
		if n := m.Snapshot().Queue().Len(); n != 100000 {
			b.Fatalf("loaded %d", n)
		}
		feed.Close()
		m.Close()
	}
}
