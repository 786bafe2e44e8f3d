package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
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
}

// CheckCondition compiles a condition as a rule save would and returns the error a
// person should see, with its position; nil means the condition is valid.
func CheckCondition(src string) error {
	_, err := compileCondition(src)
	return err
}

func compileCondition(src string) (*condition, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return &condition{}, nil
	}
	if len(src) > maxConditionLen {
		return nil, invalidf("condition", "condition is longer than %d characters", maxConditionLen)
	}
	prog, err := expr.Compile(src, expr.Env(conditionEnv{}), expr.AsBool(), expr.MaxNodes(500))
	if err != nil {
		return nil, conditionError(locate(src, err))
	}
	return &condition{src: src, prog: prog}, nil
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

// match evaluates the condition for a lead arriving at t. A condition that fails at run
// time (a missing field compared with a number, say) does not match.
func (c *condition) match(l *Lead, t time.Time) bool {
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
	out, err := expr.Run(c.prog, env)
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

func (cc *conditionCache) get(src string) (*condition, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if c, ok := cc.m[src]; ok {
		return c, nil
	}
	c, err := compileCondition(src)
	if err != nil {
		return nil, fmt.Errorf("rule condition %q no longer compiles: %w", src, err)
	}
	if cc.m == nil || len(cc.m) > 1000 {
		cc.m = map[string]*condition{}
	}
	cc.m[src] = c
	return c, nil
}
