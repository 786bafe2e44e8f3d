package engine

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// A rule condition runs in the writer for every lead routed, so its cost is bounded
// when the rule is saved: a condition that passes these checks is evaluated in well
// under a millisecond (BenchmarkCostliestCondition), and one that does not is refused
// with the position of the part at fault.
//
// What makes an expression slow is iteration: a predicate (all, any, filter, count…)
// runs its test once per item of a collection. So a predicate may only run over a
// collection whose size is known from the text (tags, keys(fields), a range or list
// written out, split() of one field), at most maxRangeItems items; no predicate may run
// inside another; and the estimated steps – each part of the expression counted once,
// a predicate's test once per item – are bounded. Functions whose result can be far
// larger than their input (repeat, replace, join, map, reduce…) and variables (let,
// which would let a text double at every step) are not available; matches takes its
// pattern written out, so that it is compiled once, when the rule is saved.
const (
	maxConditionNodes = 300    // parts of an expression: names, numbers, operators, calls
	maxRangeItems     = 1000   // items in a range such as 1..1000
	maxConditionSteps = 20_000 // estimated steps of one evaluation
	// conditionMemory is expr's memory budget for one evaluation (items of the ranges
	// and lists it builds). A condition that passed the checks above uses far less; it
	// stops one saved before they existed.
	conditionMemory = 20_000
)

// conditionBuiltins are the functions a condition may call. Each one's cost grows at
// most with the size of its input.
var conditionBuiltins = map[string]bool{
	// predicates
	"all": true, "none": true, "any": true, "one": true, "filter": true, "count": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "sum": true,
	// text
	"len": true, "trim": true, "trimPrefix": true, "trimSuffix": true, "upper": true,
	"lower": true, "split": true, "splitAfter": true, "indexOf": true, "lastIndexOf": true,
	"hasPrefix": true, "hasSuffix": true, "string": true, "type": true,
	// numbers
	"abs": true, "ceil": true, "floor": true, "round": true, "int": true, "float": true,
	"max": true, "min": true, "mean": true, "median": true,
	"bitand": true, "bitor": true, "bitxor": true, "bitnand": true, "bitnot": true,
	"bitshl": true, "bitshr": true, "bitushr": true,
	// lists and maps
	"first": true, "last": true, "get": true, "keys": true, "values": true, "take": true,
	"reverse": true, "uniq": true, "sort": true,
	// time
	"now": true, "duration": true, "date": true, "timezone": true,
}

// conditionPredicates are the builtins that run a test per item.
var conditionPredicates = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "count": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "sum": true,
}

// checkConditionCost walks the parsed condition and refuses what could take long to
// evaluate. The error is a *file.Error located at the part at fault.
func checkConditionCost(root ast.Node) error {
	c := costWalk{}
	steps := c.steps(root, nil)
	if c.err != nil {
		return c.err
	}
	if steps > maxConditionSteps {
		// The whole condition is at fault: point at its start.
		return &file.Error{Message: fmt.Sprintf(
			"the condition takes about %d steps to evaluate; the limit is %d: test fewer items or fewer things per item", steps, maxConditionSteps)}
	}
	return nil
}

type costWalk struct {
	nodes int
	err   error
}

func (c *costWalk) fail(n ast.Node, format string, args ...any) int {
	if c.err == nil {
		c.err = &file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)}
	}
	return 0
}

