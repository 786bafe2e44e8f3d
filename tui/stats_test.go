package tui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// updating reports whether the test runs with -update (teatest's flag, which golden
// files share): captures are then written instead of compared.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// handClock is a clock moved by hand.
type handClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *handClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *handClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// statsTeam is an engine on a hand-moved clock with a week of a team's work: facebook
// leads shared 2:1 between ada and bob by a round-robin rule with a 30-minute SLA, web
// leads to cy. From Tuesday to Sunday a few leads come in every working hour and are
// all called back within five minutes; on Monday, from 08:00, many more, and each hour
// the owners call most of them back within ten minutes, a few not in time. The clock
// stops on Monday at 18:00.
func statsTeam(t *testing.T) (*engine.Engine, *handClock) {
	t.Helper()
	clock := &handClock{t: time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)}
	eng := enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"},
		engine.Options{TailInterval: -1, Location: time.UTC, Now: clock.Now})
	ctx := context.Background()
	addAgents(t, eng,
		engine.NewAgent{Handle: "ada", Name: "Ada Moreau", Presence: engine.Available},
		engine.NewAgent{Handle: "bob", Name: "Bob Okafor", Presence: engine.Available},
		engine.NewAgent{Handle: "cy", Name: "Cy Lind", Presence: engine.Available},
		engine.NewAgent{Handle: "dana", Name: "Dana Reyes", Role: engine.RoleDispatcher, Presence: engine.Available})
	for _, r := range []engine.RuleSpec{
		{Name: "social", Condition: `source == "facebook"`, Mode: engine.RoundRobin, SLA: 30 * time.Minute,
			Recipients: []engine.RecipientSpec{{Agent: "ada", PerRound: 2}, {Agent: "bob", PerRound: 1}}},
		{Name: "site", Condition: `source == "web"`, Mode: engine.LoadBalance, Recipients: []engine.RecipientSpec{{Agent: "cy"}}},
	} {
		if _, err := eng.CreateRule(ctx, engine.System(), r); err != nil {
			t.Fatal(err)
		}
	}
	for day := range 6 {
		for h := range 9 {
			leads := addLeads(t, eng, 1+(day+h)%3, "facebook")
			clock.Add(5 * time.Minute)
			byOwner := map[string][]int64{}
			for _, l := range leads {
				byOwner[l.Owner] = append(byOwner[l.Owner], l.ID)
			}
			for owner, ids := range byOwner {
				if _, err := eng.MarkContacted(ctx, actorOf(t, eng, owner), ids); err != nil {
					t.Fatal(err)
				}
			}
			clock.Add(55 * time.Minute)
		}
		clock.Add(15 * time.Hour) // to 09:00 the next day
	}
	clock.Add(-time.Hour) // Monday, 08:00
	facebook := []int{3, 5, 8, 12, 9, 6, 4, 2, 1, 7}
	web := []int{1, 0, 2, 1, 3, 0, 1, 2, 0, 1}
	for h := range facebook {
		var made []engine.Lead
		made = append(made, addLeads(t, eng, facebook[h], "facebook")...)
		if web[h] > 0 {
			made = append(made, addLeads(t, eng, web[h], "web")...)
		}
		clock.Add(time.Duration(5+h) * time.Minute)
		for i, l := range made {
			if i%4 == 3 || l.Owner == "" {
				continue // not called back this hour
			}
			if _, err := eng.MarkContacted(ctx, actorOf(t, eng, l.Owner), []int64{l.ID}); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(time.Duration(55-h) * time.Minute)
		if err := eng.RunTimers(ctx); err != nil { // the SLAs of those not called pass
			t.Fatal(err)
		}
	}
	return eng, clock
}

// openStats opens the console as dana at w×h on the Stats pane and waits for its
// figures.
func openStats(t *testing.T, eng *engine.Engine, w, h int, want ...string) *console {
	t.Helper()
	c, _ := startConsole(t, eng, actorOf(t, eng, "dana"), w, h)
	waitScreen(t, c, "Queue")
	c.Send(press("6"))
	waitScreen(t, c, append([]string{"▌Stats", "Leads per hour"}, want...)...)
	return c
}

// capture compares the frame with testdata/name, or writes it there with -update.
func capture(t *testing.T, name, frame string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, []byte(frame), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run %s -update to write it)", err, t.Name())
	}
	if frame != string(want) {
		t.Errorf("the Stats pane is not as captured in %s (check it, then -update):\n%s", path, frame)
	}
}

