package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func withNotify(webhook string) func(*engine.NewAgent) {
	return func(n *engine.NewAgent) { n.EmailNotify, n.WebhookURL = true, webhook }
}

func (f *fixture) outbox(filter engine.OutboxFilter) []engine.OutboxItem {
	f.t.Helper()
	rows, err := f.e.Outbox(f.ctx, f.owner, filter)
	if err != nil {
		f.t.Fatalf("read outbox: %v", err)
	}
	return rows
}

// The outbox rows of an assignment are written by the assignment's own transaction: a
// refused assignment leaves none, a committed one always has them.
func TestOutboxCommitsWithTheAssignment(t *testing.T) {
	eachStore(t, testOutboxCommitsWithTheAssignment)
}

func testOutboxCommitsWithTheAssignment(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	ada := f.agent("ada", withNotify("https://hooks.example.com/ada"))
	f.agent("bob") // no e-mail opt-in, no webhook
	l1 := f.lead(engine.NewLead{Name: "Grace Hopper", Company: "Navy"}).Lead
	l2 := f.lead(engine.NewLead{Name: "Alan Turing"}).Lead

	// The first lead's notification is written, then the unknown second lead refuses
	// the whole command: its savepoint is rolled back with everything in it.
	_, err := f.e.Assign(f.ctx, f.owner, []int64{l1.ID, 9999}, "ada", "")
	mustKind(t, err, engine.KindNotFound)
	if rows := f.outbox(engine.OutboxFilter{}); len(rows) != 0 {
		t.Fatalf("a refused assignment left %d outbox rows: %+v", len(rows), rows)
	}
	if got := f.get(l1.ID).Owner; got != "" {
		t.Fatalf("a refused assignment changed the owner to %q", got)
	}

	if _, err := f.e.Assign(f.ctx, f.owner, []int64{l1.ID}, "ada", "hot"); err != nil {
		t.Fatal(err)
	}
	assigned := eventsOf(f.events(l1.ID), engine.EvLeadAssigned)
	if len(assigned) != 1 {
		t.Fatalf("want one lead.assigned event, got %+v", assigned)
	}
	rows := f.outbox(engine.OutboxFilter{EventID: assigned[0].ID})
	got := map[engine.Channel]string{}
	for _, o := range rows {
		got[o.Channel] = o.Target
		if o.Status != engine.OutboxPending || o.AgentID != ada.ID {
			t.Errorf("row %+v: want a pending row for ada", o)
		}
		var p engine.NotificationPayload
		if err := json.Unmarshal(o.Payload, &p); err != nil {
			t.Fatalf("payload: %v", err)
		}
		if p.EventID != assigned[0].ID || p.Lead.ID != l1.ID || p.Agent.Handle != "ada" || p.Kind != engine.EvLeadAssigned {
			t.Errorf("payload %+v does not name the event, the lead and the agent", p)
		}
		if !strings.Contains(p.Text, "Grace Hopper") {
			t.Errorf("payload text %q does not name the lead", p.Text)
		}
	}
	want := map[engine.Channel]string{engine.ChannelEmail: "ada@example.com", engine.ChannelWebhook: "https://hooks.example.com/ada"}
	if len(rows) != 2 || got[engine.ChannelEmail] != want[engine.ChannelEmail] || got[engine.ChannelWebhook] != want[engine.ChannelWebhook] {
		t.Fatalf("outbox of the assignment: got %+v, want %v", rows, want)
	}

	// bob asked for neither e-mail nor a webhook: only the console hears of it.
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{l2.ID}, "bob", ""); err != nil {
		t.Fatal(err)
	}
	ev := eventsOf(f.events(l2.ID), engine.EvLeadAssigned)
	if rows := f.outbox(engine.OutboxFilter{EventID: ev[0].ID}); len(rows) != 0 {
		t.Fatalf("bob opted out of e-mail and has no webhook, yet got %+v", rows)
	}

	// With a global webhook, every external notification goes there too.
	if err := f.e.SetSetting(f.ctx, f.owner, engine.SettingWebhookURL, "https://chat.example.com/hook"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{l2.ID}, "ada", ""); err != nil {
		t.Fatal(err)
	}
	ev = eventsOf(f.events(l2.ID), engine.EvLeadReassigned)
	rows = f.outbox(engine.OutboxFilter{EventID: ev[0].ID})
	var global []engine.OutboxItem
	for _, o := range rows {
		if o.AgentID == 0 {
			global = append(global, o)
		}
	}
	if len(rows) != 3 || len(global) != 1 || global[0].Target != "https://chat.example.com/hook" {
		t.Fatalf("reassignment with a global webhook: got %+v", rows)
	}
}

