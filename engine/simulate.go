package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// This file is the what-if simulation (README, What the team learns): the leads that
// arrived in a window, replayed against draft rules by the routing code itself (decide,
// over a routing model held in memory: routeInMemory), to show a team lead what a rule
// change would have done before it is saved. It reads one snapshot and writes nothing:
// no row, no history, no event on the hub.
//
// The replay takes the team as it is now – presence, capacity, daily caps, teams –
// with schedules ignored, open leads and today's counts starting from zero (the daily
// counts start again at each calendar day of the replay), and every rotation from its
// start. A replayed lead keeps counting against its simulated owner's load for the rest
// of the replay (the replay does not know when leads were closed). A returning lead
// that was given back to its owner without a rule (R20) stays with that owner: draft
// rules would not have changed it.

// Simulation limits: how many leads one replay takes, and how many draft rules.
const (
	MaxSimulatedLeads = 10_000
	MaxSimulatedRules = 100
)

// SimulationQuery asks what draft rules would have done with the leads of a window.
type SimulationQuery struct {
	// Rules are the draft rules, in evaluation order, as a save would take them.
	Rules []RuleSpec
	// Since and Last give the window's start as StatsQuery does (default: the last 7
	// days up to now).
	Since time.Time
	Last  time.Duration
	// Limit is how many of the window's newest leads to replay, oldest first (default
	// and at most MaxSimulatedLeads).
	Limit int
}

// Simulation is what a replay found: how many leads it replayed, how many would have
// had another owner (or another fate: an owner instead of the queue, or the other way
// round), each agent's leads before (what the leads got when they arrived) and after
// (what the draft would have given them), and the queue's.
type Simulation struct {
	Since        time.Time         `json:"-"`
	Until        time.Time         `json:"-"`
	Leads        int               `json:"leads"`
	ChangedOwner int               `json:"changed_owner"`
	Agents       []SimulatedAgent  `json:"agents"`
	Queued       SimulatedQueue    `json:"queued"`
	Changed      []SimulatedChange `json:"-"` // the leads whose owner changes, oldest first
}

