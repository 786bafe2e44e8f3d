package engine

import (
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// ConditionSources are the sources a rule condition names: the texts it compares
// source with (source == "web", "web" != source, source in ["facebook", "tiktok"]),
// sorted, each once. Metrics label leads by these, and every other source as one, so
// that a stranger's made-up source cannot add a series. A condition that does not
// parse names none.
func ConditionSources(src string) []string {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	v := &sourceVisitor{}
	ast.Walk(&tree.Node, v)
	slices.Sort(v.found)
	return slices.Compact(v.found)
}

type sourceVisitor struct{ found []string }

func (v *sourceVisitor) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BinaryNode)
	if !ok {
		return
	}
	isSource := func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		return ok && id.Value == "source"
	}
	text := func(n ast.Node) (string, bool) {
		s, ok := n.(*ast.StringNode)
		if !ok {
			return "", false
		}
		return s.Value, true
	}
	switch b.Operator {
	case "==", "!=":
		if s, ok := text(b.Right); ok && isSource(b.Left) {
			v.found = append(v.found, s)
		}
		if s, ok := text(b.Left); ok && isSource(b.Right) {
			v.found = append(v.found, s)
		}
	case "in", "not in":
		arr, ok := b.Right.(*ast.ArrayNode)
		if !ok || !isSource(b.Left) {
			return
		}
		for _, n := range arr.Nodes {
			if s, ok := text(n); ok {
				v.found = append(v.found, s)
			}
		}
	}
}
