package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Rules lists the routing rules in evaluation order.
func (e *Engine) Rules(ctx context.Context, actor Actor) ([]Rule, error) {
	if err := actor.require(ActViewRules); err != nil {
		return nil, err
	}
	var out []Rule
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = r.Rules()
		return err
	})
	return out, err
}

// Rule reads one rule.
func (e *Engine) Rule(ctx context.Context, actor Actor, id int64) (Rule, error) {
	if err := actor.require(ActViewRules); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = loadRule(r, id)
		return err
	})
	return out, err
}

func loadRule(r Reader, id int64) (Rule, error) {
	rule, err := r.Rule(id)
	if errors.Is(err, ErrNoRows) {
		return Rule{}, notFoundf("rule #%d does not exist", id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("reading rule #%d: %w", id, err)
	}
	return rule, nil
}

// checkSpec validates a spec completely, the condition included (R1: refused when
// saved, with the position of the error), and resolves its recipients.
func checkSpec(r Reader, s *RuleSpec) ([]Recipient, error) {
	s.normalize()
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := CheckCondition(s.Condition); err != nil {
		return nil, err
	}
	out := make([]Recipient, len(s.Recipients))
	for i, rs := range s.Recipients {
		if rs.Team != "" {
			tm, err := loadTeamNamed(r, rs.Team)
			if err != nil {
				return nil, err
			}
			out[i] = Recipient{TeamID: tm.ID, Team: tm.Name, PerRound: rs.PerRound}
			continue
		}
		a, err := loadAgent(r, rs.Agent)
		if err != nil {
			return nil, err
		}
		out[i] = Recipient{AgentID: a.ID, Agent: a.Handle, PerRound: rs.PerRound}
	}
	return out, nil
}

// CreateRule adds a rule at the end of the order.
func (e *Engine) CreateRule(ctx context.Context, actor Actor, s RuleSpec) (Rule, error) {
	if err := actor.require(ActManageRules); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := e.write(ctx, func(t *txn) error {
		recips, err := checkSpec(t, &s)
		if err != nil {
			return err
		}
		rules, err := t.Rules()
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		r := Rule{
			Name: s.Name, Position: len(rules) + 1, Enabled: s.Enabled == nil || *s.Enabled,
			Condition: s.Condition, Mode: s.Mode, Recipients: recips,
			ShareAccess: s.ShareAccess, ShareDuration: s.ShareDuration, SLA: s.SLA, SLAAction: s.SLAAction,
			CreatedAt: t.now, UpdatedAt: t.now,
		}
		if err := t.InsertRule(&r); err != nil {
			return fmt.Errorf("storing rule: %w", err)
		}
		if _, err := t.record(Event{Kind: EvRuleCreated, Actor: actor.Name, RuleID: r.ID, To: r.Describe(), Reason: r.Name}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// UpdateRule replaces a rule's definition. Its rotation carries on: if the recipient
// whose turn it was is still listed it keeps its turn, else the turn passes to the next
// remaining recipient; a new recipient waits until the rotation reaches it (R6).
func (e *Engine) UpdateRule(ctx context.Context, actor Actor, id int64, s RuleSpec) (Rule, error) {
	if err := actor.require(ActManageRules); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := e.write(ctx, func(t *txn) error {
		r, err := loadRule(t, id)
		if err != nil {
			return err
		}
		recips, err := checkSpec(t, &s)
		if err != nil {
			return err
		}
		before := r
		if r.Mode != s.Mode {
			r.TurnAgentID, r.TurnGiven, r.LastAgentID = 0, 0, 0
		} else {
			teams, err := t.Teams()
			if err != nil {
				return fmt.Errorf("reading teams: %w", err)
			}
			idx := teamIndexOf(teams)
			remapRotation(&r, r.expand(idx), (&Rule{Recipients: recips}).expand(idx))
		}
		r.Name, r.Condition, r.Mode, r.Recipients = s.Name, s.Condition, s.Mode, recips
		r.ShareAccess, r.ShareDuration = s.ShareAccess, s.ShareDuration
		r.SLA, r.SLAAction = s.SLA, s.SLAAction
		if s.Enabled != nil {
			r.Enabled = *s.Enabled
		}
		r.UpdatedAt = t.now
		if err := t.UpdateRule(&r); err != nil {
			return fmt.Errorf("updating rule #%d: %w", id, err)
		}
		if _, err := t.record(Event{Kind: EvRuleChanged, Actor: actor.Name, RuleID: id, From: before.Describe(), To: r.Describe(), Reason: r.Name}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// MoveRule puts a rule at position pos (1 = evaluated first).
func (e *Engine) MoveRule(ctx context.Context, actor Actor, id int64, pos int) (Rule, error) {
	if err := actor.require(ActManageRules); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := e.write(ctx, func(t *txn) error {
		rules, err := t.Rules()
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		from := -1
		for i, r := range rules {
			if r.ID == id {
				from = i
			}
		}
		if from < 0 {
			return notFoundf("rule #%d does not exist", id)
		}
		if pos < 1 || pos > len(rules) {
			return invalidf("position", "position %d is out of range: there are %d rules (1 is evaluated first)", pos, len(rules))
		}
		if pos-1 == from {
			out = rules[from]
			return nil
		}
		moved := rules[from]
		rules = append(rules[:from], rules[from+1:]...)
		rules = append(rules[:pos-1], append([]Rule{moved}, rules[pos-1:]...)...)
		ids := make([]int64, len(rules))
		for i, r := range rules {
			ids[i] = r.ID
		}
		if err := t.SetRulePositions(ids); err != nil {
			return fmt.Errorf("moving rule #%d: %w", id, err)
		}
		if _, err := t.record(Event{Kind: EvRuleMoved, Actor: actor.Name, RuleID: id, From: strconv.Itoa(from + 1), To: strconv.Itoa(pos), Reason: moved.Name}); err != nil {
			return err
		}
		moved.Position = pos
		out = moved
		return nil
	})
	return out, err
}

// SetRuleEnabled turns a rule on or off.
func (e *Engine) SetRuleEnabled(ctx context.Context, actor Actor, id int64, enabled bool) (Rule, error) {
	if err := actor.require(ActManageRules); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := e.write(ctx, func(t *txn) error {
		r, err := loadRule(t, id)
		if err != nil {
			return err
		}
		out = r
		if r.Enabled == enabled {
			return nil
		}
		r.Enabled, r.UpdatedAt = enabled, t.now
		if err := t.UpdateRule(&r); err != nil {
			return fmt.Errorf("updating rule #%d: %w", id, err)
		}
		if _, err := t.record(Event{Kind: EvRuleEnabled, Actor: actor.Name, RuleID: id, From: strconv.FormatBool(!enabled), To: strconv.FormatBool(enabled), Reason: r.Name}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// DeleteRule deletes a rule; the rules after it move up.
func (e *Engine) DeleteRule(ctx context.Context, actor Actor, id int64) error {
	if err := actor.require(ActManageRules); err != nil {
		return err
	}
	return e.write(ctx, func(t *txn) error {
		r, err := loadRule(t, id)
		if err != nil {
			return err
		}
		if err := t.DeleteRule(id); err != nil {
			return fmt.Errorf("deleting rule #%d: %w", id, err)
		}
		rules, err := t.Rules()
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		ids := make([]int64, len(rules))
		for i, r := range rules {
			ids[i] = r.ID
		}
		if err := t.SetRulePositions(ids); err != nil {
			return fmt.Errorf("renumbering rules: %w", err)
		}
		_, err = t.record(Event{Kind: EvRuleDeleted, Actor: actor.Name, RuleID: id, From: r.Describe(), Reason: r.Name})
		return err
	})
}

func (r *Rule) hasRecipient(agentID int64) bool {
	for _, rc := range r.Recipients {
		if rc.AgentID == agentID {
			return true
		}
	}
	return false
}

// remapRotation keeps a rule's rotation when its recipients change from old to next:
// the turn stays with its holder if it is still listed, else it passes to the first
// recipient after it (in the old order) that is still listed, with a fresh turn. Load
// balancing's "assigned last" moves back the same way.
func remapRotation(r *Rule, old, next []Recipient) {
	in := map[int64]bool{}
	for _, rc := range next {
		in[rc.AgentID] = true
	}
	find := func(id int64, step int) int64 {
		at := -1
		for i, rc := range old {
			if rc.AgentID == id {
				at = i
			}
		}
		if at < 0 {
			return 0
		}
		n := len(old)
		for k := 1; k < n; k++ {
			if rc := old[((at+step*k)%n+n)%n]; in[rc.AgentID] {
				return rc.AgentID
			}
		}
		return 0
	}
	if r.TurnAgentID != 0 && !in[r.TurnAgentID] {
		r.TurnAgentID, r.TurnGiven = find(r.TurnAgentID, 1), 0
	}
	if r.LastAgentID != 0 && !in[r.LastAgentID] {
		r.LastAgentID = find(r.LastAgentID, -1)
	}
}

// Describe writes a rule on one line: "round robin to alice×2, bob if source == "web"".
func (r Rule) Describe() string {
	var b strings.Builder
	b.WriteString(r.Mode.Label())
	if r.Mode == Broadcast {
		b.WriteString(" (" + string(r.ShareAccess))
		if r.ShareDuration > 0 {
			b.WriteString(", " + FormatDuration(r.ShareDuration))
		}
		b.WriteString(")")
	}
	b.WriteString(" to ")
	if len(r.Recipients) == 0 {
		b.WriteString("the whole team")
	}
	for i, rc := range r.Recipients {
		if i > 0 {
			b.WriteString(", ")
		}
		if rc.TeamID != 0 {
			b.WriteString("team:" + rc.Team)
		} else {
			b.WriteString(rc.Agent)
		}
		if rc.PerRound > 1 {
			b.WriteString("×" + strconv.Itoa(rc.PerRound))
		}
	}
	if r.Condition != "" {
		b.WriteString(" if " + r.Condition)
	} else {
		b.WriteString(" for every lead")
	}
	if r.SLA > 0 {
		b.WriteString(", SLA " + FormatDuration(r.SLA))
		if r.SLAAction != "" && r.SLAAction != SLAReroute {
			b.WriteString(" then " + string(r.SLAAction))
		}
	}
	if !r.Enabled {
		b.WriteString(" (disabled)")
	}
	return b.String()
}
