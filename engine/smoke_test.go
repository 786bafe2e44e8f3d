package engine_test

import (
	"strings"
	"testing"
)

func TestSmokeRoundRobin(t *testing.T) {
	f := newFixture(t)
	f.agent("a")
	f.agent("b")
	f.agent("c")
	f.rule(rr("main", "", to("a", 2), to("b", 1), to("c", 1)))
	got := strings.Join(f.owners(8, "web"), " ")
	if got != "a a b c a a b c" {
		t.Fatalf("owners = %s", got)
	}
}
