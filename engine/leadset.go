package engine

import (
	"context"
	"errors"
)

// LeadsByID reads, in one read, the leads ids name that actor may see: what a live
// view reloads after a burst of commits touched them. Leads that do not exist or that
// actor may not see are not errors: their ids come back in gone, as the view drops
// them. Unlike Lead it does not read shares.
func (e *Engine) LeadsByID(ctx context.Context, actor Actor, ids []int64) (found []Lead, gone []int64, err error) {
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
			found = append(found, l)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return found, gone, nil
}
