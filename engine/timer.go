package engine

import (
	"context"
	"errors"
	"time"
)

// A timer is work that falls due at times kept in rows: a share's end (R9) today; an
// SLA, an away-until, a hand-off to come. Several engines may run on one database –
// nodes on PostgreSQL, the CLI beside serve on SQLite – each with the same timers, and
// each due row must change once, whichever engine gets there first.
//
// So a timer never acts on what it read before. A read only tells it when to wake
// (next); then, inside a write transaction, which holds the database's one write lock,
// fire selects the rows due at that moment and changes them. When two engines wake
// together, the second one's transaction begins after the first has committed, finds
// the rows changed, and does nothing. A new timer is a timer value with its own next
// and fire, started in New.
type timer struct {
	name string
	// batch is the most rows one transaction changes.
	batch int
	// next reads when the earliest row falls due; ok is false when none is waiting.
	next func(r Reader) (at time.Time, ok bool, err error)
	// fire selects at most limit rows due at t.now, in t, changes them, and says how
	// many it changed.
	fire func(t *txn, limit int) (int, error)
	// wake makes the timer read next again (a row was added or moved).
	wake chan struct{}
}

func newTimer(name string, batch int, next func(Reader) (time.Time, bool, error), fire func(*txn, int) (int, error)) *timer {
	return &timer{name: name, batch: batch, next: next, fire: fire, wake: make(chan struct{}, 1)}
}

// maxTimerSleep bounds a timer's sleep, so that a clock moved by hand, or a row another
// process added unheard, is noticed within seconds.
const maxTimerSleep = 5 * time.Second

// fireTimer changes every row of tm that is due, a batch per transaction.
func (e *Engine) fireTimer(ctx context.Context, tm *timer) error {
	for {
		n := 0
		err := e.write(ctx, func(t *txn) (err error) {
			n, err = tm.fire(t, tm.batch)
			return err
		})
		if err != nil || n < tm.batch {
			return err
		}
	}
}

// wakeTimer makes tm look at its rows again, without waiting.
func wakeTimer(tm *timer) {
	select {
	case tm.wake <- struct{}{}:
	default:
	}
}

// runTimer sleeps until tm's next row falls due, fires it, and sleeps again, until the
// engine closes.
func (e *Engine) runTimer(tm *timer) {
	defer e.wg.Done()
	for {
		sleep := maxTimerSleep
		var next time.Time
		var ok bool
		err := e.read(context.Background(), func(r Reader) (err error) {
			next, ok, err = tm.next(r)
			return err
		})
		if err != nil {
			e.log.Error("engine: reading when the next one is due", "timer", tm.name, "err", err)
		} else if ok {
			sleep = min(max(next.Sub(e.now()), 0), maxTimerSleep)
		}
		t := time.NewTimer(sleep)
		select {
		case <-e.quit:
			t.Stop()
			return
		case <-tm.wake:
			t.Stop()
			continue
		case <-t.C:
		}
		if err := e.fireTimer(context.Background(), tm); err != nil && !errors.Is(err, ErrClosed) {
			e.log.Error("engine: firing", "timer", tm.name, "err", err)
		}
	}
}
