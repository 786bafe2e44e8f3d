package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchboard/switchboard/storage/sqlite"
	"github.com/switchboard/switchboard/storage/storetest"
)

// BenchmarkReturningLookup: the lookup behind returning leads at a thousand leads and at
// a million costs the same (it searches one index per key). Filling a million leads
// takes a minute or two before the timing starts.
//
//	go test -run '^$' -bench ReturningLookup -benchtime 20000x ./storage/sqlite
func BenchmarkReturningLookup(b *testing.B) {
	for _, n := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("leads=%d", n), func(b *testing.B) {
			s, err := sqlite.Open(filepath.Join(b.TempDir(), "sb.db"), sqlite.Options{Synchronous: "OFF"})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.FillForReturning(b, s, n)
			storetest.BenchReturning(b, s, n)
		})
	}
}
