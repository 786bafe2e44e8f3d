package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// benchModel is a dispatcher console at 200×50 whose queue holds n leads, filled in
// memory as a full reload would fill it.
func benchModel(b *testing.B, n int) *Model {
	b.Helper()
	eng := testEngine(b)
	m := New(eng, engine.System(), Options{Width: 200, Height: 50, DarkBackground: true})
	b.Cleanup(m.Close)
	now := eng.Now()
	sources := []string{"web", "facebook", "tiktok", "api"}
	rows := make([]*row, n)
	for i := range rows {
		rows[i] = rowOf(engine.Lead{
			ID: int64(i + 1), Name: fmt.Sprintf("Lead %d", i), Company: "Acme Corp", Email: fmt.Sprintf("l%d@example.com", i),
			Source: sources[i%len(sources)], Tags: []string{"vip"}, Status: engine.StatusNew,
			CreatedAt: now.Add(-time.Duration(n-i) * time.Second), WaitReason: "no rule matched",
		})
	}
	m.applyRefresh(refreshedMsg{req: refresh{full: true}, rows: rows, agents: []engine.Agent{}})
	if m.queue.total != n {
		b.Fatalf("queue holds %d, want %d", m.queue.total, n)
	}
	return m
}

func BenchmarkQueueView(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := benchModel(b, n)
			m.queue.moveTo(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.render()
			}
		})
	}
}

// BenchmarkQueueKeyDown is one "down" key press and the frame after it.
func BenchmarkQueueKeyDown(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := benchModel(b, n)
			down := tea.KeyPressMsg{Code: tea.KeyDown}
			up := tea.KeyPressMsg{Code: tea.KeyUp}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := down
				if (i/1000)%2 == 1 {
					k = up
				}
				i++
				m.Update(k)
				_ = m.View()
			}
		})
	}
}

// BenchmarkQueueFilter is one keystroke at the filter prompt at 100 000 leads: the
// whole queue is filtered again.
func BenchmarkQueueFilter(b *testing.B) {
	m := benchModel(b, 100000)
	f, err := ParseFilter("source:facebook tag:vip lead 9")
	if err != nil {
		b.Fatal(err)
	}
	now := m.eng.Now()
	b.ReportAllocs()
	for b.Loop() {
		m.queue.setFilter("source:facebook tag:vip lead 9", f, m.store, now)
		_ = m.render()
	}
}

// BenchmarkSelectAll selects every lead of a 100 000-lead queue.
func BenchmarkSelectAll(b *testing.B) {
	m := benchModel(b, 100000)
	b.ReportAllocs()
	for b.Loop() {
		m.queue.clearSelection()
		m.queue.selectAll()
	}
}

// BenchmarkLoadQueue reads a 100 000-lead queue from SQLite through the engine, as a
// console does when it starts or resyncs.
func BenchmarkLoadQueue(b *testing.B) {
	eng := testEngine(b)
	ctx := b.Context()
	batch := make([]engine.NewLead, 10000)
	for i := 0; i < 100000; i += len(batch) {
		for j := range batch {
			batch[j] = engine.NewLead{Name: fmt.Sprintf("Lead %d", i+j), Source: "web"}
		}
		if _, err := eng.CreateLeads(ctx, engine.System(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rows, err := loadOpenLeads(eng, engine.System(), ctx, engine.LeadQuery{Open: true})
		if err != nil || len(rows) != 100000 {
			b.Fatalf("loaded %d leads: %v", len(rows), err)
		}
	}
}
