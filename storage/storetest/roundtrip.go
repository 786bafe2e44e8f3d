package storetest

import (
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// testRoundTrip: what the engine writes reads back the same, every field of every row.
func testRoundTrip(e *env) {
	t := e.t
	a := engine.Agent{Handle: "ada", Name: "Ada Lovelace", Email: "ada@example.com", Role: engine.RoleDispatcher,
		Presence: engine.Busy, Capacity: 30, DailyCap: 12, EmailNotify: true, WebhookURL: "https://hooks.example.com/ada",
		WebhookSecret: "s3cret", AwaySince: at.Add(-time.Hour), CreatedAt: at}
	key := engine.Key{Fingerprint: "SHA256:abc", PublicKey: "ssh-ed25519 AAAA", Comment: "ada@laptop", CreatedAt: at.Add(time.Second)}
	lead := engine.Lead{
		ExternalID: "fb-1", Name: "Grace", Email: "grace@example.com", Phone: "+33 1 23", Company: "Navy", Source: "facebook",
		Tags: []string{"vip", "b2b"}, Fields: map[string]any{"budget": 5000.5, "city": "Lyon", "hot": true, "zip": "02134"},
		Status: engine.StatusContacted, CreatedAt: at, AssignedAt: at.Add(time.Second),
		FirstContactAt: at.Add(time.Minute), SLADueAt: at.Add(15 * time.Minute), SLAAction: engine.SLAUnassign,
		SLAMissedBy: []int64{7, 3}, FirstAssignedAt: at.Add(time.Second), ContactAssignedAt: at.Add(time.Second),
		SLAMet: true, UpdatedAt: at.Add(time.Hour),
	}
	queued := engine.Lead{Name: "Queued", Source: "web", Tags: []string{}, Fields: map[string]any{}, Status: engine.StatusNew,
		Waiting: engine.WaitingNoEligible, WaitReason: "no eligible recipient in rule #1", CreatedAt: at, UpdatedAt: at}
	routing := &engine.Routing{Rule: 3, RuleName: "main", Mode: engine.RoundRobin, Owner: "ada", Reason: "rule #3",
		PassedOver: []engine.PassedOver{{Agent: "bob", Rule: 3, Reason: "away"}}, SharedWith: []string{"cy"},
		Matched: []int64{3, 5}}
	var rule engine.Rule
	var ev, plain engine.Event
	var share engine.Share
	var note engine.Notification
	var out engine.OutboxItem
	tok := engine.Token{Name: "forms", Role: engine.RoleIntake, Prefix: "sb_abcd", Hash: []byte{0, 1, 2, 255}, CreatedAt: at, CreatedBy: "ada"}
	e.write(func(tx engine.WriteTx) error {
		if err := tx.InsertAgent(&a); err != nil {
			return err
		}
		key.AgentID = a.ID
		if err := tx.InsertKey(&key); err != nil {
			return err
		}
		lead.OwnerID, lead.ContactOwnerID = a.ID, a.ID
		if err := tx.InsertLead(&lead); err != nil {
			return err
		}
		if err := tx.InsertLead(&queued); err != nil {
			return err
		}
		if err := tx.AddAgentLoad(a.ID, 1, lead.AssignedAt); err != nil {
			return err
		}
		rule = engine.Rule{Name: "main", Position: 1, Enabled: true, Condition: `source == "facebook"`, Mode: engine.Broadcast,
			Recipients: []engine.Recipient{{AgentID: a.ID, Agent: "ada", PerRound: 3}}, ShareAccess: engine.AccessEdit,
			ShareDuration: 90 * time.Minute, SLA: 4 * time.Hour, SLAAction: engine.SLANotify, TurnAgentID: a.ID, TurnGiven: 2, LastAgentID: a.ID, CreatedAt: at, UpdatedAt: at.Add(time.Second)}
		if err := tx.InsertRule(&rule); err != nil {
			return err
		}
		ev = engine.Event{At: at, Kind: engine.EvLeadRouted, Actor: "rule:3", LeadID: lead.ID, Agent: "ada", RuleID: rule.ID,
			From: "bob", To: "ada", Reason: "why", Routing: routing}
		if err := tx.InsertEvent(&ev); err != nil {
			return err
		}
		plain = engine.Event{At: at, Kind: engine.EvSetting, Actor: "ada", Reason: "company", To: "Acme"}
		if err := tx.InsertEvent(&plain); err != nil {
			return err
		}
		share = engine.Share{LeadID: lead.ID, AgentID: a.ID, Agent: "ada", Access: engine.AccessEdit, Status: engine.ShareRevoked,
			CreatedAt: at, ExpiresAt: at.Add(time.Hour), EndedAt: at.Add(time.Minute), CreatedBy: "bob", Via: "console"}
		if err := tx.InsertShare(&share); err != nil {
			return err
		}
		note = engine.Notification{AgentID: a.ID, EventID: ev.ID, LeadID: lead.ID, Kind: ev.Kind, Text: "New lead for you", CreatedAt: at}
		if err := tx.InsertNotification(&note); err != nil {
			return err
		}
		out = engine.OutboxItem{EventID: ev.ID, AgentID: a.ID, Channel: engine.ChannelWebhook, Target: a.WebhookURL,
			Payload: []byte(`{"b": 1,  "a": [2]}`), Status: engine.OutboxPending, Attempts: 2, NextAttempt: at.Add(time.Minute),
			LastError: "503", CreatedAt: at}
		if err := tx.InsertOutbox(&out); err != nil {
			return err
		}
		if err := tx.InsertToken(&tok); err != nil {
			return err
		}
		return tx.SetSetting("company", "Acme Sales")
	})
	lead.Owner = "ada"
	a.OpenLeads, a.LastAssignedAt = 1, lead.AssignedAt

	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	check("agent", read(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByHandle("ada") }), a)
	check("agent by id", read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(a.ID) }), a)
	check("agent by key", read(e, func(r engine.Reader) (engine.Agent, error) { return r.AgentByKey("SHA256:abc") }), a)
	check("keys", read(e, func(r engine.Reader) ([]engine.Key, error) { return r.Keys(a.ID) }), []engine.Key{key})
	check("lead", read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(lead.ID) }), lead)
	check("lead by external id", read(e, func(r engine.Reader) (engine.Lead, error) { return r.LeadByExternalID("facebook", "fb-1") }), lead)
	check("queued lead", read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(queued.ID) }), queued)
	check("leads", read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(engine.LeadFilter{}) }), []engine.Lead{queued, lead})
	check("rule", read(e, func(r engine.Reader) (engine.Rule, error) { return r.Rule(rule.ID) }), rule)
	check("rules", read(e, func(r engine.Reader) ([]engine.Rule, error) { return r.Rules() }), []engine.Rule{rule})
	check("events", read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{}) }), []engine.Event{plain, ev})
	check("share", read(e, func(r engine.Reader) (engine.Share, error) { return r.Share(share.ID) }), share)
	check("notifications", read(e, func(r engine.Reader) ([]engine.Notification, error) { return r.Notifications(a.ID, 10) }), []engine.Notification{note})
	check("outbox row", read(e, func(r engine.Reader) (engine.OutboxItem, error) { return r.OutboxItem(out.ID) }), out)
	check("token", read(e, func(r engine.Reader) (engine.Token, error) { return r.TokenByName("forms") }), tok)
	check("setting", read(e, func(r engine.Reader) (string, error) { return r.Setting("company") }), "Acme Sales")

	// Changes read back too.
	lead.Status, lead.OwnerID, lead.Owner, lead.Tags, lead.Fields = engine.StatusLost, 0, "", []string{}, map[string]any{"n": 1.0}
	lead.ExternalID, lead.UpdatedAt, lead.Waiting, lead.WaitReason = "", at.Add(2*time.Hour), engine.WaitingManual, "unassigned by bob"
	lead.SLADueAt, lead.SLAAction, lead.SLAMissedBy = time.Time{}, "", nil
	lead.FirstAssignedAt, lead.ContactOwnerID, lead.ContactAssignedAt, lead.SLAMet = at.Add(2*time.Second), 0, time.Time{}, false
	a.Name, a.Presence, a.Capacity, a.EmailNotify, a.WebhookURL, a.WebhookSecret = "Ada King", engine.Away, 0, false, "", ""
	a.AwaySince = time.Time{}
	rule.Recipients, rule.Enabled, rule.Mode, rule.ShareAccess, rule.ShareDuration = nil, false, engine.LoadBalance, "", 0
	rule.SLA, rule.SLAAction = 90*time.Second, engine.SLAReroute
	rule.TurnAgentID, rule.TurnGiven, rule.LastAgentID, rule.UpdatedAt = 0, 0, 0, at.Add(time.Hour)
	share.Access, share.Status, share.ExpiresAt, share.EndedAt = engine.AccessRead, engine.ShareActive, time.Time{}, time.Time{}
	out.Status, out.Attempts, out.NextAttempt, out.LastError, out.DeliveredAt = engine.OutboxDelivered, 3, at.Add(time.Hour), "", at.Add(time.Hour)
	tok.RevokedAt = at.Add(time.Hour)
	e.write(func(tx engine.WriteTx) error {
		for _, err := range []error{tx.UpdateLead(&lead), tx.UpdateAgent(&a), tx.UpdateRule(&rule), tx.UpdateShare(&share),
			tx.UpdateOutbox(&out), tx.UpdateToken(&tok)} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	check("changed lead", read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(lead.ID) }), lead)
	check("changed agent", read(e, func(r engine.Reader) (engine.Agent, error) { return r.Agent(a.ID) }), a)
	check("changed rule", read(e, func(r engine.Reader) (engine.Rule, error) { return r.Rule(rule.ID) }), rule)
	check("changed share", read(e, func(r engine.Reader) (engine.Share, error) { return r.Share(share.ID) }), share)
	check("changed outbox row", read(e, func(r engine.Reader) (engine.OutboxItem, error) { return r.OutboxItem(out.ID) }), out)
	check("revoked token", read(e, func(r engine.Reader) ([]engine.Token, error) { return r.Tokens() }), []engine.Token{tok})
}

