package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// TestBurstThenRate: 20 at once, then one every 6 seconds (10 a minute), each address
// on its own; a refusal names the wait.
func TestBurstThenRate(t *testing.T) {
	l := New(PerMinute(10), 20, 0)
	for i := range 20 {
		if ok, _ := l.Allow("198.51.100.7", t0); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("198.51.100.7", t0)
	if ok || wait != 6*time.Second {
		t.Fatalf("the 21st: ok=%v wait=%v, want refused for 6s", ok, wait)
	}
	if ok, _ := l.Allow("198.51.100.8", t0); !ok {
		t.Error("another address was refused")
	}
	if ok, _ := l.Allow("198.51.100.7", t0.Add(5*time.Second)); ok {
		t.Error("allowed 5s later: the next token comes at 6s")
	}
	if ok, _ := l.Allow("198.51.100.7", t0.Add(6*time.Second)); !ok {
		t.Error("refused 6s later")
	}
	if ok, _ := l.Allow("198.51.100.7", t0.Add(7*time.Second)); ok {
		t.Error("allowed twice in 6s after the burst")
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.1:4567", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:25", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"2001:db8:9::1", "2001:db8:9::/64"},
		{"@switchboard.sock", "@switchboard.sock"},
	} {
		if got := Key(tc.in); got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTableIsBounded: a flood of addresses never grows the table past its bound, and
// an address that is busy keeps its bucket (and its refusals) through the flood.
func TestTableIsBounded(t *testing.T) {
	l := New(PerMinute(10), 2, 100)
	for range 2 {
		l.Allow("busy", t0)
	}
	for i := range 1000 {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256), now)
		if i%10 == 0 {
			l.Allow("busy", now) // seen often: never the longest unseen
		}
		if n := l.Len(); n > 100 {
			t.Fatalf("%d addresses in a table of 100", n)
		}
	}
	if ok, _ := l.Allow("busy", t0.Add(time.Second)); ok {
		t.Error("the busy address got a fresh bucket during the flood")
	}
}
