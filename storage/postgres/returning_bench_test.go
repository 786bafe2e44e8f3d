package postgres_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard/switchboard/storage/postgres/pgtest"
	"github.com/switchboard/switchboard/storage/storetest"
)

// BenchmarkReturningLookup: the lookup behind returning leads at a thousand leads and at
// a million costs the same (it searches one index per key). Filling a million leads
// takes a few minutes before the timing starts.
//
//	SWITCHBOARD_TEST_POSTGRES=postgres://root@127.0.0.1:5432/test \
//	  go test -run '^$' -bench ReturningLookup -benchtime 20000x ./storage/postgres
func BenchmarkReturningLookup(b *testing.B) {
	for _, n := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("leads=%d", n), func(b *testing.B) {
			url := pgtest.NewDatabase(b)
			s := open(b, url)
			storetest.FillForReturning(b, s, n)
			// What autovacuum does after a load this size, done now.
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			_, err = conn.Exec(ctx, `ANALYZE leads`)
			conn.Close(ctx)
			if err != nil {
				b.Fatal(err)
			}
			storetest.BenchReturning(b, s, n)
		})
	}
}
