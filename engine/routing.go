package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file is routing, rules R1–R7 of README "Routing", as one pure function: decide
// reads a routingModel (the team with its load and today's counts, the rules with their
// rotation, each agent's active shares) and one lead, and says who gets the lead,
// who shares it and where each rotation moves to, without changing anything.
// routingModel.apply makes a decision so in the model; routed.go writes it. Nothing here
// reads a store, so the same function routes a lead in a write transaction and a
// simulated lead over a team held in memory.
//
// Three seams keep each rule in one place:
//   - eligibility is the one test of whether a recipient may get a lead, with the
//     reason it is passed over (R5, the share limit of R9, and the lead's own
//     exclusions: R14, whoever missed an SLA on it);
//   - recipients is the one expansion of a rule's recipients into agents (R6);
//   - preSteps run before the owner rules and may give the lead its owner without any
//     rule (no rotation moves then) or pass agents over: R20, returning leads.

// routeInput is one lead to route and what routing needs to know of it beyond the
// model.
type routeInput struct {
	lead *Lead
	at   time.Time // when the lead arrived: a condition's hour and weekday (R1)
	now  time.Time // when it is routed: eligibility, shares
	// exclusions are the agents passed over for this lead whatever their eligibility,
	// each with its reason.
	exclusions exclusions
	// holding are the agents that already hold an active share of the lead (when it is
	// routed again): they keep it, and broadcast does not share it with them again.
	holding map[int64]bool
	// returning is the owned lead a new lead returns to (R20, findReturning), nil when
	// there is none.
	returning *Lead
}

// decision is the outcome of routing one lead.
type decision struct {
	routing Routing
	owner   *Agent
	rule    *Rule // the owner rule that set the owner; nil when a pre-step did
	// slaRule is the rule whose SLA the owner gets (R14): the rule that set the owner,
	// or, when a pre-step did, the first owner rule that matched – a returning web lead
	// is answered as fast as any web lead. nil: no SLA.
	slaRule *Rule
	waiting Waiting
	// turns are the rules whose rotation moves, each with where it moves to.
	turns  []ruleTurn
	shares []plannedShare
}

type ruleTurn struct {
	rule *Rule
	to   rotation
}

type plannedShare struct {
	rule  *Rule
	agent *Agent
}

// rotation is a rule's saved routing state (R6, R7).
type rotation struct {
	turn  int64 // round robin: whose turn it is
	given int   // round robin: leads given in this turn
	last  int64 // load balance: the recipient assigned last
}

func rotationOf(r *Rule) rotation { return rotation{r.TurnAgentID, r.TurnGiven, r.LastAgentID} }

func (rot rotation) setOn(r *Rule) {
	r.TurnAgentID, r.TurnGiven, r.LastAgentID = rot.turn, rot.given, rot.last
}

// ReasonMissedSLA is why routing passes over an agent who missed an SLA on the lead.
const ReasonMissedSLA = "missed the SLA on this lead"

// exclusions are the agents routing passes over for one lead whatever their
// eligibility, each with the reason: who missed an SLA on it (R14). They belong to the
// lead, so every routing of it – re-route, the queue's drain, a hand-off – honours them.
type exclusions map[int64]string

func exclusionsOf(l *Lead) exclusions {
	if len(l.SLAMissedBy) == 0 {
		return nil
	}
	ex := make(exclusions, len(l.SLAMissedBy))
	for _, id := range l.SLAMissedBy {
		ex[id] = ReasonMissedSLA
	}
	return ex
}

// purpose is what a recipient would get: the lead itself, or a share of it.
type purpose int

const (
	forOwner purpose = iota
	forShare
)

// eligibility is the one test of whether agent a may get the lead of in, as its owner
// or as a share: "" when it may, else the reason it is passed over. R5: available,
// below capacity, below the daily cap; R16: on its schedule at in.now (in its own zone,
// else the server's); R9: below the share limit, for a share; and the lead's own
// exclusions (R14).
func (m *routingModel) eligibility(a *Agent, in *routeInput, p purpose) string {
	if why, ok := in.exclusions[a.ID]; ok {
		return why
	}
	switch {
	case a.Presence != Available:
		return string(a.Presence)
	case !a.OnSchedule(in.now, m.loc):
		return ReasonOffSchedule
	case a.Capacity > 0 && a.OpenLeads >= a.Capacity:
		return "at capacity (" + itoa(a.OpenLeads) + "/" + itoa(a.Capacity) + ")"
	case a.DailyCap > 0 && a.AssignedToday >= a.DailyCap:
		return "daily cap reached (" + itoa(a.AssignedToday) + "/" + itoa(a.DailyCap) + ")"
	}
	if p == forShare {
		if n := m.activeShares(a.ID, in.now); n >= MaxActiveShares {
			return fmt.Sprintf("holds %d active shares, the limit", n)
		}
	}
	return ""
}

