package tui

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// The benchmarks share one database per queue size, filled once per run of the test
// binary (100 000 leads take the engine about ten seconds to create and route).
var bench = struct {
	sync.Mutex
	dir  string
	engs map[int]*engine.Engine
	done []func()
}{engs: map[int]*engine.Engine{}}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range bench.done {
		f()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchEngine is an engine whose queue holds n leads from four sources.
func benchEngine(b *testing.B, n int) *engine.Engine {
	b.Helper()
	bench.Lock()
	defer bench.Unlock()
	if eng, ok := bench.engs[n]; ok {
		return eng
	}
	if bench.dir == "" {
		dir, err := os.MkdirTemp("", "switchboard-tui-bench")
		if err != nil {
			b.Fatal(err)
		}
		bench.dir = dir
	}
	st, err := storage.Open(context.Background(), filepath.Join(bench.dir, fmt.Sprintf("queue-%d.db", n)), storage.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(st, engine.Options{TailInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	bench.done = append(bench.done, func() { eng.Close(); st.Close() })
	sources := []string{"web", "facebook", "tiktok", "api"}
	batch := make([]engine.NewLead, 0, 10000)
	for i := range n {
		batch = append(batch, engine.NewLead{Name: fmt.Sprintf("Lead %d", i), Company: "Acme Corp", Email: fmt.Sprintf("l%d@example.com", i),
			Source: sources[i%len(sources)], Tags: []string{"vip"}})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := eng.CreateLeads(context.Background(), engine.System(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	bench.engs[n] = eng
	return eng
}

// benchModel is a dispatcher console at 200×50 whose queue holds n leads, as the
// process's lead model has read them.
func benchModel(b *testing.B, n int) *Model {
	b.Helper()
	eng := benchEngine(b, n)
	leads := leadmodel.New(eng, slog.New(slog.DiscardHandler))
	b.Cleanup(leads.Close)
	feed := leads.Subscribe()
	defer feed.Close()
	for !leads.Snapshot().Loaded {
		<-feed.C
	}
	m := New(leads, engine.System(), Options{Width: 200, Height: 50, DarkBackground: true})
	b.Cleanup(m.Close)
	m.update(feedMsg{})
	if got := listOf(m, "queue").n(); got != n {
		b.Fatalf("queue holds %d, want %d", got, n)
	}
	return m
}

func BenchmarkQueueView(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := benchModel(b, n)
			listOf(m, "queue").sc.to(n/2, n)
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
// queue is filtered again from the start.
func BenchmarkQueueFilter(b *testing.B) {
	m := benchModel(b, 100000)
	const text = "source:facebook tag:vip lead 9"
	f, err := ParseFilter(text)
	if err != nil {
		b.Fatal(err)
	}
	l := listOf(m, "queue")
	b.ReportAllocs()
	for b.Loop() {
		l.setFilter(text, f)
		_ = m.render()
	}
}

// BenchmarkSelectAll selects every lead of a 100 000-lead queue.
func BenchmarkSelectAll(b *testing.B) {
	l := listOf(benchModel(b, 100000), "queue")
	b.ReportAllocs()
	for b.Loop() {
		l.clearSelection()
		l.selectAll()
	}
}

// BenchmarkApplyBurst is what one session does with a new version of the lead model in
// which ten leads changed, at 100 000 leads: with no filter (the list reads the model's
// set) and with one (the session's index is updated for the ten leads alone).
func BenchmarkApplyBurst(b *testing.B) {
	m := benchModel(b, 100000)
	snap := m.s.snap
	changed := []int64{5, 500, 5000, 20000, 40000, 60000, 80000, 99990, 99995, 100000}
	u := liveMsg{leadmodel.Update{Snapshot: snap, Burst: leadmodel.Burst{Leads: changed}}}
	for _, filter := range []string{"", "s:fa t:vip"} {
		b.Run(fmt.Sprintf("filter=%q", filter), func(b *testing.B) {
			l := listOf(m, "queue")
			f, err := ParseFilter(filter)
			if err != nil {
				b.Fatal(err)
			}
			l.setFilter(filter, f)
			b.ReportAllocs()
			for b.Loop() {
				l.apply(u)
			}
		})
	}
}