// SimulatedAgent is one agent's leads before and after.
type SimulatedAgent struct {
	Agent  string `json:"agent"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// SimulatedQueue is the leads left in the queue before and after.
type SimulatedQueue struct {
	Before int `json:"before"`
	After  int `json:"after"`
}

// SimulatedChange is one lead whose owner the draft changes ("" for the queue).
type SimulatedChange struct {
	LeadID        int64
	Before, After string
}

// Simulate replays the window's leads against draft rules and says what would have
// changed; nothing is written. Those who may see the rules may ask.
func (e *Engine) Simulate(ctx context.Context, actor Actor, q SimulationQuery) (Simulation, error) {
	if err := actor.require(ActViewRules); err != nil {
		return Simulation{}, err
	}
	if len(q.Rules) > MaxSimulatedRules {
		return Simulation{}, invalidf("rules", "a simulation takes at most %d rules (got %d)", MaxSimulatedRules, len(q.Rules))
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = MaxSimulatedLeads
	case limit < 0 || limit > MaxSimulatedLeads:
		return Simulation{}, invalidf("limit", "limit is how many leads to replay, from 1 to %d (got %d)", MaxSimulatedLeads, limit)
	}
	w, err := e.statsWindow(StatsQuery{Since: q.Since, Last: q.Last})
	if err != nil {
		return Simulation{}, err
	}
	var (
		rules    []Rule
		team     []Agent
		teams    []Team
		arrivals []Arrival
	)
	err = e.read(ctx, func(r Reader) error {
		for i := range q.Rules {
			s := q.Rules[i]
			recips, err := checkSpec(r, &s)
			if err != nil {
				return DraftRuleError(i, err)
			}
			// Draft rules have no ids: they are numbered by position, which is how
			// routing names them while it replays.
			rules = append(rules, Rule{ID: int64(i + 1), Name: s.Name, Position: i + 1, Enabled: s.Enabled == nil || *s.Enabled,
				Condition: s.Condition, Mode: s.Mode, Recipients: recips, ShareAccess: s.ShareAccess,
				ShareDuration: s.ShareDuration, SLA: s.SLA, SLAAction: s.SLAAction})
		}
		var err error
		if team, err = r.Agents(); err != nil {
			return fmt.Errorf("reading the team: %w", err)
		}
		if teams, err = r.Teams(); err != nil {
			return fmt.Errorf("reading the teams: %w", err)
		}
		if arrivals, err = r.Arrivals(w, limit); err != nil {
			return fmt.Errorf("reading the leads to replay: %w", err)
		}
		return nil
	})
	if err != nil {
		return Simulation{}, err
	}
	// Oldest first; a lead whose history records no routing decision (written before
	// history did) has no "before" to compare with and is left out.
	slices.Reverse(arrivals)
	arrivals = slices.DeleteFunc(arrivals, func(a Arrival) bool { return !a.Decided })
	return e.replay(ctx, w, rules, team, teams, arrivals)
}

// DraftRuleError names the draft rule (the i-th, from 0) a refusal is about: "rule 2:
// …", field rules[1].condition.
func DraftRuleError(i int, err error) error {
	if ee, ok := err.(*Error); ok {
		out := *ee
		out.Msg = fmt.Sprintf("rule %d: %s", i+1, ee.Msg)
		out.Field = fmt.Sprintf("rules[%d]", i)
		if ee.Field != "" {
			out.Field += "." + ee.Field
		}
		return &out
	}
	return err
}

// replay routes each arrival over a routing model of the team as it is now.
func (e *Engine) replay(ctx context.Context, w StatsWindow, rules []Rule, team []Agent, teams []Team, arrivals []Arrival) (Simulation, error) {
	for i := range team {
		a := &team[i]
		a.OpenLeads, a.AssignedToday, a.Schedule = 0, 0, ""
	}
	m := newRoutingModel(team, rules, teams, "", e.loc, func(src string) (*condition, error) { return compileCondition(src) })
	sim := Simulation{Since: w.Since, Until: w.Until, Leads: len(arrivals)}
	before, after := map[string]int{}, map[string]int{}
	for i, arr := range arrivals {
		if i%256 == 0 && ctx.Err() != nil {
			return Simulation{}, ctx.Err()
		}
		l := arr.Lead
		if day := e.day(l.CreatedAt); day != m.day { // the daily caps start again
			for _, a := range m.agents {
				a.AssignedToday = 0
			}
			m.day = day
		}
		// The lead as it arrived: new, unowned, with nothing of what happened since.
		in := &Lead{ID: l.ID, ExternalID: l.ExternalID, Name: l.Name, Email: l.Email, Phone: l.Phone,
			Company: l.Company, Source: l.Source, Tags: l.Tags, Fields: l.Fields, Status: StatusNew, CreatedAt: l.CreatedAt}
		owner := ""
		if arr.Owner != "" && !arr.ByRule {
			// Given back to its owner as a returning lead: no rule decided it.
			owner = arr.Owner
			if a := m.agentByHandle(owner); a != nil {
				m.leadMoved(leadLoad{open: true}, leadLoad{owner: a.ID, open: true}, l.CreatedAt, nil)
			}
		} else {
			d, err := m.routeInMemory(&routeInput{lead: in, at: l.CreatedAt, now: l.CreatedAt})
			if err != nil {
				return Simulation{}, fmt.Errorf("replaying lead #%d: %w", l.ID, err)
			}
			if d.owner != nil {
				owner = d.owner.Handle
			}
		}
		count(before, &sim.Queued.Before, arr.Owner)
		count(after, &sim.Queued.After, owner)
		if owner != arr.Owner {
			sim.ChangedOwner++
			sim.Changed = append(sim.Changed, SimulatedChange{LeadID: l.ID, Before: arr.Owner, After: owner})
		}
	}
	// Everyone who had or would have had leads, and every agent of the team who could.
	names := map[string]bool{}
	for h := range before {
		names[h] = true
	}
	for h := range after {
		names[h] = true
	}
	for _, a := range m.agentsAZ {
		names[a.Handle] = true
	}
	for h := range names {
		sim.Agents = append(sim.Agents, SimulatedAgent{Agent: h, Before: before[h], After: after[h]})
	}
	slices.SortFunc(sim.Agents, func(a, b SimulatedAgent) int { return cmp.Compare(a.Agent, b.Agent) })
	return sim, nil
}

// count adds one lead to owner's count, or to the queue's when owner is "".
func count(by map[string]int, queue *int, owner string) {
	if owner == "" {
		*queue++
		return
	}
	by[owner]++
}

// agentByHandle is the team member with handle, nil when none.
func (m *routingModel) agentByHandle(handle string) *Agent {
	for _, a := range m.agents {
		if a.Handle == handle {
			return a
		}
	}
	return nil
}
