package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/switchboard/switchboard/engine/textguard"
)

// conditionEnv is what a rule condition can see (R1). The expr tags are the names
// people write.
type conditionEnv struct {
	Source  string         `expr:"source"`
	Name    string         `expr:"name"`
	Email   string         `expr:"email"`
	Phone   string         `expr:"phone"`
	Company string         `expr:"company"`
	Tags    []string       `expr:"tags"`
	Fields  map[string]any `expr:"fields"`
	Status  string         `expr:"status"`
	Hour    int            `expr:"hour"`    // 0–23, arrival, in the server's time zone
	Weekday string         `expr:"weekday"` // "monday" … "sunday"
}

// ConditionNames lists the names a condition can use, for help texts.
var ConditionNames = []string{"source", "name", "email", "phone", "company", "tags", "fields", "status", "hour", "weekday"}

// condition is a compiled, type-checked rule condition.
type condition struct {
	src  string
	prog *vm.Program // nil: matches every lead
	// never is set for a stored condition that fails today's cost checks (it was saved
	// before they existed): it matches no lead, rather than hold the writer.
	never bool
}

// CheckCondition compiles a condition as a rule save would and returns the error a
// person should see, with its position; nil means the condition is valid.
func CheckCondition(src string) error {
	_, err := compileCondition(src)
	return err
}

// checkConditionText is the check every text gets: no control characters but tabs
// and line breaks (a condition may span lines), a bounded length.
func checkConditionText(src string) error {
	return checkTextAllowing("condition", src, MaxConditionLen, textguard.Lines)
}

// compileCondition is what saving a rule checks: the text, the syntax and types, and
// the cost.
func compileCondition(src string) (*condition, error) {
	src = strings.TrimSpace(src)
	if err := checkConditionText(src); err != nil {
		return nil, err
	}
	c, costErr, err := buildCondition(src)
	if err != nil {
		return nil, err
	}
	if costErr != nil {
		return nil, costErr
	}
	return c, nil
}

// buildCondition compiles src. A condition that compiles but fails the cost checks
// comes back as one that never matches, with the refusal in costErr; err is set when
// it does not compile.
func buildCondition(src string) (c *condition, costErr, err error) {
	if src == "" {
		return &condition{}, nil, nil
	}
	prog, err := expr.Compile(src, expr.Env(conditionEnv{}), expr.AsBool(), expr.MaxNodes(2*maxConditionNodes))
	if err != nil {
		return nil, nil, conditionError(locate(src, err))
	}
	tree, err := parser.Parse(src)
	if err != nil { // it compiled, so it parses; this is not expected
		return nil, nil, conditionError(err)
	}
	if cerr := checkConditionCost(tree.Node); cerr != nil {
		var fe *file.Error
		if errors.As(cerr, &fe) {
			cerr = fe.Bind(file.NewSource(src))
		}
		return &condition{src: src, never: true}, conditionError(cerr), nil
	}
	return &condition{src: src, prog: prog}, nil, nil
}

// locate gives a position to the one compile error expr reports without one: a
// condition that is not true/false ("expected bool, but got int"). The whole expression
// is at fault, so it points where the parser puts the expression's top node.
func locate(src string, err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		return err
	}
	tree, perr := parser.Parse(src)
	if perr != nil {
		return err
	}
	located := &file.Error{Location: tree.Node.Location(), Message: err.Error()}
	return located.Bind(file.NewSource(src))
}

// conditionError turns expr's error into one that names the position in words.
func conditionError(err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return invalidf("condition", "invalid condition: %v", err)
	}
	msg := fe.Message
	// expr says "expected bool, but got int"; say what that means for a rule.
	if strings.HasPrefix(msg, "expected bool") {
		msg = "the condition must be true or false, " + strings.TrimPrefix(msg, "expected bool, ")
	}
	e := invalidf("condition", "invalid condition at line %d, column %d: %s%s", fe.Line, fe.Column+1, msg, fe.Snippet)
	e.Line, e.Column = fe.Line, fe.Column+1
	return e
}

// vms are reused across evaluations: a VM keeps its stack and scopes between runs.
var vms = sync.Pool{New: func() any { return &vm.VM{MemoryBudget: conditionMemory} }}

// match evaluates the condition for a lead arriving at t, under expr's memory budget. A
// condition that fails at run time (a missing field compared with a number, say, or
// one over its budget) does not match.
func (c *condition) match(l *Lead, t time.Time) bool {
	if c.never {
		return false
	}
	if c.prog == nil {
		return true
	}
	env := conditionEnv{
		Source: l.Source, Name: l.Name, Email: l.Email, Phone: l.Phone, Company: l.Company,
		Tags: l.Tags, Fields: l.Fields, Status: string(l.Status),
		Hour: t.Hour(), Weekday: strings.ToLower(t.Weekday().String()),
	}
	if env.Tags == nil {
		env.Tags = []string{}
	}
	if env.Fields == nil {
		env.Fields = map[string]any{}
	}
	m := vms.Get().(*vm.VM)
	out, err := m.Run(c.prog, env)
	vms.Put(m)
	if err != nil {
		return false
	}
	b, _ := out.(bool)
	return b
}

// conditionCache keeps compiled conditions by source text: compiling is deterministic,
// so the cache can never be stale, whichever process changed the rules.
type conditionCache struct {
	mu sync.Mutex
	m  map[string]*condition
}

// get compiles a stored condition. Only its syntax and types are held against it: a
// condition saved before today's text and cost checks still routes, and one over the
// cost limits matches nothing (and is logged once), so that no rule can hold the writer.
func (cc *conditionCache) get(src string, log *slog.Logger) (*condition, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if c, ok := cc.m[src]; ok {
		return c, nil
	}
	c, costErr, err := buildCondition(strings.TrimSpace(src))
	if err != nil {
		return nil, fmt.Errorf("rule condition %q no longer compiles: %w", src, err)
	}
	if costErr != nil {
		log.Warn("engine: a rule condition is too costly to evaluate and matches no lead until it is changed", "condition", src, "err", costErr)
	}
	if cc.m == nil || len(cc.m) > 1000 {
		cc.m = map[string]*condition{}
	}
	cc.m[src] = c
	return c, nil
}
