package engine

import (
	"errors"
	"fmt"
	"time"
)

// This file is routing in a write transaction: the writer's routing model (loaded,
// kept exact, dropped), and the writing of a decision – the owner, the rotations and
// counts (pending.go), the shares, the history events and the notifications.

// routing is the writer's routing model, read from the store when there is none.
func (t *txn) routing() (*routingModel, error) {
	if m := t.e.model; m != nil {
		return m, nil
	}
	m, err := t.loadModel()
	if err != nil {
		return nil, err
	}
	t.e.model, t.loadedModel = m, true
	return m, nil
}

// loadModel reads the routing model from the store, with the writes still pending.
func (t *txn) loadModel() (*routingModel, error) {
	day := t.e.day(t.now)
	agents, err := t.Agents()
	if err != nil {
		return nil, fmt.Errorf("loading agents: %w", err)
	}
	auto, err := t.AutoAssigned(day)
	if err != nil {
		return nil, fmt.Errorf("loading daily counts: %w", err)
	}
	for i := range agents {
		a := &agents[i]
		a.AssignedToday = auto[a.ID] + t.pending.days[agentDay{a.ID, day}]
		if t.batch != nil {
			a.AssignedToday += t.batch.days[agentDay{a.ID, day}]
		}
	}
	rules, err := t.Rules()
	if err != nil {
		return nil, fmt.Errorf("loading rules: %w", err)
	}
	teams, err := t.Teams()
	if err != nil {
		return nil, fmt.Errorf("loading teams: %w", err)
	}
	m := newRoutingModel(agents, rules, teams, day, t.e.loc, func(src string) (*condition, error) { return t.e.conds.get(src, t.e.log) })
	if m.webhook, err = t.Setting(SettingWebhookURL); err != nil && !errors.Is(err, ErrNoRows) {
		return nil, fmt.Errorf("reading the global webhook: %w", err)
	}
	if m.sticky, err = settingDuration(t, SettingStickyWindow); err != nil {
		return nil, err
	}
	return m, t.readShares(m)
}

// readShares reads the active shares of the agents broadcast rules may share with that
// the model does not know (yet, or again since one of them changed).
func (t *txn) readShares(m *routingModel) error {
	for _, id := range m.shareHolders() {
		if _, ok := m.shares[id]; ok {
			continue
		}
		shares, err := t.ActiveSharesOf(id, t.now)
		if err != nil {
			return fmt.Errorf("reading agent #%d's shares: %w", id, err)
		}
		m.setShares(id, shares)
	}
	return nil
}

// decide routes lead l, which arrived at `at`, over the routing model, without writing
// anything. returning is the lead a new lead returns to (R20), nil for none.
func (t *txn) decide(l *Lead, at time.Time, returning *Lead) (*decision, error) {
	m, err := t.routing()
	if err != nil {
		return nil, err
	}
	if err := t.readShares(m); err != nil {
		return nil, err
	}
	in := &routeInput{lead: l, at: at, now: t.now, exclusions: exclusionsOf(l), returning: returning}
	if l.ID != 0 && len(m.shareHolders()) > 0 { // routed again: who holds a share keeps it
		shares, err := t.SharesOfLead(l.ID)
		if err != nil {
			return nil, fmt.Errorf("reading shares of lead #%d: %w", l.ID, err)
		}
		for _, s := range shares {
			if s.ActiveAt(t.now) {
				if in.holding == nil {
					in.holding = map[int64]bool{}
				}
				in.holding[s.AgentID] = true
			}
		}
	}
	return m.decide(in)
}

// keepTurns makes the rotations of d move, for a decision that gives the lead to
// nobody new.
func (t *txn) keepTurns(d *decision) {
	if len(d.turns) == 0 {
		return
	}
	m := t.e.model
	m.applyTurns(d, &t.undo)
	for _, turn := range d.turns {
		t.pending.turned(turn.rule)
	}
}

// takeDecision gives l to the owner d picked, with the SLA of d.slaRule. The caller
// stores l.
func (t *txn) takeDecision(l *Lead, d *decision) {
	l.OwnerID, l.Owner, l.AssignedAt, l.Waiting, l.WaitReason, l.UpdatedAt = d.owner.ID, d.owner.Handle, t.now, WaitingNone, "", t.now
	if l.FirstAssignedAt.IsZero() {
		l.FirstAssignedAt = t.now
	}
	if l.Status == StatusNew {
		l.Status = StatusAssigned
	}
	if d.slaRule == nil {
		t.startSLA(l, 0, "")
		return
	}
	t.startSLA(l, d.slaRule.SLA, d.slaRule.SLAAction)
}