// recipient is a rule's recipient resolved to its agent.
type recipient struct {
	agent    *Agent
	perRound int
}

// recipients is the one expansion of a rule's recipients into agents, in rotation
// order (R6): the rule's own order, teams expanded into their members as they are now
// (R19, Rule.expand), or, for a rule that names nobody, every agent with the agent
// role, alphabetically, one lead a turn. A recipient no longer on the team is left out.
func (m *routingModel) recipients(r *Rule) []recipient {
	if len(r.Recipients) == 0 {
		out := make([]recipient, len(m.agentsAZ))
		for i, a := range m.agentsAZ {
			out[i] = recipient{agent: a, perRound: 1}
		}
		return out
	}
	rs := r.expand(m.teams)
	out := make([]recipient, 0, len(rs))
	for _, rc := range rs {
		if a, ok := m.agents[rc.AgentID]; ok {
			out = append(out, recipient{agent: a, perRound: rc.PerRound})
		}
	}
	return out
}

// preStep runs before the owner rules. It may set d.owner (with d.routing's owner and
// reason), and then no owner rule runs and no rotation moves, or add to
// d.routing.PassedOver. Broadcast rules apply either way.
type preStep func(m *routingModel, in *routeInput, d *decision)

// preSteps run in this order.
var preSteps = []preStep{returningOwner}

// returningOwner is R20, returning leads: a new lead whose e-mail or phone matches an
// owned lead created within sticky_window (findReturning, returning.go) goes to that
// lead's owner when the owner is eligible: no owner rule runs and no rotation moves.
// Otherwise the rules run as usual, and the owner is recorded as passed over with why.
// It runs when a lead is created, not when one is routed again.
func returningOwner(m *routingModel, in *routeInput, d *decision) {
	match := in.returning
	if match == nil {
		return
	}
	a := m.agents[match.OwnerID]
	if a == nil {
		d.routing.PassedOver = append(d.routing.PassedOver, PassedOver{Agent: match.Owner, Reason: "returning lead's owner: not on the team"})
		return
	}
	if why := m.eligibility(a, in, forOwner); why != "" {
		d.routing.PassedOver = append(d.routing.PassedOver, PassedOver{Agent: a.Handle, Reason: "returning lead's owner: " + why})
		return
	}
	d.owner = a
	d.routing.Owner = a.Handle
	d.routing.Reason = fmt.Sprintf("returning lead #%d → %s", match.ID, a.Handle)
}

