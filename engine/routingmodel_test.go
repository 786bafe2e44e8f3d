package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// faultyStore is a real store whose write transactions fail the notification insert
// that failAt counts down to (0: none fails), as a full disk or a broken connection
// would, so that a command is refused after it has routed leads.
type faultyStore struct {
	engine.Store
	failAt atomic.Int64
}

var errInjected = errors.New("injected failure")

func (s *faultyStore) Begin(ctx context.Context) (engine.WriteTx, error) {
	tx, err := s.Store.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &faultyTx{WriteTx: tx, s: s}, nil
}

type faultyTx struct {
	engine.WriteTx
	s *faultyStore
}

func (tx *faultyTx) InsertNotification(n *engine.Notification) error {
	if tx.s.failAt.Load() > 0 && tx.s.failAt.Add(-1) == 0 {
		return errInjected
	}
	return tx.WriteTx.InsertNotification(n)
}

// modelFixture is alice and bob in a round robin (alice two a turn), carol on a
// broadcast of vip leads for a day, over a store that can be made to fail.
func modelFixture(t *testing.T, s enginetest.Store) (*fixture, *faultyStore) {
	f := newFixture(t, s)
	f.close()
	st, err := storage.Open(f.ctx, f.dsn, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	faulty := &faultyStore{Store: st}
	e, err := engine.New(faulty, engine.Options{Now: f.now, Location: time.UTC, TailInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	f.store, f.e = faulty, e
	f.agent("alice")
	f.agent("bob")
	f.agent("carol")
	f.rule(engine.RuleSpec{Name: "vip", Condition: `"vip" in tags`, Mode: engine.Broadcast, Recipients: []engine.RecipientSpec{to("carol", 1)},
		ShareDuration: 24 * time.Hour})
	f.rule(rr("everyone", "", to("alice", 2), to("bob", 1)))
	return f, faulty
}

func (f *fixture) model() string {
	f.t.Helper()
	m, err := engine.RoutingModel(f.e)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// TestRefusedCommandLeavesTheModel: a command refused after it routed leads, changed
// owners, moved rotations and made shares leaves the routing model exactly as it was,
// and routing goes on as if it had never run.
func TestRefusedCommandLeavesTheModel(t *testing.T) {
	eachStore(t, func(t *testing.T, s enginetest.Store) {
		f, faulty := modelFixture(t, s)
		vip := engine.NewLead{Name: "V", Tags: []string{"vip"}}
		first := f.lead(vip) // alice; a share for carol
		f.lead(engine.NewLead{Name: "L"})
		before := f.model()
		if before == "no model" {
			t.Fatal("the writer holds no routing model after routing leads")
		}

		// A batch whose third lead's notification fails: the first two were routed.
		faulty.failAt.Store(3)
		_, err := f.e.CreateLeads(f.ctx, f.owner, []engine.NewLead{vip, vip, vip})
		if !errors.Is(err, errInjected) {
			t.Fatalf("CreateLeads = %v, want the injected failure", err)
		}
		if got := f.model(); got != before {
			t.Errorf("after a refused lead creation the model is\n%s\nwas\n%s", got, before)
		}

		// A bulk reassign whose last notification fails, after it moved both leads.
		ids := []int64{first.Lead.ID, first.Lead.ID + 1}
		faulty.failAt.Store(2) // notifications are grouped: carol's, then alice's
		_, err = f.e.Assign(f.ctx, f.owner, ids, "carol", "")
		if err == nil {
			faulty.failAt.Store(0)
			t.Fatal("Assign did not fail")
		}
		faulty.failAt.Store(0)
		if got := f.model(); got != before {
			t.Errorf("after a refused assign the model is\n%s\nwas\n%s", got, before)
		}
		if err := engine.CheckRoutingModel(f.e); err != nil {
			t.Fatal(err)
		}
		// The rotation goes on where the committed leads left it: bob, then alice twice.
		if got := f.owners(3, "web"); got[0] != "bob" || got[1] != "alice" || got[2] != "alice" {
			t.Errorf("owners after the refused commands: %v, want bob alice alice", got)
		}
	})
}
