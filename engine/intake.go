package engine

import "errors"

// Intake in batches. Most leads come one to a request – POST /v1/leads, the CLI – and
// many sources posting at once give the writer many single-lead commands per
// transaction. Run one by one, each would pay alone for what a batch pays once: a
// savepoint, the lookup of its external id, the lookup of the lead it may return to
// (R20), and the statements that write its rows. So the writer runs a run of CreateLead
// commands that stand next to each other in its batch as ONE command (runCreations),
// over the path CreateLeads takes for one caller's batch: one read of the external ids,
// one read of the leads they may return to, every lead's rows written together. The
// rule is that nothing a caller can see changes:
//
//   - each caller gets its own answer, the one its CreateLead alone would have had: the
//     leads are created one after the other in the order the writer took them, so
//     routing gives the owners it gives leads in a row, and a lead posted twice at once
//     is created once and found a duplicate the second time (R11);
//   - notifications are not grouped: each owner is told of each lead as when the leads
//     come one by one (only CreateLeads, one caller's batch, groups them);
//   - a failure stays the caller's: when the merged command fails as a whole (a store
//     error while writing one lead, a panic), it is undone and each creation runs again
//     in its own savepoint, so one bad lead never fails another caller. The merged
//     command that opens a transaction – the usual case – has no savepoint (bareStep):
//     its failure rolls the transaction back, and the batch runs again in a new one,
//     every command in its own savepoint;
//   - every answer still waits for the commit that holds its lead;
//   - a token that AuthenticateIntake left to the write is checked in the merged
//     command, once per token, and a creation whose token was revoked is refused alone.
//
// Forms and e-mail are not merged: each reads and checks more than a lead inside its
// command, and comes far less often.

// leadCreation is one CreateLead waiting for the writer: its input, and its answer once
// the writer has run it.
type leadCreation struct {
	actor Actor
	in    NewLead
	out   Created
}

// creationRun is how many ops at the start of ops are single lead creations.
func creationRun(ops []*op) int {
	n := 0
	for n < len(ops) && ops[n].create != nil {
		n++
	}
	return n
}

// errRunAlone says that merged creations run first in their transaction, without a
// savepoint, failed: the transaction is rolled back and its batch runs again, each
// command in its own savepoint.
var errRunAlone = errors.New("engine: the batch runs again, one command at a time")

// runCreations runs single lead creations as one command and gives each op its answer
// and its events. The command has its own savepoint, and when it fails each op runs
// again alone; but when it is the transaction's first, it has none (bareStep), and its
// failure is errRunAlone. Any other error it returns is the transaction's, which can no
// longer commit.
func (e *Engine) runCreations(tx WriteTx, ops []*op, pending *pendingWrites, first bool) error {
	var live []*op
	for _, o := range ops {
		if err := o.ctx.Err(); err != nil {
			o.err = err
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return nil
	}
	now := e.now()
	if err := e.ready(tx, now, true, pending); err != nil {
		return err
	}
	in := make([]NewLead, len(live))
	for i, o := range live {
		in[i] = o.create.in
	}
	out := make([]Created, len(live))
	ends := make([]int, len(live)) // where each lead's events end in t.events
	merged := func(t *txn) error {
		for i, o := range live { // a creation whose token was revoked is refused alone
			if err := t.checkToken(o.create.actor); errors.Is(err, ErrTokenRevoked) {
				out[i].Err = err
			} else if err != nil {
				return err
			}
		}
		if err := t.readBatch(in, out); err != nil {
			return err
		}
		for i, o := range live {
			ends[i] = len(t.events)
			if out[i].Err != nil {
				continue
			}
			c, err := t.createLead(o.create.actor, &in[i])
			if err != nil {
				return err
			}
			out[i], ends[i] = c, len(t.events)
		}
		return nil
	}
	if first {
		t, err, _ := e.bareStep(tx, now, pending, merged, false)
		if err != nil {
			return errRunAlone
		}
		answer(live, out, ends, t)
		return nil
	}
	t, err, fatal := e.step(tx, now, pending, merged, false)
	if fatal != nil {
		return fatal
	}
	if err != nil {
		for _, o := range live {
			if fatal := e.runOp(tx, o, pending, false); fatal != nil {
				return fatal
			}
		}
		return nil
	}
	answer(live, out, ends, t)
	return nil
}

// answer gives each op its answer from the merged command t ran, and its events, which
// end at ends in t.events.
func answer(ops []*op, out []Created, ends []int, t *txn) {
	from := 0
	for i, o := range ops {
		if o.err = out[i].Err; o.err == nil {
			o.create.out = out[i]
			o.events, o.wake = t.events[from:ends[i]:ends[i]], t.wake
		}
		from = ends[i]
	}
}

// readBatch reads at once what a batch of new leads repeat (R11) and may return to
// (R20): createLead then looks there rather than in the store, one lead at a time.
func (t *txn) readBatch(in []NewLead, out []Created) error {
	if err := t.readExternal(in, out); err != nil {
		return err
	}
	return t.readReturning(in, out)
}
