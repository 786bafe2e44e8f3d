package storetest

import (
	"fmt"
	"reflect"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func shareIDs(ss []engine.Share) []int64 { return ids(ss, func(s engine.Share) int64 { return s.ID }) }

// testShares: which shares are active when, in which order they are listed, the next
// end, and which have ended by a time.
func testShares(e *env) {
	t := e.t
	m := e.leadMix()
	s := m.shares // see leadMix for what each is
	b, c := m.b.ID, m.c.ID
	activeOf := func(agent int64, now time.Time) []int64 {
		return shareIDs(read(e, func(r engine.Reader) ([]engine.Share, error) { return r.ActiveSharesOf(agent, now) }))
	}
	// Soonest to end first, those without an end last.
	if got, want := activeOf(b, at), []int64{s[1].ID, s[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("b's active shares at now: %v, want %v", got, want)
	}
	if got, want := activeOf(b, at.Add(-2*time.Minute)), []int64{s[2].ID, s[1].ID, s[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("b's active shares two minutes ago: %v, want %v", got, want)
	}
	// A share that ends at now has ended (ActiveAt is before the end).
	if got, want := activeOf(c, at), []int64{s[6].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("c's active shares at now: %v, want %v", got, want)
	}
	for _, x := range s {
		for _, now := range []time.Time{at.Add(-time.Millisecond), at, at.Add(time.Millisecond), at.Add(2 * time.Hour)} {
			got, err := tryRead(e, func(r engine.Reader) (engine.Share, error) { return r.ActiveShare(x.LeadID, x.AgentID, now) })
			if x.ActiveAt(now) {
				if err != nil || got.ID != x.ID {
					t.Errorf("share #%d at %s: %v %+v, want it active", x.ID, now.Sub(at), err, got)
				}
			} else if err == nil && got.ID == x.ID {
				t.Errorf("share #%d at %s: active, want ended", x.ID, now.Sub(at))
			}
		}
		n := read(e, func(r engine.Reader) (int, error) { return r.CountActiveShares(x.AgentID, at) })
		want := 0
		for _, y := range s {
			if y.AgentID == x.AgentID && y.ActiveAt(at) {
				want++
			}
		}
		if n != want {
			t.Errorf("agent #%d's active shares at now: counted %d, want %d", x.AgentID, n, want)
		}
	}
	if got, want := shareIDs(read(e, func(r engine.Reader) ([]engine.Share, error) { return r.SharesOfLead(m.leads[0].ID) })),
		[]int64{s[0].ID, s[4].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("shares of lead #%d: %v, want %v", m.leads[0].ID, got, want)
	}
	// The next end is the earliest of the shares still marked active, ended or not.
	next, ok := read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextShareExpiry() })
	if !ok || !next.Equal(at.Add(-time.Minute)) {
		t.Errorf("next share expiry %s %v, want %s", next, ok, at.Add(-time.Minute))
	}
	ended := func(now time.Time, limit int) []int64 {
		return shareIDs(read(e, func(r engine.Reader) ([]engine.Share, error) { return r.SharesEndedBy(now, limit) }))
	}
	if got, want := ended(at, 10), []int64{s[2].ID, s[5].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("shares ended by now: %v, want %v (soonest first; at the end counts)", got, want)
	}
	if got, want := ended(at.Add(48*time.Hour), 3), []int64{s[2].ID, s[5].ID, s[6].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("shares ended in two days, three at most: %v, want %v", got, want)
	}
}

// testNotifications: notifications newest first, unread counts, marking read; the
// outbox due in order of next attempt, and the next attempt.
func testNotifications(e *env) {
	t := e.t
	a, b := e.agent("a"), e.agent("b")
	ev := e.event(engine.Event{Kind: engine.EvLeadAssigned})
	var notes []engine.Notification
	e.write(func(tx engine.WriteTx) error {
		for i := range 5 {
			n := engine.Notification{AgentID: a.ID, EventID: ev.ID, Kind: ev.Kind, Text: "n", CreatedAt: at.Add(time.Duration(i) * time.Second)}
			if i == 4 {
				n.AgentID = b.ID
			}
			if err := tx.InsertNotification(&n); err != nil {
				return err
			}
			notes = append(notes, n)
		}
		return nil
	})
	list := read(e, func(r engine.Reader) ([]engine.Notification, error) { return r.Notifications(a.ID, 3) })
	if got, want := ids(list, func(n engine.Notification) int64 { return n.ID }), []int64{notes[3].ID, notes[2].ID, notes[1].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("a's newest three notifications: %v, want %v", got, want)
	}
	unread := func(id int64) int {
		return read(e, func(r engine.Reader) (int, error) { return r.UnreadNotifications(id) })
	}
	if unread(a.ID) != 4 || unread(b.ID) != 1 {
		t.Errorf("unread: a %d, b %d; want 4, 1", unread(a.ID), unread(b.ID))
	}
	var marked, again, all int
	e.write(func(tx engine.WriteTx) (err error) {
		if marked, err = tx.MarkNotificationsRead(a.ID, []int64{notes[0].ID, notes[4].ID}, at.Add(time.Hour)); err != nil {
			return err
		}
		if again, err = tx.MarkNotificationsRead(a.ID, []int64{notes[0].ID}, at.Add(time.Hour)); err != nil {
			return err
		}
		all, err = tx.MarkNotificationsRead(a.ID, nil, at.Add(2*time.Hour))
		return err
	})
	if marked != 1 || again != 0 || all != 3 || unread(a.ID) != 0 || unread(b.ID) != 1 {
		t.Errorf("marked %d (want 1: b's is not a's), again %d (0), all %d (3); unread a %d (0), b %d (1)",
			marked, again, all, unread(a.ID), unread(b.ID))
	}
	if n := read(e, func(r engine.Reader) ([]engine.Notification, error) { return r.Notifications(a.ID, 10) }); !n[3].ReadAt.Equal(at.Add(time.Hour)) {
		t.Errorf("read at %s, want %s", n[3].ReadAt, at.Add(time.Hour))
	}

	var rows []engine.OutboxItem
	e.write(func(tx engine.WriteTx) error {
		for i, next := range []time.Duration{time.Minute, -time.Minute, 0, -time.Minute, time.Hour} {
			o := engine.OutboxItem{EventID: ev.ID, AgentID: a.ID, Channel: engine.ChannelEmail, Target: "a@example.com",
				Payload: []byte(`{}`), Status: engine.OutboxPending, NextAttempt: at.Add(next), CreatedAt: at}
			if i == 4 {
				o.Status, o.AgentID, o.Channel = engine.OutboxDelivered, 0, engine.ChannelWebhook
			}
			if err := tx.InsertOutbox(&o); err != nil {
				return err
			}
			rows = append(rows, o)
		}
		return nil
	})
	outIDs := func(os []engine.OutboxItem) []int64 { return ids(os, func(o engine.OutboxItem) int64 { return o.ID }) }
	due := read(e, func(r engine.Reader) ([]engine.OutboxItem, error) { return r.DueOutbox(at, 10) })
	if got, want := outIDs(due), []int64{rows[1].ID, rows[3].ID, rows[2].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("due outbox: %v, want %v (longest waiting first, then by id)", got, want)
	}
	if due := read(e, func(r engine.Reader) ([]engine.OutboxItem, error) { return r.DueOutbox(at, 2) }); len(due) != 2 {
		t.Errorf("due outbox, two at most: %d", len(due))
	}
	if n := read(e, func(r engine.Reader) (int, error) { return r.PendingOutbox() }); n != 4 {
		t.Errorf("pending outbox: %d, want 4 (the delivered row does not count)", n)
	}
	next, ok := read2(e, func(r engine.Reader) (time.Time, bool, error) { return r.NextOutboxAttempt() })
	if !ok || !next.Equal(at.Add(-time.Minute)) {
		t.Errorf("next outbox attempt %s %v, want %s (the delivered row does not count)", next, ok, at.Add(-time.Minute))
	}
	for name, c := range map[string]struct {
		f    engine.OutboxFilter
		want []int64
	}{
		"all":       {engine.OutboxFilter{}, outIDs(rows)},
		"delivered": {engine.OutboxFilter{Status: engine.OutboxDelivered}, []int64{rows[4].ID}},
		"by event":  {engine.OutboxFilter{EventID: ev.ID, Limit: 2}, []int64{rows[0].ID, rows[1].ID}},
		"no event":  {engine.OutboxFilter{EventID: ev.ID + 1000}, nil},
	} {
		got := outIDs(read(e, func(r engine.Reader) ([]engine.OutboxItem, error) { return r.OutboxItems(c.f) }))
		if !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("outbox %s: %v, want %v", name, got, c.want)
		}
	}
}

