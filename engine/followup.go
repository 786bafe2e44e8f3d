package engine

import (
	"fmt"
	"slices"
	"time"
)

// This file is follow-through, R13–R15 (README, Follow-through): first contact, SLAs
// that escalate, and the hand-off of an absent agent's leads.
//
// R13. A lead's first contact is the first time its status moves to contacted,
// qualified, won or lost (setStatus); it never changes after, and reassigning keeps it.
//
// R14. A lead that gets an owner under an SLA – the owner rule's sla, or the setting
// sla_manual for a person's assignment – gets SLADueAt, the assignment time plus the
// SLA, and the action to take (SLAAction). First contact clears it, and so does any
// change of owner (which starts the new owner's SLA, if any). The sla timer escalates a
// lead within a second of SLADueAt, in one transaction: the lead.sla_missed event, a
// notification to the owner and every dispatcher, then the action. Whoever missed is
// added to the lead's SLAMissedBy, which routing honours for good (exclusions).
//
// R15. An agent that goes away or offline keeps AwaySince. When the setting
// handoff_after is on, the hand-off timer fires at AwaySince + handoff_after and routes
// again every open lead without first contact the agent held when it left
// (HandoffDue), each with a lead.handed_off event. An agent back before then keeps
// everything: AwaySince is cleared when it becomes available or busy.

// EvLeadSLAMissed and EvLeadHandedOff come before the routing event that moves the lead.
const (
	// EvLeadSLAMissed: Agent is the owner who missed; From it and To the new owner when
	// the lead moves ("" for the queue); Reason what was missed, how late when the
	// escalation came a second or more after the deadline (an engine was down), and what
	// became of the lead ("bob missed the 15m SLA: re-routed to carol", "bob missed the
	// 15m SLA by 3h2m: back in the queue").
	EvLeadSLAMissed EventKind = "lead.sla_missed"
	// EvLeadHandedOff: Agent (and From) is the absent owner, To the new owner ("" for
	// the queue), Reason why ("bob away for 10m").
	EvLeadHandedOff EventKind = "lead.handed_off"
)

// The timers of follow-through.
const (
	timerSLA     = "sla"
	timerHandoff = "hand-off"
)

// countsAsContact reports whether moving to status st is a contact (R13).
func countsAsContact(st Status) bool {
	return st == StatusContacted || st == StatusQualified || st == StatusWon || st == StatusLost
}

// SLADue reports whether the lead's SLA has passed at now. LeadsSLADue restates it.
func (l Lead) SLADue(now time.Time) bool { return !l.SLADueAt.IsZero() && !l.SLADueAt.After(now) }

// SLALeft is the time left to first contact at now (negative once passed); ok is false
// when no SLA runs.
func (l Lead) SLALeft(now time.Time) (left time.Duration, ok bool) {
	if l.SLADueAt.IsZero() {
		return 0, false
	}
	return l.SLADueAt.Sub(now), true
}

// SLAUrgent reports whether the lead is in the last fifth of its SLA at now (or past
// it): the console draws it as urgent.
func (l Lead) SLAUrgent(now time.Time) bool {
	left, ok := l.SLALeft(now)
	if !ok {
		return false
	}
	return left*5 <= l.SLADueAt.Sub(l.AssignedAt)
}

// HandoffDue is R15 for one lead and its owner: the lead is open, has had no first
// contact, its owner is on the team and has been away or offline since awayBy or
// before, and held the lead when it left (a lead a person gave it while it was away
// stays: that person was warned and chose). HandoffLeads and NextHandoff restate it.
func HandoffDue(l *Lead, owner *Agent, awayBy time.Time) bool {
	return l.OwnerID == owner.ID && l.Status.Open() && !l.Contacted() &&
		absent(owner.Presence) && !owner.AwaySince.IsZero() &&
		!owner.AwaySince.After(awayBy) && !l.AssignedAt.After(owner.AwaySince)
}

// startSLA starts the SLA of l's owner: sla from now with action, unless the lead has
// had its first contact, has no owner, or sla is 0 (which clears any SLA running).
func (t *txn) startSLA(l *Lead, sla time.Duration, action SLAAction) {
	if l.OwnerID == 0 || l.Contacted() || sla <= 0 {
		l.SLADueAt, l.SLAAction = time.Time{}, ""
		return
	}
	if action == "" {
		action = SLAReroute
	}
	l.SLADueAt, l.SLAAction = t.now.Add(sla), action
	t.wake = true
}

// manualSLA is the setting sla_manual, read once per command.
func (t *txn) manualSLA() (time.Duration, error) {
	if t.slaManual == nil {
		d, err := settingDuration(t, SettingSLAManual)
		if err != nil {
			return 0, err
		}
		t.slaManual = &d
	}
	return *t.slaManual, nil
}

