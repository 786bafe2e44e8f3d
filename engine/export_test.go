package engine

import (
	"context"
	"fmt"
	"strings"
)

// CheckRoutingModel compares the writer's routing model, when it holds one, with one
// read from the store now: the tests hold the model to being exact after every kind of
// command.
func CheckRoutingModel(e *Engine) error {
	return e.write(context.Background(), func(t *txn) error {
		m := t.e.model
		if m == nil {
			return nil
		}
		fresh, err := t.loadModel()
		if err != nil {
			return err
		}
		if err := m.checkSame(fresh); err != nil {
			return fmt.Errorf("the routing model is not what the store holds: %w", err)
		}
		return nil
	})
}

// RoutingModel describes the writer's routing model as it is ("no model" when there is
// none): every agent's load and count today, every rule's rotation, every known
// holder's shares.
func RoutingModel(e *Engine) (string, error) {
	var out string
	err := e.write(context.Background(), func(t *txn) error {
		m := t.e.model
		if m == nil {
			out = "no model"
			return nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "day %s\n", m.day)
		for _, id := range sortedKeysOf(m.agents) {
			a := m.agents[id]
			fmt.Fprintf(&b, "agent %s: open %d, today %d, last %s\n", a.Handle, a.OpenLeads, a.AssignedToday, a.LastAssignedAt)
		}
		for _, mr := range m.rules {
			fmt.Fprintf(&b, "rule #%d: %+v\n", mr.rule.ID, rotationOf(mr.rule))
		}
		for _, id := range sortedKeysOf(m.shares) {
			h := m.shares[id]
			fmt.Fprintf(&b, "shares of #%d: %d forever, ends %v\n", id, h.forever, h.ends)
		}
		out = b.String()
		return nil
	})
	return out, err
}
