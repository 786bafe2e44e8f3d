package engine

import (
	"sync"
	"time"
)

// tokenTTL bounds how long a token that authenticated is trusted without reading the
// store again. A revocation made through this engine, or seen in the history another
// process wrote (the tail), empties the cache at once; the TTL only covers a process
// that writes the database while this engine does not tail it.
const tokenTTL = 2 * time.Second

// tokenCache spares the HTTP API a read transaction per request: at thousands of
// requests a second that read was a tenth of the server's CPU. It is keyed by the
// token's hash, never by the secret.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
	// gen counts revocations seen. A lookup that read the store before a revocation
	// must not put what it read into the cache after the revocation emptied it.
	gen uint64
}

type cachedToken struct {
	actor Actor
	until time.Time
}

func (c *tokenCache) get(hash []byte, now time.Time) (Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[string(hash)]
	if !ok || now.After(t.until) {
		return Actor{}, false
	}
	return t.actor, true
}

// generation is taken before reading the store, and handed back to put.
func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *tokenCache) put(hash []byte, a Actor, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // a revocation came in between: what was read may be stale
	}
	if c.m == nil || len(c.m) >= 1000 {
		c.m = make(map[string]cachedToken)
	}
	c.m[string(hash)] = cachedToken{actor: a, until: now.Add(tokenTTL)}
}

// forgetRevoked empties the cache when events revoke a token. It runs before the
// events are published, so a revocation is in force once its command has returned.
func (c *tokenCache) forgetRevoked(events []Event) {
	for _, ev := range events {
		if ev.Kind == EvTokenRevoked {
			c.mu.Lock()
			clear(c.m)
			c.gen++
			c.mu.Unlock()
			return
		}
	}
}
