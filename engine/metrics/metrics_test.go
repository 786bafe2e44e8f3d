package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/engine/metrics"
	"github.com/switchboard/switchboard/engine/notify"
	"github.com/switchboard/switchboard/storage"
)

// env is an engine, its HTTP API and its metrics, each served on loopback as serve
// serves them.
type env struct {
	t       *testing.T
	eng     *engine.Engine
	api     *httptest.Server
	scrape  *httptest.Server
	token   string
	metrics *metrics.Metrics
}

// newEnv starts an engine whose rules name the sources web and facebook, with an
// admin token, and the metrics attached.
func newEnv(t *testing.T) *env {
	t.Helper()
	m := metrics.New(nil)
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"},
		engine.Options{TailInterval: -1, Location: time.UTC, Observe: m.ObserveCommit})
	ctx := context.Background()
	for _, h := range []string{"ada", "bob"} {
		if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{Handle: h, Name: h, Presence: engine.Available}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []engine.RuleSpec{
		{Name: "social", Condition: `source in ["facebook", "tiktok"]`, Mode: engine.RoundRobin},
		{Name: "site", Condition: `source == "web"`, Mode: engine.LoadBalance},
	} {
		if _, err := eng.CreateRule(ctx, engine.System(), r); err != nil {
			t.Fatal(err)
		}
	}
	_, token, err := eng.CreateToken(ctx, engine.System(), "ops", engine.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	sessions := 3
	if err := m.Attach(actx, eng, func() int { return sessions }); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, eng: eng, token: token, metrics: m,
		api:    httptest.NewServer(httpapi.New(eng, httpapi.Options{Observe: m.ObserveRequest, Logger: slog.New(slog.DiscardHandler)})),
		scrape: httptest.NewServer(m.Handler())}
	t.Cleanup(e.api.Close)
	t.Cleanup(e.scrape.Close)
	return e
}

// post sends a request to the API with the admin token.
func (e *env) post(method, path, body string) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	res, err := e.api.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// families scrapes /metrics over HTTP and parses it with Prometheus's text parser.
func (e *env) families() map[string]*dto.MetricFamily {
	e.t.Helper()
	res, err := http.Get(e.scrape.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		e.t.Fatalf("scrape: %s", res.Status)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		e.t.Fatalf("the scrape does not parse as Prometheus text: %v", err)
	}
	return fams
}

