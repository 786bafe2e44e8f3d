package loadtest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/engine/httpapi/loadtest"
	"github.com/switchboard/switchboard/storage"
)

// server is the real stack – SQLite file, engine, HTTP API – on a loopback listener,
// with a round-robin rule over four available agents and an intake token.
type server struct {
	url, token string
	eng        *engine.Engine
}

func newServer(tb testing.TB, maxBatch int) *server {
	tb.Helper()
	return newNode(tb, filepath.Join(tb.TempDir(), "switchboard.db"), maxBatch, true)
}

// newNode is the stack on the database dsn; team makes the team (once per database).
func newNode(tb testing.TB, dsn string, maxBatch int, team bool) *server {
	tb.Helper()
	eng := enginetest.Open(tb, dsn, storage.Options{}, engine.Options{MaxBatch: maxBatch, TailInterval: -1})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewServer(httpapi.New(eng, httpapi.Options{Logger: quiet}))
	tb.Cleanup(ts.Close)
	s := &server{url: ts.URL, eng: eng}
	if team {
		s.token = makeTeam(tb, eng)
	}
	return s
}

// makeTeam adds four available agents, a round-robin rule and an intake token.
func makeTeam(tb testing.TB, eng *engine.Engine) string {
	tb.Helper()
	ctx, owner := context.Background(), engine.System()
	for _, h := range []string{"ann", "bob", "cat", "dan"} {
		if _, err := eng.AddAgent(ctx, owner, engine.NewAgent{Handle: h, Name: h, Presence: engine.Available}); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := eng.CreateRule(ctx, owner, engine.RuleSpec{Name: "everyone", Mode: engine.RoundRobin}); err != nil {
		tb.Fatal(err)
	}
	_, secret, err := eng.CreateToken(ctx, owner, "load", engine.RoleIntake)
	if err != nil {
		tb.Fatal(err)
	}
	return secret
}

func TestRunCountsWhatTheServerStored(t *testing.T) {
	s := newServer(t, 0)
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: s.url, Token: s.token, Requests: 300, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 300 || rep.Created != 300 || rep.Errors != 0 || rep.Duplicates != 0 {
		t.Fatalf("report: %+v", rep)
	}
	n, err := s.eng.CountLeads(context.Background(), engine.System(), engine.LeadQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Fatalf("the server holds %d leads, the report says 300 were created", n)
	}
	if rep.Latencies.P50 <= 0 || rep.Latencies.P50 > rep.Latencies.P99 || rep.Latencies.P99 > rep.Latencies.Max {
		t.Fatalf("percentiles out of order: %+v", rep.Latencies)
	}
}

func TestRunReportsRefusals(t *testing.T) {
	s := newServer(t, 0)
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: s.url, Token: "wrong", Requests: 20, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Errors != 20 || rep.ErrorKinds["HTTP 401 Unauthorized"] != 20 {
		t.Fatalf("report: %+v", rep)
	}
}

func TestRunPacesToTheRate(t *testing.T) {
	s := newServer(t, 0)
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: s.url, Token: s.token, Rate: 100, Requests: 30, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	// 30 requests at 100/s are due over 290ms: the run cannot be shorter than that.
	if rep.Created != 30 || rep.Elapsed < 290*time.Millisecond {
		t.Fatalf("report: %+v", rep)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []loadtest.Config{
		{},
		{URL: "http://127.0.0.1:1"},
		{URL: "http://127.0.0.1:1", Requests: 1, Rate: -1},
	} {
		if _, err := loadtest.Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v) = nil error", c)
		}
	}
}

// BenchmarkHTTPCreate posts routed leads from 32 concurrent clients: on SQLite with
// group commit (the default) and with one transaction per lead; on PostgreSQL with one
// node and with two nodes on one database (each client posting to both in turn);
// side by side in one run:
//
//	SWITCHBOARD_TEST_POSTGRES=postgres://root@127.0.0.1:5432/test \
//	  go test -run '^$' -bench HTTPCreate -benchtime 20000x ./engine/httpapi/loadtest
func BenchmarkHTTPCreate(b *testing.B) {
	for _, c := range []struct {
		name     string
		store    enginetest.Store
		nodes    int
		maxBatch int
	}{
		{"sqlite/group-commit", enginetest.SQLite, 1, 0},
		{"sqlite/one-tx-per-lead", enginetest.SQLite, 1, 1},
		{"postgres/one-node", enginetest.Postgres, 1, 0},
		{"postgres/two-nodes", enginetest.Postgres, 2, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			dsn := c.store.NewDatabase(b)
			first := newNode(b, dsn, c.maxBatch, true)
			var more []string
			for range c.nodes - 1 {
				more = append(more, newNode(b, dsn, c.maxBatch, false).url)
			}
			b.ResetTimer()
			rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: first.url, Nodes: more, Token: first.token,
				Requests: b.N, Concurrency: 32})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Errors > 0 {
				b.Fatalf("errors: %v", rep.ErrorKinds)
			}
			b.ReportMetric(rep.Throughput(), "leads/s")
			b.ReportMetric(float64(rep.Latencies.P50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(rep.Latencies.P99.Microseconds())/1000, "p99-ms")
		})
	}
}

// ExampleReport_String shows a report as the loadtest command prints it.
func ExampleReport_String() {
	rep := loadtest.Report{Sent: 10, Created: 9, Duplicates: 0, Errors: 1, Elapsed: time.Second,
		ErrorKinds: map[string]int{"HTTP 503 Service Unavailable": 1},
		Latencies:  loadtest.Latencies{P50: time.Millisecond, P90: 2 * time.Millisecond, P99: 3 * time.Millisecond, Max: 4 * time.Millisecond}}
	fmt.Print(rep)
	// Output:
	// sent 10 in 1s: 9 created (9 leads/s), 0 duplicates, 1 errors
	// latency p50 1.00ms  p90 2.00ms  p99 3.00ms  max 4.00ms
	//        1 × HTTP 503 Service Unavailable
}
