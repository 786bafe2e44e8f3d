package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// boomStore fails the write of every new lead named "boom", as a full disk would.
type boomStore struct{ engine.Store }

func (s boomStore) Begin(ctx context.Context) (engine.WriteTx, error) {
	tx, err := s.Store.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return boomTx{tx}, nil
}

type boomTx struct{ engine.WriteTx }

func (tx boomTx) InsertLead(l *engine.Lead) error {
	if l.Name == "boom" {
		return errors.New("the disk is full")
	}
	return tx.WriteTx.InsertLead(l)
}

// boomFixture is weightedTeam on an engine over a boomStore.
func boomFixture(t *testing.T, kind enginetest.Store) *fixture {
	t.Helper()
	f := newFixture(t, kind)
	weightedTeam(f)
	f.close()
	st, err := storage.Open(f.ctx, f.dsn, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.store = boomStore{st}
	if f.e, err = engine.New(f.store, engine.Options{Now: f.now, Location: time.UTC, TailInterval: -1}); err != nil {
		st.Close()
		t.Fatal(err)
	}
	return f
}

// creation is one caller's CreateLead, or its CreateLeads when many is set.
type creation struct {
	actor engine.Actor
	in    engine.NewLead
	many  []engine.NewLead
}

// create runs c on f and says what its caller got.
func (c creation) create(f *fixture) string {
	if c.many == nil {
		res, err := f.e.CreateLead(f.ctx, c.actor, c.in)
		return answer(f, res, err)
	}
	res, err := f.e.CreateLeads(f.ctx, c.actor, c.many)
	if err != nil {
		return "refused: " + err.Error()
	}
	var out []string
	for _, r := range res {
		out = append(out, answer(f, r, r.Err))
	}
	return strings.Join(out, "; ")
}

// TestCreatesInOneBatch: single lead creations that the writer takes in one batch run
// as one command (intake.go), and each caller gets the answer it gets when the same
// leads come one at a time – created with the same owner, returning to the same lead, a
// duplicate (redacted for an intake token), refused – each owner is told of each lead,
// and a lead whose write fails fails alone.
func TestCreatesInOneBatch(t *testing.T) { eachStore(t, testCreatesInOneBatch) }

func testCreatesInOneBatch(t *testing.T, kind enginetest.Store) {
	owner, intake := engine.System(), engine.AsAPI("load", engine.RoleIntake)
	rounds := []struct {
		name string
		reqs []creation
	}{
		{"merged", []creation{
			{owner, engine.NewLead{Name: "Ann", Email: "ann@example.com", Source: "web", ExternalID: "w1"}, nil},
			{intake, engine.NewLead{Name: "Ann again", Source: "web", ExternalID: "w1"}, nil},
			{owner, engine.NewLead{Name: "Bo", Source: "web", ExternalID: "w2"}, nil},
			{owner, engine.NewLead{Name: "Bo again", Source: "web", ExternalID: "w2"}, nil},
			{owner, engine.NewLead{Name: "Ann's colleague", Email: " ANN@example.com"}, nil},
			{owner, engine.NewLead{Source: "web"}, nil}, // no name, e-mail or phone: refused
			{owner, engine.NewLead{Name: "Cy"}, nil},
			{owner, engine.NewLead{Name: "Di", Phone: "+1 (555) 010-0199"}, nil},
			{intake, engine.NewLead{Name: "Ed", Phone: "+15550100199"}, nil},
			{owner, engine.NewLead{Name: "Fay", Source: "web", ExternalID: "w3"}, nil},
		}},
		{"one write fails", []creation{
			{owner, engine.NewLead{Name: "Gus", Source: "web", ExternalID: "w4"}, nil},
			{owner, engine.NewLead{Name: "boom", Source: "web", ExternalID: "w5"}, nil},
			{intake, engine.NewLead{Name: "Gus again", Source: "web", ExternalID: "w4"}, nil},
			{owner, engine.NewLead{Name: "Hal", Email: "ann@example.com"}, nil},
			{owner, engine.NewLead{Name: "Ivy"}, nil},
		}},
		{"after another command, one write fails", []creation{
			{actor: owner, many: []engine.NewLead{{Name: "Jo", Source: "web", ExternalID: "w6"}, {Name: "Kit"}}},
			{owner, engine.NewLead{Name: "Lu", Source: "web", ExternalID: "w6"}, nil},
			{owner, engine.NewLead{Name: "boom"}, nil},
			{owner, engine.NewLead{Name: "Mo", Email: "ann@example.com"}, nil},
		}},
		{"after another command", []creation{
			{actor: owner, many: []engine.NewLead{{Name: "Ned"}, {Name: "Oz", Source: "web", ExternalID: "w7"}}},
			{intake, engine.NewLead{Name: "Oz again", Source: "web", ExternalID: "w7"}, nil},
			{owner, engine.NewLead{Name: "Pia", Phone: "+15550100199"}, nil},
		}},
	}
	one, together := boomFixture(t, kind), boomFixture(t, kind)
	for _, r := range rounds {
		var want []string
		for _, c := range r.reqs {
			want = append(want, c.create(one))
		}

		sub := together.e.Subscribe(100)
		release := engine.HoldWriter(together.e)
		got := make([]string, len(r.reqs))
		done := make(chan int)
		queued := 0
		for i, c := range r.reqs {
			go func() {
				got[i] = c.create(together)
				done <- i
			}()
			if c.in.Name != "" || c.many != nil { // each in turn, so that the writer takes them in order
				queued++
				engine.WaitQueued(together.e, queued)
			} else {
				<-done // refused before it reaches the writer
			}
		}
		release()
		for range queued {
			<-done
		}
		if d := diffLines(want, got); d != "" {
			t.Errorf("%s: answers in one batch differ from one at a time:\n%s", r.name, d)
			sub.Close()
			continue
		}
		if c := <-sub.C; countKind(c.Events, engine.EvLeadCreated) != countCreated(want) {
			t.Errorf("%s: %d leads created in the batch's commit, want %d in one", r.name, countKind(c.Events, engine.EvLeadCreated), countCreated(want))
		}
		sub.Close()
	}
	if want, got := world(one), world(together); want != got {
		t.Errorf("after the batches:\n%s\none at a time:\n%s", got, want)
	}
}

// answer says what a caller of CreateLead got, naming leads by name (ids may differ
// between stores once a write failed).
func answer(f *fixture, c engine.Created, err error) string {
	f.t.Helper()
	switch {
	case err != nil:
		return "refused: " + err.Error()
	case c.Redacted:
		return fmt.Sprintf("duplicate of %s, redacted (%v)", f.get(c.Lead.ID).Name, c.Lead.Name == "")
	case c.Duplicate:
		return "duplicate of " + c.Lead.Name
	}
	s := fmt.Sprintf("created %s for %s", c.Lead.Name, ownerOf(c.Lead))
	if c.Lead.ReturningOf != 0 {
		s += fmt.Sprintf(", returning to %s by %s", f.get(c.Lead.ReturningOf).Name, c.Lead.ReturningBy)
	}
	return s
}

func countCreated(answers []string) int {
	n := 0
	for _, a := range answers {
		for _, part := range strings.Split(a, "; ") {
			if strings.HasPrefix(part, "created ") {
				n++
			}
		}
	}
	return n
}

func countKind(evs []engine.Event, k engine.EventKind) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// world is each agent's open leads and notifications, and the history's kinds.
func world(f *fixture) string {
	f.t.Helper()
	var b strings.Builder
	for _, h := range []string{"a", "b", "c"} {
		a := f.agentNamed(h)
		notes, _, err := f.e.Notifications(f.ctx, engine.AsAgent(a), 100)
		if err != nil {
			f.t.Fatal(err)
		}
		var texts []string
		for _, n := range notes {
			texts = append(texts, n.Text)
		}
		slices.Sort(texts)
		fmt.Fprintf(&b, "%s: %d open, told %q\n", h, a.OpenLeads, texts)
	}
	var kinds []string
	for _, ev := range f.events(0) {
		kinds = append(kinds, string(ev.Kind))
	}
	fmt.Fprintf(&b, "history: %s\n", strings.Join(kinds, " "))
	return b.String()
}

func diffLines(want, got []string) string {
	var b strings.Builder
	for i := range want {
		if want[i] != got[i] {
			fmt.Fprintf(&b, "  #%d: %q, one at a time %q\n", i, got[i], want[i])
		}
	}
	return b.String()
}
