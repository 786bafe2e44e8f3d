package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Timers are work that falls due at times kept in rows: a share's end (R9), an SLA
// deadline (R14), a hand-off (R15); later an away-until or a schedule's boundary. Each
// kind is a timerKind listed in timerKinds. One goroutine per engine serves them all: it
// asks every kind when its next row falls due, sleeps until the earliest, and fires the
// kinds that are due. Work due while no engine ran fires when one starts.
//
// Several engines may run on one database – nodes on PostgreSQL, the CLI beside serve
// on SQLite – each with the same timers, and each due row must change once, whichever
// engine gets there first. So a timer never acts on what it read before: a read only
// tells it when to wake (next); then, inside a write transaction, which holds the
// database's one write lock, fire selects the rows due at that moment and changes
// them. When two engines wake together, the second one's transaction begins after the
// first has committed, finds the rows changed, and does nothing.
//
// A command that adds or moves a due time sets txn.wake, and the loop reads every
// kind's next time again after the commit; history committed by another process wakes
// it too. The loop also never sleeps longer than maxTimerSleep, so that a clock moved
// by hand, or a row another process added unheard, is noticed within seconds.
type timerKind struct {
	name string
	// batch is the most rows one transaction changes.
	batch int
	// gather is how long after the earliest due time the loop waits before firing, so
	// that rows falling due together – leads created in one burst – are changed in one
	// transaction, and people hear of them in one grouped notice.
	gather time.Duration
	// next reads when the earliest row falls due; ok is false when none is waiting.
	next func(r Reader) (at time.Time, ok bool, err error)
	// fire selects at most limit rows due at t.now, in t, changes them, and says how
	// many it changed. It must change every row that next reported as due, so that the
	// loop does not wake again for it.
	fire func(t *txn, limit int) (int, error)
}

// The timers' names, as logs and errors show them.
const (
	timerShareExpiry = "share expiry"
)

// timerKinds lists the engine's timers; a new kind of due work is one more entry.
func timerKinds() []*timerKind {
	return []*timerKind{
		{name: timerShareExpiry, batch: 500, next: func(r Reader) (time.Time, bool, error) { return r.NextShareExpiry() }, fire: (*txn).expireShares},
		slaTimer(),
		handoffTimer(),
		awayUntilTimer(),
		scheduleTimer(),
		autoAwayTimer(),
	}
}

// maxTimerSleep bounds the loop's sleep.
const maxTimerSleep = 5 * time.Second

// timerKind returns the kind named name.
func (e *Engine) timerKind(name string) *timerKind {
	for _, k := range e.timers {
		if k.name == name {
			return k
		}
	}
	panic("engine: no timer " + name)
}

// fireTimer changes every row of kind k that is due, a batch per transaction, and
// says how many it changed.
func (e *Engine) fireTimer(ctx context.Context, k *timerKind) (int, error) {
	total := 0
	for {
		n := 0
		err := e.write(ctx, func(t *txn) (err error) {
			n, err = k.fire(t, k.batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("%s: %w", k.name, err)
		}
		total += n
		if n < k.batch {
			return total, nil
		}
	}
}

// RunTimers does, now, whatever work of every timer is due: shares that ended, SLAs
// that passed, hand-offs. The engine runs it by itself within a second of each due
// time; callers need it only to force it (tests with a hand-moved clock).
func (e *Engine) RunTimers(ctx context.Context) error {
	for _, k := range e.timers {
		if _, err := e.fireTimer(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// wakeTimers makes the timer loop read every kind's next time again, without waiting.
func (e *Engine) wakeTimers() {
	select {
	case e.timerWake <- struct{}{}:
	default:
	}
}

// timerLoop fires each kind when its next row falls due, until the engine closes.
func (e *Engine) timerLoop() {
	defer e.wg.Done()
	next := make([]time.Time, len(e.timers))
	due := make([]bool, len(e.timers))
	for {
		sleep := maxTimerSleep
		err := e.read(context.Background(), func(r Reader) error {
			for i, k := range e.timers {
				at, ok, err := k.next(r)
				if err != nil {
					return fmt.Errorf("%s: %w", k.name, err)
				}
				next[i], due[i] = at, ok
			}
			return nil
		})
		if err != nil {
			e.log.Error("engine: reading when timers are due", "err", err)
		} else {
			now := e.now()
			fired, changed := false, 0
			for i, k := range e.timers {
				if !due[i] {
					continue
				}
				if wait := next[i].Add(k.gather).Sub(now); wait > 0 {
					sleep = min(sleep, wait)
					continue
				}
				fired = true
				n, err := e.fireTimer(context.Background(), k)
				changed += n
				if err != nil && !errors.Is(err, ErrClosed) {
					e.log.Error("engine: firing a timer", "timer", k.name, "err", err)
				}
			}
			// Read the next times again at once, unless due work changed nothing (a
			// kind whose next and fire disagree): then wait, rather than spin.
			if fired && changed > 0 {
				continue
			}
		}
		t := time.NewTimer(sleep)
		select {
		case <-e.quit:
			t.Stop()
			return
		case <-e.timerWake:
			t.Stop()
		case <-t.C:
		}
	}
}