// Under concurrent assignments that group commit batches together, some refused, every
// committed assignment to ada has exactly its two rows and nothing else has any.
func TestOutboxMatchesCommittedAssignmentsUnderLoad(t *testing.T) {
	eachStore(t, testOutboxMatchesCommittedAssignmentsUnderLoad)
}

func testOutboxMatchesCommittedAssignmentsUnderLoad(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("ada", withNotify("https://hooks.example.com/ada"))
	f.agent("bob", withNotify(""))
	var leads []int64
	for i := range 40 {
		leads = append(leads, f.lead(engine.NewLead{Name: fmt.Sprintf("Lead %d", i)}).Lead.ID)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for i, id := range leads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := []int64{id}
			if i%3 == 0 {
				ids = append(ids, 100000+int64(i)) // unknown: refuses the command
			}
			to := "ada"
			if i%2 == 0 {
				to = "bob"
			}
			if _, err := f.e.Assign(f.ctx, f.owner, ids, to, ""); err != nil {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if refused == 0 || refused == len(leads) {
		t.Fatalf("want a mix of refused and committed assignments, %d of %d refused", refused, len(leads))
	}

	rowsByEvent := map[int64][]engine.OutboxItem{}
	all := f.outbox(engine.OutboxFilter{})
	for _, o := range all {
		rowsByEvent[o.EventID] = append(rowsByEvent[o.EventID], o)
	}
	wantRows := 0
	for _, ev := range eventsOf(f.events(0), engine.EvLeadAssigned) {
		want := 1 // bob: e-mail only
		if ev.Agent == "ada" {
			want = 2 // e-mail and webhook
		}
		if got := len(rowsByEvent[ev.ID]); got != want {
			t.Errorf("lead.assigned #%d to %s has %d outbox rows, want %d", ev.ID, ev.Agent, got, want)
		}
		wantRows += want
	}
	if len(all) != wantRows {
		t.Fatalf("%d outbox rows, want %d: rows exist without a committed assignment", len(all), wantRows)
	}
}

func TestClaimOutboxLeasesRows(t *testing.T) { eachStore(t, testClaimOutboxLeasesRows) }

func testClaimOutboxLeasesRows(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("ada", withNotify("https://hooks.example.com/ada"))
	l := f.lead(engine.NewLead{Name: "Grace Hopper"}).Lead
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{l.ID}, "ada", ""); err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()

	if _, err := f.e.ClaimOutbox(f.ctx, now, 0, 10); engine.KindOf(err) != engine.KindInvalid {
		t.Fatalf("a zero lease: want Invalid, got %v", err)
	}
	if _, err := f.e.ClaimOutbox(f.ctx, now, time.Minute, 0); engine.KindOf(err) != engine.KindInvalid {
		t.Fatalf("a zero limit: want Invalid, got %v", err)
	}

	first, err := f.e.ClaimOutbox(f.ctx, now, time.Minute, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("claim one: %v, %+v", err, first)
	}
	rest, err := f.e.ClaimOutbox(f.ctx, now, time.Minute, 10)
	if err != nil || len(rest) != 1 || rest[0].ID == first[0].ID {
		t.Fatalf("claim the rest: %v, %+v", err, rest)
	}
	if again, err := f.e.ClaimOutbox(f.ctx, now.Add(59*time.Second), time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed rows are hidden until the lease ends: %v, %+v", err, again)
	}
	next, ok, err := f.e.NextOutboxAttempt(f.ctx)
	if err != nil || !ok || !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("next attempt: %v %v %v, want %v", next, ok, err, now.Add(time.Minute))
	}

	// The lease ran out (the worker died): the rows are due again, the attempt counted.
	again, err := f.e.ClaimOutbox(f.ctx, now.Add(time.Minute), time.Minute, 10)
	if err != nil || len(again) != 2 {
		t.Fatalf("after the lease: %v, %+v", err, again)
	}
	stored := f.agentNamed("ada")
	for _, d := range again {
		if d.Attempts != 2 {
			t.Errorf("row #%d: %d attempts, want 2", d.ID, d.Attempts)
		}
		switch d.Channel {
		case engine.ChannelWebhook:
			if d.Secret == "" || d.Secret != stored.WebhookSecret {
				t.Errorf("webhook row signed with %q, want ada's secret %q", d.Secret, stored.WebhookSecret)
			}
		case engine.ChannelEmail:
			if d.Secret != "" {
				t.Errorf("an e-mail row carries a secret")
			}
		}
	}

}

