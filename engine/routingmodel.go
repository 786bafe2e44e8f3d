package engine

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"
)

// routingModel is everything routing reads, held in memory by the writer: the team with
// each agent's load and automatic assignments today, the rules in order with their
// compiled conditions and rotation state, and each agent's active shares. Routing a
// lead then reads nothing from the store.
//
// The writer keeps one model from one transaction to the next, for as long as it is
// exact:
//   - every change the engine makes to what it holds goes through it in the same
//     command: a lead written changes its owners' load (load.go), a routing decision
//     moves rotations and counts today's assignment (apply), a share made or changed
//     changes its holder's shares; each such change is undone with the command when the
//     command is refused (undoLog);
//   - a command that changes the team, the rules or the settings drops it (txn wrappers
//     in routed.go), and the next command that routes loads it again;
//   - it is dropped when another process or node has committed since this engine's last
//     transaction (WriteTx.Unchanged), when a commit fails, and when the calendar day of
//     its daily counts is over.
type routingModel struct {
	loc      *time.Location
	day      string           // the calendar day AssignedToday counts
	agents   map[int64]*Agent // the team, by id
	agentsAZ []*Agent         // agents with the agent role, by handle
	rules    []modelRule      // in position order
	teams    teamIndex        // the teams rules may name, with their members (R19)
	shares   map[int64]*held  // active shares by holder, for the agents routing shares with
	// The settings read for every lead.
	webhook string        // the team's global webhook ("" when unset)
	sticky  time.Duration // sticky_window (0: off), R20
}

type modelRule struct {
	rule    *Rule
	cond    *condition
	condErr error // the stored condition no longer compiles: routing by it fails
}

// held is one agent's active shares: how many have no end, and the ends of the others
// in ascending order, so that how many are active at any time is a search.
type held struct {
	forever int
	ends    []time.Time
}

func (h *held) activeAt(now time.Time) int {
	i := sort.Search(len(h.ends), func(i int) bool { return h.ends[i].After(now) })
	return h.forever + len(h.ends) - i
}

// newRoutingModel builds a model over agents, rules and teams (copied), for routing on
// day in loc. conds compiles the rules' conditions. The shares of broadcast recipients are
// unknown until setShares.
func newRoutingModel(agents []Agent, rules []Rule, teams []Team, day string, loc *time.Location, conds func(string) (*condition, error)) *routingModel {
	m := &routingModel{loc: loc, day: day, agents: make(map[int64]*Agent, len(agents)), shares: map[int64]*held{},
		teams: teamIndexOf(teams)}
	for i := range agents {
		a := agents[i]
		m.agents[a.ID] = &a
		if a.Role == RoleAgent {
			m.agentsAZ = append(m.agentsAZ, &a)
		}
	}
	sort.Slice(m.agentsAZ, func(i, j int) bool { return m.agentsAZ[i].Handle < m.agentsAZ[j].Handle })
	for i := range rules {
		r := rules[i]
		r.Recipients = slices.Clone(r.Recipients)
		mr := modelRule{rule: &r}
		mr.cond, mr.condErr = conds(r.Condition)
		m.rules = append(m.rules, mr)
	}
	return m
}

