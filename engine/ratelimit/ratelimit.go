// Package ratelimit keeps a token bucket per client address, for the doors that take
// requests from strangers without a credential (web forms, e-mail intake).
//
// A bucket holds Burst requests and refills at Rate; a request finds its address's
// bucket, takes a token or is refused with the time until the next one. IPv6 clients are
// counted by their /64 network, the smallest block one customer usually gets, so that
// one machine cannot step through its addresses. The table is bounded: when it is
// full, buckets that have refilled (they are the same as a new one) are dropped first,
// then the ones seen longest ago, so that a flood of addresses costs a bounded amount of
// memory.
package ratelimit

import (
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxAddrs bounds the table: about 200 bytes each, 13 MiB at most.
const DefaultMaxAddrs = 65536

// Limiter is a table of per-address buckets. It is safe for concurrent use.
type Limiter struct {
	rate  rate.Limit
	burst int
	max   int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New is a table of buckets that hold burst requests and refill at r, for at most max
// addresses (DefaultMaxAddrs when max <= 0).
func New(r rate.Limit, burst, max int) *Limiter {
	if max <= 0 {
		max = DefaultMaxAddrs
	}
	return &Limiter{rate: r, burst: burst, max: max, buckets: map[string]*bucket{}}
}

// PerMinute is a rate of n requests a minute.
func PerMinute(n int) rate.Limit { return rate.Every(time.Minute / time.Duration(n)) }

// Allow takes a token from key's bucket at now. When there is none it takes nothing and
// says how long until there is one.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evict makes room for a new address: it drops every bucket that has refilled, and if
// that frees less than a quarter of the table, the quarter seen longest ago.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if b.lim.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) > l.max*3/4 {
		keys := make([]string, 0, len(l.buckets))
		for k := range l.buckets {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return l.buckets[keys[i]].seen.Before(l.buckets[keys[j]].seen) })
		for _, k := range keys[:len(keys)-l.max*3/4] {
			delete(l.buckets, k)
		}
	}
}

// Len is how many addresses the table holds.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Key is the bucket of a client at addr ("host:port", or a bare host): the IPv4
// address, or the /64 network of an IPv6 one. What is not an IP address (a Unix
// socket's name) is its own key.
func Key(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return ip.String()
	}
	return p.String()
}
