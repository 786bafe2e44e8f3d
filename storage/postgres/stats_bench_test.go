package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/storage/postgres/pgtest"
	"github.com/switchboard/switchboard/storage/storetest"
)

// BenchmarkStats: the team's stats of the last day, week and 30 days over a million
// leads created in 90 days (storetest.FillForStats), as GET /v1/stats and the Stats
// pane read them. Filling takes a few minutes before the timing starts.
//
//	SWITCHBOARD_TEST_POSTGRES=postgres://root@127.0.0.1:5432/test \
//	  go test -run '^$' -bench Stats -benchtime 20x -timeout 30m ./storage/postgres
func BenchmarkStats(b *testing.B) {
	url := pgtest.NewDatabase(b)
	s := open(b, url)
	storetest.FillForStats(b, s, 1000000)
	// What autovacuum does after a load this size, done now: the statistics the
	// planner needs, and the visibility map an index-only scan needs.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	_, err = conn.Exec(ctx, `VACUUM ANALYZE`)
	conn.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"day", 24 * time.Hour}, {"week", 7 * 24 * time.Hour}, {"30days", 30 * 24 * time.Hour}} {
		b.Run("leads=1000000/window="+w.name, func(b *testing.B) { storetest.BenchStats(b, s, w.d) })
	}
}