// testTimes: times come back at millisecond precision, truncated, in UTC, whatever the
// zone they were written in.
func testTimes(e *env) {
	t := e.t
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	written := at.Add(1234567 * time.Nanosecond).In(zone) // 1.234567 ms past
	want := at.Add(time.Millisecond)
	late := at.Add(999999 * time.Nanosecond) // just under a millisecond: truncated, not rounded
	l := e.lead(engine.Lead{CreatedAt: written, UpdatedAt: late, AssignedAt: written})
	got := read(e, func(r engine.Reader) (engine.Lead, error) { return r.Lead(l.ID) })
	for _, c := range []struct {
		name     string
		got, exp time.Time
	}{{"created", got.CreatedAt, want}, {"updated", got.UpdatedAt, at}, {"assigned", got.AssignedAt, want}} {
		if !c.got.Equal(c.exp) || c.got.Location() != time.UTC {
			t.Errorf("%s at %s (%s), want %s in UTC", c.name, c.got.Format(time.RFC3339Nano), c.got.Location(), c.exp.Format(time.RFC3339Nano))
		}
	}
	if !got.FirstContactAt.IsZero() {
		t.Errorf("a zero time came back as %s", got.FirstContactAt)
	}
	ev := e.event(engine.Event{At: written, Kind: engine.EvLeadCreated, LeadID: l.ID})
	evs := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{LeadID: l.ID}) })
	if len(evs) != 1 || evs[0].ID != ev.ID || !evs[0].At.Equal(want) || evs[0].At.Location() != time.UTC {
		t.Errorf("event: %+v, want one at %s in UTC", evs, want)
	}
	// Comparisons happen at that precision too: a filter at the stored time includes it.
	since := read(e, func(r engine.Reader) ([]engine.Event, error) { return r.Events(engine.EventFilter{Since: want}) })
	if len(since) != 1 {
		t.Errorf("events since the stored time: %d, want 1", len(since))
	}
}