// testTokens: tokens by id, revoked ones in the full list only; a revoked token's name
// can be used again.
func testTokens(e *env) {
	t := e.t
	var toks []engine.Token
	e.write(func(tx engine.WriteTx) error {
		for _, x := range []struct{ name, prefix string }{{"forms", "sb_aaaa"}, {"crm", "sb_bbbb"}, {"other", "sb_aaaa"}} {
			tok := engine.Token{Name: x.name, Role: engine.RoleIntake, Prefix: x.prefix, Hash: []byte(x.name), CreatedAt: at, CreatedBy: "system"}
			if err := tx.InsertToken(&tok); err != nil {
				return err
			}
			toks = append(toks, tok)
		}
		toks[0].RevokedAt = at.Add(time.Minute)
		if err := tx.UpdateToken(&toks[0]); err != nil {
			return err
		}
		again := engine.Token{Name: "forms", Role: engine.RoleAdmin, Prefix: "sb_cccc", Hash: []byte("forms2"), CreatedAt: at, CreatedBy: "system"}
		if err := tx.InsertToken(&again); err != nil {
			return err
		}
		toks = append(toks, again)
		return nil
	})
	tokIDs := func(ts []engine.Token) []int64 { return ids(ts, func(x engine.Token) int64 { return x.ID }) }
	if got := tokIDs(read(e, func(r engine.Reader) ([]engine.Token, error) { return r.Tokens() })); !reflect.DeepEqual(got, tokIDs(toks)) {
		t.Errorf("tokens %v, want %v", got, tokIDs(toks))
	}
	if got := read(e, func(r engine.Reader) (engine.Token, error) { return r.TokenByName("forms") }); got.ID != toks[3].ID {
		t.Errorf("forms is token #%d, want the new one #%d", got.ID, toks[3].ID)
	}
	if got := tokIDs(read(e, func(r engine.Reader) ([]engine.Token, error) { return r.TokensByPrefix("sb_aaaa") })); !reflect.DeepEqual(got, []int64{toks[2].ID}) {
		t.Errorf("active tokens with prefix sb_aaaa: %v, want %v", got, []int64{toks[2].ID})
	}
}