// TestStatsPaneAt80x24: every figure of the window fits an 80×24 terminal, with the
// chart of leads per hour and each agent's bar against its fair share.
func TestStatsPaneAt80x24(t *testing.T) {
	eng, _ := statsTeam(t)
	c := openStats(t, eng, 80, 24, "176 leads created", "ada", "cy")
	frame := frameOf(c)
	m := finish(t, c)
	assertFits(t, m.render(), 80, 24, "Stats at 80x24")
	for _, want := range []string{
		"176 leads created · 187 assigned by rules, 0 by people · 161 first contacts",
		"time to first contact p50 5m, p90 10m",
		"SLA  ██████████████████████████▒▒▒▒  154 met · 21 missed (88% met)",
		"ROTATION │ FAIR",
		"ada        ████████████████┃       113   117          5m       102     11  102",
		"Mon 16 Nov 18:00", "now",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("the pane lacks %q:\n%s", want, frame)
		}
	}
	if !strings.ContainsAny(frame, "▁▂▃▄▅▆▇█") {
		t.Errorf("no chart drawn:\n%s", frame)
	}
	capture(t, "stats_80x24.txt", frame)
}

// TestStatsPaneAt200x50: a large terminal gets a taller chart, and the rules (with each
// round-robin recipient's share against its fair share) and the sources beside the
// agents.
func TestStatsPaneAt200x50(t *testing.T) {
	eng, _ := statsTeam(t)
	c := openStats(t, eng, 200, 50, "176 leads created", "SOURCE", "#1 social")
	frame := frameOf(c)
	m := finish(t, c)
	assertFits(t, m.render(), 200, 50, "Stats at 200x50")
	for _, want := range []string{"ROUND ROBIN │ FAIR SHARE", "#1 social                  176      176  ada 64% (67%), bob 36% (33%)",
		"facebook                   165      165       154", "web                         11       11         7"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the pane lacks %q:\n%s", want, frame)
		}
	}
	chartRows := 0
	for _, l := range strings.Split(frame, "\n") {
		if strings.ContainsAny(l, "▁▂▃▄▅▆▇█") && !strings.Contains(l, "SLA") && !strings.Contains(l, "│") && !strings.Contains(l, "┃") {
			chartRows++
		}
	}
	if chartRows < 6 {
		t.Errorf("the chart is %d rows tall at 200x50:\n%s", chartRows, frame)
	}
	capture(t, "stats_200x50.txt", frame)
}

// TestStatsPaneIsLive: leads that arrive while the pane is in sight show in it without
// a key press; d, w and m choose the window.
func TestStatsPaneIsLive(t *testing.T) {
	eng, clock := statsTeam(t)
	c := openStats(t, eng, 100, 30, "176 leads created", "last 7 days")
	clock.Add(time.Minute)
	addLeads(t, eng, 3, "facebook")
	waitScreen(t, c, "179 leads created", "190 assigned by rules")
	c.Send(press("d"))
	waitScreen(t, c, "last 24 hours", "71 leads created")
	clock.Add(48 * time.Hour)
	c.Send(press("m"))
	waitScreen(t, c, "last 30 days", "179 leads created")
	c.Send(press("d"))
	waitScreen(t, c, "last 24 hours", "0 leads created", "p50 -")
	finish(t, c)
}

// TestStatsPaneReadsOnlyInSight: out of sight the pane reads nothing, only notes that
// history changed its figures, and reads when it comes back into sight.
func TestStatsPaneReadsOnlyInSight(t *testing.T) {
	eng, _ := statsTeam(t)
	st := newStyles(true)
	s := &Session{eng: eng, actor: actorOf(t, eng, "dana"), ctx: context.Background(), st: &st}
	p := newStatsPane(s, "stats").(*statsPane)
	created := engine.Event{Kind: engine.EvLeadCreated, LeadID: 1}
	if p.Stale(created) {
		t.Error("a pane out of sight is stale")
	}
	if cmd := p.Refresh(); cmd != nil || !p.dirty {
		t.Errorf("a refresh out of sight read (%v) or did not note it (%v)", cmd != nil, p.dirty)
	}
	_, cmd := p.Update(focusMsg(true))
	if cmd == nil {
		t.Fatal("the pane did not read when it came into sight")
	}
	p.Update(cmd().(toPane).msg)
	if p.act == nil || p.act.Stats.Leads.Created != 176 || p.dirty {
		t.Fatalf("after the read: %+v, dirty %v", p.act, p.dirty)
	}
	if !p.Stale(created) || p.Stale(engine.Event{Kind: engine.EvNotificationRead}) || p.Stale(engine.Event{Kind: engine.EvShareCreated}) {
		t.Error("in sight, the pane is stale after exactly the events that change its figures")
	}
	// In sight, reads are throttled: the next starts no sooner than statsMinInterval
	// after the last.
	if wait := time.Until(p.next); wait <= 0 {
		t.Errorf("the next read may start at once (%v)", wait)
	}
}

