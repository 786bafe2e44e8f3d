package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

// TestConditionMemoryBudget: a condition compiled without the cost checks (as one
// saved by an older version would have been before they refused it) stops at expr's
// memory budget and does not match, instead of running 600³ tests.
func TestConditionMemoryBudget(t *testing.T) {
	src := `all(1..600, {all(1..600, {all(1..600, {len(name) + # >= 0})})})`
	prog, err := expr.Compile(src, expr.Env(conditionEnv{}), expr.AsBool())
	if err != nil {
		t.Fatal(err)
	}
	c := &condition{src: src, prog: prog}
	if c.match(&Lead{Name: "Ada"}, time.Now()) {
		t.Fatal("the condition matched: it ran to the end instead of stopping at its budget")
	}
}

// costliest are conditions at the edge of what the cost checks accept.
var costliest = map[string]string{
	"steps":  `count(1..1000, {# > 1 && # < 999 && # % 3 != 0 && # != 11}) > 0`,
	"split":  `count(split(fields.note, ""), {# == "a" || # == "b" || # == "c" || upper(#) == "E"}) > 0`,
	"ranges": strings.Repeat(`any(1..1000, {# < 0}) || `, 4) + `false`,
}

// BenchmarkCostliestCondition times one evaluation of conditions the cost checks only
// just accept, against a lead with a 1 000-character field.
func BenchmarkCostliestCondition(b *testing.B) {
	l := &Lead{Name: "Ada Lovelace", Fields: map[string]any{"note": strings.Repeat("abcdefghij", 100)}}
	at := time.Now()
	for name, src := range costliest {
		b.Run(name, func(b *testing.B) {
			c, err := compileCondition(src)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c.match(l, at)
			}
		})
	}
}
