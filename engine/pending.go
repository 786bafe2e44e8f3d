package engine

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// pendingWrites are the counters and rotations that commands changed and the store has
// not been told yet: each agent's open leads and last assignment (load.go), each agent's
// automatic assignments per day (the daily cap's counter), and each rule's rotation.
// They are written once per agent, day and rule, whatever the number of leads: at the
// end of the command for most commands, and once for the whole transaction for the
// commands that create leads (a group commit of 500 leads writes one rotation, not 500).
//
// A command's writes are kept apart from the transaction's until it succeeds: a refused
// command's are dropped with its savepoint. The transaction's are written before any
// other kind of command runs (which reads the store as it is), before the model is read
// again, and before the commit.
type pendingWrites struct {
	loads map[int64]*loadChange // by agent
	days  map[agentDay]int      // automatic assignments to add
	turns map[int64]Rule        // by rule: the rotation to save (ID and rotation fields)
}

type agentDay struct {
	agent int64
	day   string
}

// loadChange is what was changed in one agent's load, not yet written.
type loadChange struct {
	open int
	last time.Time
}

func (p *pendingWrites) empty() bool {
	return len(p.loads) == 0 && len(p.days) == 0 && len(p.turns) == 0
}

func (p *pendingWrites) load(id int64) *loadChange {
	if p.loads == nil {
		p.loads = map[int64]*loadChange{}
	}
	c := p.loads[id]
	if c == nil {
		c = &loadChange{}
		p.loads[id] = c
	}
	return c
}

// assigned counts an automatic assignment to agent on day.
func (p *pendingWrites) assigned(agent int64, day string) {
	if p.days == nil {
		p.days = map[agentDay]int{}
	}
	p.days[agentDay{agent, day}]++
}

// turned notes rule r's rotation as it is now, to save.
func (p *pendingWrites) turned(r *Rule) {
	if p.turns == nil {
		p.turns = map[int64]Rule{}
	}
	p.turns[r.ID] = Rule{ID: r.ID, TurnAgentID: r.TurnAgentID, TurnGiven: r.TurnGiven, LastAgentID: r.LastAgentID}
}

// merge adds a command's pending writes to the transaction's and empties it.
func (p *pendingWrites) merge(c *pendingWrites) {
	for id, ch := range c.loads {
		into := p.load(id)
		into.open += ch.open
		if !ch.last.IsZero() {
			into.last = ch.last
		}
	}
	for k, n := range c.days {
		if p.days == nil {
			p.days = map[agentDay]int{}
		}
		p.days[k] += n
	}
	for id, r := range c.turns {
		if p.turns == nil {
			p.turns = map[int64]Rule{}
		}
		p.turns[id] = r
	}
	*c = pendingWrites{}
}

// addTo adds the load pending for an agent to it as read from the store, so that a
// read inside a command sees what will commit.
func (p *pendingWrites) addTo(a *Agent) {
	if c := p.loads[a.ID]; c != nil {
		a.OpenLeads += c.open
		if !c.last.IsZero() {
			a.LastAssignedAt = c.last
		}
	}
}

// addToRule sets the rotation pending for rule r on it.
func (p *pendingWrites) addToRule(r *Rule) {
	if w, ok := p.turns[r.ID]; ok {
		r.TurnAgentID, r.TurnGiven, r.LastAgentID = w.TurnAgentID, w.TurnGiven, w.LastAgentID
	}
}

// flush writes what is pending, in a fixed order (one plan each, readable statement
// logs), and empties it.
func (p *pendingWrites) flush(tx Tx) error {
	for _, id := range sortedKeysOf(p.loads) {
		c := p.loads[id]
		if c.open == 0 && c.last.IsZero() {
			continue
		}
		if err := tx.AddAgentLoad(id, c.open, c.last); err != nil {
			return fmt.Errorf("counting agent #%d's open leads: %w", id, err)
		}
	}
	days := make([]agentDay, 0, len(p.days))
	for k := range p.days {
		days = append(days, k)
	}
	slices.SortFunc(days, func(a, b agentDay) int {
		if a.day != b.day {
			return cmp.Compare(a.day, b.day)
		}
		return cmp.Compare(a.agent, b.agent)
	})
	for _, k := range days {
		if err := tx.AddAutoAssigned(k.agent, k.day, p.days[k]); err != nil {
			return fmt.Errorf("counting agent #%d's assignments on %s: %w", k.agent, k.day, err)
		}
	}
	for _, id := range sortedKeysOf(p.turns) {
		r := p.turns[id]
		if err := tx.SaveRuleState(&r); err != nil {
			return fmt.Errorf("saving rotation of rule #%d: %w", id, err)
		}
	}
	*p = pendingWrites{}
	return nil
}

func sortedKeysOf[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