// decide routes the lead of in over m, without changing anything.
func (m *routingModel) decide(in *routeInput) (*decision, error) {
	d := &decision{}
	for _, step := range preSteps {
		step(m, in, d)
	}
	preOwned := d.owner != nil
	var failed []int64 // matching owner rules with nobody eligible (R2, R4)
	var bcast []*Rule
	arrived := in.at.In(m.loc)
	for _, mr := range m.rules {
		r := mr.rule
		if !r.Enabled {
			continue
		}
		if mr.condErr != nil {
			return nil, mr.condErr
		}
		if !mr.cond.match(in.lead, arrived) { // R1
			continue
		}
		d.routing.Matched = append(d.routing.Matched, r.ID)
		if r.Mode == Broadcast {
			bcast = append(bcast, r) // R3: every matching broadcast rule applies
			continue
		}
		if d.owner != nil {
			if d.slaRule == nil {
				d.slaRule = r // a pre-step set the owner: the rule that would have routed the lead sets its SLA
			}
			continue // R2: only the first owner rule with an eligible recipient sets the owner
		}
		var pick *Agent
		var passed []PassedOver
		var to rotation
		if r.Mode == RoundRobin {
			pick, passed, to = m.pickRoundRobin(r, in)
		} else {
			pick, passed, to = m.pickLoadBalance(r, in)
		}
		if to != rotationOf(r) {
			d.turns = append(d.turns, ruleTurn{rule: r, to: to})
		}
		d.routing.PassedOver = append(d.routing.PassedOver, passed...)
		if pick == nil {
			failed = append(failed, r.ID) // R2: passed over, go on to the next owner rule
			continue
		}
		d.owner, d.rule, d.slaRule = pick, r, r
	}

	switch {
	case preOwned: // the pre-step said who and why
	case d.owner != nil:
		d.routing.Rule, d.routing.RuleName, d.routing.Mode = d.rule.ID, d.rule.Name, d.rule.Mode
		d.routing.Owner = d.owner.Handle
		d.routing.Reason = fmt.Sprintf("rule #%d %q, %s", d.rule.ID, d.rule.Name, d.rule.Mode.Label())
	case len(failed) > 0: // R4
		d.waiting = WaitingNoEligible
		d.routing.Reason = "no eligible recipient in " + ruleList(failed)
	default:
		d.waiting = WaitingNoRule
		d.routing.Reason = "no rule matched"
		if len(bcast) > 0 {
			d.routing.Reason = "no owner rule matched"
		}
	}

	// R3: share with each eligible recipient of every matching broadcast rule; the owner
	// already has edit access, and one share per agent is enough: an agent that already
	// holds one keeps it.
	planned := map[int64]bool{}
	if d.owner != nil {
		planned[d.owner.ID] = true
	}
	for _, r := range bcast {
		for _, rc := range m.recipients(r) {
			if planned[rc.agent.ID] || in.holding[rc.agent.ID] {
				planned[rc.agent.ID] = true
				continue
			}
			if why := m.eligibility(rc.agent, in, forShare); why != "" {
				d.routing.PassedOver = append(d.routing.PassedOver, PassedOver{Agent: rc.agent.Handle, Rule: r.ID, Reason: why})
				continue
			}
			planned[rc.agent.ID] = true
			d.shares = append(d.shares, plannedShare{rule: r, agent: rc.agent})
			d.routing.SharedWith = append(d.routing.SharedWith, rc.agent.Handle)
		}
	}
	return d, nil
}

func ruleList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	if len(s) == 1 {
		return "rule " + s[0]
	}
	return "rules " + strings.Join(s, ", ")
}

// pickRoundRobin is R6. The state is whose turn it is and how many leads that recipient
// has had in this turn. A recipient gets per_round consecutive leads, then the turn
// passes on in cyclic order. An ineligible recipient loses its turn when it comes (or
// the rest of it, mid-turn); nobody catches up on turns missed. One passed over for
// this lead alone (an exclusion) loses its turn the same way. It returns the pick (nil
// for nobody), who was passed over, and where the rotation moves to.
func (m *routingModel) pickRoundRobin(r *Rule, in *routeInput) (*Agent, []PassedOver, rotation) {
	rs := m.recipients(r)
	to := rotationOf(r)
	n := len(rs)
	if n == 0 {
		return nil, nil, to
	}
	i, given := 0, 0
	for k, rc := range rs {
		if rc.agent.ID == r.TurnAgentID {
			i, given = k, r.TurnGiven
			break
		}
	}
	if given >= rs[i].perRound { // per_round was lowered mid-turn: that turn is over
		i, given = (i+1)%n, 0
	}
	var passed []PassedOver
	for range n {
		rc := rs[i]
		if why := m.eligibility(rc.agent, in, forOwner); why != "" {
			passed = append(passed, PassedOver{Agent: rc.agent.Handle, Rule: r.ID, Reason: why})
			i, given = (i+1)%n, 0
			continue
		}
		given++
		if given == rc.perRound {
			i, given = (i+1)%n, 0
		}
		to.turn, to.given = rs[i].agent.ID, given
		return rc.agent, passed, to
	}
	to.turn, to.given = rs[i].agent.ID, 0
	return nil, passed, to
}

// pickLoadBalance is R7: the eligible recipient with the fewest open leads; ties go to
// the recipient that comes first in the rule's order after the one it assigned last.
func (m *routingModel) pickLoadBalance(r *Rule, in *routeInput) (*Agent, []PassedOver, rotation) {
	rs := m.recipients(r)
	to := rotationOf(r)
	n := len(rs)
	start := 0
	for k, rc := range rs {
		if rc.agent.ID == r.LastAgentID {
			start = k + 1
			break
		}
	}
	var passed []PassedOver
	var best *Agent
	for k := range n {
		a := rs[(start+k)%n].agent
		if why := m.eligibility(a, in, forOwner); why != "" {
			passed = append(passed, PassedOver{Agent: a.Handle, Rule: r.ID, Reason: why})
			continue
		}
		if best == nil || a.OpenLeads < best.OpenLeads {
			best = a
		}
	}
	if best != nil {
		to.last = best.ID
	}
	return best, passed, to
}