// shareHolders are the agents broadcast rules may share with: the ones whose active
// shares routing counts (R9's limit).
func (m *routingModel) shareHolders() []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, mr := range m.rules {
		if !mr.rule.Enabled || mr.rule.Mode != Broadcast {
			continue
		}
		for _, rc := range m.recipients(mr.rule) {
			if id := rc.agent.ID; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// setShares tells the model an agent's active shares (any order).
func (m *routingModel) setShares(agentID int64, shares []Share) {
	h := &held{}
	for _, s := range shares {
		if s.ExpiresAt.IsZero() {
			h.forever++
		} else {
			h.ends = append(h.ends, s.ExpiresAt)
		}
	}
	slices.SortFunc(h.ends, func(a, b time.Time) int { return a.Compare(b) })
	m.shares[agentID] = h
}

// activeShares is how many shares agent holds at now; an agent whose shares the model
// does not know holds none as far as routing can tell (a simulation without shares).
func (m *routingModel) activeShares(agentID int64, now time.Time) int {
	if h := m.shares[agentID]; h != nil {
		return h.activeAt(now)
	}
	return 0
}

// undoLog undoes, in reverse order, what a command changed in the model, when the
// command is refused. A nil log undoes nothing (a simulation keeps what it did).
type undoLog struct{ steps []func() }

func (u *undoLog) add(f func()) {
	if u != nil {
		u.steps = append(u.steps, f)
	}
}

func (u *undoLog) undo() {
	for i := len(u.steps) - 1; i >= 0; i-- {
		u.steps[i]()
	}
	u.steps = nil
}

// apply makes decision d so in the model: the rotations move, and the owner has one
// more automatic assignment today. The owner's open leads change with the lead's write
// (leadMoved), and a share's holder's shares with the share's (shareMade).
func (m *routingModel) apply(d *decision, u *undoLog) {
	m.applyTurns(d, u)
	if a := d.owner; a != nil {
		was := a.AssignedToday
		a.AssignedToday++
		u.add(func() { a.AssignedToday = was })
	}
}

// applyTurns moves the rotations of decision d.
func (m *routingModel) applyTurns(d *decision, u *undoLog) {
	for _, t := range d.turns {
		r, was := t.rule, rotationOf(t.rule)
		t.to.setOn(r)
		u.add(func() { was.setOn(r) })
	}
}

// shareMade counts a new active share of agentID ending at end (zero: never).
func (m *routingModel) shareMade(agentID int64, end time.Time, u *undoLog) {
	was := m.shares[agentID]
	if was == nil {
		return // not one routing counts
	}
	h := &held{forever: was.forever, ends: was.ends}
	if end.IsZero() {
		h.forever++
	} else {
		i := sort.Search(len(was.ends), func(i int) bool { return was.ends[i].After(end) })
		h.ends = slices.Insert(slices.Clone(was.ends), i, end)
	}
	m.shares[agentID] = h
	u.add(func() { m.shares[agentID] = was })
}

// sharesChanged forgets agentID's shares, when one of them changed: they are read again
// before the next routing that counts them.
func (m *routingModel) sharesChanged(agentID int64, u *undoLog) {
	was, ok := m.shares[agentID]
	if !ok {
		return
	}
	delete(m.shares, agentID)
	u.add(func() { m.shares[agentID] = was })
}

// leadMoved changes the load of the agents a lead's write concerns: before and after
// are what of the lead counts (owner, openness), assigned when it got its owner.
func (m *routingModel) leadMoved(before, after leadLoad, assigned time.Time, u *undoLog) {
	change := func(id int64, open int, last time.Time) {
		a := m.agents[id]
		if a == nil {
			return
		}
		wasOpen, wasLast := a.OpenLeads, a.LastAssignedAt
		a.OpenLeads += open
		if !last.IsZero() {
			a.LastAssignedAt = last
		}
		u.add(func() { a.OpenLeads, a.LastAssignedAt = wasOpen, wasLast })
	}
	if before.owner != 0 && before.open {
		change(before.owner, -1, time.Time{})
	}
	if after.owner != 0 && after.open {
		change(after.owner, 1, time.Time{})
	}
	if after.owner != 0 && after.owner != before.owner && !assigned.IsZero() {
		change(after.owner, 0, assigned)
	}
}

// routeInMemory routes a lead over the model and applies the decision to it, the lead's
// load included, as the writer does in a transaction: what a simulation of routing over
// a team in memory calls for each lead in turn. It does not change l.
func (m *routingModel) routeInMemory(in *routeInput) (*decision, error) {
	d, err := m.decide(in)
	if err != nil {
		return nil, err
	}
	m.apply(d, nil)
	before := loadOf(in.lead)
	if d.owner != nil && d.owner.ID != in.lead.OwnerID {
		after := before
		after.owner = d.owner.ID
		m.leadMoved(before, after, in.now, nil)
	}
	for _, s := range d.shares {
		var end time.Time
		if s.rule.ShareDuration > 0 {
			end = in.now.Add(s.rule.ShareDuration)
		}
		m.shareMade(s.agent.ID, end, nil)
	}
	return d, nil
}

// checkSame reports how m differs from fresh, a model just read from the store: what
// the tests of the writer's model hold it to.
func (m *routingModel) checkSame(fresh *routingModel) error {
	if m.day != fresh.day {
		return fmt.Errorf("day %s, store %s", m.day, fresh.day)
	}
	if len(m.agents) != len(fresh.agents) || len(m.agentsAZ) != len(fresh.agentsAZ) {
		return fmt.Errorf("%d agents (%d by name), store %d (%d)", len(m.agents), len(m.agentsAZ), len(fresh.agents), len(fresh.agentsAZ))
	}
	for id, a := range m.agents {
		f := fresh.agents[id]
		if f == nil {
			return fmt.Errorf("agent #%d is not in the store's team", id)
		}
		if a.OpenLeads != f.OpenLeads || a.AssignedToday != f.AssignedToday || !a.LastAssignedAt.Equal(f.LastAssignedAt) ||
			a.Presence != f.Presence || a.Capacity != f.Capacity || a.DailyCap != f.DailyCap || a.Role != f.Role ||
			a.Schedule != f.Schedule || a.TZ != f.TZ {
			return fmt.Errorf("agent %s: %+v, store %+v", a.Handle, *a, *f)
		}
	}
	if !reflect.DeepEqual(m.teams, fresh.teams) {
		return fmt.Errorf("teams %v, store %v", m.teams, fresh.teams)
	}
	if len(m.rules) != len(fresh.rules) {
		return fmt.Errorf("%d rules, store %d", len(m.rules), len(fresh.rules))
	}
	for i := range m.rules {
		r, f := m.rules[i].rule, fresh.rules[i].rule
		if r.ID != f.ID || rotationOf(r) != rotationOf(f) || r.Enabled != f.Enabled {
			return fmt.Errorf("rule #%d: rotation %+v, store #%d %+v", r.ID, rotationOf(r), f.ID, rotationOf(f))
		}
	}
	for id, h := range m.shares {
		f := fresh.shares[id]
		if f == nil {
			continue // the fresh model knows only the holders it was asked for
		}
		if h.forever != f.forever || !slices.EqualFunc(h.ends, f.ends, time.Time.Equal) {
			return fmt.Errorf("agent #%d's shares: %d forever, ends %v; store %d, %v", id, h.forever, h.ends, f.forever, f.ends)
		}
	}
	if m.webhook != fresh.webhook || m.sticky != fresh.sticky {
		return fmt.Errorf("webhook %q and sticky window %s, store %q and %s", m.webhook, m.sticky, fresh.webhook, fresh.sticky)
	}
	return nil
}