// TestStatsPaneFitsEverySize: the pane draws exactly width×height cells whatever it
// holds – nothing read yet, a failed read, a window with nothing in it, a full week, a
// team too long for the height – from 40×8 up to 220×60.
func TestStatsPaneFitsEverySize(t *testing.T) {
	eng, _ := statsTeam(t)
	full, err := eng.Activity(context.Background(), engine.System(), engine.StatsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := eng.Activity(context.Background(), engine.System(),
		engine.StatsQuery{Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	crowd := full
	crowd.Stats.Agents = nil
	for i := range 40 {
		crowd.Stats.Agents = append(crowd.Stats.Agents, engine.AgentStats{Agent: "agent-with-a-long-handle-" + strings.Repeat("x", i)})
	}
	st := newStyles(true)
	s := &Session{eng: eng, actor: engine.System(), ctx: context.Background(), st: &st}
	for _, state := range []struct {
		name string
		act  *engine.Activity
		err  error
	}{
		{"reading", nil, nil},
		{"failed", nil, errStatsTest},
		{"empty", &empty, nil},
		{"full", &full, nil},
		{"full, a read failing since", &full, errStatsTest},
		{"crowded", &crowd, nil},
	} {
		for _, size := range [][2]int{{40, 8}, {60, 13}, {80, 22}, {120, 30}, {150, 40}, {200, 48}, {220, 60}} {
			p := newStatsPane(s, "stats").(*statsPane)
			p.act, p.err, p.focused = state.act, state.err, true
			p.sc.cursor = 39
			view := p.View(size[0], size[1])
			lines := strings.Split(view, "\n")
			if len(lines) != size[1] {
				t.Errorf("%s at %dx%d: %d lines", state.name, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := cells(l); w != size[0] {
					t.Errorf("%s at %dx%d: line %d is %d cells: %q", state.name, size[0], size[1], i+1, w, l)
				}
			}
		}
	}
}

var errStatsTest = refusal("the database is locked")

// TestRuleEditorWhatIf: w in the rule editor replays the last 7 days against the draft
// in place of the rule and shows each agent's leads before → after; editing the draft
// drops the answer, and w on a choice field asks again.
func TestRuleEditorWhatIf(t *testing.T) {
	eng := testEngine(t)
	ctx := context.Background()
	if _, err := eng.SetPresence(ctx, engine.System(), "bob", engine.Available); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: "all", Mode: engine.RoundRobin,
		Recipients: []engine.RecipientSpec{{Agent: "alice"}, {Agent: "bob"}}}); err != nil {
		t.Fatal(err)
	}
	addLeads(t, eng, 6, "web")
	c, _ := startConsole(t, eng, engine.System(), 100, 30)
	c.Send(press("4"))
	waitScreen(t, c, "#1", "all")
	c.Send(press("e"))
	waitScreen(t, c, "Edit rule #1")
	pressAll(c, "tab", "tab", "tab")
	waitScreen(t, c, "▸ Recipients")
	c.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	c.Type("alice")
	c.Send(tea.KeyPressMsg{Code: 'w', Mod: tea.ModAlt})
	waitScreen(t, c, "What if, last 7 days: 3 of 6 leads change owner", "bob 3 → 0", "alice 3 → 6", "queue 0 → 0")
	c.Type(", bob")
	waitScreen(t, c, "▸ Recipients")
	if strings.Contains(frameOf(c), "What if") {
		t.Error("the what-if stayed after the draft changed")
	}
	c.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	waitScreen(t, c, "▸ Mode")
	c.Send(press("w"))
	waitScreen(t, c, "What if, last 7 days: none of 6 leads changes owner", "alice 3 → 3")
	m := finish(t, c)
	assertFits(t, m.render(), 100, 30, "the rule editor with a what-if")
	if rules, _ := eng.Rules(ctx, engine.System()); len(rules[0].Recipients) != 2 {
		t.Error("the what-if saved the draft")
	}
}
