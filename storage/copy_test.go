package storage_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/demo"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// TestCopyDemoTeam: a team made by the demo (agents, rules with their rotations, worked
// leads, history, notifications, shares, outbox rows, keys, a token, settings, daily
// counts) copied into PostgreSQL reads back the same through the store, row for row;
// a second copy into the now full database is refused and changes nothing; and the
// same leads then created on the SQLite file and on PostgreSQL get the same ids and
// the same owners: the rotations go on where they stopped.
func TestCopyDemoTeam(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	clock := &fixedClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	src := open(t, path, clock)
	if err := demo.Seed(ctx, src.e, engine.System(), 400, rand.New(rand.NewPCG(7, 7)), nil, 0); err != nil {
		t.Fatal(err)
	}
	decorate(t, src)
	// Close the engine on the file: migrate copies a team that nothing writes to.
	srcStore := src.store
	src.e.Close()

	copied, err := storage.CopyToPostgres(ctx, path, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, c := range copied {
		rows[c.Table] = c.Rows
	}
	for _, tb := range []string{"agents", "agent_keys", "agent_days", "leads", "rules", "rule_recipients", "shares",
		"events", "notifications", "outbox", "settings", "tokens"} {
		if rows[tb] == 0 {
			t.Errorf("no %s copied: the demo team should have some", tb)
		}
	}
	dst, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, got := snapshot(t, srcStore), snapshot(t, dst)
	for _, k := range sortedKeys(want) {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s after the copy:\n got %+v\nwant %+v", k, got[k], want[k])
		}
	}

	if _, err := storage.CopyToPostgres(ctx, path, url, storage.Options{}); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Fatalf("a second copy: %v, want a refusal", err)
	}
	if again := snapshot(t, dst); !reflect.DeepEqual(again, got) {
		t.Fatal("a refused copy changed the database")
	}

	// The same leads, on the file and on PostgreSQL.
	a := open(t, path, clock)
	b, err := engine.New(dst, engine.Options{Now: clock.Now, Location: time.UTC, TailInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := rand.New(rand.NewPCG(9, 9))
	for i := range 60 {
		in := demo.Lead(r)
		ca, err := a.e.CreateLead(ctx, engine.System(), in)
		if err != nil {
			t.Fatal(err)
		}
		cb, err := b.CreateLead(ctx, engine.System(), in)
		if err != nil {
			t.Fatal(err)
		}
		if ca.Lead.ID != cb.Lead.ID || ca.Lead.Owner != cb.Lead.Owner || ca.Routing.Reason != cb.Routing.Reason {
			t.Fatalf("lead %d after the copy: on the file #%d to %q (%s), on PostgreSQL #%d to %q (%s)", i,
				ca.Lead.ID, ca.Lead.Owner, ca.Routing.Reason, cb.Lead.ID, cb.Lead.Owner, cb.Routing.Reason)
		}
	}
	hist := func(e *engine.Engine) []int64 {
		page, err := e.History(ctx, engine.System(), engine.HistoryQuery{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, ev := range page.Items {
			ids = append(ids, ev.ID)
		}
		return ids
	}
	if ha, hb := hist(a.e), hist(b); !reflect.DeepEqual(ha, hb) {
		t.Fatalf("history ids go on differently: %v on the file, %v on PostgreSQL", ha, hb)
	}
}

// TestCopyRefuses: migrate copies from a SQLite file into a PostgreSQL database, and
// says so to anyone who asks for something else.
func TestCopyRefuses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "team.db")
	for _, c := range []struct{ from, to, want string }{
		{"postgres://db/a", "postgres://db/b", "copies from a SQLite file"},
		{path, filepath.Join(t.TempDir(), "other.db"), "copies into a PostgreSQL database"},
		{path, "mysql://db/b", "copies into a PostgreSQL database"},
	} {
		if _, err := storage.CopyToPostgres(ctx, c.from, c.to, storage.Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("copy %s → %s: %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// fixedClock moves a millisecond at each reading: times differ, and stay within the
// day whatever the wall clock says.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

type sqliteEngine struct {
	e     *engine.Engine
	store engine.Store
}

func open(t *testing.T, path string, clock *fixedClock) sqliteEngine {
	t.Helper()
	st, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e, err := engine.New(st, engine.Options{Now: clock.Now, Location: time.UTC, TailInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return sqliteEngine{e: e, store: st}
}

// decorate adds what the demo does not make: a key, a token, a team webhook (so that
// assignments write outbox rows), shares (one revoked), read notifications.
func decorate(t *testing.T, s sqliteEngine) {
	t.Helper()
	ctx, sys := context.Background(), engine.System()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	team, err := s.e.Agents(ctx, sys)
	must(err)
	_, err = s.e.AddKey(ctx, sys, team[0].Handle, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbtB5+EWw1Vy2T4mo9Db4kbG7ErEdnzwoYJJbomCpJ6 one@test")
	must(err)
	_, _, err = s.e.CreateToken(ctx, sys, "forms", engine.RoleIntake)
	must(err)
	must(s.e.SetSetting(ctx, sys, engine.SettingWebhookURL, "https://hooks.example.com/team"))
	must(s.e.SetSetting(ctx, sys, engine.SettingCompany, "Acme Sales"))
	page, err := s.e.ListLeads(ctx, sys, engine.LeadQuery{Open: true, Limit: 1000})
	must(err)
	var ids []int64
	for _, l := range page.Items {
		if l.OwnerID != 0 {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) < 10 {
		t.Fatalf("the demo left %d open leads with an owner, want 10 at least", len(ids))
	}
	var shares []engine.Share
	for i, id := range ids[:6] {
		d := time.Duration(i) * time.Hour // 0: until revoked
		other := team[(i+3)%len(team)]
		sh, err := s.e.Share(ctx, sys, engine.NewShare{LeadID: id, Agent: other.Handle, Access: engine.AccessRead, Duration: d})
		if err != nil && engine.KindOf(err) != engine.KindConflict { // the other may own it
			t.Fatal(err)
		}
		if err == nil {
			shares = append(shares, sh)
		}
	}
	if len(shares) == 0 {
		t.Fatal("no share made")
	}
	_, err = s.e.RevokeShare(ctx, sys, shares[0].ID)
	must(err)
	_, err = s.e.Assign(ctx, sys, ids[6:10], team[1].Handle, "rebalanced")
	must(err)
	_, err = s.e.MarkRead(ctx, engine.AsAgent(team[1]), nil)
	must(err)
}

// snapshot reads everything a team holds through the store, by name.
func snapshot(t *testing.T, s engine.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	err := s.Read(context.Background(), func(r engine.Reader) error {
		var err error
		add := func(name string, v any, e error) {
			out[name] = v
			if err == nil {
				err = e
			}
		}
		agents, e := r.Agents()
		add("agents", agents, e)
		leads, e := r.Leads(engine.LeadFilter{OldestFirst: true})
		add("leads", leads, e)
		rules, e := r.Rules()
		add("rules", rules, e)
		events, e := r.Events(engine.EventFilter{Ascending: true})
		add("events", events, e)
		outbox, e := r.OutboxItems(engine.OutboxFilter{})
		add("outbox", outbox, e)
		tokens, e := r.Tokens()
		add("tokens", tokens, e)
		for _, k := range []string{engine.SettingCompany, engine.SettingWebhookURL, engine.SettingWebhookSecret} {
			v, e := r.Setting(k)
			add("setting "+k, v, e)
		}
		auto, e := r.AutoAssigned("2026-11-23")
		add("auto-assigned", auto, e)
		last, e := r.LastEventID()
		add("last event", last, e)
		for _, a := range agents {
			keys, e := r.Keys(a.ID)
			add("keys of "+a.Handle, keys, e)
			notes, e := r.Notifications(a.ID, 1<<20)
			add("notifications of "+a.Handle, notes, e)
			unread, e := r.UnreadNotifications(a.ID)
			add("unread of "+a.Handle, unread, e)
		}
		for _, l := range leads {
			shares, e := r.SharesOfLead(l.ID)
			if len(shares) > 0 {
				add(fmt.Sprintf("shares of #%d", l.ID), shares, e)
			}
		}
		return err
	})
	if err != nil && !errors.Is(err, engine.ErrNoRows) {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
