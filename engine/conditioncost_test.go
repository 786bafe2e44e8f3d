package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// nestedCondition took 10 s per lead before conditions were checked for cost: three
// predicates nested, 600³ tests.
const nestedCondition = `all(1..600, {all(1..600, {all(1..600, {len(name) + # >= 0})})})`

// TestConditionCostRefused: a condition that could take long to evaluate is refused
// when the rule is saved, with the position of the part at fault.
func TestConditionCostRefused(t *testing.T) {
	for _, tc := range []struct {
		name, cond string
		line, col  int
		want       string
	}{
		{"three nested predicates", nestedCondition, 1, 14, "all() inside all()"},
		{"a range over 1000 items", `any(1..5000, {# == len(name)})`, 1, 6, "this range has 5000 items; a range may have at most 1000"},
		{"a range with a computed end", `any(1..len(name), {# == 3})`, 1, 6, "a range needs whole numbers written out at both ends"},
		{"a predicate over a computed list", `any(split(name + name, ""), {# == "a"})`, 1, 5, "must run over tags, keys(fields), a range"},
		{"too many steps in one predicate", `count(1..1000, {` + strings.Repeat(`# > 1 && `, 10) + `true}) > 0`, 1, 1, "runs its test up to 1000 times"},
		{"too many steps in all", strings.Repeat(`count(1..1000, {# > 1 && # < 9}) > 0 && `, 5) + `true`, 1, 1, "steps to evaluate; the limit is 20000"},
		{"repeat", `len(repeat(name, 1000000)) > 0`, 1, 5, "repeat() is not available"},
		{"replace", `replace(name, "", name) != ""`, 1, 1, "replace() is not available"},
		{"variables", `let s = name + name; s != ""`, 1, 5, "let is not available"},
		{"a pattern made at run time", `name matches fields.pattern`, 1, 21, "matches needs its pattern written out"},
		{"too many parts", strings.Repeat(`name == "a" || `, 80) + `true`, 1, 0, "more than 300 parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := engine.CheckCondition(tc.cond)
			mustKind(t, err, engine.KindInvalid)
			var e *engine.Error
			errors.As(err, &e)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if e.Field != "condition" || e.Line != tc.line || (tc.col != 0 && e.Column != tc.col) {
				t.Fatalf("error at field %q line %d column %d, want condition %d:%d (%v)", e.Field, e.Line, e.Column, tc.line, tc.col, err)
			}
		})
	}
}

// TestConditionCostAccepted: the conditions rules are written with pass the checks.
func TestConditionCostAccepted(t *testing.T) {
	for _, cond := range []string{
		`source == "facebook" && fields.budget > 5000`,
		`any(tags, {# startsWith "vip"})`,
		`"vip" in tags || company matches "(?i)^acme"`,
		`any(split(fields.products, ","), {trim(#) == "solar"})`,
		`count(keys(fields), {# startsWith "utm_"}) >= 2`,
		`all(filter(tags, {# != "new"}), {len(#) < 10})`,
		`any(1..1000, {# == len(name)})`,
		`any(["fr", "be", "ch"], {# == lower(fields.country)})`,
		`hour >= 9 && hour < 17 && weekday not in ["saturday", "sunday"]`,
		`1..3 | sum() > 2`,
	} {
		if err := engine.CheckCondition(cond); err != nil {
			t.Errorf("%s: %v", cond, err)
		}
	}
}

// TestStoredCostlyConditionMatchesNothing: a rule saved before the cost checks, with
// three nested predicates, is forced into the store. Routing does not evaluate it: the
// lead goes to the next rule, and the writer is not held.
func TestStoredCostlyConditionMatchesNothing(t *testing.T) {
	eachStore(t, testStoredCostlyConditionMatchesNothing)
}

func testStoredCostlyConditionMatchesNothing(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	bob := f.agent("bob")
	f.agent("carol")
	tx, err := f.store.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := engine.Rule{Name: "old", Position: 1, Enabled: true, Condition: nestedCondition, Mode: engine.RoundRobin,
		Recipients: []engine.Recipient{{AgentID: bob.ID, Agent: "bob", PerRound: 1}}, CreatedAt: start, UpdatedAt: start}
	if err := tx.InsertRule(&old); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	f.rule(rr("rest", "", to("carol", 1)))
	for range 3 {
		c := f.lead(engine.NewLead{Name: "Ada"})
		if c.Lead.Owner != "carol" || c.Routing.Rule == old.ID {
			t.Fatalf("routed by %d to %q, want the second rule and carol", c.Routing.Rule, c.Lead.Owner)
		}
	}
}
