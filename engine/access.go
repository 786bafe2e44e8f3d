package engine

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// LeadAccess is the one rule of who may see and change a lead (R8): dispatchers and up
// edit every lead, the owner edits its own, a share active at now gives its access,
// others get none. share is the actor's share of l, nil when it holds none. The engine
// decides every command with it; a view that holds leads and shares in memory (the
// console's shared model of the open leads) calls it to decide what an agent sees.
func LeadAccess(actor Actor, l *Lead, share *Share, now time.Time) Access {
	switch {
	case actor.Role.Can(ActEditAnyLead):
		return AccessEdit
	case !actor.IsAgent():
		return AccessNone
	case l.OwnerID == actor.AgentID:
		return AccessEdit
	case share != nil && share.LeadID == l.ID && share.AgentID == actor.AgentID && share.ActiveAt(now):
		return share.Access
	}
	return AccessNone
}

// accessTo is LeadAccess with the actor's share read from r.
func accessTo(r Reader, actor Actor, l *Lead, now time.Time) (Access, error) {
	if acc := LeadAccess(actor, l, nil, now); acc != AccessNone || !actor.IsAgent() {
		return acc, nil
	}
	s, err := r.ActiveShare(l.ID, actor.AgentID, now)
	if errors.Is(err, ErrNoRows) {
		return AccessNone, nil
	}
	if err != nil {
		return AccessNone, fmt.Errorf("reading shares: %w", err)
	}
	return LeadAccess(actor, l, &s, now), nil
}

// LeadVisibleTo reports whether agent agentID, in a role that does not see every lead,
// may see lead l at now, given the lead's shares: LeadAccess for such an agent. Stores
// restate it in their queries (LeadFilter.VisibleTo), and the store conformance suite
// checks each against it.
func LeadVisibleTo(l Lead, shares []Share, agentID int64, now time.Time) bool {
	if agentID == 0 {
		return false
	}
	agent := Actor{Role: RoleAgent, AgentID: agentID}
	if LeadAccess(agent, &l, nil, now) != AccessNone {
		return true
	}
	for i := range shares {
		if LeadAccess(agent, &l, &shares[i], now) != AccessNone {
			return true
		}
	}
	return false
}

// EventVisibleTo reports whether an agent (handle), in a role that does not see all
// history, may see ev: events about it or by it, and events about a lead it may see
// (leadVisible, which applies LeadVisibleTo at the time of reading). Stores restate it
// in their queries (EventFilter.VisibleTo), and the store conformance suite checks each
// against it.
func EventVisibleTo(ev Event, handle string, leadVisible func(leadID int64) bool) bool {
	return (handle != "" && (ev.Agent == handle || ev.Actor == handle)) ||
		(ev.LeadID != 0 && leadVisible(ev.LeadID))
}

func noAccess(actor Actor, id int64) error {
	return forbiddenf("%s has no access to lead #%d: it is neither its owner nor shared with it", actor.Name, id)
}

// loadLead reads a lead, turning "no rows" into an error that names it.
func loadLead(r Reader, id int64) (Lead, error) {
	l, err := r.Lead(id)
	if errors.Is(err, ErrNoRows) {
		return Lead{}, notFoundf("lead #%d does not exist", id)
	}
	if err != nil {
		return Lead{}, fmt.Errorf("reading lead #%d: %w", id, err)
	}
	return l, nil
}

// leadsReadAtOnce is how many leads a bulk command reads in one query.
const leadsReadAtOnce = 1000

// loadLeads reads the leads ids names, in that order, a thousand a query: a bulk
// command reads its leads before it writes any, so that its writes go together. The
// first id that names no lead is refused as loadLead refuses it.
func loadLeads(r Reader, ids []int64) ([]Lead, error) {
	return loadLeadsBy(ids, func(chunk []int64) ([]Lead, error) { return r.Leads(LeadFilter{IDs: chunk}) })
}

// loadLeadOwners is loadLeads of what an assignment reads (LeadReader.LeadOwners).
func loadLeadOwners(r Reader, ids []int64) ([]Lead, error) { return loadLeadsBy(ids, r.LeadOwners) }

func loadLeadsBy(ids []int64, read func(chunk []int64) ([]Lead, error)) ([]Lead, error) {
	out := make([]Lead, 0, len(ids))
	for start := 0; start < len(ids); start += leadsReadAtOnce {
		chunk := ids[start:min(start+leadsReadAtOnce, len(ids))]
		ls, err := read(chunk)
		if err != nil {
			return nil, fmt.Errorf("reading leads: %w", err)
		}
		byID := make(map[int64]*Lead, len(ls))
		for i := range ls {
			byID[ls[i].ID] = &ls[i]
		}
		for _, id := range chunk {
			l := byID[id]
			if l == nil {
				return nil, notFoundf("lead #%d does not exist", id)
			}
			out = append(out, *l)
		}
	}
	return out, nil
}

// loadAgent reads an active agent by handle.
func loadAgent(r Reader, handle string) (Agent, error) {
	a, err := r.AgentByHandle(handle)
	if errors.Is(err, ErrNoRows) {
		return Agent{}, notFoundIn("agent", "unknown agent %s", short(handle))
	}
	if err != nil {
		return Agent{}, fmt.Errorf("reading agent %q: %w", handle, err)
	}
	return a, nil
}

// Cursors are opaque to callers; inside they are a tag and the last id of the page.
func encodeCursor(tag byte, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(tag) + strconv.FormatInt(id, 10)))
}

func decodeCursor(tag byte, c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == tag {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, invalidf("cursor", "cursor %q is not one this list gave out: start again without it", c)
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return 50, nil
	case n < 0 || n > 1000:
		return 0, invalidf("limit", "limit must be between 1 and 1000 (got %d)", n)
	}
	return n, nil
}
