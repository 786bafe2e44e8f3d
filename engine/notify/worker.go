// Package notify delivers the engine's outbox: e-mail over SMTP and signed JSON
// webhooks, with retries and exponential back-off.
//
// The engine writes every notification to the outbox in the same transaction as the
// change that causes it; a Worker claims due rows, sends them, and records each outcome
// (a delivery, a retry, or a failure once it gives up) back through the engine. A row
// is marked delivered only after its receiver took it, so delivery is at least once: a
// crash between sending and recording sends that one message again. Every message names
// its event (the X-Switchboard-Event header, and event_id in the body) so that a receiver
// can drop the repeat; an e-mail's Message-ID is the same on every attempt.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// Options tune a Worker; the zero value is ready for production, without e-mail.
type Options struct {
	// Mailer sends e-mail. Without one, e-mail rows are retried (a server configured at
	// the next start still sends them) until they give up.
	Mailer *Mailer
	// HTTPClient posts webhooks (default: a client that follows no redirects and
	// refuses local targets, see AllowLocalTargets).
	HTTPClient *http.Client
	// AllowLocalTargets lets the default client post to loopback and link-local
	// addresses (127.0.0.1, 169.254.169.254…), which it refuses otherwise, whatever the
	// URL's name resolves to at the time: tests and one-machine setups only.
	AllowLocalTargets bool
	// Concurrency is how many deliveries run at once (default 8): a slow receiver holds
	// up one of them, never the others.
	Concurrency int
	// Timeout bounds one attempt at one delivery (default 10s).
	Timeout time.Duration
	// Backoff spaces the retries of one row (default 1s doubling to 5m).
	Backoff Backoff
	// GiveUpAfter is how long after it was written a row stops being retried and is
	// recorded as failed (default 24h).
	GiveUpAfter time.Duration
	// PollInterval is how often the outbox is checked for rows written by another
	// process on the same database, or due for a retry (default 1s). Rows this process
	// writes wake the worker at once.
	PollInterval time.Duration
	// Now is the clock (default: the engine's).
	Now func() time.Time
	// Logger receives every failed attempt (default: slog.Default()).
	Logger *slog.Logger
	// Observe, when set, hears how every attempt ended (metrics); it must be quick.
	Observe func(engine.Channel, Outcome)
}

// Outcome is how one delivery attempt ended.
type Outcome string

const (
	Delivered Outcome = "delivered" // the receiver took it
	Retried   Outcome = "retried"   // it failed and will be tried again
	Failed    Outcome = "failed"    // it failed for good: the row gave up
)

// Worker delivers the outbox of one engine.
type Worker struct {
	e    *engine.Engine
	opts Options
	log  *slog.Logger
}

// New returns a worker for e's outbox. Start it with Run.
func New(e *engine.Engine, opts Options) *Worker {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = newHTTPClient(opts.Concurrency, opts.AllowLocalTargets)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Backoff.Min <= 0 {
		opts.Backoff.Min = time.Second
	}
	if opts.Backoff.Max < opts.Backoff.Min {
		opts.Backoff.Max = max(5*time.Minute, opts.Backoff.Min)
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 24 * time.Hour
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Now == nil {
		opts.Now = e.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Worker{e: e, opts: opts, log: opts.Logger}
}

// lease is how long a claimed row stays hidden from other claims: well past one attempt
// and its recording, so that a row is only claimed again when the worker that held it is
// gone (30s with the default timeout: how late a crash's rows in flight go out again).
func (w *Worker) lease() time.Duration { return 2*w.opts.Timeout + 10*time.Second }

// Run delivers until ctx ends, then stops the attempts in flight, puts their rows back
// in the queue and returns nil. It returns an error only if the engine closes under it.
func (w *Worker) Run(ctx context.Context) error {
	// Subscribe first: a row committed while the first claim runs still wakes us.
	sub := w.e.Subscribe(64)
	defer sub.Close()

	ctx, cancel := context.WithCancel(ctx)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	defer cancel()

	slots := make(chan struct{}, w.opts.Concurrency)
	freed := make(chan struct{}, 1)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		free := cap(slots) - len(slots)
		claimed := 0
		failed := false
		if free > 0 {
			// A claim that commits is seen through even if ctx ends meanwhile: the rows
			// are then handed back rather than left hidden until their lease ends.
			batch, err := w.e.ClaimOutbox(context.WithoutCancel(ctx), w.opts.Now(), w.lease(), free)
			switch {
			case ctx.Err() != nil:
				w.release(batch)
				return nil
			case errors.Is(err, engine.ErrClosed):
				return fmt.Errorf("notifications: %w", err)
			case err != nil:
				w.log.Error("notifications: claiming outbox rows", "err", err)
				failed = true // try again after a poll interval, not at once
			}
			for _, d := range batch {
				slots <- struct{}{}
				inflight.Add(1)
				go func() {
					defer inflight.Done()
					w.deliver(ctx, d)
					<-slots
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			claimed = len(batch)
		}

		// Sleep until the next row is due, a delivery frees a slot, this process commits
		// a change that may have written rows, or the poll interval ends. When every slot
		// is taken, due rows wait for a slot instead.
		wait := w.opts.PollInterval
		if claimed < free && !failed {
			if next, ok, err := w.e.NextOutboxAttempt(ctx); err == nil && ok {
				wait = min(wait, max(next.Sub(w.opts.Now()), 0))
			}
		}
		timer.Reset(wait)
		if !w.sleep(ctx, sub, freed, timer) {
			return nil
		}
	}
}

// release hands claimed rows back, due at once, without counting the attempt as a
// failure.
func (w *Worker) release(batch []engine.OutboxDelivery) {
	for _, d := range batch {
		if err := w.e.OutboxRetry(context.Background(), d.ID, w.opts.Now(), d.LastError); err != nil {
			w.log.Error("notifications: handing back an outbox row", "outbox", d.ID, "err", err)
		}
	}
}

// sleep waits for a reason to look at the outbox again; false means ctx ended.
func (w *Worker) sleep(ctx context.Context, sub *engine.Subscription, freed <-chan struct{}, timer *time.Timer) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-freed:
			return true
		case <-timer.C:
			return true
		case c := <-sub.C:
			if mayWriteOutbox(c) {
				return true
			}
		}
	}
}

