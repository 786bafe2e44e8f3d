package engine

import (
	"context"
	"errors"
	"fmt"
)

// LeadsByID reads, in one read, the leads ids name that actor may see, each with its
// shares: what a live view reads again after a burst of commits touched them. Leads
// that do not exist or that actor may not see are not errors: their ids come back in
// gone, as the view drops them.
func (e *Engine) LeadsByID(ctx context.Context, actor Actor, ids []int64) (found []LeadDetail, gone []int64, err error) {
	now := e.now()
	err = e.read(ctx, func(r Reader) error {
		found, gone = found[:0], gone[:0]
		for _, id := range ids {
			l, err := loadLead(r, id)
			if errors.Is(err, ErrNotFound) {
				gone = append(gone, id)
				continue
			}
			if err != nil {
				return err
			}
			acc, err := accessTo(r, actor, &l, now)
			if err != nil {
				return err
			}
			if acc == AccessNone {
				gone = append(gone, id)
				continue
			}
			shares, err := r.SharesOfLead(id)
			if err != nil {
				return fmt.Errorf("reading shares of lead #%d: %w", id, err)
			}
			found = append(found, LeadDetail{Lead: l, Shares: shares, Access: acc})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return found, gone, nil
}

// ActiveShares lists every share active now, by agent: what a view that decides what
// each agent sees starts from. It needs the right to see every lead.
func (e *Engine) ActiveShares(ctx context.Context, actor Actor) ([]Share, error) {
	if err := actor.require(ActViewAllLeads); err != nil {
		return nil, err
	}
	now := e.now()
	var out []Share
	err := e.read(ctx, func(r Reader) error {
		agents, err := r.Agents()
		if err != nil {
			return fmt.Errorf("reading agents: %w", err)
		}
		for _, a := range agents {
			shares, err := r.ActiveSharesOf(a.ID, now)
			if err != nil {
				return fmt.Errorf("reading %s's shares: %w", a.Handle, err)
			}
			out = append(out, shares...)
		}
		return nil
	})
	return out, err
}
