package engine_test

import (
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine/enginetest"
)

func TestSmokeRoundRobin(t *testing.T) { eachStore(t, testSmokeRoundRobin) }

func testSmokeRoundRobin(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.agent("c")
	f.rule(rr("main", "", to("a", 2), to("b", 1), to("c", 1)))
	got := strings.Join(f.owners(8, "web"), " ")
	if got != "a a b c a a b c" {
		t.Fatalf("owners = %s", got)
	}
}
