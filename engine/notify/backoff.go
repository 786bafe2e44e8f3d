package notify

import (
	"math/rand/v2"
	"time"
)

// Backoff spaces out the attempts at one notification: the delay doubles from Min up
// to Max. Each delay is drawn at random from its upper half, so that the retries for a
// receiver that comes back from an outage arrive spread out rather than all at once.
type Backoff struct {
	Min time.Duration
	Max time.Duration
}

// Delay is how long to wait after the given failed attempt (1 for the first).
func (b Backoff) Delay(attempt int) time.Duration {
	return b.delay(attempt, rand.Int64N)
}

// delay is Delay with the random source passed in, for tests.
func (b Backoff) delay(attempt int, randN func(int64) int64) time.Duration {
	d := b.Min
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + time.Duration(randN(int64(d-half)+1))
}
