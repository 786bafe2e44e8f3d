package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine/httpapi/loadtest"
)

func (a *app) loadtestCmd() *cobra.Command {
	var cfg loadtest.Config
	var url string
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Post new leads to a running server and report throughput and latency",
		Long: `loadtest posts new leads to POST /v1/leads of a running switchboard serve, from
--concurrency clients at --rate leads per second (0: as fast as the server answers),
for --duration or --requests, and reports leads per second, latency percentiles
(measured from when each request was due) and errors. The leads are real: run it
against a test database.

Several nodes of one team (--url A,B) are posted to in turn.

  switchboard token create --name load --role intake      # prints TOKEN
  switchboard loadtest --url http://127.0.0.1:8080 --token TOKEN --rate 1000 --duration 10s`,
		Args: usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			var urls []string
			for _, u := range strings.Split(url, ",") {
				if u = strings.TrimSpace(u); u != "" {
					urls = append(urls, u)
				}
			}
			if len(urls) == 0 {
				return usagef("--url is required, e.g. --url http://127.0.0.1:8080")
			}
			cfg.URL, cfg.Nodes = urls[0], urls[1:]
			if cfg.Token == "" {
				cfg.Token = os.Getenv("SWITCHBOARD_TOKEN")
			}
			if cfg.Rate < 0 || cfg.Concurrency < 1 || (cfg.Duration <= 0 && cfg.Requests <= 0) {
				return usagef("need --rate ≥ 0, --concurrency ≥ 1, and a positive --duration or --requests")
			}
			fmt.Fprintf(a.stderr, "posting to %s from %d clients…\n", strings.Join(urls, " and "), cfg.Concurrency)
			rep, err := loadtest.Run(ctx(cmd), cfg)
			if err != nil {
				return err
			}
			if a.format == formatJSON {
				if err := a.printJSON(loadtestJSON(rep)); err != nil {
					return err
				}
			} else {
				fmt.Fprint(a.stdout, rep)
			}
			if rep.Errors > 0 {
				return fmt.Errorf("%d of %d requests failed", rep.Errors, rep.Sent)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the server's base URL; several nodes of one team, comma-separated, are posted to in turn")
	f.StringVar(&cfg.Token, "token", "", "an intake or admin token (default $SWITCHBOARD_TOKEN)")
	f.Float64Var(&cfg.Rate, "rate", 0, "leads per second (0: as fast as the server answers)")
	f.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to send")
	f.IntVar(&cfg.Requests, "requests", 0, "stop after this many leads (0: no limit)")
	f.IntVar(&cfg.Concurrency, "concurrency", 32, "concurrent clients")
	f.StringVar(&cfg.Source, "source", "loadtest", "the leads' source")
	return cmd
}

// loadtestJSON is a report for scripts, durations in milliseconds.
func loadtestJSON(r loadtest.Report) map[string]any {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return map[string]any{
		"sent": r.Sent, "created": r.Created, "duplicates": r.Duplicates, "errors": r.Errors,
		"error_kinds": r.ErrorKinds, "elapsed_ms": ms(r.Elapsed), "leads_per_second": r.Throughput(),
		"latency_ms": map[string]float64{
			"p50": ms(r.Latencies.P50), "p90": ms(r.Latencies.P90), "p99": ms(r.Latencies.P99), "max": ms(r.Latencies.Max),
		},
	}
}