// mayWriteOutbox reports whether a committed change may have written outbox rows: any
// change but the worker's own records of deliveries.
func mayWriteOutbox(c engine.Change) bool {
	if c.Resync {
		return true
	}
	for _, ev := range c.Events {
		if ev.Kind.Subject() != "notification" {
			return true
		}
	}
	return false
}

// deliver makes one attempt at one row and records how it went.
func (w *Worker) deliver(ctx context.Context, d engine.OutboxDelivery) {
	var p engine.NotificationPayload
	err := json.Unmarshal(d.Payload, &p)
	if err != nil {
		err = permanent(fmt.Errorf("unreadable payload: %w", err))
	} else {
		attempt, cancel := context.WithTimeout(ctx, w.opts.Timeout)
		err = w.send(attempt, d, p)
		if err != nil && !isPermanent(err) && attempt.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %s", w.opts.Timeout)
		}
		cancel()
	}

	// The outcome is recorded even while shutting down: the engine outlives the worker.
	record := context.WithoutCancel(ctx)
	now := w.opts.Now()
	log := w.log.With("outbox", d.ID, "event", d.EventID, "channel", d.Channel, "attempt", d.Attempts)
	var rerr error
	observe := func(o Outcome) {
		if w.opts.Observe != nil {
			w.opts.Observe(d.Channel, o)
		}
	}
	switch {
	case err == nil:
		rerr = w.e.OutboxDelivered(record, d.ID)
		observe(Delivered)
	case ctx.Err() != nil:
		// Cut short by shutdown, not refused by the receiver: due again at once.
		rerr = w.e.OutboxRetry(record, d.ID, now, "interrupted by shutdown")
	case isPermanent(err) || now.Sub(d.CreatedAt) >= w.opts.GiveUpAfter:
		log.Warn("notifications: giving up", "err", err)
		rerr = w.e.OutboxFailed(record, d.ID, errorText(err))
		observe(Failed)
	default:
		next := now.Add(w.opts.Backoff.Delay(d.Attempts))
		// The last attempt falls on the deadline rather than a back-off past it.
		if deadline := d.CreatedAt.Add(w.opts.GiveUpAfter); next.After(deadline) {
			next = deadline
			if next.Before(now) {
				next = now
			}
		}
		log.Warn("notifications: attempt failed, will retry", "err", err, "next", next)
		rerr = w.e.OutboxRetry(record, d.ID, next, errorText(err))
		observe(Retried)
	}
	if rerr != nil {
		// The row is due again when its lease ends, and is sent again then.
		log.Error("notifications: recording the outcome", "err", rerr, "delivery_err", err)
	}
}

// send makes one attempt on the row's channel.
func (w *Worker) send(ctx context.Context, d engine.OutboxDelivery, p engine.NotificationPayload) error {
	switch d.Channel {
	case engine.ChannelWebhook:
		return postWebhook(ctx, w.opts.HTTPClient, d, p.Kind)
	case engine.ChannelEmail:
		m := w.opts.Mailer
		if m == nil {
			return errors.New("no SMTP server is configured: start serve with --smtp-addr and --smtp-from")
		}
		company, err := w.e.Setting(ctx, engine.System(), engine.SettingCompany)
		if err != nil {
			return fmt.Errorf("reading the company name: %w", err)
		}
		msg := composeEmail(p, email{
			From: m.From(), To: d.Target, Date: w.opts.Now(),
			MessageID: messageID(d, m.From()), Company: company.Value,
		})
		return m.Send(ctx, d.Target, msg)
	}
	return permanent(fmt.Errorf("unknown channel %q", d.Channel))
}

// permanentError marks a failure that retrying cannot fix (a mailbox the server says
// does not exist): the row fails at once.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// errorText is an error as the outbox and history keep it: bounded, since a receiver
// may answer with a whole page.
func errorText(err error) string {
	const limit = 500
	s := err.Error()
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}