func TestOutboxOutcomesAreRecordedInHistory(t *testing.T) {
	eachStore(t, testOutboxOutcomesAreRecordedInHistory)
}

func testOutboxOutcomesAreRecordedInHistory(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("ada", withNotify("https://hooks.example.com/services/T00/SECRETTOKEN"))
	l := f.lead(engine.NewLead{Name: "Grace Hopper"}).Lead
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{l.ID}, "ada", ""); err != nil {
		t.Fatal(err)
	}
	claimed, err := f.e.ClaimOutbox(f.ctx, f.clock.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %+v", err, claimed)
	}
	var mail, hook engine.OutboxDelivery
	for _, d := range claimed {
		if d.Channel == engine.ChannelEmail {
			mail = d
		} else {
			hook = d
		}
	}

	if err := f.e.OutboxDelivered(f.ctx, mail.ID); err != nil {
		t.Fatal(err)
	}
	// Recording twice (a retried call) writes nothing more.
	if err := f.e.OutboxDelivered(f.ctx, mail.ID); err != nil {
		t.Fatal(err)
	}
	retryAt := f.clock.Now().Add(3 * time.Second)
	if err := f.e.OutboxRetry(f.ctx, hook.ID, retryAt, "HTTP 503 Service Unavailable"); err != nil {
		t.Fatal(err)
	}
	pending := f.outbox(engine.OutboxFilter{Status: engine.OutboxPending})
	if len(pending) != 1 || pending[0].ID != hook.ID || !pending[0].NextAttempt.Equal(retryAt) || pending[0].LastError != "HTTP 503 Service Unavailable" {
		t.Fatalf("after a retry: %+v", pending)
	}
	if err := f.e.OutboxFailed(f.ctx, hook.ID, "HTTP 500 Internal Server Error"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.OutboxFailed(f.ctx, 424242, "x"); engine.KindOf(err) != engine.KindNotFound {
		t.Fatalf("an unknown row: want NotFound, got %v", err)
	}

	delivered := f.outbox(engine.OutboxFilter{Status: engine.OutboxDelivered})
	if len(delivered) != 1 || delivered[0].ID != mail.ID || delivered[0].DeliveredAt.IsZero() {
		t.Fatalf("delivered rows: %+v", delivered)
	}
	failed := f.outbox(engine.OutboxFilter{Status: engine.OutboxFailed})
	if len(failed) != 1 || failed[0].ID != hook.ID || failed[0].LastError != "HTTP 500 Internal Server Error" {
		t.Fatalf("failed rows: %+v", failed)
	}

	evs := f.events(l.ID)
	ok := eventsOf(evs, engine.EvNotificationDelivered)
	if len(ok) != 1 || ok[0].Agent != "ada" || ok[0].Actor != "system" ||
		!strings.Contains(ok[0].Reason, "email to ada@example.com for lead.assigned #") {
		t.Fatalf("delivered events: %+v", ok)
	}
	bad := eventsOf(evs, engine.EvNotificationFailed)
	if len(bad) != 1 || bad[0].Agent != "ada" ||
		!strings.Contains(bad[0].Reason, "webhook to https://hooks.example.com/… for lead.assigned #") ||
		!strings.Contains(bad[0].Reason, "gave up after 1 attempt: HTTP 500 Internal Server Error") {
		t.Fatalf("failed events: %+v", bad)
	}
	for _, ev := range evs {
		if strings.Contains(ev.Reason, "SECRETTOKEN") {
			t.Fatalf("history shows a webhook's credentials: %q", ev.Reason)
		}
	}

	if _, err := f.e.Outbox(f.ctx, engine.AsAgent(f.agentNamed("ada")), engine.OutboxFilter{}); engine.KindOf(err) != engine.KindForbidden {
		t.Fatalf("an agent reading the outbox: want Forbidden, got %v", err)
	}
}