// applyRouting writes a decision for lead l (already stored): the rotations and the
// daily count, the shares, the history event and the notifications. prevOwner is the
// handle of the owner before (re-routing), "" for a new or queued lead.
func (t *txn) applyRouting(l *Lead, d *decision, prevOwner string) error {
	m := t.e.model
	m.apply(d, &t.undo)
	for _, turn := range d.turns {
		t.pending.turned(turn.rule)
	}
	routing := d.routing
	if d.owner != nil {
		t.pending.assigned(d.owner.ID, m.day)
		actor, ruleID := "system", int64(0) // a pre-step gave the lead its owner
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
		if err := t.notify(d.owner, ev, l, func() string {
			return fmt.Sprintf("New lead for you: %s (%s) — %s", l.Title(), l.Source, ev.Reason)
		}, true, "routed", many); err != nil {
			return err
		}
	} else if prevOwner == "" {
		if _, err := t.record(Event{Kind: EvLeadQueued, Actor: "system", LeadID: l.ID, Reason: routing.Reason, Routing: &routing}); err != nil {
			return err
		}
	}
	// The decision shares only with agents that hold no active share of the lead and
	// are below the limit (holding, eligibility): nothing to read first.
	for _, s := range d.shares {
		n := m.activeShares(s.agent.ID, t.now)
		if _, err := t.putShare(l, s.agent, s.rule.ShareAccess, s.rule.ShareDuration, ruleActor(s.rule.ID), "rule", s.rule.ID, nil, n); err != nil {
			return err
		}
	}
	return nil
}

// teamAgent reads an agent from the routing model when it holds it (a bulk command
// notifies the same few agents again and again), else from the store.
// teamAgentRef is teamAgent without a copy of the model's agent, which the caller
// must not change.
func (t *txn) teamAgentRef(id int64) (*Agent, error) {
	if m := t.e.model; m != nil {
		if a := m.agents[id]; a != nil {
			return a, nil
		}
	}
	a, err := t.Agent(id)
	return &a, err
}

func (t *txn) teamAgent(id int64) (Agent, error) {
	if m := t.e.model; m != nil {
		if a := m.agents[id]; a != nil {
			return *a, nil
		}
	}
	return t.Agent(id)
}

// globalWebhook is the team's global webhook URL ("" when unset).
func (t *txn) globalWebhook() (string, error) {
	m, err := t.routing()
	if err != nil {
		return "", err
	}
	return m.webhook, nil
}

// The writes of what the model holds go through the transaction: the model follows the
// shares it counts, and is dropped when the team, the rules or the settings change
// (the next routing reads them again, with the writes still pending).

func (t *txn) dropModel() { t.e.model = nil }

func (t *txn) InsertShare(s *Share) error {
	if err := t.Tx.InsertShare(s); err != nil {
		return err
	}
	if m := t.e.model; m != nil && s.Status == ShareActive {
		m.shareMade(s.AgentID, s.ExpiresAt, &t.undo)
	}
	return nil
}

func (t *txn) UpdateShare(s *Share) error {
	if err := t.Tx.UpdateShare(s); err != nil {
		return err
	}
	if m := t.e.model; m != nil {
		m.sharesChanged(s.AgentID, &t.undo)
	}
	return nil
}

func (t *txn) InsertAgent(a *Agent) error { t.dropModel(); return t.Tx.InsertAgent(a) }
func (t *txn) UpdateAgent(a *Agent) error { t.dropModel(); return t.Tx.UpdateAgent(a) }

func (t *txn) RemoveAgent(id int64, at time.Time) error {
	t.dropModel()
	return t.Tx.RemoveAgent(id, at)
}

func (t *txn) InsertRule(r *Rule) error { t.dropModel(); return t.Tx.InsertRule(r) }

// UpdateRule, SaveRuleState and DeleteRule write the rule's rotation themselves (or
// remove it): what was pending for it is written or moot.
func (t *txn) UpdateRule(r *Rule) error {
	t.dropModel()
	t.forgetTurn(r.ID)
	return t.Tx.UpdateRule(r)
}

func (t *txn) SaveRuleState(r *Rule) error {
	t.dropModel()
	t.forgetTurn(r.ID)
	return t.Tx.SaveRuleState(r)
}

func (t *txn) DeleteRule(id int64) error {
	t.dropModel()
	t.forgetTurn(id)
	return t.Tx.DeleteRule(id)
}

func (t *txn) SetRulePositions(ids []int64) error {
	t.dropModel()
	return t.Tx.SetRulePositions(ids)
}

func (t *txn) InsertTeam(tm *Team) error { t.dropModel(); return t.Tx.InsertTeam(tm) }
func (t *txn) UpdateTeam(tm *Team) error { t.dropModel(); return t.Tx.UpdateTeam(tm) }
func (t *txn) DeleteTeam(id int64) error { t.dropModel(); return t.Tx.DeleteTeam(id) }

func (t *txn) SetSetting(key, value string) error { t.dropModel(); return t.Tx.SetSetting(key, value) }
func (t *txn) UnsetSetting(key string) error      { t.dropModel(); return t.Tx.UnsetSetting(key) }

// forgetTurn drops the rotation pending for a rule. Only the command's own can be
// pending: commit writes the transaction's before any command that writes rules runs.
func (t *txn) forgetTurn(ruleID int64) { delete(t.pending.turns, ruleID) }

// The reads of rules inside a command see the rotations not yet written.

func (t *txn) Rules() ([]Rule, error) {
	rules, err := t.Tx.Rules()
	for i := range rules {
		t.pendingTurn(&rules[i])
	}
	return rules, err
}

func (t *txn) Rule(id int64) (Rule, error) {
	r, err := t.Tx.Rule(id)
	if err == nil {
		t.pendingTurn(&r)
	}
	return r, err
}

func (t *txn) pendingTurn(r *Rule) {
	if t.batch != nil {
		t.batch.addToRule(r)
	}
	t.pending.addToRule(r)
}