// routeAway routes an owned lead again, away from its owner, who must be passed over
// (it missed the SLA, or it is away): to whom the rules pick, else back to the queue,
// waiting as the decision says. mark records the event that says why, before the
// routing event (it gets the new owner's handle, "" for the queue). It returns the new
// owner, nil for the queue.
func (t *txn) routeAway(l *Lead, mark func(to string) error) (*Agent, error) {
	d, err := t.decide(l, l.CreatedAt, nil)
	if err != nil {
		return nil, err
	}
	if d.owner != nil && d.owner.ID == l.OwnerID {
		// The owner was not passed over after all: nothing to move.
		return nil, fmt.Errorf("routing lead #%d away from %s picked %s again", l.ID, l.Owner, l.Owner)
	}
	prev := l.Owner
	if d.owner != nil {
		if err := mark(d.owner.Handle); err != nil {
			return nil, err
		}
		t.takeDecision(l, d)
		if err := t.UpdateLead(l); err != nil {
			return nil, fmt.Errorf("updating lead #%d: %w", l.ID, err)
		}
		return d.owner, t.applyRouting(l, d, prev)
	}
	if err := mark(""); err != nil {
		return nil, err
	}
	t.keepTurns(d)
	l.OwnerID, l.Owner, l.Waiting, l.WaitReason, l.UpdatedAt = 0, "", d.waiting, d.routing.Reason, t.now
	if l.Status == StatusAssigned {
		l.Status = StatusNew
	}
	t.startSLA(l, 0, "")
	if err := t.UpdateLead(l); err != nil {
		return nil, fmt.Errorf("updating lead #%d: %w", l.ID, err)
	}
	routing := d.routing
	_, err = t.record(Event{Kind: EvLeadUnassigned, Actor: "system", LeadID: l.ID, Agent: prev, From: prev,
		Reason: "back to the queue: " + routing.Explain(), Routing: &routing})
	return nil, err
}

// gatherDue is how long the follow-through timers wait past a due time for the rows
// due with it: well within the second R14 and R15 promise.
const gatherDue = 250 * time.Millisecond

// slaTimer is R14's timer.
func slaTimer() *timerKind {
	return &timerKind{name: timerSLA, batch: 100, gather: gatherDue,
		next: func(r Reader) (time.Time, bool, error) { return r.NextSLADue() },
		fire: (*txn).escalateSLAs,
	}
}

// escalateSLAs escalates at most limit leads whose SLA has passed (R14), each with its
// event, its notifications and its action in this one transaction. Notices are
// grouped: an owner or a dispatcher hears once of the leads that missed together.
func (t *txn) escalateSLAs(limit int) (int, error) {
	due, err := t.LeadsSLADue(t.now, limit)
	if err != nil {
		return 0, fmt.Errorf("reading the leads whose SLA passed: %w", err)
	}
	if len(due) == 0 {
		return 0, nil
	}
	for i := range due {
		t.sawLead(&due[i])
	}
	agents, err := t.Agents()
	if err != nil {
		return 0, fmt.Errorf("reading the team: %w", err)
	}
	var dispatchers []Agent
	for _, a := range agents {
		if a.Role.Can(ActAssign) {
			dispatchers = append(dispatchers, a)
		}
	}
	t.groupNotices()
	var losers []int64
	for i := range due {
		l := &due[i]
		if l.OwnerID == 0 { // an SLA outlived its owner: nobody to escalate
			t.startSLA(l, 0, "")
			if err := t.UpdateLead(l); err != nil {
				return 0, fmt.Errorf("updating lead #%d: %w", l.ID, err)
			}
			continue
		}
		if err := t.escalate(l, dispatchers); err != nil {
			return 0, err
		}
		losers = append(losers, l.SLAMissedBy[len(l.SLAMissedBy)-1])
	}
	if err := t.flushNotices(); err != nil {
		return 0, err
	}
	return len(due), t.drain(losers) // who lost leads has room again (R10)
}

