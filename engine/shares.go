package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// checkShare checks a share's access and duration (0: until revoked).
func checkShare(access Access, d time.Duration) (Access, error) {
	acc, err := ParseAccess(string(access))
	if err != nil {
		return "", err
	}
	if d < 0 || d > maxShareDuration {
		return "", invalidf("duration", "a share lasts a positive duration of at most 10 years, or until revoked")
	}
	return acc, nil
}

// mayShare refuses a share of l by actor: dispatchers share any lead; an agent shares
// the leads it owns.
func mayShare(actor Actor, l *Lead) error {
	if !actor.Role.Can(ActShareAnyLead) && !(actor.IsAgent() && l.OwnerID == actor.AgentID) {
		return forbiddenf("%s cannot share lead #%d: agents share only the leads they own", actor.Name, l.ID)
	}
	return nil
}

// Share gives an agent read or edit access to a lead for a while, or until revoked (R9).
// Dispatchers share any lead; an agent shares the leads it owns. Sharing again with an
// agent that holds an active share changes that share.
func (e *Engine) Share(ctx context.Context, actor Actor, in NewShare) (Share, error) {
	acc, err := checkShare(in.Access, in.Duration)
	if err != nil {
		return Share{}, err
	}
	if in.Via == "" {
		in.Via = "console"
	}
	var out Share
	err = e.write(ctx, func(t *txn) error {
		l, err := loadLead(t, in.LeadID)
		if err != nil {
			return err
		}
		if err := mayShare(actor, &l); err != nil {
			return err
		}
		a, err := loadAgent(t, in.Agent)
		if err != nil {
			return err
		}
		if a.ID == l.OwnerID {
			return conflictf("%s owns lead #%d already: it has edit access", a.Handle, l.ID)
		}
		s, err := t.share(&l, &a, acc, in.Duration, actor.Name, in.Via, 0)
		if err != nil {
			return err
		}
		out = *s
		return nil
	})
	return out, err
}

