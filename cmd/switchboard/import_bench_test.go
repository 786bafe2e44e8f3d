package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkImport imports a CSV of 10 000 leads into a fresh database with a team of
// four and three rules (round robin on a condition, a broadcast, load balance for the
// rest), through the CLI as an operator runs it. Leads per second is reported.
//
//	go test -run XXX -bench Import -benchtime 1x ./cmd/switchboard
func BenchmarkImport(b *testing.B) {
	const rows = 10000
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "leads.csv")
	var sb strings.Builder
	sb.WriteString("name,email,phone,company,source,tags,external_id,budget,city\n")
	sources := []string{"web", "facebook", "tiktok", "fair"}
	for i := range rows {
		tag := ""
		if i%10 == 0 {
			tag = "vip"
		}
		fmt.Fprintf(&sb, "Lead %d,lead%d@example.com,+1 555 %07d,Co %d,%s,%s,x-%d,%d,City %d\n",
			i, i, i, i%977, sources[i%4], tag, i, 100+(i*7919)%20000, i%50)
	}
	if err := os.WriteFile(csvPath, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		db := filepath.Join(dir, fmt.Sprintf("b%d.db", n))
		setup := [][]string{
			{"init", "--owner", "alice", "--name", "Alice"},
			{"agent", "add", "bob", "--name", "Bob", "--presence", "available"},
			{"agent", "add", "carol", "--name", "Carol", "--presence", "available"},
			{"agent", "add", "dan", "--name", "Dan", "--presence", "available"},
			{"agent", "add", "erin", "--name", "Erin", "--presence", "available"},
			{"rule", "add", "--name", "social", "--if", `source in ["facebook","tiktok"] && fields.budget > 5000`, "--to", "bob:2,carol"},
			{"rule", "add", "--name", "vip", "--mode", "broadcast", "--if", `"vip" in tags`, "--to", "erin", "--for", "7d"},
			{"rule", "add", "--name", "rest", "--mode", "load_balance"},
		}
		for _, args := range setup {
			if code := run(append(args, "--db", db), nil, io.Discard, io.Discard); code != 0 {
				b.Fatalf("%v: exit %d", args, code)
			}
		}
		b.StartTimer()
		if code := run([]string{"import", csvPath, "--db", db}, nil, io.Discard, io.Discard); code != 0 {
			b.Fatalf("import: exit %d", code)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "leads/s")
}
