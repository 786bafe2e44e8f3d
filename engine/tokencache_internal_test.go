package engine

import (
	"testing"
	"time"
)

// A lookup that read the store before a revocation cannot put a stale answer into the
// cache after the revocation emptied it.
func TestTokenCacheIgnoresLookupsFromBeforeARevocation(t *testing.T) {
	var c tokenCache
	now := time.Now()
	hash := []byte("h1")
	gen := c.generation() // a lookup starts reading the store…
	c.forgetRevoked([]Event{{Kind: EvTokenRevoked}})
	c.put(hash, AsAPI("forms", RoleIntake), now, gen) // …and finishes after the revocation
	if _, ok := c.get(hash, now); ok {
		t.Fatal("a lookup from before the revocation was cached")
	}
	c.put(hash, AsAPI("forms", RoleIntake), now, c.generation())
	if a, ok := c.get(hash, now); !ok || a.Name != "api:forms" {
		t.Fatalf("get = %v, %v", a, ok)
	}
	if _, ok := c.get(hash, now.Add(tokenTTL+time.Millisecond)); ok {
		t.Fatal("an entry outlived its TTL")
	}
	c.forgetRevoked([]Event{{Kind: EvLeadCreated}})
	if _, ok := c.get(hash, now); !ok {
		t.Fatal("an event that revokes nothing emptied the cache")
	}
}