// value is the value of the series of family name with exactly these labels (a
// counter's, a gauge's, or a histogram's count), and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, m := range f.Metric {
		if len(m.Label) != len(want) {
			continue
		}
		match := true
		for _, l := range m.Label {
			if want[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestSeriesMoveWithALead: after one lead posted over HTTP, the series of the lead, its
// routing, the request and the writer moved, with Prometheus's names and labels; the
// gauges read the queue, the outbox and the sessions.
func TestSeriesMoveWithALead(t *testing.T) {
	e := newEnv(t)
	before := e.families()
	if _, ok := value(before, "switchboard_leads_created_total", "source", "web"); ok {
		t.Fatal("a lead counted before any was created")
	}
	if v, _ := value(before, "switchboard_queue_leads"); v != 0 {
		t.Errorf("queue before: %v", v)
	}
	if code := e.post("POST", "/v1/leads", `{"name": "Ada", "source": "web"}`); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	if code := e.post("POST", "/v1/leads", `{"name": "Queued", "source": "fair"}`); code != 201 {
		t.Fatalf("POST: %d", code)
	}
	e.post("GET", "/v1/leads/999999", "")
	after := e.families()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"switchboard_leads_created_total", []string{"source", "web"}, 1},
		{"switchboard_leads_created_total", []string{"source", "other"}, 1}, // no rule names "fair"
		{"switchboard_leads_routed_total", []string{"rule", "2"}, 1},
		{"switchboard_leads_queued_total", nil, 1},
		{"switchboard_http_requests_total", []string{"method", "POST", "route", "/v1/leads", "code", "201"}, 2},
		{"switchboard_http_requests_total", []string{"method", "GET", "route", "/v1/leads/{id}", "code", "404"}, 1},
		{"switchboard_http_request_duration_seconds", []string{"method", "POST", "route", "/v1/leads"}, 2},
		{"switchboard_queue_leads", nil, 1},
		{"switchboard_console_sessions", nil, 3},
	} {
		if got, ok := value(after, c.name, c.labels...); !ok || got != c.want {
			t.Errorf("%s%v = %v (found: %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if v, _ := value(after, "switchboard_outbox_pending"); v < 0 {
		t.Errorf("outbox %v", v)
	}
	b, _ := value(before, "switchboard_writer_batch_commands")
	a, _ := value(after, "switchboard_writer_batch_commands")
	if a < b+2 {
		t.Errorf("writer batches: %v before, %v after two leads", b, a)
	}
	for _, name := range []string{"switchboard_writer_commit_seconds", "switchboard_http_request_duration_seconds"} {
		if f := after[name]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
			t.Errorf("%s is not a histogram", name)
		}
	}

	// Deliveries count by channel and outcome.
	e.metrics.ObserveDelivery(engine.ChannelWebhook, notify.Delivered)
	e.metrics.ObserveDelivery(engine.ChannelEmail, notify.Retried)
	e.metrics.ObserveDelivery(engine.ChannelEmail, notify.Failed)
	fams := e.families()
	for _, c := range []struct{ name, channel string }{
		{"switchboard_notifications_sent_total", "webhook"},
		{"switchboard_notification_retries_total", "email"},
		{"switchboard_notifications_failed_total", "email"},
	} {
		if v, ok := value(fams, c.name, "channel", c.channel); !ok || v != 1 {
			t.Errorf("%s{channel=%s} = %v", c.name, c.channel, v)
		}
	}
}

// TestCardinalityIsBounded: 10 000 leads with random sources, and requests to random
// paths, add no series beyond the sources rules name, "other", and the API's routes.
func TestCardinalityIsBounded(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(1, 2))
	known := []string{"web", "facebook", "tiktok", "api"}
	var batch []engine.NewLead
	for i := range 10_000 {
		src := fmt.Sprintf("src-%d-%d", i, rng.IntN(1_000_000))
		if i%10 == 0 {
			src = known[rng.IntN(len(known))]
		}
		batch = append(batch, engine.NewLead{Name: "L", Source: src})
		if len(batch) == 1000 {
			if _, err := e.eng.CreateLeads(context.Background(), engine.System(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	for i := range 200 {
		e.post("POST", "/v1/leads", fmt.Sprintf(`{"name": "H", "source": "made-up-%d"}`, i))
		e.post("GET", fmt.Sprintf("/v1/leads/%d", 1_000_000+i), "")
		e.post("GET", fmt.Sprintf("/no/such/path/%d", i), "")
	}
	fams := e.families()
	var sources []string
	total := 0.0
	for _, m := range fams["switchboard_leads_created_total"].GetMetric() {
		sources = append(sources, m.Label[0].GetValue())
		total += m.Counter.GetValue()
	}
	sort.Strings(sources)
	if total != 10_200 {
		t.Errorf("%v leads counted, want 10200", total)
	}
	allowed := map[string]bool{"web": true, "facebook": true, "tiktok": true, "api": true, "csv": true, "email": true, "other": true}
	for _, s := range sources {
		if !allowed[s] {
			t.Errorf("a source label %q", s)
		}
	}
	if v, _ := value(fams, "switchboard_leads_created_total", "source", "other"); v != 9_200 {
		t.Errorf("other: %v, want 9200", v)
	}
	routes := map[string]bool{}
	for _, m := range fams["switchboard_http_requests_total"].GetMetric() {
		for _, l := range m.Label {
			if l.GetName() == "route" {
				routes[l.GetValue()] = true
			}
		}
	}
	if len(routes) != 3 || !routes["/v1/leads"] || !routes["/v1/leads/{id}"] || !routes["other"] {
		t.Errorf("routes %v, want /v1/leads, /v1/leads/{id} and other", routes)
	}
	series := 0
	for _, f := range fams {
		series += len(f.Metric)
	}
	if series > 60 {
		var buf bytes.Buffer
		for name, f := range fams {
			fmt.Fprintf(&buf, "%s: %d\n", name, len(f.Metric))
		}
		t.Errorf("%d series after 10 200 leads from random sources:\n%s", series, buf.String())
	}
}

// TestSourcesFollowTheRules: a rule saved later names a new source, which becomes a
// label of its own from then on.
func TestSourcesFollowTheRules(t *testing.T) {
	e := newEnv(t)
	if _, err := e.eng.CreateRule(context.Background(), engine.System(),
		engine.RuleSpec{Name: "fairs", Condition: `source == "fair2026"`, Mode: engine.RoundRobin}); err != nil {
		t.Fatal(err)
	}
	// The metrics hear of the rule from the engine's feed; post until they have.
	deadline := time.Now().Add(30 * time.Second)
	for {
		e.post("POST", "/v1/leads", `{"name": "F", "source": "fair2026"}`)
		if v, ok := value(e.families(), "switchboard_leads_created_total", "source", "fair2026"); ok && v >= 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a source a new rule names never became a label")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
