// Package metrics is what `switchboard serve --metrics ADDR` serves to Prometheus: the
// series of one serve process (one node), named and labelled by Prometheus's
// conventions.
//
// Counters count what this process did – the commits of its engine's writer, the
// requests of its HTTP API, the attempts of its notification worker – so that the
// nodes of one team add up without counting anything twice. Gauges of the team's
// state (the queue, the outbox) are read from the database at each scrape and are the
// same on every node.
//
// Every label has a bounded set of values. A lead's source is a label only when a
// rule's condition names it (engine.ConditionSources), a web form gives it, or a door
// of switchboard's own sets it (api, csv, email); any other source – free text a
// stranger can choose – is "other". A rule is its id; an HTTP route is the pattern
// that took the request ("/v1/leads/{id}", never the path), "other" when none did.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/csvimport"
	"github.com/switchboard/switchboard/engine/notify"
)

// OtherSource is the label of every source no rule, form or door names.
const OtherSource = "other"

// doorSources are the sources switchboard's own doors give leads that name none.
var doorSources = []string{engine.DefaultSource, csvimport.DefaultSource, engine.MailSource}

// Metrics are one process's series, in a registry of their own.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	created, routed              *prometheus.CounterVec
	queued, slaMissed            prometheus.Counter
	sent, failed, retried        *prometheus.CounterVec
	requests                     *prometheus.CounterVec
	requestTime                  *prometheus.HistogramVec
	batchCommands, commitSeconds prometheus.Histogram

	mu      sync.RWMutex
	sources map[string]bool // the sources that are labels of their own
}

// New makes the series. Give ObserveCommit to the engine (engine.Options.Observe),
// ObserveRequest to the HTTP API and ObserveDelivery to the notification worker, then
// Attach the engine.
func New(log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log, sources: map[string]bool{}}
	for _, s := range doorSources {
		m.sources[s] = true
	}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.created = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_leads_created_total",
		Help: "Leads created, by source (sources no rule, form or door names are \"other\")."}, []string{"source"})
	m.routed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_leads_routed_total",
		Help: "Leads given an owner by routing, by the rule that set it (\"returning\": back to a returning lead's owner)."}, []string{"rule"})
	m.queued = prometheus.NewCounter(prometheus.CounterOpts{Name: "switchboard_leads_queued_total",
		Help: "Routing decisions that left a lead in the queue."})
	m.slaMissed = prometheus.NewCounter(prometheus.CounterOpts{Name: "switchboard_sla_missed_total",
		Help: "SLAs missed: leads whose owner made no first contact in time."})
	m.sent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_notifications_sent_total",
		Help: "Notifications delivered, by channel."}, []string{"channel"})
	m.failed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_notifications_failed_total",
		Help: "Notifications given up on, by channel."}, []string{"channel"})
	m.retried = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_notification_retries_total",
		Help: "Delivery attempts that failed and will be tried again, by channel."}, []string{"channel"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_http_requests_total",
		Help: "HTTP API requests answered, by method, route pattern and status code."}, []string{"method", "route", "code"})
	m.requestTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchboard_http_request_duration_seconds",
		Help:    "How long the HTTP API took to answer, by method and route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route"})
	m.batchCommands = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "switchboard_writer_batch_commands",
		Help:    "Commands committed together in one write transaction (group commit).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10)})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "switchboard_writer_commit_seconds",
		Help:    "How long one write transaction took, from begin to commit.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}})
	for _, c := range []prometheus.Collector{m.created, m.routed, m.queued, m.slaMissed, m.sent, m.failed, m.retried,
		m.requests, m.requestTime, m.batchCommands, m.commitSeconds} {
		f(c)
	}
	return m
}

// Handler serves the series in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
}

// Registry is where the series are, for tests that read them without HTTP.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveCommit counts a commit of the engine's writer: its batch, its time, and the
// leads it created, routed and queued and the SLAs it found missed.
func (m *Metrics) ObserveCommit(c engine.Commit) {
	m.batchCommands.Observe(float64(c.Commands))
	m.commitSeconds.Observe(c.Took.Seconds())
	for _, ev := range c.Events {
		switch ev.Kind {
		case engine.EvLeadCreated:
			m.created.WithLabelValues(m.sourceLabel(ev.CreatedSource())).Inc()
		case engine.EvLeadRouted:
			rule := "returning"
			if ev.RuleID != 0 {
				rule = strconv.FormatInt(ev.RuleID, 10)
			}
			m.routed.WithLabelValues(rule).Inc()
		case engine.EvLeadQueued:
			m.queued.Inc()
		case engine.EvLeadSLAMissed:
			m.slaMissed.Inc()
		}
	}
}

