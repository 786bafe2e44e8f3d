package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
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

// HoldWriter makes the writer wait inside a command until release is called. Commands
// sent meanwhile wait for it; it then takes all of them in one batch, in the order they
// came (WaitQueued waits for them).
func HoldWriter(e *Engine) (release func()) {
	held, free := make(chan struct{}), make(chan struct{})
	go e.write(context.Background(), func(*txn) error {
		close(held)
		<-free
		return nil
	})
	<-held
	return sync.OnceFunc(func() { close(free) })
}

// WaitQueued waits until n callers wait for the held writer to take their command: their
// goroutines are parked in submit, sending it. It looks at the goroutines' stacks, the
// one place that shows a goroutine parked on a channel.
func WaitQueued(e *Engine, n int) {
	// submit may be inlined, and an inlined frame shows no arguments: the engine is
	// told by its callers' frames, which take it first.
	mine := fmt.Sprintf("(%p, ", e)
	for {
		buf := make([]byte, 1<<20)
		for {
			k := runtime.Stack(buf, true)
			if k < len(buf) {
				buf = buf[:k]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		queued := 0
		for _, g := range strings.Split(string(buf), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") && strings.Contains(g, "engine.(*Engine).submit(") && strings.Contains(g, mine) {
				queued++
			}
		}
		if queued >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
