package storetest

import (
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// ownership is what UpdateLeadOwner writes of a lead (engine.LeadWriter).
type ownership struct {
	Status                                           engine.Status
	OwnerID                                          int64
	Owner                                            string
	Waiting                                          engine.Waiting
	WaitReason                                       string
	AssignedAt, FirstAssignedAt, SLADueAt, UpdatedAt time.Time
	SLAAction                                        engine.SLAAction
}

func ownershipOf(l engine.Lead) ownership {
	return ownership{l.Status, l.OwnerID, l.Owner, l.Waiting, l.WaitReason, l.AssignedAt, l.FirstAssignedAt, l.SLADueAt,
		l.UpdatedAt, l.SLAAction}
}

func (o ownership) setOn(l *engine.Lead) {
	l.Status, l.OwnerID, l.Owner, l.Waiting, l.WaitReason = o.Status, o.OwnerID, o.Owner, o.Waiting, o.WaitReason
	l.AssignedAt, l.FirstAssignedAt, l.SLADueAt, l.UpdatedAt, l.SLAAction = o.AssignedAt, o.FirstAssignedAt, o.SLADueAt, o.UpdatedAt, o.SLAAction
}

// ownersPart is what LeadOwners reads of l: its ownership, identification and first
// contact, nothing else.
func ownersPart(l engine.Lead) engine.Lead {
	p := engine.Lead{ID: l.ID, Source: l.Source, Name: l.Name, Email: l.Email, Phone: l.Phone, Company: l.Company,
		FirstContactAt: l.FirstContactAt}
	ownershipOf(l).setOn(&p)
	return p
}

// testLeadOwners: LeadOwners reads what it says of the leads that exist; UpdateLeadOwner
// writes their ownership and leaves every other column as it was – on a lead read
// whole or in part, written before in the same transaction (new, or updated whole), or
// updated whole after.
func testLeadOwners(e *env) {
	t := e.t
	ada, bob := e.agent("ada"), e.agent("bob")
	full := func() engine.Lead {
		return engine.Lead{
			ExternalID: "fb-1", Name: "Grace", Email: "grace@example.com", Phone: "+33 1 23", Company: "Navy", Source: "facebook",
			Tags: []string{"vip"}, Fields: map[string]any{"city": "Lyon"}, Status: engine.StatusContacted, OwnerID: ada.ID,
			CreatedAt: at, AssignedAt: at.Add(time.Second), FirstContactAt: at.Add(time.Minute), SLADueAt: at.Add(time.Hour),
			SLAAction: engine.SLAUnassign, SLAMissedBy: []int64{7}, FirstAssignedAt: at.Add(time.Second),
			ContactOwnerID: ada.ID, ContactAssignedAt: at.Add(time.Second), SLAMet: true, UpdatedAt: at.Add(time.Minute),
			ReturningBy: "email",
		}
	}
	moved := ownership{Status: engine.StatusNew, Waiting: engine.WaitingManual, WaitReason: "unassigned by ada: holiday",
		AssignedAt: at.Add(2 * time.Second), FirstAssignedAt: at.Add(3 * time.Second), SLADueAt: at.Add(2 * time.Hour),
		SLAAction: engine.SLAReroute, UpdatedAt: at.Add(3 * time.Hour)}
	given := moved
	given.Status, given.OwnerID, given.Owner, given.Waiting, given.WaitReason = engine.StatusAssigned, bob.ID, "bob", engine.WaitingNone, ""

	l := e.lead(full())
	l.Owner = "ada"
	got := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.LeadOwners([]int64{l.ID + 100, l.ID}) })
	if len(got) != 1 || !reflect.DeepEqual(got[0], ownersPart(l)) {
		t.Fatalf("LeadOwners = %+v\nwant [%+v]", got, ownersPart(l))
	}

	for _, c := range []struct {
		name string
		to   ownership
		// write updates the lead in one transaction, the owner's way among others.
		write func(tx engine.WriteTx, l *engine.Lead, to ownership) error
	}{
		{"read in part", given, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			ls, err := tx.LeadOwners([]int64{l.ID})
			if err != nil || len(ls) != 1 {
				t.Fatalf("LeadOwners in a write: %v, %d leads", err, len(ls))
			}
			to.setOn(&ls[0])
			return tx.UpdateLeadOwner(&ls[0])
		}},
		{"unassigned, read in part", moved, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			ls, err := tx.LeadOwners([]int64{l.ID})
			if err != nil || len(ls) != 1 {
				t.Fatalf("LeadOwners in a write: %v, %d leads", err, len(ls))
			}
			to.setOn(&ls[0])
			return tx.UpdateLeadOwner(&ls[0])
		}},
		{"read whole", given, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			whole, err := tx.Lead(l.ID)
			if err != nil {
				return err
			}
			to.setOn(&whole)
			return tx.UpdateLeadOwner(&whole)
		}},
		{"updated whole before", given, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			whole, err := tx.Lead(l.ID)
			if err != nil {
				return err
			}
			whole.Fields = map[string]any{"city": "Paris"}
			if err := tx.UpdateLead(&whole); err != nil {
				return err
			}
			l.Fields = whole.Fields
			to.setOn(&whole)
			return tx.UpdateLeadOwner(&whole)
		}},
		{"updated whole after", given, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			ls, err := tx.LeadOwners([]int64{l.ID})
			if err != nil || len(ls) != 1 {
				t.Fatalf("LeadOwners in a write: %v, %d leads", err, len(ls))
			}
			moved.setOn(&ls[0])
			if err := tx.UpdateLeadOwner(&ls[0]); err != nil {
				return err
			}
			whole, err := tx.Lead(l.ID) // as written so far
			if err != nil {
				return err
			}
			if ownershipOf(whole) != moved {
				t.Errorf("read back in the transaction: %+v, want %+v", ownershipOf(whole), moved)
			}
			to.setOn(&whole)
			whole.Fields = map[string]any{"city": "Nice"}
			l.Fields = whole.Fields
			return tx.UpdateLead(&whole)
		}},
		{"new in the transaction", given, func(tx engine.WriteTx, l *engine.Lead, to ownership) error {
			*l = full()
			l.ExternalID = ""
			if err := insertLead(tx, l); err != nil {
				return err
			}
			l.Owner = "ada"
			nl := *l
			to.setOn(&nl)
			return tx.UpdateLeadOwner(&nl)
		}},
	} {
		l := e.lead(engine.Lead{Source: "web", Name: "x"}) // replaced below unless new
		e.write(func(tx engine.WriteTx) error {
			if c.name != "new in the transaction" {
				w := full()
				w.ID, w.ExternalID = l.ID, ""
				if err := tx.UpdateLead(&w); err != nil { // every column as full() says
					return err
				}
				l = w
				l.Owner = "ada"
			}
			return nil
		})
		e.write(func(tx engine.WriteTx) error {
			if c.name == "new in the transaction" {
				return c.write(tx, &l, c.to)
			}
			if err := tx.Savepoint(); err != nil {
				return err
			}
			if err := c.write(tx, &l, c.to); err != nil {
				return err
			}
			return tx.ReleaseSavepoint()
		})
		want := l
		c.to.setOn(&want)
		got := read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(l.ID) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: stored\n%+v\nwant\n%+v", c.name, got, want)
		}
	}
}