// steps estimates how many steps evaluating n takes; inside is the predicate n is in,
// if any.
func (c *costWalk) steps(n ast.Node, inside *ast.BuiltinNode) int {
	if c.err != nil || n == nil {
		return 0
	}
	c.nodes++
	if c.nodes > maxConditionNodes {
		return c.fail(n, "the condition has more than %d parts: split it into several rules", maxConditionNodes)
	}
	switch n := n.(type) {
	case *ast.NilNode, *ast.IdentifierNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode,
		*ast.StringNode, *ast.BytesNode, *ast.ConstantNode, *ast.PointerNode:
		return 1
	case *ast.UnaryNode:
		return 1 + c.steps(n.Node, inside)
	case *ast.BinaryNode:
		switch n.Operator {
		case "..":
			size, ok := rangeSize(n)
			if !ok {
				return c.fail(n, "a range needs whole numbers written out at both ends, like 1..10")
			}
			if size > maxRangeItems {
				return c.fail(n, "this range has %d items; a range may have at most %d", size, maxRangeItems)
			}
			return 1 + size
		case "matches":
			if _, ok := n.Right.(*ast.StringNode); !ok {
				return c.fail(n.Right, "matches needs its pattern written out in quotes, like name matches \"(?i)^acme\"")
			}
		}
		return 1 + c.steps(n.Left, inside) + c.steps(n.Right, inside)
	case *ast.ChainNode:
		return c.steps(n.Node, inside)
	case *ast.MemberNode:
		return 1 + c.steps(n.Node, inside) + c.steps(n.Property, inside)
	case *ast.SliceNode:
		return 1 + c.steps(n.Node, inside) + c.steps(n.From, inside) + c.steps(n.To, inside)
	case *ast.CallNode:
		s := 1 + c.steps(n.Callee, inside)
		for _, a := range n.Arguments {
			s += c.steps(a, inside)
		}
		return s
	case *ast.BuiltinNode:
		return c.builtin(n, inside)
	case *ast.PredicateNode:
		return 1 + c.steps(n.Node, inside)
	case *ast.VariableDeclaratorNode:
		return c.fail(n, "let is not available in conditions: write the expression where it is used")
	case *ast.SequenceNode:
		s := 0
		for _, x := range n.Nodes {
			s += c.steps(x, inside)
		}
		return s
	case *ast.ConditionalNode:
		return 1 + c.steps(n.Cond, inside) + c.steps(n.Exp1, inside) + c.steps(n.Exp2, inside)
	case *ast.ArrayNode:
		s := 1
		for _, x := range n.Nodes {
			s += c.steps(x, inside)
		}
		return s
	case *ast.MapNode:
		s := 1
		for _, x := range n.Pairs {
			s += c.steps(x, inside)
		}
		return s
	case *ast.PairNode:
		return c.steps(n.Key, inside) + c.steps(n.Value, inside)
	}
	return c.fail(n, "%s is not available in conditions", n)
}

func (c *costWalk) builtin(n *ast.BuiltinNode, inside *ast.BuiltinNode) int {
	if !conditionBuiltins[n.Name] {
		return c.fail(n, "%s() is not available in conditions", n.Name)
	}
	var test *ast.PredicateNode
	s := 1
	for _, a := range n.Arguments {
		if p, ok := a.(*ast.PredicateNode); ok {
			test = p
			continue
		}
		s += c.steps(a, inside)
	}
	if test == nil {
		return s
	}
	if inside != nil {
		return c.fail(n, "%s() inside %s(): a test may not run another test over a list; write them one after the other", n.Name, inside.Name)
	}
	items, ok := collectionSize(n.Arguments[0])
	if !ok {
		return c.fail(n.Arguments[0], "%s() must run over tags, keys(fields), a range like 1..10, a list written out or split() of one field, so that its cost is known", n.Name)
	}
	c.nodes++ // the predicate node itself
	per := c.steps(test.Node, n)
	if items*per > maxConditionSteps {
		return c.fail(n, "%s() runs its test up to %d times, about %d steps; the limit is %d: test fewer items or fewer things per item", n.Name, items, items*per, maxConditionSteps)
	}
	return s + items*per
}

// rangeSize is the number of items of a range written with whole numbers.
func rangeSize(n *ast.BinaryNode) (int, bool) {
	from, ok1 := intLiteral(n.Left)
	to, ok2 := intLiteral(n.Right)
	if !ok1 || !ok2 {
		return 0, false
	}
	return max(0, to-from+1), true
}

func intLiteral(n ast.Node) (int, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return n.Value, true
	case *ast.UnaryNode:
		if v, ok := intLiteral(n.Node); ok && n.Operator == "-" {
			return -v, true
		}
	}
	return 0, false
}

// collectionSize bounds the number of items of a collection a predicate runs over, when
// the text of the condition tells it.
func collectionSize(n ast.Node) (int, bool) {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		if n.Value == "tags" {
			return MaxTags, true
		}
	case *ast.BinaryNode:
		if n.Operator == ".." {
			return rangeSize(n)
		}
	case *ast.ArrayNode:
		return len(n.Nodes), true
	case *ast.BuiltinNode:
		if len(n.Arguments) == 0 {
			return 0, false
		}
		switch n.Name {
		case "keys", "values":
			if id, ok := n.Arguments[0].(*ast.IdentifierNode); ok && id.Value == "fields" {
				return MaxFields, true
			}
		case "split", "splitAfter":
			// One of the lead's texts: at most as many pieces as it has characters.
			if leadText(n.Arguments[0]) {
				return MaxFieldValueLen, true
			}
		case "filter", "take", "reverse", "uniq", "sort":
			return collectionSize(n.Arguments[0])
		}
	}
	return 0, false
}

// leadText reports whether n names one text of the lead: name, email, fields.city…
func leadText(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		return strings.Contains(" source name email phone company status weekday ", " "+n.Value+" ")
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		return ok && id.Value == "fields"
	case *ast.ChainNode:
		return leadText(n.Node)
	}
	return false
}