// escalate is one lead's SLA miss: the event, the action, and the notices.
func (t *txn) escalate(l *Lead, dispatchers []Agent) error {
	owner, err := t.ownerOf(l)
	if err != nil {
		return err
	}
	action := l.SLAAction
	if action == "" {
		action = SLAReroute
	}
	sla := FormatDuration(l.SLADueAt.Sub(l.AssignedAt))
	missed := fmt.Sprintf("%s missed the %s SLA", owner.Handle, sla)
	if late := t.now.Sub(l.SLADueAt); late >= time.Second { // escalated late: after a restart
		missed += " by " + FormatDuration(late.Truncate(time.Second))
	}
	if !slices.Contains(l.SLAMissedBy, owner.ID) {
		l.SLAMissedBy = append(slices.Clone(l.SLAMissedBy), owner.ID)
	}
	l.SLADueAt, l.SLAAction, l.UpdatedAt = time.Time{}, "", t.now
	var ev *Event
	var outcome, yours string
	// mark records the miss before the action's own events, saying where the lead went.
	mark := func(to string) (err error) {
		from := owner.Handle
		switch {
		case action == SLANotify:
			from, outcome, yours = "", "still with "+owner.Handle, "it stays with you"
		case to == "":
			outcome, yours = "back in the queue", "it is back in the queue"
		default:
			outcome, yours = "re-routed to "+to, "it went to "+to
		}
		ev, err = t.record(Event{Kind: EvLeadSLAMissed, Actor: "system", LeadID: l.ID, Agent: owner.Handle,
			From: from, To: to, Reason: missed + ": " + outcome})
		return err
	}
	switch action {
	case SLAReroute:
		if _, err := t.routeAway(l, mark); err != nil {
			return err
		}
	case SLAUnassign:
		if err := mark(""); err != nil {
			return err
		}
		prev := l.Owner
		l.OwnerID, l.Owner, l.Waiting, l.WaitReason = 0, "", WaitingManual, missed
		if l.Status == StatusAssigned {
			l.Status = StatusNew
		}
		if err := t.UpdateLead(l); err != nil {
			return fmt.Errorf("updating lead #%d: %w", l.ID, err)
		}
		if _, err := t.record(Event{Kind: EvLeadUnassigned, Actor: "system", LeadID: l.ID, Agent: prev, From: prev, Reason: missed}); err != nil {
			return err
		}
	default: // notify: the owner keeps it, with no new deadline
		if err := mark(""); err != nil {
			return err
		}
		if err := t.UpdateLead(l); err != nil {
			return fmt.Errorf("updating lead #%d: %w", l.ID, err)
		}
	}
	ownerMany := func(n int) string { return fmt.Sprintf("You missed the SLA on %d leads", n) }
	if err := t.notify(&owner, ev, l, func() string { return fmt.Sprintf("You missed the %s SLA on %s: %s", sla, l.Title(), yours) }, true, "sla missed", ownerMany); err != nil {
		return err
	}
	for i := range dispatchers {
		d := &dispatchers[i]
		if d.ID == owner.ID {
			continue
		}
		many := func(n int) string { return fmt.Sprintf("%d leads missed their SLA", n) }
		if err := t.notify(d, ev, l, func() string {
			return fmt.Sprintf("%s missed the %s SLA on %s: %s", owner.Handle, sla, l.Title(), outcome)
		}, true, "sla missed", many); err != nil {
			return err
		}
	}
	return nil
}

// ownerOf reads the owner of l, from the routing model when it can.
func (t *txn) ownerOf(l *Lead) (Agent, error) {
	m, err := t.routing()
	if err != nil {
		return Agent{}, err
	}
	if a := m.agents[l.OwnerID]; a != nil {
		return *a, nil
	}
	a, err := t.Agent(l.OwnerID)
	if err != nil {
		return Agent{}, fmt.Errorf("reading the owner of lead #%d: %w", l.ID, err)
	}
	return a, nil
}

// handoffTimer is R15's timer.
func handoffTimer() *timerKind {
	return &timerKind{name: timerHandoff, batch: 200, gather: gatherDue,
		next: func(r Reader) (time.Time, bool, error) {
			after, err := settingDuration(r, SettingHandoffAfter)
			if err != nil || after == 0 {
				return time.Time{}, false, err
			}
			since, ok, err := r.NextHandoff()
			return since.Add(after), ok, err
		},
		fire: (*txn).handOff,
	}
}

// handOff routes again at most limit leads that HandoffDue says are due (R15), each
// with a lead.handed_off event; the absent owner hears of them in its inbox, once.
func (t *txn) handOff(limit int) (int, error) {
	after, err := settingDuration(t, SettingHandoffAfter)
	if err != nil || after == 0 {
		return 0, err
	}
	leads, err := t.HandoffLeads(t.now.Add(-after), limit)
	if err != nil {
		return 0, fmt.Errorf("reading the leads to hand off: %w", err)
	}
	t.groupNotices()
	owners := map[int64]*Agent{}
	for i := range leads {
		l := &leads[i]
		t.sawLead(l)
		owner := owners[l.OwnerID]
		if owner == nil {
			a, err := t.Agent(l.OwnerID)
			if err != nil {
				return 0, fmt.Errorf("reading the owner of lead #%d: %w", l.ID, err)
			}
			owner = &a
			owners[a.ID] = owner
		}
		why := fmt.Sprintf("%s %s for %s", owner.Handle, owner.Presence, FormatDuration(t.now.Sub(owner.AwaySince).Truncate(time.Second)))
		var ev *Event
		to, err := t.routeAway(l, func(to string) (err error) {
			ev, err = t.record(Event{Kind: EvLeadHandedOff, Actor: "system", LeadID: l.ID, Agent: owner.Handle,
				From: owner.Handle, To: to, Reason: why})
			return err
		})
		if err != nil {
			return 0, err
		}
		where := "the queue"
		if to != nil {
			where = to.Handle
		}
		many := func(n int) string {
			return fmt.Sprintf("%d of your leads were handed off while you were %s", n, owner.Presence)
		}
		msg := func() string {
			return fmt.Sprintf("%s was handed off to %s: you were %s for %s", l.Title(), where, owner.Presence, FormatDuration(after))
		}
		if err := t.notify(owner, ev, l, msg, false, "handed off", many); err != nil {
			return 0, err
		}
	}
	return len(leads), t.flushNotices()
}