// testSettings: a setting is set, replaced, kept when set empty (an empty value is a
// value: "off"), and removed by UnsetSetting; unsetting what is not set is no error.
func testSettings(e *env) {
	t := e.t
	get := func() (string, error) {
		return tryRead(e, func(r engine.Reader) (string, error) { return r.Setting("company") })
	}
	e.write(func(tx engine.WriteTx) error { return tx.SetSetting("company", "Acme") })
	e.write(func(tx engine.WriteTx) error { return tx.SetSetting("company", "Acme Sales") })
	if v, err := get(); v != "Acme Sales" || err != nil {
		t.Errorf("company = %q, %v", v, err)
	}
	e.write(func(tx engine.WriteTx) error { return tx.SetSetting("company", "") })
	if v, err := get(); v != "" || err != nil {
		t.Errorf("company set empty = %q, %v; want \"\" stored", v, err)
	}
	e.write(func(tx engine.WriteTx) error { return tx.UnsetSetting("company") })
	_, err := get()
	mustNoRows(t, "an unset setting", err)
	e.write(func(tx engine.WriteTx) error { return tx.UnsetSetting("company") })
}

// testCounts: every count equals the length of the list it counts.
func testCounts(e *env) {
	t := e.t
	m := e.leadMix()
	for _, f := range []engine.LeadFilter{{}, {Open: true}, {OwnerID: m.a.ID}, {Unassigned: true}, {VisibleTo: m.b.ID, Now: at}, {Tag: "vip"}} {
		n := read(e, func(r engine.Reader) (int, error) { return r.CountLeads(f) })
		l := read(e, func(r engine.Reader) ([]engine.Lead, error) { return r.Leads(f) })
		if n != len(l) {
			t.Errorf("%+v: counted %d, listed %d", f, n, len(l))
		}
	}
	for _, ag := range []engine.Agent{m.a, m.b, m.c} {
		n := read(e, func(r engine.Reader) (int, error) { return r.CountActiveShares(ag.ID, at) })
		l := read(e, func(r engine.Reader) ([]engine.Share, error) { return r.ActiveSharesOf(ag.ID, at) })
		if n != len(l) {
			t.Errorf("%s's active shares: counted %d, listed %d", ag.Handle, n, len(l))
		}
	}
}

