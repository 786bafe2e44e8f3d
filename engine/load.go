package engine

import "fmt"

// An agent's load – how many open leads it owns, and when it was last given one – is
// kept on the agent for routing (capacity, load balance, R5–R7) and the team board. The
// engine keeps it, not the store, in the same transaction as the change of the lead:
// every write of a lead goes through txn.InsertLead or txn.UpdateLead below, which
// compare the lead's owner and openness (Status.Open) with what they were and note the
// difference for the agents concerned, in the routing model and in the pending writes
// (pending.go), which write each agent's difference once (a bulk reassign of 10 000
// leads writes two agents, not 20 000 times). Until then the command's reads of agents
// add the differences, so that what it reads is exact. A refused command is rolled back
// with its savepoint, and its differences with it.

// leadLoad is what of a lead counts in its owner's load.
type leadLoad struct {
	owner int64
	open  bool
}

func loadOf(l *Lead) leadLoad { return leadLoad{owner: l.OwnerID, open: l.Status.Open()} }

// sawLead notes a lead as stored, so that its next write knows what it changes.
func (t *txn) sawLead(l *Lead) {
	if t.leadsSeen == nil {
		t.leadsSeen = map[int64]leadLoad{}
	}
	t.leadsSeen[l.ID] = loadOf(l)
}

// leadStored notes the change of load from before to l, as just written.
func (t *txn) leadStored(before leadLoad, l *Lead) {
	after := loadOf(l)
	if before.owner != 0 && before.open {
		t.pending.load(before.owner).open--
	}
	if after.owner != 0 && after.open {
		t.pending.load(after.owner).open++
	}
	if after.owner != 0 && after.owner != before.owner && !l.AssignedAt.IsZero() {
		t.pending.load(after.owner).last = l.AssignedAt
	}
	if m := t.e.model; m != nil {
		m.leadMoved(before, after, l.AssignedAt, &t.undo)
	}
	t.sawLead(l)
}

// InsertLead stores a new lead and notes its owner's load.
func (t *txn) InsertLead(l *Lead) error {
	if err := t.Tx.InsertLead(l); err != nil {
		return err
	}
	t.leadStored(leadLoad{}, l)
	return nil
}

// UpdateLead stores a lead and notes the change of its owners' load. A lead this
// command has not read is read first.
func (t *txn) UpdateLead(l *Lead) error { return t.updateLead(l, t.Tx.UpdateLead) }

// UpdateLeadOwner is UpdateLead for what an assignment changes (LeadWriter.UpdateLeadOwner).
func (t *txn) UpdateLeadOwner(l *Lead) error { return t.updateLead(l, t.Tx.UpdateLeadOwner) }

func (t *txn) updateLead(l *Lead, write func(*Lead) error) error {
	before, ok := t.leadsSeen[l.ID]
	if !ok {
		stored, err := t.Tx.Lead(l.ID)
		if err != nil {
			return fmt.Errorf("reading lead #%d before writing it: %w", l.ID, err)
		}
		before = loadOf(&stored)
	}
	if err := write(l); err != nil {
		return err
	}
	t.leadStored(before, l)
	return nil
}

// The reads of leads inside a command note what they read.

func (t *txn) Lead(id int64) (Lead, error) {
	l, err := t.Tx.Lead(id)
	if err == nil {
		t.sawLead(&l)
	}
	return l, err
}

func (t *txn) LeadByExternalID(source, externalID string) (Lead, error) {
	l, err := t.Tx.LeadByExternalID(source, externalID)
	if err == nil {
		t.sawLead(&l)
	}
	return l, err
}

func (t *txn) Leads(f LeadFilter) ([]Lead, error) { return t.sawLeads(t.Tx.Leads(f)) }

func (t *txn) LeadOwners(ids []int64) ([]Lead, error) { return t.sawLeads(t.Tx.LeadOwners(ids)) }

func (t *txn) sawLeads(ls []Lead, err error) ([]Lead, error) {
	for i := range ls {
		t.sawLead(&ls[i])
	}
	return ls, err
}

// The reads of agents inside a command add the changes not yet written, so that they
// read what the command will commit.

func (t *txn) withLoad(a Agent, err error) (Agent, error) {
	if err == nil {
		t.addPending(&a)
	}
	return a, err
}

// addPending adds to a, as read from the store, the writes pending for it: the
// transaction's and this command's.
func (t *txn) addPending(a *Agent) {
	if t.batch != nil {
		t.batch.addTo(a)
	}
	t.pending.addTo(a)
}

func (t *txn) Agent(id int64) (Agent, error) { return t.withLoad(t.Tx.Agent(id)) }

func (t *txn) AgentByHandle(handle string) (Agent, error) {
	return t.withLoad(t.Tx.AgentByHandle(handle))
}

func (t *txn) AgentByKey(fingerprint string) (Agent, error) {
	return t.withLoad(t.Tx.AgentByKey(fingerprint))
}

func (t *txn) Agents() ([]Agent, error) {
	agents, err := t.Tx.Agents()
	for i := range agents {
		agents[i], _ = t.withLoad(agents[i], err)
	}
	return agents, err
}
