package engine

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file is rules R1–R7 and R10 (README, Routing) and the pre-step of R20 (returning
// leads, README, Where leads come from): it decides who gets a lead. It
// reads the team and the rules from the transaction it runs in, so the decision and the
// rotation state it saves commit together (R6) and two processes never double-pick.
// Whether a recipient may get a lead is decided in one place, eligible: R5 for the
// agent, and the lead's own exclusions (R14: whoever missed an SLA on it).

// decision is the outcome of routing one lead.
type decision struct {
	routing Routing
	owner   *Agent
	rule    *Rule // the owner rule that set the owner; nil when R20 did
	// returning is the lead whose owner got this one (R20), nil when a rule set it.
	returning *Lead
	// slaRule is the rule whose SLA the owner gets (R14): the rule that set the owner,
	// or, for a returning lead, the first owner rule it matched – a returning web lead
	// is answered as fast as any web lead. nil: no SLA.
	slaRule *Rule
	waiting Waiting
	// rules whose rotation state moved, to save with the assignment.
	moved  []*Rule
	shares []plannedShare
}

type plannedShare struct {
	rule  *Rule
	agent *Agent
}

// team is the agents as routing sees them: with today's automatic assignments, and the
// teams rules may name (R19).
type team struct {
	byID     map[int64]*Agent
	agentsAZ []*Agent // role agent, alphabetical: the recipients of a rule that names none
	teams    teamIndex
}

func (t *txn) loadTeam() (*team, error) {
	day := t.e.day(t.now)
	if c := t.cache; c != nil && c.team != nil && c.day == day {
		return c.team, nil
	}
	agents, err := t.Agents()
	if err != nil {
		return nil, fmt.Errorf("loading agents: %w", err)
	}
	auto, err := t.AutoAssigned(day)
	if err != nil {
		return nil, fmt.Errorf("loading daily counts: %w", err)
	}
	teams, err := t.Teams()
	if err != nil {
		return nil, fmt.Errorf("loading teams: %w", err)
	}
	tm := &team{byID: make(map[int64]*Agent, len(agents)), teams: teamIndexOf(teams)}
	for i := range agents {
		a := &agents[i]
		a.AssignedToday = auto[a.ID]
		tm.byID[a.ID] = a
		if a.Role == RoleAgent {
			tm.agentsAZ = append(tm.agentsAZ, a)
		}
	}
	sort.Slice(tm.agentsAZ, func(i, j int) bool { return tm.agentsAZ[i].Handle < tm.agentsAZ[j].Handle })
	if c := t.cache; c != nil {
		c.team, c.day = tm, day
	}
	return tm, nil
}

// rotation is a rule's saved routing state.
type rotation struct {
	turn  int64
	given int
	last  int64
}

func rotationOf(r *Rule) rotation { return rotation{r.TurnAgentID, r.TurnGiven, r.LastAgentID} }

// recipient is a rule's recipient resolved to its agent.
type recipient struct {
	agent    *Agent
	perRound int
}

// recipientsOf resolves a rule's recipients in rotation order (R6: explicit order, or
// the whole team alphabetically when the rule names nobody), teams expanded into their
// members as they are now (R19, Rule.expand: the one expansion).
func (tm *team) recipientsOf(r *Rule) []recipient {
	if len(r.Recipients) == 0 {
		out := make([]recipient, len(tm.agentsAZ))
		for i, a := range tm.agentsAZ {
			out[i] = recipient{agent: a, perRound: 1}
		}
		return out
	}
	rs := r.expand(tm.teams)
	out := make([]recipient, 0, len(rs))
	for _, rc := range rs {
		if a, ok := tm.byID[rc.AgentID]; ok {
			out = append(out, recipient{agent: a, perRound: rc.PerRound})
		}
	}
	return out
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

// eligible is the one test of whether agent a may get lead's automatic assignment or
// share at now: "" when it may, else the reason it is passed over (R5, R14, R16; loc is
// the server's zone, for agents without their own).
func eligible(a *Agent, ex exclusions, now time.Time, loc *time.Location) string {
	if why, ok := ex[a.ID]; ok {
		return why
	}
	return a.eligibility(now, loc)
}

// R20, returning leads: the pre-step before the rules. A new lead whose e-mail or phone
// matches an owned lead created within sticky_window (findReturning, returning.go) goes
// to that lead's owner when the owner is eligible (R5, eligible): no owner rule runs and no
// rotation moves. Otherwise the rules run as usual, and the owner is recorded as passed
// over with why. Broadcast rules apply either way. It runs when a lead is created, not
// when one is routed again.

// returningOwner is the agent a returning lead goes back to, or nil and the pass-over
// to record.
func (tm *team) returningOwner(match *Lead, eligible func(*Agent) string) (*Agent, *PassedOver) {
	a := tm.byID[match.OwnerID]
	if a == nil {
		return nil, &PassedOver{Agent: match.Owner, Reason: "returning lead's owner: not on the team"}
	}
	if why := eligible(a); why != "" {
		return nil, &PassedOver{Agent: a.Handle, Reason: "returning lead's owner: " + why}
	}
	return a, nil
}

// decide routes lead l, arriving at `at`, by the rules, without writing anything.
func (t *txn) decide(l *Lead, at time.Time, tm *team) (*decision, error) {
	return t.decideFrom(l, at, tm, nil)
}

// decideFrom is decide after the pre-step of R20: returning is the owned lead that l
// returns to, nil when there is none.
func (t *txn) decideFrom(l *Lead, at time.Time, tm *team, returning *Lead) (*decision, error) {
	rules, err := t.rules()
	if err != nil {
		return nil, err
	}
	ex := exclusionsOf(l)
	why := func(a *Agent) string { return eligible(a, ex, t.now, t.e.loc) }
	d := &decision{}
	if returning != nil {
		owner, passed := tm.returningOwner(returning, why)
		if owner != nil {
			d.owner, d.returning = owner, returning // the owner rules below are skipped
		} else {
			d.routing.PassedOver = append(d.routing.PassedOver, *passed)
		}
	}
	var failed []int64 // matching owner rules with nobody eligible (R2, R4)
	var bcast []*Rule
	for i := range rules {
		r := &rules[i]
		if !r.Enabled {
			continue
		}
		cond, err := t.e.conds.get(r.Condition, t.e.log)
		if err != nil {
			return nil, err
		}
		if !cond.match(l, at.In(t.e.loc)) { // R1
			continue
		}
		d.routing.Matched = append(d.routing.Matched, r.ID)
		if r.Mode == Broadcast {
			bcast = append(bcast, r) // R3: every matching broadcast rule applies
			continue
		}
		if d.owner != nil {
			if d.slaRule == nil {
				d.slaRule = r // R20 set the owner: the rule that would have routed the lead sets its SLA
			}
			continue // R2: only the first owner rule with an eligible recipient sets the owner
		}
		before := rotationOf(r)
		var pick *Agent
		var passed []PassedOver
		if r.Mode == RoundRobin {
			pick, passed = pickRoundRobin(r, tm.recipientsOf(r), why)
		} else {
			pick, passed = pickLoadBalance(r, tm.recipientsOf(r), why)
		}
		if rotationOf(r) != before {
			d.moved = append(d.moved, r)
		}
		d.routing.PassedOver = append(d.routing.PassedOver, passed...)
		if pick == nil {
			failed = append(failed, r.ID) // R2: passed over, go on to the next owner rule
			continue
		}
		d.owner, d.rule, d.slaRule = pick, r, r
	}

	switch {
	case d.returning != nil: // R20
		d.routing.Owner = d.owner.Handle
		d.routing.Reason = fmt.Sprintf("returning lead #%d → %s", d.returning.ID, d.owner.Handle)
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
	// already has edit access, and one share per agent is enough.
	planned := map[int64]bool{}
	if d.owner != nil {
		planned[d.owner.ID] = true
	}
	for _, r := range bcast {
		for _, rc := range tm.recipientsOf(r) {
			if planned[rc.agent.ID] {
				continue
			}
			if l.ID != 0 { // re-routing: an agent that already holds a share keeps it
				_, err := t.ActiveShare(l.ID, rc.agent.ID, t.now)
				if err == nil {
					planned[rc.agent.ID] = true
					continue
				}
				if !errors.Is(err, ErrNoRows) {
					return nil, fmt.Errorf("reading shares: %w", err)
				}
			}
			why := why(rc.agent)
			if why == "" {
				n, err := t.CountActiveShares(rc.agent.ID, t.now)
				if err != nil {
					return nil, fmt.Errorf("counting shares: %w", err)
				}
				if n >= MaxActiveShares {
					why = fmt.Sprintf("holds %d active shares, the limit", n)
				}
			}
			if why != "" {
				d.routing.PassedOver = append(d.routing.PassedOver, PassedOver{Agent: rc.agent.Handle, Rule: r.ID, Reason: why})
				continue
			}
			planned[rc.agent.ID] = true
			d.shares = append(d.shares, plannedShare{rule: r, agent: rc.agent})
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
// this lead alone (an exclusion) loses its turn the same way. The rule's state is updated in
// place; the caller saves it with the assignment.
func pickRoundRobin(r *Rule, rs []recipient, eligible func(*Agent) string) (*Agent, []PassedOver) {
	n := len(rs)
	if n == 0 {
		return nil, nil
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
	for k := 0; k < n; k++ {
		rc := rs[i]
		if why := eligible(rc.agent); why != "" {
			passed = append(passed, PassedOver{Agent: rc.agent.Handle, Rule: r.ID, Reason: why})
			i, given = (i+1)%n, 0
			continue
		}
		given++
		if given == rc.perRound {
			i, given = (i+1)%n, 0
		}
		r.TurnAgentID, r.TurnGiven = rs[i].agent.ID, given
		return rc.agent, passed
	}
	r.TurnAgentID, r.TurnGiven = rs[i].agent.ID, 0
	return nil, passed
}

// pickLoadBalance is R7: the eligible recipient with the fewest open leads; ties go to
// the recipient that comes first in the rule's order after the one it assigned last.
func pickLoadBalance(r *Rule, rs []recipient, eligible func(*Agent) string) (*Agent, []PassedOver) {
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
	for k := 0; k < n; k++ {
		a := rs[(start+k)%n].agent
		if why := eligible(a); why != "" {
			passed = append(passed, PassedOver{Agent: a.Handle, Rule: r.ID, Reason: why})
			continue
		}
		if best == nil || a.OpenLeads < best.OpenLeads {
			best = a
		}
	}
	if best != nil {
		r.LastAgentID = best.ID
	}
	return best, passed
}

// applyRouting writes a decision for lead l (already stored): the owner, the saved
// rotation, the shares, the history event and the notifications. prevOwner is the
// handle of the owner before (re-routing), "" for a new or queued lead.
func (t *txn) applyRouting(l *Lead, d *decision, prevOwner string) error {
	for _, r := range d.moved {
		if err := t.SaveRuleState(r); err != nil {
			return fmt.Errorf("saving rotation of rule #%d: %w", r.ID, err)
		}
	}
	for _, s := range d.shares {
		d.routing.SharedWith = append(d.routing.SharedWith, s.agent.Handle)
	}
	routing := d.routing
	if d.owner != nil {
		if err := t.CountAutoAssigned(d.owner.ID, t.e.day(t.now)); err != nil {
			return fmt.Errorf("counting the daily cap: %w", err)
		}
		// What storing the lead and the count above just did, for the team in hand (a
		// cached team routes the next lead of the batch).
		d.owner.AssignedToday++
		d.owner.OpenLeads++
		d.owner.LastAssignedAt = t.now
		actor, ruleID := "system", int64(0) // R20 gave the lead to its returning owner
		if d.rule != nil {
			actor, ruleID = ruleActor(d.rule.ID), d.rule.ID
		}
		ev, err := t.record(Event{
			Kind: EvLeadRouted, Actor: actor, LeadID: l.ID, Agent: d.owner.Handle,
			RuleID: ruleID, From: prevOwner, To: d.owner.Handle, Reason: routing.Explain(), Routing: &routing,
		})
		if err != nil {
			return err
		}
		many := func(n int) string { return fmt.Sprintf("%d new leads for you from the rules", n) }
		if err := t.notify(d.owner, ev, l, fmt.Sprintf("New lead for you: %s (%s) — %s", l.Title(), l.Source, routing.Explain()), true, "routed", many); err != nil {
			return err
		}
	} else if prevOwner == "" {
		if _, err := t.record(Event{Kind: EvLeadQueued, Actor: "system", LeadID: l.ID, Reason: routing.Reason, Routing: &routing}); err != nil {
			return err
		}
	}
	for _, s := range d.shares {
		if _, err := t.share(l, s.agent, s.rule.ShareAccess, s.rule.ShareDuration, ruleActor(s.rule.ID), "rule", s.rule.ID); err != nil {
			return err
		}
	}
	return nil
}
