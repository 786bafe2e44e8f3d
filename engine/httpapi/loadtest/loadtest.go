// Package loadtest drives switchboard's HTTP API with new leads at a set rate from many
// concurrent clients, and reports throughput, latency percentiles and errors.
//
// Latency is measured from the moment a request was due, not from when a client got
// round to sending it: when the server falls behind, the wait counts (no coordinated
// omission), so the percentiles are what a lead source would see.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config says what load to make.
type Config struct {
	URL         string        // the server's base URL, e.g. http://127.0.0.1:8080
	Nodes       []string      // more servers of the same team: each client posts to URL and these in turn
	Token       string        // a bearer token allowed to create leads
	Rate        float64       // leads per second; 0 sends as fast as the clients can
	Duration    time.Duration // how long to send
	Requests    int           // stop after this many requests (0: only Duration limits)
	Concurrency int           // concurrent clients (default 32)
	Source      string        // the leads' source (default "loadtest")
	Client      *http.Client  // default: a client with keep-alive sized for Concurrency
}

// Report is what a run measured.
type Report struct {
	Sent       int            // requests sent
	Created    int            // 201 answers
	Duplicates int            // 200 answers (a repeated external id)
	Errors     int            // anything else, including transport errors
	ErrorKinds map[string]int // "HTTP 503", "dial tcp: …": how many of each
	Elapsed    time.Duration
	Latencies  Latencies // of the 201 and 200 answers
}

// Throughput is created leads per second.
func (r Report) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Created) / r.Elapsed.Seconds()
}

// Latencies summarises request latencies.
type Latencies struct {
	P50, P90, P99, Max time.Duration
}

func summarise(d []time.Duration) Latencies {
	if len(d) == 0 {
		return Latencies{}
	}
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	return Latencies{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: d[len(d)-1]}
}

// String is the report for people.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d in %s: %d created (%.0f leads/s), %d duplicates, %d errors\n",
		r.Sent, r.Elapsed.Round(time.Millisecond), r.Created, r.Throughput(), r.Duplicates, r.Errors)
	if r.Created+r.Duplicates > 0 {
		fmt.Fprintf(&b, "latency p50 %s  p90 %s  p99 %s  max %s\n",
			ms(r.Latencies.P50), ms(r.Latencies.P90), ms(r.Latencies.P99), ms(r.Latencies.Max))
	}
	kinds := make([]string, 0, len(r.ErrorKinds))
	for k := range r.ErrorKinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %6d × %s\n", r.ErrorKinds[k], k)
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// Run sends leads until cfg.Duration has passed or ctx ends, and reports.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.URL == "" {
		return Report{}, errors.New("loadtest: no URL")
	}
	if cfg.Duration <= 0 && cfg.Requests <= 0 {
		return Report{}, errors.New("loadtest: give a positive duration or number of requests")
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 24 * time.Hour
	}
	if cfg.Rate < 0 {
		return Report{}, errors.New("loadtest: the rate cannot be negative")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.Source == "" {
		cfg.Source = "loadtest"
	}
	if cfg.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Concurrency
		tr.MaxConnsPerHost = cfg.Concurrency
		cfg.Client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	var urls []string
	for _, u := range append([]string{cfg.URL}, cfg.Nodes...) {
		urls = append(urls, strings.TrimRight(u, "/")+"/v1/leads")
	}
	run := time.Now().UnixNano() // makes this run's external ids unique

	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	// Requests are not tied to ctx: the ones in flight when the time is up finish and
	// count. due carries each request's due time: the schedule at cfg.Rate, or "now" when
	// unpaced. It is unbuffered, so an unpaced run sends exactly as fast as it is served.
	due := make(chan time.Time)
	go schedule(ctx, cfg.Rate, cfg.Requests, due)

	results := make([]result, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			res.errs = map[string]int{}
			for seq := 0; ; seq++ {
				at, ok := <-due
				if !ok {
					return
				}
				body := leadBody(cfg.Source, fmt.Sprintf("%d-%d-%d", run, w, seq), w, seq)
				status, err := post(cfg.Client, urls[(w+seq)%len(urls)], cfg.Token, body)
				res.sent++
				switch {
				case err != nil:
					res.errs[errorKind(err)]++
				case status == http.StatusCreated:
					res.created++
					res.lat = append(res.lat, time.Since(at))
				case status == http.StatusOK:
					res.dups++
					res.lat = append(res.lat, time.Since(at))
				default:
					res.errs[fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))]++
				}
			}
		}()
	}
	wg.Wait()
	rep := Report{Elapsed: time.Since(start), ErrorKinds: map[string]int{}}
	var lat []time.Duration
	for _, r := range results {
		rep.Sent += r.sent
		rep.Created += r.created
		rep.Duplicates += r.dups
		for k, n := range r.errs {
			rep.ErrorKinds[k] += n
			rep.Errors += n
		}
		lat = append(lat, r.lat...)
	}
	rep.Latencies = summarise(lat)
	return rep, nil
}

type result struct {
	sent, created, dups int
	errs                map[string]int
	lat                 []time.Duration
}

// schedule sends due times on due until ctx ends or, when n > 0, n have been sent;
// then it closes due.
func schedule(ctx context.Context, rate float64, n int, due chan<- time.Time) {
	defer close(due)
	if rate == 0 {
		for i := 0; n <= 0 || i < n; i++ {
			select {
			case due <- time.Now():
			case <-ctx.Done():
				return
			}
		}
		return
	}
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
	for i := 0; n <= 0 || i < n; i++ {
		if wait := time.Until(next); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		select {
		case due <- next:
		case <-ctx.Done():
			return
		}
		next = next.Add(interval)
	}
}

func leadBody(source, externalID string, w, seq int) []byte {
	b, _ := json.Marshal(map[string]any{
		"external_id": externalID,
		"name":        fmt.Sprintf("Load %d-%d", w, seq),
		"email":       fmt.Sprintf("load.%d.%d@example.com", w, seq),
		"source":      source,
		"tags":        []string{"loadtest"},
		"fields":      map[string]any{"budget": 1000 + seq%9000},
	})
	return b
}

func post(c *http.Client, url, token string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	// Read the body to the end so the connection is reused.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// errorKind shortens a transport error to its kind, so a report groups them.
func errorKind(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
