package engine_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

// play runs a small script against f and returns the owners of the leads it created,
// joined by spaces ("-" for a lead left in the queue). Tokens: "4" creates four leads
// from source web; "b=away" sets b's presence; "+24h" moves the clock.
func (f *fixture) play(script string) string {
	f.t.Helper()
	var got []string
	for _, tok := range strings.Fields(script) {
		switch {
		case strings.Contains(tok, "="):
			handle, p, _ := strings.Cut(tok, "=")
			f.presence(handle, engine.Presence(p))
		case strings.HasPrefix(tok, "+"):
			d, err := time.ParseDuration(tok[1:])
			if err != nil {
				f.t.Fatalf("bad script token %q", tok)
			}
			f.clock.Add(d)
		default:
			n, err := strconv.Atoi(tok)
			if err != nil {
				f.t.Fatalf("bad script token %q", tok)
			}
			got = append(got, f.owners(n, "web")...)
		}
	}
	return strings.Join(got, " ")
}

// TestRoundRobin is R6 (and R5's eligibility as round robin sees it).
func TestRoundRobin(t *testing.T) { eachStore(t, testRoundRobin) }

func testRoundRobin(t *testing.T, kind enginetest.Store) {
	tests := []struct {
		name   string
		agents []func(*fixture)
		recips []engine.RecipientSpec // nil: the whole team
		script string
		want   string
	}{
		{name: "weighted turns", recips: []engine.RecipientSpec{to("a", 2), to("b", 1), to("c", 1)},
			script: "8", want: "a a b c a a b c"},
		{name: "one away loses its turns", recips: []engine.RecipientSpec{to("a", 2), to("b", 1), to("c", 1)},
			script: "b=away 6", want: "a a c a a c"},
		{name: "back from away waits for its turn", recips: []engine.RecipientSpec{to("a", 2), to("b", 1), to("c", 1)},
			script: "b=away 4 b=available 7", want: "a a c a a b c a a b c"},
		{name: "away mid-turn forfeits the rest", recips: []engine.RecipientSpec{to("a", 1), to("b", 2), to("c", 1)},
			script: "2 b=away 3 b=available 3", want: "a b c a c a b b"},
		{name: "busy and offline are not available", recips: []engine.RecipientSpec{to("a", 1), to("b", 1), to("c", 1)},
			script: "a=busy c=offline 2 a=available 3", want: "b b a b a"},
		{name: "per_round defaults to one", recips: []engine.RecipientSpec{to("c", 0), to("a", 0), to("b", 0)},
			script: "6", want: "c a b c a b"},
		{name: "no recipients means the team's agents alphabetically",
			agents: []func(*fixture){func(f *fixture) { f.agent("disp", withRole(engine.RoleDispatcher)) }},
			script: "4", want: "a b c a"},
		{name: "capacity is respected", agents: []func(*fixture){func(f *fixture) {
			f.e.UpdateAgent(f.ctx, f.owner, "a", engine.AgentUpdate{Capacity: ptr(1)})
		}}, recips: []engine.RecipientSpec{to("a", 2), to("b", 1)}, script: "5", want: "a b b b b"},
		{name: "daily cap is respected until the next day", agents: []func(*fixture){func(f *fixture) {
			f.e.UpdateAgent(f.ctx, f.owner, "b", engine.AgentUpdate{DailyCap: ptr(2)})
		}}, recips: []engine.RecipientSpec{to("a", 1), to("b", 1)}, script: "6 +24h 2", want: "a b a b a a b a"},
		{name: "everyone away leaves the lead queued", recips: []engine.RecipientSpec{to("a", 1), to("b", 1)},
			script: "a=away b=away 2", want: "- -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, kind)
			for _, h := range []string{"a", "b", "c"} {
				f.agent(h)
			}
			for _, setup := range tt.agents {
				setup(f)
			}
			f.rule(rr("main", "", tt.recips...))
			if got := f.play(tt.script); got != tt.want {
				t.Fatalf("owners = %q, want %q", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestRoundRobinPerRoundLowered: lowering per_round below what the recipient has had
// in its current turn ends that turn; the next recipient (or the same one, when it is
// alone) goes on.
func TestRoundRobinPerRoundLowered(t *testing.T) { eachStore(t, testRoundRobinPerRoundLowered) }

func testRoundRobinPerRoundLowered(t *testing.T, kind enginetest.Store) {
	for _, tt := range []struct {
		name       string
		before     []engine.RecipientSpec
		after      []engine.RecipientSpec
		want       string
		beforeWant string
	}{
		{name: "alone", before: []engine.RecipientSpec{to("a", 3)}, after: []engine.RecipientSpec{to("a", 1)},
			beforeWant: "a", want: "a a"},
		{name: "with others", before: []engine.RecipientSpec{to("a", 3), to("b", 1)},
			after: []engine.RecipientSpec{to("a", 1), to("b", 1)}, beforeWant: "a a", want: "b a b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, kind)
			f.agent("a")
			f.agent("b")
			r := f.rule(rr("main", "", tt.before...))
			if got := f.play(strconv.Itoa(len(strings.Fields(tt.beforeWant)))); got != tt.beforeWant {
				t.Fatalf("before the change: owners = %q, want %q", got, tt.beforeWant)
			}
			if _, err := f.e.UpdateRule(f.ctx, f.owner, r.ID, rr("main", "", tt.after...)); err != nil {
				t.Fatal(err)
			}
			if got := f.play(strconv.Itoa(len(strings.Fields(tt.want)))); got != tt.want {
				t.Fatalf("after lowering per_round: owners = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLoadBalance is R7: the fewest open leads wins; ties go to the first recipient in
// the rule's order after the one the rule assigned last.
func TestLoadBalance(t *testing.T) { eachStore(t, testLoadBalance) }

func testLoadBalance(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	for _, h := range []string{"a", "b", "c"} {
		f.agent(h)
	}
	lb := engine.RuleSpec{Name: "lb", Mode: engine.LoadBalance, Recipients: []engine.RecipientSpec{to("a", 1), to("b", 1), to("c", 1)}}

	// Preload by hand: a has 2 open leads, b has 1, c none.
	var ids []int64
	for range 3 {
		ids = append(ids, f.lead(engine.NewLead{Name: "manual"}).Lead.ID)
	}
	mustAssign(t, f, ids[:2], "a")
	mustAssign(t, f, ids[2:], "b")

	f.rule(lb)
	// c (0) → c; then a2 b1 c1, last c: b is first after c among the fewest → b;
	// a2 b2 c1 → c; all at 2, last c → a; a3 b2 c2, last a → b.
	if got := f.play("5"); got != "c b c a b" {
		t.Fatalf("owners = %q, want %q", got, "c b c a b")
	}
	// Closing two of a's leads makes it the least loaded.
	for _, id := range ids[:2] {
		if _, err := f.e.UpdateLead(f.ctx, f.owner, id, engine.LeadUpdate{Status: ptr(engine.StatusWon)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.play("1"); got != "a" {
		t.Fatalf("after a closed two leads: owner = %q, want a", got)
	}
	// Eligibility applies: with a away, the least loaded of b and c.
	f.presence("a", engine.Away)
	if got := f.play("1"); got != "c" { // b3 c2
		t.Fatalf("with a away: owner = %q, want c", got)
	}
}

func mustAssign(t testing.TB, f *fixture, ids []int64, handle string) engine.BulkResult {
	t.Helper()
	res, err := f.e.Assign(f.ctx, f.owner, ids, handle, "test")
	if err != nil {
		t.Fatalf("assign %v to %s: %v", ids, handle, err)
	}
	return res
}

// TestConditions is R1: the expression language over the lead and its arrival time.
func TestConditions(t *testing.T) { eachStore(t, testConditions) }

func testConditions(t *testing.T, kind enginetest.Store) {
	// The fixture's clock starts on Monday 2026-11-23 at 10:00 UTC.
	vip := engine.NewLead{Name: "Vip", Source: "Facebook", Tags: []string{"VIP", "b2b"},
		Fields: map[string]any{"budget": 8000, "city": "Lyon"}, Company: "Acme", Email: "vip@acme.test"}
	plain := engine.NewLead{Name: "Plain", Source: "web", Phone: "+33 1 23"}
	tests := []struct {
		cond string
		lead engine.NewLead
		want bool
	}{
		{``, plain, true},
		{`source in ["facebook","tiktok"] && fields.budget > 5000 && "vip" in tags`, vip, true},
		{`source in ["facebook","tiktok"] && fields.budget > 5000 && "vip" in tags`, plain, false},
		{`fields.budget > 9000`, vip, false},
		{`fields.budget > 5000`, plain, false}, // a missing field does not match
		{`fields.city == "Lyon" && company == "Acme"`, vip, true},
		{`email endsWith "@acme.test"`, vip, true},
		{`phone startsWith "+33"`, plain, true},
		{`name == "Plain" || name == "Other"`, plain, true},
		{`status == "new"`, plain, true},
		{`hour == 10 && weekday == "monday"`, plain, true},
		{`hour >= 18 || weekday in ["saturday","sunday"]`, plain, false},
		{`len(tags) == 0`, plain, true},
		{`not ("vip" in tags)`, vip, false},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			f := newFixture(t, kind)
			f.agent("a")
			f.rule(rr("only", tt.cond, to("a", 1)))
			c := f.lead(tt.lead)
			if got := c.Lead.Owner == "a"; got != tt.want {
				t.Fatalf("matched = %v, want %v (routing: %s)", got, tt.want, c.Routing.Explain())
			}
			if !tt.want && c.Lead.Waiting != engine.WaitingNoRule {
				t.Fatalf("waiting = %q, want %q", c.Lead.Waiting, engine.WaitingNoRule)
			}
		})
	}
}

// TestRuleOrder: rules are evaluated in position order, disabled rules are skipped, and
// moving a rule changes which one wins.
func TestRuleOrder(t *testing.T) { eachStore(t, testRuleOrder) }

func testRuleOrder(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	ra := f.rule(rr("to a", "", to("a", 1)))
	rb := f.rule(rr("to b", "", to("b", 1)))
	if got := f.play("1"); got != "a" {
		t.Fatalf("first rule should win, got %q", got)
	}
	if _, err := f.e.MoveRule(f.ctx, f.owner, rb.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := f.play("1"); got != "b" {
		t.Fatalf("after moving rule b first, got %q", got)
	}
	if _, err := f.e.SetRuleEnabled(f.ctx, f.owner, rb.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := f.play("1"); got != "a" {
		t.Fatalf("with rule b disabled, got %q", got)
	}
	if err := f.e.DeleteRule(f.ctx, f.owner, ra.ID); err != nil {
		t.Fatal(err)
	}
	c := f.lead(engine.NewLead{Name: "x"})
	if c.Lead.Owner != "" || c.Lead.Waiting != engine.WaitingNoRule || c.Lead.WaitReason != "no rule matched" {
		t.Fatalf("with only a disabled rule: owner %q waiting %q (%q)", c.Lead.Owner, c.Lead.Waiting, c.Lead.WaitReason)
	}
}

// TestFallThrough is R2 and R4: a matching owner rule with nobody eligible is passed
// over, recorded, and the next matching owner rule decides; with none left the lead is
// queued with the reason.
func TestFallThrough(t *testing.T) { eachStore(t, testFallThrough) }

func testFallThrough(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.agent("c")
	r1 := f.rule(rr("web team", `source == "web"`, to("a", 1), to("b", 1)))
	f.rule(rr("tiktok", `source == "tiktok"`, to("c", 1))) // does not match web leads
	r3 := f.rule(rr("everyone", "", to("c", 1)))

	f.presence("a", engine.Away)
	f.presence("b", engine.Away)
	c := f.lead(engine.NewLead{Name: "L", Source: "web"})
	if c.Lead.Owner != "c" || c.Routing.Rule != r3.ID {
		t.Fatalf("owner %q by rule #%d, want c by rule #%d", c.Lead.Owner, c.Routing.Rule, r3.ID)
	}
	wantPassed := []engine.PassedOver{{Agent: "a", Rule: r1.ID, Reason: "away"}, {Agent: "b", Rule: r1.ID, Reason: "away"}}
	if !reflect.DeepEqual(c.Routing.PassedOver, wantPassed) {
		t.Fatalf("passed over = %+v, want %+v", c.Routing.PassedOver, wantPassed)
	}

	f.presence("c", engine.Away)
	c = f.lead(engine.NewLead{Name: "L", Source: "web"})
	want := fmt.Sprintf("no eligible recipient in rules #%d, #%d", r1.ID, r3.ID)
	if c.Lead.Owner != "" || c.Lead.Waiting != engine.WaitingNoEligible || c.Lead.WaitReason != want {
		t.Fatalf("owner %q waiting %q reason %q, want queued with %q", c.Lead.Owner, c.Lead.Waiting, c.Lead.WaitReason, want)
	}
	queued := eventsOf(f.events(c.Lead.ID), engine.EvLeadQueued)
	if len(queued) != 1 || queued[0].Reason != want || queued[0].Routing == nil || len(queued[0].Routing.PassedOver) != 3 {
		t.Fatalf("queued events = %+v", queued)
	}

	// Only the catch-all matches a fax lead: with c away it waits on that rule alone, and
	// when c comes back the queue drains to c, oldest first.
	fax := f.lead(engine.NewLead{Name: "L", Source: "fax"})
	if want := fmt.Sprintf("no eligible recipient in rule #%d", r3.ID); fax.Lead.WaitReason != want {
		t.Fatalf("fax lead reason %q, want %q", fax.Lead.WaitReason, want)
	}
	f.presence("c", engine.Available)
	if got := ownersInOrder([]engine.Lead{f.get(c.Lead.ID), f.get(fax.Lead.ID)}); got != "c c" {
		t.Fatalf("after c came back the queue went to %q, want c c", got)
	}
}

// TestNoRuleMatched is R4 with no rule at all and with rules that do not match.
func TestNoRuleMatched(t *testing.T) { eachStore(t, testNoRuleMatched) }

func testNoRuleMatched(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	c := f.lead(engine.NewLead{Name: "L"})
	if c.Lead.Owner != "" || c.Lead.Waiting != engine.WaitingNoRule || c.Lead.WaitReason != "no rule matched" {
		t.Fatalf("with no rules: owner %q waiting %q reason %q", c.Lead.Owner, c.Lead.Waiting, c.Lead.WaitReason)
	}
	f.rule(rr("web", `source == "web"`, to("a", 1)))
	c = f.lead(engine.NewLead{Name: "L", Source: "tiktok"})
	if c.Lead.Owner != "" || c.Lead.WaitReason != "no rule matched" {
		t.Fatalf("with a rule that does not match: owner %q reason %q", c.Lead.Owner, c.Lead.WaitReason)
	}
	got := f.get(c.Lead.ID)
	if got.Waiting != engine.WaitingNoRule || got.WaitReason != "no rule matched" || got.Status != engine.StatusNew {
		t.Fatalf("stored lead: waiting %q reason %q status %q", got.Waiting, got.WaitReason, got.Status)
	}
	q := eventsOf(f.events(c.Lead.ID), engine.EvLeadQueued)
	if len(q) != 1 || q[0].Reason != "no rule matched" {
		t.Fatalf("queued events = %+v", q)
	}
	// R10: a lead no rule matched is not drained when someone becomes available.
	f.presence("a", engine.Away)
	f.presence("a", engine.Available)
	if l := f.get(c.Lead.ID); l.Owner != "" {
		t.Fatalf("a lead no rule matched was drained to %s", l.Owner)
	}
}

// TestBroadcast is R3: every matching broadcast rule shares the lead with each of its
// eligible recipients, and never sets the owner.
func TestBroadcast(t *testing.T) { eachStore(t, testBroadcast) }

func testBroadcast(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	for _, h := range []string{"a", "x", "y", "z", "w"} {
		f.agent(h)
	}
	f.presence("w", engine.Away)
	b1 := f.rule(engine.RuleSpec{Name: "managers", Mode: engine.Broadcast, ShareAccess: engine.AccessEdit, ShareDuration: 48 * time.Hour,
		Recipients: []engine.RecipientSpec{{Agent: "x"}, {Agent: "y"}, {Agent: "a"}}})
	b2 := f.rule(engine.RuleSpec{Name: "vip watchers", Mode: engine.Broadcast, Condition: `"vip" in tags`,
		Recipients: []engine.RecipientSpec{{Agent: "y"}, {Agent: "z"}, {Agent: "w"}}})
	f.rule(engine.RuleSpec{Name: "unmatched", Mode: engine.Broadcast, Condition: `source == "fax"`,
		Recipients: []engine.RecipientSpec{{Agent: "z"}}})
	own := f.rule(rr("owner", "", to("a", 1)))

	c := f.lead(engine.NewLead{Name: "L", Tags: []string{"vip"}})
	if c.Lead.Owner != "a" || c.Routing.Rule != own.ID {
		t.Fatalf("owner %q by rule #%d: the owner rule after the broadcasts should decide", c.Lead.Owner, c.Routing.Rule)
	}
	// a owns the lead (no share); y is in both rules but gets one share, from the first.
	if want := []string{"x", "y", "z"}; !reflect.DeepEqual(c.Routing.SharedWith, want) {
		t.Fatalf("shared with %v, want %v", c.Routing.SharedWith, want)
	}
	if want := []engine.PassedOver{{Agent: "w", Rule: b2.ID, Reason: "away"}}; !reflect.DeepEqual(c.Routing.PassedOver, want) {
		t.Fatalf("passed over %+v, want %+v", c.Routing.PassedOver, want)
	}
	d, err := f.e.Lead(f.ctx, f.owner, c.Lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range d.Shares {
		exp := "until revoked"
		if !s.ExpiresAt.IsZero() {
			exp = s.ExpiresAt.Sub(s.CreatedAt).String()
		}
		got[s.Agent] = fmt.Sprintf("%s %s %s %s", s.Access, exp, s.Via, s.CreatedBy)
	}
	want := map[string]string{
		"x": fmt.Sprintf("edit 48h0m0s rule rule:%d", b1.ID),
		"y": fmt.Sprintf("edit 48h0m0s rule rule:%d", b1.ID),
		"z": fmt.Sprintf("read until revoked rule rule:%d", b2.ID),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("shares = %v, want %v", got, want)
	}
	// The recipients can read it; a read share does not let z edit.
	z := engine.AsAgent(f.agentNamed("z"))
	if _, err := f.e.Lead(f.ctx, z, c.Lead.ID); err != nil {
		t.Fatalf("z should read the lead: %v", err)
	}
	_, err = f.e.UpdateLead(f.ctx, z, c.Lead.ID, engine.LeadUpdate{Status: ptr(engine.StatusContacted)})
	mustKind(t, err, engine.KindForbidden)
	x := engine.AsAgent(f.agentNamed("x"))
	if _, err := f.e.UpdateLead(f.ctx, x, c.Lead.ID, engine.LeadUpdate{Status: ptr(engine.StatusContacted)}); err != nil {
		t.Fatalf("x holds an edit share: %v", err)
	}

	// Broadcast alone never sets the owner.
	f.presence("a", engine.Away)
	c = f.lead(engine.NewLead{Name: "M"})
	if c.Lead.Owner != "" || !reflect.DeepEqual(c.Routing.SharedWith, []string{"x", "y"}) {
		t.Fatalf("owner %q shared with %v: broadcast must share and never own", c.Lead.Owner, c.Routing.SharedWith)
	}
	n, _, err := f.e.Notifications(f.ctx, x, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(n) != 2 {
		t.Fatalf("x got %d notifications, want one per shared lead (2)", len(n))
	}
}

// TestRoutingExplanation is R12 for routing: the event stores the rule that matched and
// each recipient passed over with its reason.
func TestRoutingExplanation(t *testing.T) { eachStore(t, testRoutingExplanation) }

func testRoutingExplanation(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b", withCapacity(1))
	f.agent("c", withDailyCap(1))
	f.agent("d")
	r := f.rule(rr("main", "", to("a", 1), to("b", 1), to("c", 1), to("d", 1)))
	// b and c use their room on the first round: a b c d.
	if got := f.play("4"); got != "a b c d" {
		t.Fatalf("first round = %q", got)
	}
	f.presence("a", engine.Away)
	c := f.lead(engine.NewLead{Name: "Explained"})
	if c.Lead.Owner != "d" {
		t.Fatalf("owner = %q, want d", c.Lead.Owner)
	}
	want := engine.Routing{
		Rule: r.ID, RuleName: "main", Mode: engine.RoundRobin, Owner: "d",
		Reason: fmt.Sprintf("rule #%d %q, round robin", r.ID, "main"),
		PassedOver: []engine.PassedOver{
			{Agent: "a", Rule: r.ID, Reason: "away"},
			{Agent: "b", Rule: r.ID, Reason: "at capacity (1/1)"},
			{Agent: "c", Rule: r.ID, Reason: "daily cap reached (1/1)"},
		},
		Matched: []int64{r.ID},
	}
	if !reflect.DeepEqual(c.Routing, want) {
		t.Fatalf("routing = %+v\nwant      %+v", c.Routing, want)
	}
	evs := f.events(c.Lead.ID)
	if len(evs) != 2 || evs[0].Kind != engine.EvLeadCreated || evs[1].Kind != engine.EvLeadRouted {
		t.Fatalf("history = %+v, want lead.created then lead.routed", evs)
	}
	routed := evs[1]
	if routed.Routing == nil || !reflect.DeepEqual(*routed.Routing, want) {
		t.Fatalf("stored routing = %+v\nwant             %+v", routed.Routing, want)
	}
	if routed.Actor != fmt.Sprintf("rule:%d", r.ID) || routed.RuleID != r.ID || routed.To != "d" || routed.Agent != "d" {
		t.Fatalf("routed event = %+v", routed)
	}
	wantLine := fmt.Sprintf("rule #%d round robin → d; passed over a: away, b: at capacity (1/1), c: daily cap reached (1/1)", r.ID)
	if routed.Reason != wantLine {
		t.Fatalf("reason = %q, want %q", routed.Reason, wantLine)
	}
	// The new owner is told, in the console.
	n, unread, err := f.e.Notifications(f.ctx, engine.AsAgent(f.agentNamed("d")), 10)
	if err != nil || unread != 2 || len(n) != 2 || n[0].LeadID != c.Lead.ID || n[0].EventID != routed.ID {
		t.Fatalf("d's notifications = %+v (unread %d, err %v)", n, unread, err)
	}
}

// TestConditionErrors is R1: a condition that does not compile or is not true/false is
// refused when the rule is saved, with its line and column, and nothing is saved.
func TestConditionErrors(t *testing.T) { eachStore(t, testConditionErrors) }

func testConditionErrors(t *testing.T, kind enginetest.Store) {
	tests := []struct {
		cond      string
		line, col int
		msg       string
	}{
		{cond: `source ==`, line: 1, col: 9, msg: "unexpected token EOF"},
		{cond: `budget > 5`, line: 1, col: 1, msg: "unknown name budget"},
		{cond: "source == \"web\" &&\n  hour > \"ten\"", line: 2, col: 8, msg: "invalid operation"},
		{cond: `hour + 1`, line: 1, col: 6, msg: "must be true or false"},
		{cond: `source == "web" &&& true`, line: 1, col: 19, msg: "unexpected token"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			f := newFixture(t, kind)
			f.agent("a")
			_, err := f.e.CreateRule(f.ctx, f.owner, rr("bad", tt.cond, to("a", 1)))
			mustKind(t, err, engine.KindInvalid)
			var e *engine.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *engine.Error: %v", err)
			}
			if e.Line != tt.line || e.Column != tt.col || e.Field != "condition" {
				t.Fatalf("position %d:%d field %q, want %d:%d condition (%s)", e.Line, e.Column, e.Field, tt.line, tt.col, e.Msg)
			}
			wantPrefix := fmt.Sprintf("invalid condition at line %d, column %d: ", tt.line, tt.col)
			if !strings.HasPrefix(e.Msg, wantPrefix) || !strings.Contains(e.Msg, tt.msg) {
				t.Fatalf("message %q, want it to start %q and mention %q", e.Msg, wantPrefix, tt.msg)
			}
			if err := engine.CheckCondition(tt.cond); err == nil || err.Error() != e.Msg {
				t.Fatalf("CheckCondition says %v, the save said %q", err, e.Msg)
			}
			rules, err := f.e.Rules(f.ctx, f.owner)
			if err != nil || len(rules) != 0 {
				t.Fatalf("rules after a refused save: %v (%v)", rules, err)
			}
			if evs := eventsOf(f.events(0), engine.EvRuleCreated); len(evs) != 0 {
				t.Fatalf("a refused rule left history: %+v", evs)
			}
		})
	}
	// Updating a rule to a bad condition is refused the same way and keeps the old one.
	f := newFixture(t, kind)
	f.agent("a")
	r := f.rule(rr("good", `source == "web"`, to("a", 1)))
	_, err := f.e.UpdateRule(f.ctx, f.owner, r.ID, rr("good", `source = "web"`, to("a", 1)))
	mustKind(t, err, engine.KindInvalid)
	got, err := f.e.Rule(f.ctx, f.owner, r.ID)
	if err != nil || got.Condition != `source == "web"` {
		t.Fatalf("rule after a refused update: %+v (%v)", got, err)
	}
}

// TestDrain is R10: leads waiting because nobody was eligible are routed again, oldest
// first, when an agent becomes available or gets room; a lead a person unassigned waits
// for a person.
func TestDrain(t *testing.T) { eachStore(t, testDrain) }

func testDrain(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a", withCapacity(2))
	f.agent("b")
	f.rule(rr("web", `source == "web"`, to("a", 1)))
	f.rule(rr("manual", `source == "phone"`, to("b", 1)))

	manual := f.lead(engine.NewLead{Name: "by hand", Source: "phone"})
	if _, err := f.e.Unassign(f.ctx, f.owner, []int64{manual.Lead.ID}, "call back later"); err != nil {
		t.Fatal(err)
	}
	f.presence("a", engine.Away)
	var queued []int64
	for i := range 4 {
		c := f.lead(engine.NewLead{Name: fmt.Sprintf("q%d", i), Source: "web"})
		if c.Lead.Owner != "" || c.Lead.Waiting != engine.WaitingNoEligible {
			t.Fatalf("lead %d: owner %q waiting %q, want queued (no eligible)", i, c.Lead.Owner, c.Lead.Waiting)
		}
		queued = append(queued, c.Lead.ID)
	}
	f.presence("b", engine.Away)
	f.presence("b", engine.Available) // b's rule matches none of them: nothing moves
	for _, id := range queued {
		if l := f.get(id); l.Owner != "" {
			t.Fatalf("lead #%d went to %s when b came back", id, l.Owner)
		}
	}

	// a comes back with room for two: the two oldest.
	f.presence("a", engine.Available)
	got := ownersInOrder([]engine.Lead{f.get(queued[0]), f.get(queued[1]), f.get(queued[2]), f.get(queued[3])})
	if got != "a a - -" {
		t.Fatalf("after a came back: %q, want the two oldest to a", got)
	}
	routed := eventsOf(f.events(0), engine.EvLeadRouted)
	last := routed[len(routed)-2:]
	if last[0].LeadID != queued[0] || last[1].LeadID != queued[1] {
		t.Fatalf("drain order: lead #%d then #%d, want oldest first #%d then #%d", last[0].LeadID, last[1].LeadID, queued[0], queued[1])
	}

	// a wins one: room for one more, the next oldest.
	if _, err := f.e.UpdateLead(f.ctx, engine.AsAgent(f.agentNamed("a")), queued[0], engine.LeadUpdate{Status: ptr(engine.StatusWon)}); err != nil {
		t.Fatal(err)
	}
	if l := f.get(queued[2]); l.Owner != "a" {
		t.Fatalf("after a won a lead, lead #%d owner %q, want a", queued[2], l.Owner)
	}
	// A dispatcher moves one of a's leads away: room again, the last one.
	mustAssign(t, f, []int64{queued[1]}, "b")
	if l := f.get(queued[3]); l.Owner != "a" {
		t.Fatalf("after a lead was reassigned away from a, lead #%d owner %q, want a", queued[3], l.Owner)
	}
	// Raising the capacity drains too.
	f.presence("a", engine.Away)
	late := f.lead(engine.NewLead{Name: "late", Source: "web"})
	f.presence("a", engine.Available) // a is at capacity (2/2): nothing moves
	if l := f.get(late.Lead.ID); l.Owner != "" {
		t.Fatalf("lead went to %s past capacity", l.Owner)
	}
	if _, err := f.e.UpdateAgent(f.ctx, f.owner, "a", engine.AgentUpdate{Capacity: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	if l := f.get(late.Lead.ID); l.Owner != "a" {
		t.Fatalf("after raising a's capacity, owner %q, want a", l.Owner)
	}
	// The lead a person unassigned was never bounced back.
	if l := f.get(manual.Lead.ID); l.Owner != "" || l.Waiting != engine.WaitingManual {
		t.Fatalf("the unassigned lead: owner %q waiting %q, want waiting for a person", l.Owner, l.Waiting)
	}
	// …until a person asks for it.
	res, err := f.e.Reroute(f.ctx, f.owner, []int64{manual.Lead.ID})
	if err != nil || len(res.Changed) != 1 || f.get(manual.Lead.ID).Owner != "b" {
		t.Fatalf("re-route: %+v %v owner %q", res, err, f.get(manual.Lead.ID).Owner)
	}
}

// TestIdempotency is R11: the same source and external_id returns the first lead and
// routes nothing.
func TestIdempotency(t *testing.T) { eachStore(t, testIdempotency) }

func testIdempotency(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.rule(rr("main", "", to("a", 1), to("b", 1)))
	first := f.lead(engine.NewLead{Name: "First", Source: "facebook", ExternalID: "fb-1"})
	before := len(f.events(0))
	again := f.lead(engine.NewLead{Name: "Second try", Source: " Facebook ", ExternalID: " fb-1 "})
	if !again.Duplicate || again.Lead.ID != first.Lead.ID || again.Lead.Name != "First" || again.Lead.Owner != "a" {
		t.Fatalf("repeat = %+v, want the first lead back, marked duplicate", again)
	}
	if after := len(f.events(0)); after != before {
		t.Fatalf("a repeat wrote %d history events", after-before)
	}
	// The rotation did not move: the next new lead goes to b.
	if got := f.play("1"); got != "b" {
		t.Fatalf("next owner %q, want b", got)
	}
	// Another source with the same id is another lead.
	other := f.lead(engine.NewLead{Name: "Other", Source: "tiktok", ExternalID: "fb-1"})
	if other.Duplicate || other.Lead.ID == first.Lead.ID {
		t.Fatalf("same external id from another source: %+v", other)
	}
	// In one batch, the second of two equal ids is the first's duplicate.
	res, err := f.e.CreateLeads(f.ctx, f.owner, []engine.NewLead{
		{Name: "X", Source: "web", ExternalID: "w-9"}, {Name: "Y", Source: "web", ExternalID: "w-9"}, {Name: "Z", Source: "facebook", ExternalID: "fb-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Duplicate || !res[1].Duplicate || res[1].Lead.ID != res[0].Lead.ID || !res[2].Duplicate || res[2].Lead.ID != first.Lead.ID {
		t.Fatalf("batch: %+v", res)
	}
	if n := len(f.allLeads()); n != 4 {
		t.Fatalf("%d leads stored, want 4", n)
	}
}

// TestCreateLeadsRefusesBadRows: a refused input gets its own error and the rest commit.
func TestCreateLeadsRefusesBadRows(t *testing.T) { eachStore(t, testCreateLeadsRefusesBadRows) }

func testCreateLeadsRefusesBadRows(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.rule(rr("main", "", to("a", 1)))
	res, err := f.e.CreateLeads(f.ctx, f.owner, []engine.NewLead{
		{Name: "ok"}, {Source: "web"}, {Name: "bad mail", Email: "nope"}, {Name: "ok too"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[3].Err != nil || res[0].Lead.Owner != "a" || res[3].Lead.Owner != "a" {
		t.Fatalf("good rows: %+v / %+v", res[0], res[3])
	}
	mustKind(t, res[1].Err, engine.KindInvalid)
	mustKind(t, res[2].Err, engine.KindInvalid)
	if n := len(f.allLeads()); n != 2 {
		t.Fatalf("%d leads stored, want 2", n)
	}
	_, err = f.e.CreateLead(f.ctx, f.owner, engine.NewLead{Source: "web"})
	mustKind(t, err, engine.KindInvalid)
}

// routeMix creates n leads, alternating sources, through create: one CreateLeads call
// or n CreateLead calls.
func routeMix(t *testing.T, f *fixture, n int, batch bool) string {
	t.Helper()
	for _, h := range []string{"a", "b", "c"} {
		f.agent(h)
	}
	if _, err := f.e.UpdateAgent(f.ctx, f.owner, "c", engine.AgentUpdate{Capacity: ptr(20)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.UpdateAgent(f.ctx, f.owner, "b", engine.AgentUpdate{DailyCap: ptr(30)}); err != nil {
		t.Fatal(err)
	}
	f.rule(rr("web", `source == "web"`, to("a", 2), to("b", 1), to("c", 1)))
	f.rule(engine.RuleSpec{Name: "rest", Mode: engine.LoadBalance, Recipients: []engine.RecipientSpec{to("c", 1), to("b", 1), to("a", 1)}})
	in := make([]engine.NewLead, n)
	for i := range in {
		in[i] = engine.NewLead{Name: fmt.Sprintf("L%d", i), Source: []string{"web", "tiktok", "web"}[i%3]}
	}
	if batch {
		res, err := f.e.CreateLeads(f.ctx, f.owner, in)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range res {
			if c.Err != nil {
				t.Fatalf("lead %d: %v", i, c.Err)
			}
		}
	} else {
		for _, l := range in {
			f.lead(l)
		}
	}
	return ownersInOrder(f.allLeads())
}

// TestCreateLeadsBatchRoutesLikeSingles: 100 leads in one CreateLeads transaction are
// spread exactly as 100 single creates.
func TestCreateLeadsBatchRoutesLikeSingles(t *testing.T) {
	eachStore(t, testCreateLeadsBatchRoutesLikeSingles)
}

func testCreateLeadsBatchRoutesLikeSingles(t *testing.T, kind enginetest.Store) {
	single := routeMix(t, newFixture(t, kind), 100, false)
	batch := routeMix(t, newFixture(t, kind), 100, true)
	if batch != single {
		t.Fatalf("batch owners:\n%s\nsingle creates:\n%s", batch, single)
	}
	count := map[string]int{}
	for _, o := range strings.Fields(batch) {
		count[o]++
	}
	// a and b get web turns and load-balanced ones; c stops at its capacity, b at its
	// daily cap; the rest wait in the queue.
	if count["a"] < 30 || count["b"] != 30 || count["c"] != 20 || len(count) < 3 {
		t.Fatalf("spread = %v", count)
	}
}

// TestRestartContinuesRotation is R6's saved state: a restart continues the exact
// sequence.
func TestRestartContinuesRotation(t *testing.T) { eachStore(t, testRestartContinuesRotation) }

func testRestartContinuesRotation(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.agent("c")
	f.rule(rr("main", "", to("a", 2), to("b", 1), to("c", 1)))
	first := f.play("7")
	f.reopen()
	second := f.play("5")
	if got, want := first+" "+second, "a a b c a a b c a a b c"; got != want {
		t.Fatalf("owners across a restart = %q, want %q", got, want)
	}
	// Load balancing's tie-break also survives a restart.
	g := newFixture(t, kind)
	g.agent("a")
	g.agent("b")
	g.agent("c")
	g.rule(engine.RuleSpec{Name: "lb", Mode: engine.LoadBalance, Recipients: []engine.RecipientSpec{to("a", 1), to("b", 1), to("c", 1)}})
	first = g.play("4")
	g.reopen()
	second = g.play("2")
	if got, want := first+" "+second, "a b c a b c"; got != want {
		t.Fatalf("load balance across a restart = %q, want %q", got, want)
	}
}

// TestRemoveAgentLeavesRotation: a removed recipient's turn passes to the next one, its
// leads go back to the queue waiting for a person.
func TestRemoveAgentLeavesRotation(t *testing.T) { eachStore(t, testRemoveAgentLeavesRotation) }

func testRemoveAgentLeavesRotation(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a")
	f.agent("b")
	f.agent("c")
	r := f.rule(rr("main", "", to("a", 1), to("b", 2), to("c", 1)))
	if got := f.play("2"); got != "a b" {
		t.Fatalf("owners = %q", got)
	}
	if err := f.e.RemoveAgent(f.ctx, f.owner, "b"); err != nil {
		t.Fatal(err)
	}
	if got := f.play("3"); got != "c a c" {
		t.Fatalf("after removing b mid-turn: %q, want c a c", got)
	}
	rule, err := f.e.Rule(f.ctx, f.owner, r.ID)
	if err != nil || len(rule.Recipients) != 2 {
		t.Fatalf("rule after removal: %+v %v", rule, err)
	}
	for _, l := range f.allLeads() {
		if l.Owner == "b" {
			t.Fatalf("lead #%d still owned by the removed agent", l.ID)
		}
	}
	if _, err := f.e.Agent(f.ctx, f.owner, "b"); engine.KindOf(err) != engine.KindNotFound {
		t.Fatalf("removed agent still found: %v", err)
	}
}

// TestDrainOnNewAgent is R10 for an agent that joins the team available: a rule for the
// whole team has someone for its waiting leads at once; one that joins away does not.
func TestDrainOnNewAgent(t *testing.T) { eachStore(t, testDrainOnNewAgent) }

func testDrainOnNewAgent(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	f.agent("a", withPresence(engine.Away))
	f.rule(rr("team", "")) // every agent-role agent
	q := f.lead(engine.NewLead{Name: "waits", Source: "web"})
	if q.Lead.Waiting != engine.WaitingNoEligible {
		t.Fatalf("waiting %q, want no eligible recipient", q.Lead.Waiting)
	}
	f.agent("b", withPresence(engine.Away))
	if l := f.get(q.Lead.ID); l.Owner != "" {
		t.Fatalf("an agent who joined away got the lead")
	}
	f.agent("c") // available
	if l := f.get(q.Lead.ID); l.Owner != "c" {
		t.Fatalf("owner %q after c joined available, want c", l.Owner)
	}
}