// testUniqueness: the store refuses a second lead with one source and external id, a
// second agent with one handle and a second active token with one name, even if the
// engine's own checks were bypassed.
func testUniqueness(e *env) {
	t := e.t
	e.lead(engine.Lead{Source: "web", ExternalID: "x1"})
	e.agent("ada")
	e.write(func(tx engine.WriteTx) error {
		return tx.InsertToken(&engine.Token{Name: "forms", Role: engine.RoleIntake, Prefix: "p", Hash: []byte("h"), CreatedAt: at, CreatedBy: "s"})
	})
	for name, insert := range map[string]func(tx engine.Tx) error{
		"lead": func(tx engine.Tx) error { return insertLead(tx, &engine.Lead{Source: "web", ExternalID: "x1"}) },
		"agent": func(tx engine.Tx) error {
			return tx.InsertAgent(&engine.Agent{Handle: "ada", Name: "Other", Role: engine.RoleAgent, Presence: engine.Offline, CreatedAt: at})
		},
		"token": func(tx engine.Tx) error {
			return tx.InsertToken(&engine.Token{Name: "forms", Role: engine.RoleIntake, Prefix: "q", Hash: []byte("i"), CreatedAt: at, CreatedBy: "s"})
		},
	} {
		// A store that holds writes back refuses at the commit at the latest.
		tx, err := e.s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := insert(tx); err != nil {
			tx.Rollback()
			continue
		}
		if err := tx.Commit(); err == nil {
			t.Errorf("a second %s was stored", name)
		}
	}
	// The same external id from another source, and a lead without one, are fine.
	e.lead(engine.Lead{Source: "tiktok", ExternalID: "x1"})
	e.lead(engine.Lead{Source: "web"})
	e.lead(engine.Lead{Source: "web"})
}

// testLeadsByExternalID: the leads with any of many sources and external ids, written or
// still held back by the transaction that asks; the same id from another source, or no
// id at all, is no match.
func testLeadsByExternalID(e *env) {
	t := e.t
	want := map[int64]bool{}
	for i := range 300 {
		l := e.lead(engine.Lead{Source: "web", ExternalID: fmt.Sprintf("x%d", i)})
		if i%2 == 0 {
			want[l.ID] = true
		}
	}
	e.lead(engine.Lead{Source: "fair", ExternalID: "x1"})
	e.lead(engine.Lead{Source: "web"})
	var keys []engine.ExternalKey
	for i := 0; i < 300; i += 2 {
		keys = append(keys, engine.ExternalKey{Source: "web", ExternalID: fmt.Sprintf("x%d", i)})
	}
	keys = append(keys, engine.ExternalKey{Source: "web", ExternalID: "none"}, engine.ExternalKey{Source: "tiktok", ExternalID: "x1"})
	e.write(func(tx engine.WriteTx) error {
		held := engine.Lead{Source: "tiktok", ExternalID: "x1"}
		if err := insertLead(tx, &held); err != nil {
			return err
		}
		want[held.ID] = true
		got, err := tx.LeadsByExternalID(keys)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, l := range got {
			if !want[l.ID] || seen[l.ID] {
				t.Errorf("lead #%d (%s, %q) found", l.ID, l.Source, l.ExternalID)
			}
			seen[l.ID] = true
		}
		if len(seen) != len(want) {
			t.Errorf("found %d leads, want %d", len(seen), len(want))
		}
		return nil
	})
}
