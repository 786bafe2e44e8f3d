package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxBulk is the most leads one bulk command may touch.
const MaxBulk = 100000

// drainScanLimit bounds how many queued leads one R10 trigger looks at, so that a
// presence change stays quick even with a huge queue; the oldest are looked at first.
const drainScanLimit = 5000

// CreateLead creates lead in and routes it (R1–R4, R11). The writer runs it together
// with the other single lead creations waiting with it (intake.go), each answered as if
// it had run alone.
func (e *Engine) CreateLead(ctx context.Context, actor Actor, in NewLead) (Created, error) {
	if err := actor.require(ActCreateLead); err != nil {
		return Created{}, err
	}
	if err := prepareNewLead(&in); err != nil {
		if cerr := e.CheckToken(ctx, actor); cerr != nil {
			return Created{}, cerr
		}
		return Created{Err: err}, err
	}
	c := &leadCreation{actor: actor, in: in}
	err := e.submit(&op{ctx: ctx, routes: true, create: c, done: make(chan struct{}), fn: func(t *txn) error {
		if err := t.checkToken(actor); err != nil {
			return err
		}
		out, err := t.createLead(actor, &c.in)
		if err != nil {
			return err
		}
		c.out = out
		return nil
	}})
	if err != nil {
		return Created{}, err
	}
	return c.out, nil
}

// prepareNewLead normalises a new lead's input and checks it.
func prepareNewLead(in *NewLead) error {
	in.Normalize()
	if in.Fields != nil {
		in.Fields = normalizeFieldValues(in.Fields)
	}
	return in.Validate()
}

