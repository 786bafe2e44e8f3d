package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// notesOf reads an agent's console notifications, newest first.
func (f *fixture) notesOf(handle string) []engine.Notification {
	f.t.Helper()
	n, _, err := f.e.Notifications(f.ctx, engine.AsAgent(f.agentNamed(handle)), 100)
	if err != nil {
		f.t.Fatalf("notifications of %s: %v", handle, err)
	}
	return n
}

func texts(ns []engine.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text
	}
	return out
}

// A bulk command tells each agent once: "9 leads assigned to you by dana", not nine
// rows; the previous owners get one each too. A single lead keeps its own words.
func TestBulkCommandsNotifyEachAgentOnce(t *testing.T) {
	eachStore(t, testBulkCommandsNotifyEachAgentOnce)
}

func testBulkCommandsNotifyEachAgentOnce(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("alice")
	f.agent("bob", withPresence(engine.Away))
	f.agent("carol")
	dana := engine.AsAgent(f.agent("dana", withRole(engine.RoleDispatcher)))
	var ids []int64
	for range 9 {
		ids = append(ids, f.lead(engine.NewLead{Name: "Queued", Source: "web"}).Lead.ID)
	}
	if _, err := f.e.Assign(f.ctx, dana, ids[:4], "alice", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Assign(f.ctx, dana, ids, "bob", "alice is out"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Assign(f.ctx, dana, ids[:1], "carol", ""); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		handle string
		want   []string
	}{
		{"alice", []string{"dana reassigned 4 of your leads to bob", "4 leads assigned to you by dana"}},
		{"bob", []string{"dana reassigned Queued to carol", "9 leads assigned to you by dana: alice is out"}},
		{"carol", []string{"dana assigned you Queued (web)"}},
	} {
		if got := texts(f.notesOf(tt.handle)); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s's notifications = %q, want %q", tt.handle, got, tt.want)
		}
	}
	// A group names no single lead; one lead's notification opens it.
	bob := f.notesOf("bob")
	if bob[1].LeadID != 0 || bob[0].LeadID != ids[0] {
		t.Errorf("lead ids of bob's notifications = %d, %d; want %d for the single one, 0 for the group", bob[0].LeadID, bob[1].LeadID, ids[0])
	}

	if _, err := f.e.Unassign(f.ctx, dana, ids, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.notesOf("bob")[0].Text; got != "dana took 8 leads from you" {
		t.Errorf("bob's notification after the unassign = %q", got)
	}

	// The rules hand the queue out again: one notification per new owner.
	f.rule(rr("all to alice", "", to("alice", 1)))
	if _, err := f.e.Reroute(f.ctx, dana, ids); err != nil {
		t.Fatal(err)
	}
	if got := f.notesOf("alice")[0].Text; got != "9 new leads for you from the rules" {
		t.Errorf("alice's notification after the re-route = %q", got)
	}
}

// A batch of new leads (an import, POST /v1/leads/batch) notifies each owner once, as a
// bulk command does; a lead on its own keeps its own words.
func TestBatchNotifiesEachOwnerOnce(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	f.agent("alice")
	f.agent("bob")
	f.rule(rr("halves", "", to("alice", 3), to("bob", 2)))
	in := make([]engine.NewLead, 5)
	for i := range in {
		in[i] = engine.NewLead{Name: "New", Source: "fair"}
	}
	if _, err := f.e.CreateLeads(f.ctx, f.owner, in); err != nil {
		t.Fatal(err)
	}
	f.lead(engine.NewLead{Name: "Single", Source: "web"}) // alice's turn again
	if got := texts(f.notesOf("alice")); len(got) != 2 || got[1] != "3 new leads for you from the rules" ||
		!strings.HasPrefix(got[0], "New lead for you: Single (web)") {
		t.Errorf("alice's notifications = %q", got)
	}
	if got := texts(f.notesOf("bob")); len(got) != 1 || got[0] != "2 new leads for you from the rules" {
		t.Errorf("bob's notifications = %q", got)
	}
}

// A grouped notification's external payload says how many leads it covers and lists
// them, up to MaxPayloadLeads.
func TestGroupedNotificationPayload(t *testing.T) { eachStore(t, testGroupedNotificationPayload) }

func testGroupedNotificationPayload(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("alice", func(n *engine.NewAgent) { n.WebhookURL = "https://hooks.example.com/alice" })
	var ids []int64
	for i := range engine.MaxPayloadLeads + 5 {
		ids = append(ids, f.lead(engine.NewLead{Name: "Lead", Company: "Acme", Source: "fair", ExternalID: string(rune('A'+i%26)) + strings.Repeat("x", i)}).Lead.ID)
	}
	if _, err := f.e.Assign(f.ctx, f.owner, ids, "alice", ""); err != nil {
		t.Fatal(err)
	}
	items, err := f.e.Outbox(f.ctx, f.owner, engine.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("the bulk assign wrote %d outbox rows, want 1", len(items))
	}
	var p engine.NotificationPayload
	if err := json.Unmarshal(items[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Count != len(ids) || len(p.Leads) != engine.MaxPayloadLeads || p.Lead.ID != ids[0] || p.Leads[0].ID != ids[0] || p.Leads[0].Company != "Acme" {
		t.Fatalf("payload count %d, %d leads listed, first %d/%d; want %d, %d, %d", p.Count, len(p.Leads), p.Lead.ID, p.Leads[0].ID, len(ids), engine.MaxPayloadLeads, ids[0])
	}
}

// A notification's external payload carries the whole lead as the command left it –
// tags, fields and all – though a bulk assignment reads and writes only part of its
// leads (LeadOwners, UpdateLeadOwner): for a lead alone, and for the first of several.
func TestAssignPayloadHasTheWholeLead(t *testing.T) { eachStore(t, testAssignPayloadHasTheWholeLead) }

func testAssignPayloadHasTheWholeLead(t *testing.T, kind enginetest.Store) {
	for _, n := range []int{1, 3} {
		f := newFixture(t, kind)
		f.agent("alice", func(a *engine.NewAgent) { a.WebhookURL = "https://hooks.example.com/alice" })
		var ids []int64
		for i := range n {
			ids = append(ids, f.lead(engine.NewLead{Name: "Lead", Company: "Acme", Source: "fair", Tags: []string{"vip"},
				Fields: map[string]any{"city": "Lyon"}, ExternalID: fmt.Sprintf("x%d", i)}).Lead.ID)
		}
		if _, err := f.e.Assign(f.ctx, f.owner, ids, "alice", "fair follow-up"); err != nil {
			t.Fatal(err)
		}
		items, err := f.e.Outbox(f.ctx, f.owner, engine.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 {
			t.Fatalf("%d leads: the assign wrote %d outbox rows, want 1", n, len(items))
		}
		var p engine.NotificationPayload
		if err := json.Unmarshal(items[0].Payload, &p); err != nil {
			t.Fatal(err)
		}
		stored, err := f.e.Lead(f.ctx, f.owner, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(stored.Lead)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(p.Lead)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) || p.Lead.Owner != "alice" || p.Lead.ExternalID != "x0" || len(p.Lead.Tags) != 1 {
			t.Errorf("%d leads: the payload's lead is\n%s\nwant\n%s", n, got, want)
		}
	}
}

// Marking notifications read is a change every console of the agent must hear of: it
// publishes an event. Marking nothing publishes nothing.
func TestMarkReadPublishes(t *testing.T) { eachStore(t, testMarkReadPublishes) }

func testMarkReadPublishes(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	alice := engine.AsAgent(f.agent("alice"))
	c := f.lead(engine.NewLead{Name: "Ada"})
	if _, err := f.e.Assign(f.ctx, f.owner, []int64{c.Lead.ID}, "alice", ""); err != nil {
		t.Fatal(err)
	}
	sub := f.e.Subscribe(8)
	defer sub.Close()
	n, err := f.e.MarkRead(f.ctx, alice, nil)
	if err != nil || n != 1 {
		t.Fatalf("MarkRead = %d, %v; want 1", n, err)
	}
	ch := <-sub.C
	if len(ch.Events) != 1 || ch.Events[0].Kind != engine.EvNotificationRead || ch.Events[0].Agent != "alice" {
		t.Fatalf("published %+v, want one notification.read about alice", ch.Events)
	}
	if n, err := f.e.MarkRead(f.ctx, alice, nil); err != nil || n != 0 {
		t.Fatalf("MarkRead again = %d, %v; want 0", n, err)
	}
	select {
	case ch := <-sub.C:
		t.Fatalf("marking nothing published %+v", ch.Events)
	default:
	}
}