// testNoRows: a lookup of one row that finds none returns ErrNoRows.
func testNoRows(e *env) {
	t := e.t
	a := e.agent("gone")
	e.write(func(tx engine.WriteTx) error { return tx.RemoveAgent(a.ID, at) })
	lookups := map[string]func(r engine.Reader) error{
		"Lead":             func(r engine.Reader) error { _, err := r.Lead(404); return err },
		"LeadByExternalID": func(r engine.Reader) error { _, err := r.LeadByExternalID("web", "x"); return err },
		"Agent":            func(r engine.Reader) error { _, err := r.Agent(404); return err },
		"AgentByHandle":    func(r engine.Reader) error { _, err := r.AgentByHandle("nobody"); return err },
		"removed agent":    func(r engine.Reader) error { _, err := r.AgentByHandle("gone"); return err },
		"AgentByKey":       func(r engine.Reader) error { _, err := r.AgentByKey("SHA256:none"); return err },
		"Rule":             func(r engine.Reader) error { _, err := r.Rule(404); return err },
		"Share":            func(r engine.Reader) error { _, err := r.Share(404); return err },
		"ActiveShare":      func(r engine.Reader) error { _, err := r.ActiveShare(1, a.ID, at); return err },
		"OutboxItem":       func(r engine.Reader) error { _, err := r.OutboxItem(404); return err },
		"Setting":          func(r engine.Reader) error { _, err := r.Setting("none"); return err },
		"TokenByName":      func(r engine.Reader) error { _, err := r.TokenByName("none"); return err },
	}
	for name, fn := range lookups {
		err := e.s.Read(ctx, fn)
		mustNoRows(t, name, err)
	}
	// Inside a write transaction too, and the transaction goes on.
	e.write(func(tx engine.WriteTx) error {
		_, err := tx.Lead(404)
		mustNoRows(t, "Lead in a write transaction", err)
		_, err = tx.AgentByHandle("nobody")
		mustNoRows(t, "AgentByHandle in a write transaction", err)
		b := engine.Agent{Handle: "after", Name: "After", Role: engine.RoleAgent, Presence: engine.Offline, CreatedAt: at}
		return tx.InsertAgent(&b)
	})
	if got := read(e, func(r engine.Reader) ([]engine.Agent, error) { return r.Agents() }); len(got) != 1 || got[0].Handle != "after" {
		t.Errorf("agents after a miss in a write: %+v", got)
	}
	// Empty lists and counts are not errors.
	if n := read(e, func(r engine.Reader) (int64, error) { return r.LastEventID() }); n != 0 {
		t.Errorf("LastEventID with no history: %d", n)
	}
	if _, ok := read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextShareExpiry() }); ok {
		t.Error("NextShareExpiry with no shares: ok")
	}
	if _, ok := read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextOutboxAttempt() }); ok {
		t.Error("NextOutboxAttempt with no outbox: ok")
	}
}

func read2[A, B any](e *env, fn func(r engine.Reader) (A, B, error)) (A, B) {
	e.t.Helper()
	var a A
	var b B
	err := e.s.Read(ctx, func(r engine.Reader) (err error) {
		a, b, err = fn(r)
		return err
	})
	if err != nil {
		e.t.Fatalf("read: %v", err)
	}
	return a, b
}
