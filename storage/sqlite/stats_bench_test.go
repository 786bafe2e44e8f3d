package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard/switchboard/storage/sqlite"
	"github.com/switchboard/switchboard/storage/storetest"
)

// BenchmarkStats: the team's stats of the last day, week and 30 days over a million
// leads created in 90 days (storetest.FillForStats), as GET /v1/stats and the Stats
// pane read them. Filling takes a few minutes before the timing starts.
//
//	go test -run '^$' -bench Stats -benchtime 20x -timeout 30m ./storage/sqlite
func BenchmarkStats(b *testing.B) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "sb.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.FillForStats(b, s, 1000000)
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"day", 24 * time.Hour}, {"week", 7 * 24 * time.Hour}, {"30days", 30 * 24 * time.Hour}} {
		b.Run("leads=1000000/window="+w.name, func(b *testing.B) { storetest.BenchStats(b, s, w.d) })
	}
}