// ObserveRequest counts an answered HTTP request (httpapi.Options.Observe). pattern is
// the mux pattern that took it, "METHOD /path/{param}", or "" when none did.
func (m *Metrics) ObserveRequest(pattern string, status int, took time.Duration) {
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	method, route, ok := strings.Cut(pattern, " ")
	if !ok {
		method, route = "other", "other"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.requestTime.WithLabelValues(method, route).Observe(took.Seconds())
}

// ObserveDelivery counts one delivery attempt of the notification worker.
func (m *Metrics) ObserveDelivery(ch engine.Channel, o notify.Outcome) {
	switch o {
	case notify.Delivered:
		m.sent.WithLabelValues(string(ch)).Inc()
	case notify.Failed:
		m.failed.WithLabelValues(string(ch)).Inc()
	case notify.Retried:
		m.retried.WithLabelValues(string(ch)).Inc()
	}
}

// sourceLabel is a source as a label value: itself when a rule, form or door names it,
// else "other".
func (m *Metrics) sourceLabel(source string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.sources[source] {
		return source
	}
	return OtherSource
}

// Attach reads what the series need from the engine: the sources that are labels, read
// again whenever a rule or a form changes (on any node: the engine's feed carries
// every node's history), and the gauges, read at each scrape – the queue, the outbox,
// and sessions() console sessions when it is not nil. It runs until ctx is done.
func (m *Metrics) Attach(ctx context.Context, eng *engine.Engine, sessions func() int) error {
	sub := eng.Subscribe(64)
	if err := m.loadSources(ctx, eng); err != nil {
		sub.Close()
		return err
	}
	m.reg.MustRegister(&backlog{eng: eng, log: m.log})
	if sessions != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_console_sessions",
			Help: "Console sessions open on this process (SSH)."}, func() float64 { return float64(sessions()) }))
	}
	go func() {
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-sub.C:
				if !ok {
					return
				}
				if !changesSources(c) {
					continue
				}
				if err := m.loadSources(ctx, eng); err != nil && ctx.Err() == nil {
					m.log.Error("metrics: reading the sources rules and forms name", "err", err)
				}
			}
		}
	}()
	return nil
}

// changesSources reports whether a change may change which sources are labels.
func changesSources(c engine.Change) bool {
	if c.Resync {
		return true
	}
	for _, ev := range c.Events {
		if s := ev.Kind.Subject(); s == "rule" || s == "form" {
			return true
		}
	}
	return false
}

// loadSources reads the sources the rules and the forms name.
func (m *Metrics) loadSources(ctx context.Context, eng *engine.Engine) error {
	rules, err := eng.Rules(ctx, engine.System())
	if err != nil {
		return err
	}
	forms, err := eng.Forms(ctx, engine.System())
	if err != nil {
		return err
	}
	sources := map[string]bool{}
	for _, s := range doorSources {
		sources[s] = true
	}
	for _, r := range rules {
		for _, s := range engine.ConditionSources(r.Condition) {
			sources[s] = true
		}
	}
	for _, f := range forms {
		sources[f.Source] = true
	}
	m.mu.Lock()
	m.sources = sources
	m.mu.Unlock()
	return nil
}

// backlog collects the gauges read from the database at each scrape. A scrape that
// cannot read them leaves them out (and logs why) rather than report a wrong value.
type backlog struct {
	eng *engine.Engine
	log *slog.Logger
}

var (
	queueDesc = prometheus.NewDesc("switchboard_queue_leads",
		"Open leads without an owner, waiting in the queue.", nil, nil)
	outboxDesc = prometheus.NewDesc("switchboard_outbox_pending",
		"Notifications waiting to be delivered by e-mail or webhook.", nil, nil)
)

func (b *backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDesc
	ch <- outboxDesc
}

func (b *backlog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bl, err := b.eng.Backlog(ctx, engine.System())
	if err != nil {
		b.log.Error("metrics: reading the queue and the outbox", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(bl.Queue))
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(bl.Outbox))
}