// ShareLeads shares many leads with the agent called handle, with one access and
// duration (0: until revoked), in one transaction: all or nothing, like Assign. A lead
// the actor may not share, one that does not exist, or the agent's share limit refuses
// the whole command and changes nothing. Leads the agent owns, and leads it holds an
// active share of that already gives the same access until revoked, are Unchanged.
func (e *Engine) ShareLeads(ctx context.Context, actor Actor, ids []int64, handle string, access Access, d time.Duration, via string) (BulkResult, error) {
	if !actor.IsAgent() { // an agent may share its own leads; anyone else needs the role
		if err := actor.require(ActShareAnyLead); err != nil {
			return BulkResult{}, err
		}
	}
	acc, err := checkShare(access, d)
	if err != nil {
		return BulkResult{}, err
	}
	if err := checkBulk(ids); err != nil {
		return BulkResult{}, err
	}
	if via == "" {
		via = "console"
	}
	var res BulkResult
	err = e.write(ctx, func(t *txn) error {
		res = BulkResult{}
		t.groupNotices()
		a, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		leads, err := loadLeads(t, ids)
		if err != nil {
			return err
		}
		// The agent's shares, read once: which leads it holds one of, and how many.
		active, err := t.ActiveSharesOf(a.ID, t.now)
		if err != nil {
			return fmt.Errorf("reading %s's shares: %w", a.Handle, err)
		}
		holds := make(map[int64]Share, len(active))
		for _, sh := range active {
			if _, ok := holds[sh.LeadID]; !ok || sh.ID > holds[sh.LeadID].ID { // the newest, as ActiveShare
				holds[sh.LeadID] = sh
			}
		}
		count := len(active)
		for i := range leads {
			l, id := &leads[i], leads[i].ID
			if err := mayShare(actor, l); err != nil {
				return err
			}
			if a.ID == l.OwnerID {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			old, has := holds[id]
			if d == 0 && has && old.Access == acc && old.ExpiresAt.IsZero() {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			var oldp *Share
			if has {
				oldp = &old
			}
			s, err := t.putShare(l, &a, acc, d, actor.Name, via, 0, oldp, count)
			if err != nil {
				return err
			}
			if !has {
				count++
			}
			holds[id] = *s
			res.Changed = append(res.Changed, id)
		}
		return t.flushNotices()
	})
	return res, err
}

// share creates (or changes) agent a's share of l and notifies a.
func (t *txn) share(l *Lead, a *Agent, acc Access, d time.Duration, by, via string, ruleID int64) (*Share, error) {
	old, err := t.ActiveShare(l.ID, a.ID, t.now)
	switch {
	case err == nil:
		return t.putShare(l, a, acc, d, by, via, ruleID, &old, 0)
	case errors.Is(err, ErrNoRows):
		n, err := t.CountActiveShares(a.ID, t.now)
		if err != nil {
			return nil, fmt.Errorf("counting shares: %w", err)
		}
		return t.putShare(l, a, acc, d, by, via, ruleID, nil, n)
	default:
		return nil, fmt.Errorf("reading shares: %w", err)
	}
}

// putShare changes old, agent a's active share of l, or when there is none makes one,
// unless a holds n active shares already, the limit; then it notifies a.
func (t *txn) putShare(l *Lead, a *Agent, acc Access, d time.Duration, by, via string, ruleID int64, old *Share, n int) (*Share, error) {
	s := Share{LeadID: l.ID, AgentID: a.ID, Agent: a.Handle, Access: acc, Status: ShareActive, CreatedAt: t.now, CreatedBy: by, Via: via}
	if d > 0 {
		s.ExpiresAt = t.now.Add(d)
		t.wake = true
	}
	until := "until revoked"
	if d > 0 {
		until = "for " + FormatDuration(d)
	}
	ev := Event{Kind: EvShareCreated, Actor: by, LeadID: l.ID, Agent: a.Handle, RuleID: ruleID, To: string(acc), Reason: until}
	if old != nil {
		changed := *old
		changed.Access, changed.ExpiresAt = s.Access, s.ExpiresAt
		if err := t.UpdateShare(&changed); err != nil {
			return nil, fmt.Errorf("changing share: %w", err)
		}
		s = changed
		ev.Kind = EvShareChanged
	} else {
		if n >= MaxActiveShares {
			return nil, &Error{Kind: KindLimit, Field: "agent", Msg: fmt.Sprintf(
				"%s already holds %d active shares, the most an agent can hold: revoke some or let them expire first", a.Handle, n)}
		}
		if err := t.InsertShare(&s); err != nil {
			return nil, fmt.Errorf("storing share: %w", err)
		}
	}
	rec, err := t.record(ev)
	if err != nil {
		return nil, err
	}
	msg := func() string { return fmt.Sprintf("%s shared %s with you (%s, %s)", by, l.Title(), acc, until) }
	many := func(n int) string { return fmt.Sprintf("%s shared %d leads with you (%s, %s)", by, n, acc, until) }
	if err := t.notify(a, rec, l, msg, true, fmt.Sprintf("shared %s %s", acc, until), many); err != nil {
		return nil, err
	}
	return &s, nil
}

// RevokeShare ends a share early. Dispatchers revoke any share, an agent the shares of
// the leads it owns, and a holder may give up its own.
func (e *Engine) RevokeShare(ctx context.Context, actor Actor, id int64) (Share, error) {
	var out Share
	err := e.write(ctx, func(t *txn) error {
		s, err := t.Share(id)
		if errors.Is(err, ErrNoRows) {
			return notFoundf("share #%d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("reading share #%d: %w", id, err)
		}
		l, err := loadLead(t, s.LeadID)
		if err != nil {
			return err
		}
		allowed := actor.Role.Can(ActShareAnyLead) ||
			(actor.IsAgent() && (l.OwnerID == actor.AgentID || s.AgentID == actor.AgentID))
		if !allowed {
			return forbiddenf("%s cannot revoke share #%d: only dispatchers, the lead's owner and the holder can", actor.Name, id)
		}
		if !s.ActiveAt(t.now) {
			return conflictf("share #%d is %s already", id, endedStatus(s, t.now))
		}
		s.Status, s.EndedAt = ShareRevoked, t.now
		if err := t.UpdateShare(&s); err != nil {
			return fmt.Errorf("revoking share #%d: %w", id, err)
		}
		rec, err := t.record(Event{Kind: EvShareRevoked, Actor: actor.Name, LeadID: l.ID, Agent: s.Agent, From: string(s.Access)})
		if err != nil {
			return err
		}
		holder, err := t.Agent(s.AgentID)
		if err != nil {
			return fmt.Errorf("reading share holder: %w", err)
		}
		out = s
		many := func(n int) string { return fmt.Sprintf("%s revoked your access to %d leads", actor.Name, n) }
		return t.notify(&holder, rec, &l, func() string { return fmt.Sprintf("%s revoked your access to %s", actor.Name, l.Title()) }, false, "revoked", many)
	})
	return out, err
}

func endedStatus(s Share, now time.Time) ShareStatus {
	if s.Status == ShareActive && !s.ActiveAt(now) {
		return ShareExpired
	}
	return s.Status
}

// SharedLead is a lead shared with the reading agent, with the share.
type SharedLead struct {
	Lead  Lead
	Share Share
}

// SharedWithMe lists the leads shared with the actor (an agent), soonest to end first.
func (e *Engine) SharedWithMe(ctx context.Context, actor Actor) ([]SharedLead, error) {
	if !actor.IsAgent() {
		return nil, forbiddenf("%s is not an agent: only agents hold shares", actor.Name)
	}
	var out []SharedLead
	err := e.read(ctx, func(r Reader) error {
		shares, err := r.ActiveSharesOf(actor.AgentID, e.now())
		if err != nil {
			return fmt.Errorf("reading shares: %w", err)
		}
		for _, s := range shares {
			l, err := loadLead(r, s.LeadID)
			if err != nil {
				return err
			}
			out = append(out, SharedLead{Lead: l, Share: s})
		}
		return nil
	})
	return out, err
}

// ExpireShares ends every active share whose time is up (R9), in batches. The engine
// runs it by itself within a second of each end; callers need it only to force it.
func (e *Engine) ExpireShares(ctx context.Context) error {
	_, err := e.fireTimer(ctx, e.timerKind(timerShareExpiry))
	return err
}

// expireShares ends at most limit shares whose end has passed, with their events and
// notices.
func (t *txn) expireShares(limit int) (int, error) {
	ended, err := t.SharesEndedBy(t.now, limit)
	if err != nil {
		return 0, fmt.Errorf("reading ended shares: %w", err)
	}
	// Shares made together end together: one notice per holder.
	t.groupNotices()
	for i := range ended {
		s := &ended[i]
		s.Status, s.EndedAt = ShareExpired, s.ExpiresAt
		if err := t.UpdateShare(s); err != nil {
			return 0, fmt.Errorf("expiring share #%d: %w", s.ID, err)
		}
		rec, err := t.record(Event{Kind: EvShareExpired, Actor: "system", LeadID: s.LeadID, Agent: s.Agent, From: string(s.Access)})
		if err != nil {
			return 0, err
		}
		l, err := loadLead(t, s.LeadID)
		if err != nil {
			return 0, err
		}
		holder, err := t.Agent(s.AgentID)
		if err != nil {
			return 0, fmt.Errorf("reading share holder: %w", err)
		}
		many := func(n int) string { return fmt.Sprintf("Your access to %d leads has ended", n) }
		if err := t.notify(&holder, rec, &l, func() string { return fmt.Sprintf("Your %s access to %s has ended", s.Access, l.Title()) }, true, "expired", many); err != nil {
			return 0, err
		}
	}
	return len(ended), t.flushNotices()
}