// CreateLeads creates and routes many leads in one transaction, in order, exactly as
// the same number of CreateLead calls would, but that each agent is notified once for
// the batch of each kind of notice ("37 new leads for you from the rules"), as bulk
// commands notify. An input that is refused gets its Err in its Created; the others
// still commit.
func (e *Engine) CreateLeads(ctx context.Context, actor Actor, in []NewLead) ([]Created, error) {
	if err := actor.require(ActCreateLead); err != nil {
		return nil, err
	}
	out := make([]Created, len(in))
	for i := range in {
		out[i].Err = prepareNewLead(&in[i])
	}
	err := e.writeRouting(ctx, func(t *txn) error {
		if len(in) > 1 {
			// What the batch's leads repeat or return to, read once; and one
			// notification per agent and kind for the batch, as for a bulk command.
			if err := t.readBatch(in, out); err != nil {
				return err
			}
			t.groupNotices()
		}
		for i := range in {
			if out[i].Err != nil {
				continue
			}
			c, err := t.createLead(actor, &in[i])
			if err != nil {
				return err
			}
			out[i] = c
		}
		return t.flushNotices()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createdReasonPrefix begins a lead.created event's reason, before the lead's source
// (Event.CreatedSource reads it back).
const createdReasonPrefix = "source "

// readExternal reads, in one query, the leads that a batch's inputs (those without an
// error) repeat: createLead then looks them up in t.external.
func (t *txn) readExternal(in []NewLead, out []Created) error {
	var keys []ExternalKey
	for i := range in {
		if out[i].Err == nil && in[i].ExternalID != "" {
			keys = append(keys, ExternalKey{in[i].Source, in[i].ExternalID})
		}
	}
	if len(keys) < 2 {
		return nil
	}
	found, err := t.LeadsByExternalID(keys)
	if err != nil {
		return fmt.Errorf("looking up external ids: %w", err)
	}
	t.external = make(map[ExternalKey]*Lead, len(keys))
	for _, k := range keys {
		t.external[k] = nil // looked up: no lead has it
	}
	for i := range found {
		l := &found[i]
		t.sawLead(l)
		t.external[ExternalKey{l.Source, l.ExternalID}] = l
	}
	return nil
}

// leadByExternalID is the lead with a source and external id (R11), from what
// readExternal read when it looked that key up, else from the store.
func (t *txn) leadByExternalID(source, externalID string) (Lead, error) {
	if l, ok := t.external[ExternalKey{source, externalID}]; ok {
		if l == nil {
			return Lead{}, ErrNoRows
		}
		return *l, nil
	}
	return t.LeadByExternalID(source, externalID)
}

func (t *txn) createLead(actor Actor, in *NewLead) (Created, error) {
	if in.ExternalID != "" { // R11
		l, err := t.leadByExternalID(in.Source, in.ExternalID)
		if err == nil {
			// An intake token may create leads, not read them: knowing a source and
			// an external id must not show it someone's name, e-mail and phone.
			if LeadAccess(actor, &l, nil, t.now) == AccessNone {
				return Created{Lead: Lead{ID: l.ID}, Duplicate: true, Redacted: true}, nil
			}
			return Created{Lead: l, Duplicate: true}, nil
		}
		if !errors.Is(err, ErrNoRows) {
			return Created{}, fmt.Errorf("looking up external id: %w", err)
		}
	}
	l := Lead{
		ExternalID: in.ExternalID, Name: in.Name, Email: in.Email, Phone: in.Phone,
		Company: in.Company, Source: in.Source, Tags: in.Tags, Fields: in.Fields,
		Status: StatusNew, CreatedAt: t.now, UpdatedAt: t.now,
	}
	if l.Tags == nil {
		l.Tags = []string{}
	}
	if l.Fields == nil {
		l.Fields = map[string]any{}
	}
	returning, err := t.findReturning(&l) // R20
	if err != nil {
		return Created{}, err
	}
	if returning != nil {
		l.ReturningOf, l.ReturningBy = returning.ID, returningBy(&l, returning)
	}
	d, err := t.decide(&l, t.now, returning)
	if err != nil {
		return Created{}, err
	}
	if d.owner != nil {
		t.takeDecision(&l, d)
	} else {
		l.Waiting, l.WaitReason = d.waiting, d.routing.Reason
	}
	if err := t.InsertLead(&l); err != nil {
		return Created{}, fmt.Errorf("storing lead: %w", err)
	}
	if _, ok := t.external[ExternalKey{l.Source, l.ExternalID}]; ok { // a later input may repeat it
		stored := l
		t.external[ExternalKey{l.Source, l.ExternalID}] = &stored
	}
	if t.returning != nil { // or return to it
		t.returning.add(&l)
	}
	if _, err := t.record(Event{Kind: EvLeadCreated, Actor: actor.Name, LeadID: l.ID, To: l.Title(), Reason: createdReasonPrefix + l.Source}); err != nil {
		return Created{}, err
	}
	if err := t.applyRouting(&l, d, ""); err != nil {
		return Created{}, err
	}
	return Created{Lead: l, Routing: d.routing}, nil
}

// Lead reads one lead with its shares, if the actor may see it.
func (e *Engine) Lead(ctx context.Context, actor Actor, id int64) (LeadDetail, error) {
	var d LeadDetail
	err := e.read(ctx, func(r Reader) error {
		l, err := loadLead(r, id)
		if err != nil {
			return err
		}
		acc, err := accessTo(r, actor, &l, e.now())
		if err != nil {
			return err
		}
		if acc == AccessNone {
			return noAccess(actor, id)
		}
		shares, err := r.SharesOfLead(id)
		if err != nil {
			return fmt.Errorf("reading shares: %w", err)
		}
		d = LeadDetail{Lead: l, Shares: shares, Access: acc}
		for _, id := range l.SLAMissedBy {
			a, err := r.Agent(id)
			if err != nil {
				return fmt.Errorf("reading agent #%d: %w", id, err)
			}
			d.SLAMissedBy = append(d.SLAMissedBy, a.Handle)
		}
		return nil
	})
	return d, err
}

// ListLeads pages through the leads the actor may see.
func (e *Engine) ListLeads(ctx context.Context, actor Actor, q LeadQuery) (LeadPage, error) {
	f, err := e.leadFilter(actor, q)
	if err != nil {
		return LeadPage{}, err
	}
	var page LeadPage
	err = e.read(ctx, func(r Reader) error {
		if q.Owner != "" {
			a, err := loadAgent(r, q.Owner)
			if err != nil {
				return err
			}
			f.OwnerID = a.ID
		}
		limit := f.Limit
		f.Limit++
		items, err := r.Leads(f)
		if err != nil {
			return fmt.Errorf("listing leads: %w", err)
		}
		if len(items) > limit {
			items = items[:limit]
			page.Next = encodeCursor(cursorTag(q.OldestFirst), items[limit-1].ID)
		}
		page.Items = items
		return nil
	})
	return page, err
}

// CountLeads counts the leads a query selects (ignoring its paging).
func (e *Engine) CountLeads(ctx context.Context, actor Actor, q LeadQuery) (int, error) {
	q.Cursor, q.Limit = "", 0
	f, err := e.leadFilter(actor, q)
	if err != nil {
		return 0, err
	}
	var n int
	err = e.read(ctx, func(r Reader) error {
		if q.Owner != "" {
			a, err := loadAgent(r, q.Owner)
			if err != nil {
				return err
			}
			f.OwnerID = a.ID
		}
		n, err = r.CountLeads(f)
		return err
	})
	return n, err
}

func cursorTag(oldestFirst bool) byte {
	if oldestFirst {
		return 'a'
	}
	return 'd'
}

func (e *Engine) leadFilter(actor Actor, q LeadQuery) (LeadFilter, error) {
	for _, f := range []struct{ name, v string }{{"q", q.Text}, {"source", q.Source}, {"tag", q.Tag}, {"owner", q.Owner}} {
		if err := checkText(f.name, f.v, MaxSearchLen); err != nil {
			return LeadFilter{}, err
		}
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return LeadFilter{}, err
	}
	after, err := decodeCursor(cursorTag(q.OldestFirst), q.Cursor)
	if err != nil {
		return LeadFilter{}, err
	}
	f := LeadFilter{
		Status: q.Status, Source: strings.ToLower(strings.TrimSpace(q.Source)),
		Tag: strings.ToLower(strings.TrimSpace(q.Tag)), Text: strings.TrimSpace(q.Text),
		Unassigned: q.Unassigned, Open: q.Open, OldestFirst: q.OldestFirst,
		AfterID: after, Limit: limit, Now: e.now(),
	}
	if !actor.Role.Can(ActViewAllLeads) {
		if !actor.IsAgent() {
			return LeadFilter{}, actor.require(ActViewAllLeads)
		}
		f.VisibleTo = actor.AgentID
	}
	return f, nil
}

// BulkResult says what a bulk command did.
type BulkResult struct {
	Changed   []int64 // leads whose owner changed
	Unchanged []int64 // leads already as asked (or, for re-route, kept by their owner)
}

func checkBulk(ids []int64) error {
	if len(ids) == 0 {
		return invalidf("lead_ids", "no leads given")
	}
	if len(ids) > MaxBulk {
		return invalidf("lead_ids", "at most %d leads at once (got %d)", MaxBulk, len(ids))
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return invalidf("lead_ids", "lead id %d is not valid", id)
		}
		if seen[id] {
			return invalidf("lead_ids", "lead #%d is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// checkReason checks the reason a person gives for a change: it is stored with every
// lead's event and shown in consoles.
func checkReason(reason string) error { return checkText("reason", reason, MaxReasonLen) }

// Assign gives leads to the agent with handle, whoever owned them (manual assignment
// ignores eligibility, R5). All or nothing: one unknown lead changes nothing.
func (e *Engine) Assign(ctx context.Context, actor Actor, ids []int64, handle, reason string) (BulkResult, error) {
	if err := actor.require(ActAssign); err != nil {
		return BulkResult{}, err
	}
	if err := checkBulk(ids); err != nil {
		return BulkResult{}, err
	}
	if err := checkReason(reason); err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	err := e.write(ctx, func(t *txn) error {
		res = BulkResult{}
		t.groupNotices()
		to, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		leads, err := loadLeadOwners(t, ids)
		if err != nil {
			return err
		}
		t.events = slices.Grow(t.events, len(leads)) // an event per lead, copied once
		var losers []int64
		for i := range leads {
			l, id := &leads[i], leads[i].ID
			if l.OwnerID == to.ID {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			if l.OwnerID != 0 {
				losers = append(losers, l.OwnerID)
			}
			if err := t.setOwner(actor, l, &to, reason); err != nil {
				return err
			}
			res.Changed = append(res.Changed, id)
		}
		if err := t.readNoticeLeads(); err != nil {
			return err
		}
		if err := t.drain(losers); err != nil {
			return err
		}
		return t.flushNotices()
	})
	return res, err
}

// setOwner is a person's assignment of l to a (nil: unassign), with its event and
// notifications. It changes only what UpdateLeadOwner writes: l may come from
// LeadOwners.
func (t *txn) setOwner(actor Actor, l *Lead, a *Agent, reason string) error {
	prevID, prev := l.OwnerID, l.Owner
	ev := Event{Actor: actor.Name, LeadID: l.ID, From: prev, Reason: reason}
	if a != nil {
		l.OwnerID, l.Owner, l.AssignedAt, l.Waiting, l.WaitReason = a.ID, a.Handle, t.now, WaitingNone, ""
		if l.FirstAssignedAt.IsZero() {
			l.FirstAssignedAt = t.now
		}
		if l.Status == StatusNew {
			l.Status = StatusAssigned
		}
		sla, err := t.manualSLA() // a person's assignment runs sla_manual (R14)
		if err != nil {
			return err
		}
		t.startSLA(l, sla, SLAReroute)
		ev.Agent, ev.To = a.Handle, a.Handle
		ev.Kind = EvLeadAssigned
		if prevID != 0 {
			ev.Kind = EvLeadReassigned
		}
	} else {
		l.OwnerID, l.Owner, l.Waiting = 0, "", WaitingManual
		l.WaitReason = "unassigned by " + actor.Name
		if reason != "" {
			l.WaitReason += ": " + reason
		}
		if l.Status == StatusAssigned {
			l.Status = StatusNew
		}
		t.startSLA(l, 0, "")
		ev.Kind, ev.Agent = EvLeadUnassigned, prev
	}
	l.UpdatedAt = t.now
	if err := t.UpdateLeadOwner(l); err != nil {
		return fmt.Errorf("updating lead #%d: %w", l.ID, err)
	}
	rec, err := t.record(ev)
	if err != nil {
		return err
	}
	why := ""
	if reason != "" {
		why = ": " + reason
	}
	if a != nil {
		msg := func() string { return fmt.Sprintf("%s assigned you %s (%s)%s", actor.Name, l.Title(), l.Source, why) }
		many := func(n int) string { return fmt.Sprintf("%d leads assigned to you by %s%s", n, actor.Name, why) }
		if err := t.notify(a, rec, l, msg, true, "assigned", many); err != nil {
			return err
		}
	}
	if prevID != 0 {
		old, err := t.teamAgentRef(prevID)
		if err != nil {
			return fmt.Errorf("reading previous owner: %w", err)
		}
		msg := func() string { return fmt.Sprintf("%s took %s from you", actor.Name, l.Title()) }
		many := func(n int) string { return fmt.Sprintf("%s took %d leads from you", actor.Name, n) }
		group := "taken"
		if a != nil {
			msg = func() string { return fmt.Sprintf("%s reassigned %s to %s", actor.Name, l.Title(), a.Handle) }
			many = func(n int) string {
				return fmt.Sprintf("%s reassigned %d of your leads to %s", actor.Name, n, a.Handle)
			}
			group = "reassigned to " + a.Handle
		}
		if err := t.notify(old, rec, l, msg, false, group, many); err != nil {
			return err
		}
	}
	return nil
}

// Unassign returns leads to the queue. They wait for a person (R10): nothing routes
// them again on its own.
func (e *Engine) Unassign(ctx context.Context, actor Actor, ids []int64, reason string) (BulkResult, error) {
	if err := actor.require(ActAssign); err != nil {
		return BulkResult{}, err
	}
	if err := checkBulk(ids); err != nil {
		return BulkResult{}, err
	}
	if err := checkReason(reason); err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	err := e.write(ctx, func(t *txn) error {
		res = BulkResult{}
		t.groupNotices()
		leads, err := loadLeadOwners(t, ids)
		if err != nil {
			return err
		}
		var losers []int64
		for i := range leads {
			l, id := &leads[i], leads[i].ID
			if l.OwnerID == 0 {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			losers = append(losers, l.OwnerID)
			if err := t.setOwner(actor, l, nil, reason); err != nil {
				return err
			}
			res.Changed = append(res.Changed, id)
		}
		if err := t.readNoticeLeads(); err != nil {
			return err
		}
		if err := t.drain(losers); err != nil {
			return err
		}
		return t.flushNotices()
	})
	return res, err
}

// Reroute runs the rules again for leads: queued ones get an owner if someone is
// eligible; owned ones move if the rules pick someone else, and stay otherwise.
func (e *Engine) Reroute(ctx context.Context, actor Actor, ids []int64) (BulkResult, error) {
	if err := actor.require(ActAssign); err != nil {
		return BulkResult{}, err
	}
	if err := checkBulk(ids); err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	err := e.write(ctx, func(t *txn) error {
		res = BulkResult{}
		t.groupNotices()
		leads, err := loadLeads(t, ids)
		if err != nil {
			return err
		}
		var losers []int64
		for i := range leads {
			l, id := &leads[i], leads[i].ID
			prevID := l.OwnerID
			moved, err := t.reroute(l)
			if err != nil {
				return err
			}
			if !moved {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			if prevID != 0 {
				losers = append(losers, prevID)
			}
			res.Changed = append(res.Changed, id)
		}
		if err := t.drain(losers); err != nil {
			return err
		}
		return t.flushNotices()
	})
	return res, err
}

// reroute routes an existing lead again; it reports whether the owner changed.
func (t *txn) reroute(l *Lead) (bool, error) {
	d, err := t.decide(l, l.CreatedAt, nil)
	if err != nil {
		return false, err
	}
	if d.owner == nil || d.owner.ID == l.OwnerID {
		t.keepTurns(d)
		if d.owner == nil && l.OwnerID == 0 && (l.Waiting != d.waiting || l.WaitReason != d.routing.Reason) {
			l.Waiting, l.WaitReason, l.UpdatedAt = d.waiting, d.routing.Reason, t.now
			if err := t.UpdateLead(l); err != nil {
				return false, fmt.Errorf("updating lead #%d: %w", l.ID, err)
			}
			routing := d.routing
			if _, err := t.record(Event{Kind: EvLeadQueued, Actor: "system", LeadID: l.ID, Reason: routing.Reason, Routing: &routing}); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	prevID, prev := l.OwnerID, l.Owner
	t.takeDecision(l, d)
	if err := t.UpdateLead(l); err != nil {
		return false, fmt.Errorf("updating lead #%d: %w", l.ID, err)
	}
	if err := t.applyRouting(l, d, prev); err != nil {
		return false, err
	}
	if prevID != 0 {
		old, err := t.teamAgent(prevID)
		if err != nil {
			return false, fmt.Errorf("reading previous owner: %w", err)
		}
		many := func(n int) string { return fmt.Sprintf("%d of your leads were re-routed by the rules", n) }
		if err := t.notify(&old, &t.events[len(t.events)-1], l, func() string { return fmt.Sprintf("%s was re-routed to %s", l.Title(), d.owner.Handle) }, false, "rerouted", many); err != nil {
			return false, err
		}
	}
	return true, nil
}

// drain is R10: when an agent may take leads again (available again, or below its
// capacity), leads waiting because nobody was eligible are routed again, oldest first.
// It stops when none of the triggering agents can take more, or after drainScanLimit
// leads.
func (t *txn) drain(agentIDs []int64) error {
	if len(agentIDs) == 0 {
		return nil
	}
	// A bulk command names an agent once per lead it took: each is looked at once.
	agentIDs = slices.Compact(slices.Sorted(slices.Values(agentIDs)))
	m, err := t.routing()
	if err != nil {
		return err
	}
	anyEligible := func() bool {
		for _, id := range agentIDs {
			if a := m.agents[id]; a != nil && m.eligibility(a, &routeInput{now: t.now}, forOwner) == "" {
				return true
			}
		}
		return false
	}
	if !anyEligible() {
		return nil
	}
	var after int64
	for scanned := 0; scanned < drainScanLimit; {
		queue, err := t.Leads(LeadFilter{Unassigned: true, Waiting: WaitingNoEligible, OldestFirst: true, AfterID: after, Limit: 200})
		if err != nil {
			return fmt.Errorf("reading the queue: %w", err)
		}
		if len(queue) == 0 {
			return nil
		}
		for i := range queue {
			l := &queue[i]
			scanned++
			after = l.ID
			d, err := t.decide(l, l.CreatedAt, nil)
			if err != nil {
				return err
			}
			if d.owner == nil {
				t.keepTurns(d)
				continue
			}
			t.takeDecision(l, d)
			if err := t.UpdateLead(l); err != nil {
				return fmt.Errorf("updating lead #%d: %w", l.ID, err)
			}
			if err := t.applyRouting(l, d, ""); err != nil {
				return err
			}
			if !anyEligible() {
				return nil
			}
		}
	}
	return nil
}

// checkSetStatus refuses a status a person cannot set: new and assigned follow from
// assignment.
func checkSetStatus(st Status) error {
	if _, err := ParseStatus(string(st)); err != nil {
		return err
	}
	if st == StatusNew || st == StatusAssigned {
		return invalidf("status", "status %q follows from assignment: assign or unassign the lead instead", st)
	}
	return nil
}

// editable loads lead id for a change by actor, who needs edit access to it.
func (t *txn) editable(actor Actor, id int64) (Lead, error) {
	l, err := loadLead(t, id)
	if err != nil {
		return Lead{}, err
	}
	return l, t.mayEdit(actor, &l)
}

// mayEdit refuses a change of l by actor unless it has edit access to it.
func (t *txn) mayEdit(actor Actor, l *Lead) error {
	id := l.ID
	acc, err := accessTo(t, actor, l, t.now)
	if err != nil {
		return err
	}
	switch acc {
	case AccessNone:
		return noAccess(actor, id)
	case AccessRead:
		return forbiddenf("%s has read-only access to lead #%d: ask its owner for edit access", actor.Name, id)
	}
	return nil
}

// setStatus moves l to st with its history event; it reports whether anything changed.
// The caller stores l.
func (t *txn) setStatus(actor Actor, l *Lead, st Status) (bool, error) {
	if st == l.Status {
		return false, nil
	}
	from := l.Status
	l.Status = st
	if countsAsContact(st) && !l.Contacted() { // R13: the first contact, once; it ends the SLA (R14)
		l.FirstContactAt = t.now
		if l.OwnerID != 0 {
			l.ContactOwnerID, l.ContactAssignedAt = l.OwnerID, l.AssignedAt
		}
		l.SLAMet = !l.SLADueAt.IsZero() && t.now.Before(l.SLADueAt)
		t.startSLA(l, 0, "")
	}
	_, err := t.record(Event{Kind: EvLeadStatus, Actor: actor.Name, LeadID: l.ID, Agent: l.Owner, From: string(from), To: string(st)})
	return true, err
}

// SetStatus moves leads to a status (contacted, qualified, won or lost). The actor needs
// edit access to every one of them. All or nothing: one lead the actor may not change
// changes none. Closing leads (won, lost) frees room for their owners (R10).
func (e *Engine) SetStatus(ctx context.Context, actor Actor, ids []int64, st Status) (BulkResult, error) {
	if err := checkSetStatus(st); err != nil {
		return BulkResult{}, err
	}
	return e.moveStatus(ctx, actor, ids, func(*Lead) Status { return st })
}

// MarkContacted records first contact (R13) with leads: those not contacted yet move to
// contacted, which ends their SLA; the others are Unchanged, whatever their status.
// The actor needs edit access to every one of them; all or nothing, as SetStatus.
func (e *Engine) MarkContacted(ctx context.Context, actor Actor, ids []int64) (BulkResult, error) {
	return e.moveStatus(ctx, actor, ids, func(l *Lead) Status {
		if l.Contacted() {
			return l.Status
		}
		return StatusContacted
	})
}

// moveStatus is SetStatus and MarkContacted: each lead moves to the status to gives it.
func (e *Engine) moveStatus(ctx context.Context, actor Actor, ids []int64, to func(*Lead) Status) (BulkResult, error) {
	if !actor.IsAgent() { // an agent may change its own leads; anyone else needs the role
		if err := actor.require(ActEditAnyLead); err != nil {
			return BulkResult{}, err
		}
	}
	if err := checkBulk(ids); err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	err := e.write(ctx, func(t *txn) error {
		res = BulkResult{}
		leads, err := loadLeads(t, ids)
		if err != nil {
			return err
		}
		for i := range leads { // every lead is checked before any changes
			if err := t.mayEdit(actor, &leads[i]); err != nil {
				return err
			}
		}
		var freed []int64
		for i := range leads {
			l, id := leads[i], leads[i].ID
			wasOpen := l.Status.Open()
			changed, err := t.setStatus(actor, &l, to(&l))
			if err != nil {
				return err
			}
			if !changed {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			l.UpdatedAt = t.now
			if err := t.UpdateLead(&l); err != nil {
				return fmt.Errorf("updating lead #%d: %w", id, err)
			}
			res.Changed = append(res.Changed, id)
			if wasOpen && !l.Status.Open() && l.OwnerID != 0 {
				freed = append(freed, l.OwnerID)
			}
		}
		return t.drain(freed) // the owners' load dropped (R10)
	})
	return res, err
}

// UpdateLead changes a lead's status and/or fields; it needs edit access.
func (e *Engine) UpdateLead(ctx context.Context, actor Actor, id int64, u LeadUpdate) (Lead, error) {
	if u.Status != nil {
		if err := checkSetStatus(*u.Status); err != nil {
			return Lead{}, err
		}
	}
	if u.Fields != nil {
		set := map[string]any{}
		for k, v := range u.Fields {
			if v != nil {
				set[k] = v
			}
		}
		if err := validateFields(set); err != nil {
			return Lead{}, err
		}
		u.Fields = normalizeFieldValues(u.Fields)
	}
	var out Lead
	err := e.write(ctx, func(t *txn) error {
		l, err := t.editable(actor, id)
		if err != nil {
			return err
		}
		wasOpen := l.Status.Open()
		if u.Status != nil {
			if _, err := t.setStatus(actor, &l, *u.Status); err != nil {
				return err
			}
		}
		if u.Fields != nil {
			before := l.Fields
			next := map[string]any{}
			if !u.Replace {
				for k, v := range before {
					next[k] = v
				}
			}
			var changed []string
			for k, v := range u.Fields {
				if v == nil {
					delete(next, k)
				} else {
					next[k] = v
				}
			}
			for _, k := range sortedKeys(merge(before, next)) {
				if fmt.Sprint(before[k]) != fmt.Sprint(next[k]) || (before[k] == nil) != (next[k] == nil) {
					changed = append(changed, k)
				}
			}
			if err := validateFields(next); err != nil {
				return err
			}
			if len(changed) > 0 {
				l.Fields = next
				if _, err := t.record(Event{Kind: EvLeadFields, Actor: actor.Name, LeadID: id, Agent: l.Owner, Reason: "changed " + strings.Join(changed, ", ")}); err != nil {
					return err
				}
			}
		}
		l.UpdatedAt = t.now
		if err := t.UpdateLead(&l); err != nil {
			return fmt.Errorf("updating lead #%d: %w", id, err)
		}
		out = l
		if wasOpen && !l.Status.Open() && l.OwnerID != 0 {
			return t.drain([]int64{l.OwnerID}) // the owner's load dropped (R10)
		}
		return nil
	})
	return out, err
}

func merge(a, b map[string]any) map[string]any {
	m := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
