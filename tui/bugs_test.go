package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/engine/textguard"
	"github.com/switchboard/switchboard/storage"
)

// The tests of this file each hold the console to something a team lead found wrong
// with it (and that was wrong before they were written).

// frameOf is the last frame the console drew.
func frameOf(c *console) string {
	if p := c.scr.last.Load(); p != nil {
		return *p
	}
	return ""
}

func addAgents(t *testing.T, eng *engine.Engine, agents ...engine.NewAgent) {
	t.Helper()
	for _, a := range agents {
		if _, err := eng.AddAgent(context.Background(), engine.System(), a); err != nil {
			t.Fatal(err)
		}
	}
}

// pressAll presses each key in turn.
func pressAll(c *console, keys ...string) {
	for _, k := range keys {
		c.Send(press(k))
	}
}

func leadIDs(leads []engine.Lead) []int64 {
	out := make([]int64, len(leads))
	for i, l := range leads {
		out[i] = l.ID
	}
	return out
}

func ownersOf(t *testing.T, eng *engine.Engine, ids []int64) map[string]int {
	t.Helper()
	found, _, err := eng.LeadsByID(context.Background(), engine.System(), ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range found {
		out[d.Lead.Owner]++
	}
	return out
}

// Ten key presses send every queued lead of one source to one agent: /s:fa⏎ A a c⏎.
// "c" begins only carol's handle, so the picker takes carol, not alice (whose handle
// merely contains a c).
func TestDispatchInTenKeys(t *testing.T) {
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1})
	addAgents(t, eng,
		engine.NewAgent{Handle: "alice", Name: "Alice Moreau", Presence: engine.Available},
		engine.NewAgent{Handle: "carol", Name: "Carol Lindqvist", Presence: engine.Available},
		engine.NewAgent{Handle: "dana", Name: "Dana Reyes", Role: engine.RoleDispatcher, Presence: engine.Available})
	fb := addLeads(t, eng, 5, "facebook")
	web := addLeads(t, eng, 4, "web")
	tiktok := addLeads(t, eng, 3, "tiktok")
	c, _ := startConsole(t, eng, actorOf(t, eng, "dana"), 100, 30)
	waitScreen(t, c, "Queue 12 leads")
	keys := []string{"/", "s", ":", "f", "a", "enter", "A", "a", "c", "enter"}
	if len(keys) != 10 {
		t.Fatalf("%d keys", len(keys))
	}
	pressAll(c, keys...)
	waitScreen(t, c, "Assigned 5 leads to Carol Lindqvist")
	finish(t, c)
	if got := ownersOf(t, eng, leadIDs(fb)); got["carol"] != 5 {
		t.Errorf("facebook leads by owner: %v, want all 5 with carol", got)
	}
	if got := ownersOf(t, eng, append(leadIDs(web), leadIDs(tiktok)...)); got[""] != 7 {
		t.Errorf("the other leads by owner: %v, want all 7 still queued", got)
	}
}

// The picker ranks what was typed: a handle that starts with it, then a name that
// does, then one that merely contains it; it refuses to guess between equals.
func TestPickerRanksAndNeverGuesses(t *testing.T) {
	for _, tt := range []struct {
		name   string
		typed  string
		want   string // the agent picked; "" when enter must refuse
		refuse string
	}{
		{"a handle's start wins over a name containing it", "f", "femi", ""},
		{"a handle's start wins over a handle containing it", "c", "carol", ""},
		{"a name's start", "okafor", "bob", ""},
		{"two handles start alike", "a", "", `"a" fits ada and alice: type more`},
		{"nothing typed", "", "", "type the start of a handle"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1})
			addAgents(t, eng,
				engine.NewAgent{Handle: "alice", Name: "Alice Moreau", Presence: engine.Available},
				engine.NewAgent{Handle: "bob", Name: "Bob Okafor", Presence: engine.Available},
				engine.NewAgent{Handle: "carol", Name: "Carol Lindqvist", Presence: engine.Available},
				engine.NewAgent{Handle: "ada", Name: "Ada Byron", Presence: engine.Available},
				engine.NewAgent{Handle: "femi", Name: "Femi Adeyemi", Presence: engine.Available})
			lead := addLeads(t, eng, 1, "web")[0]
			c, _ := startConsole(t, eng, engine.System(), 100, 30)
			waitScreen(t, c, "Queue 1 lead")
			c.Send(press("a"))
			waitScreen(t, c, "Assign 1 lead to")
			c.Type(tt.typed)
			c.Send(press("enter"))
			if tt.want == "" {
				waitScreen(t, c, tt.refuse)
				m := finish(t, c)
				if _, open := m.dialog.(*picker); !open {
					t.Fatal("the picker closed on a guess")
				}
				if got := ownersOf(t, eng, []int64{lead.ID}); got[""] != 1 {
					t.Fatalf("the lead was assigned: %v", got)
				}
				return
			}
			waitScreen(t, c, "Assigned 1 lead to")
			finish(t, c)
			if got := ownersOf(t, eng, []int64{lead.ID}); got[tt.want] != 1 {
				t.Fatalf("owners %v, want %s", got, tt.want)
			}
		})
	}
}

// Before giving leads to an agent at capacity the picker asks once; "n" goes back to
// the picker and assigns nothing.
func TestPickerWarnsBeforeCapacity(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 12, "web")
	if _, err := eng.Assign(context.Background(), engine.System(), leadIDs(leads[:9]), "alice", ""); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, c, "Queue 3 leads")
	pressAll(c, "A", "a")
	c.Type("ali")
	c.Send(press("enter"))
	waitScreen(t, c, "alice is over capacity with these (12/10).")
	c.Send(press("n"))
	waitScreen(t, c, "Assign 3 leads to")
	m := finish(t, c)
	if _, open := m.dialog.(*picker); !open {
		t.Fatal("no went elsewhere than back to the picker")
	}
	if got := ownersOf(t, eng, leadIDs(leads[9:])); got[""] != 3 {
		t.Fatalf("leads were assigned after a no: %v", got)
	}
}

// manualClock is an engine clock moved by the test.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Time moves on screen without a key press or a new event: a lead posted a while ago
// is not "0s" old.
func TestAgesTickWithoutAKey(t *testing.T) {
	clock := &manualClock{t: time.Now()}
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1, Now: clock.Now})
	addLeads(t, eng, 1, "web")
	c, m := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, c, "Queue 1 lead", "0s ")
	clock.Add(2*time.Minute + 5*time.Second)
	waitScreen(t, c, "2m ")
	// Nothing on the rules pane shows time: the console stops ticking there.
	c.Send(press("4"))
	waitScreen(t, c, "No rules")
	finish(t, c)
	if m.showsTime() {
		t.Error("the rules pane counts as showing time")
	}
}

// Marking notifications read changes the counts on screen at once.
func TestMarkReadUpdatesTheScreen(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 2, "web")
	for _, l := range leads {
		if _, err := eng.Assign(context.Background(), engine.System(), []int64{l.ID}, "alice", ""); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 100, 30)
	waitScreen(t, c, "🔔 2 unread")
	c.Send(press("3"))
	waitScreen(t, c, "Notifications 2 unread")
	c.Send(press("R"))
	waitScreen(t, c, "Marked 2 read", "Notifications 0 unread", "🔔 0")
	finish(t, c)
}

// Rules are named by their ids everywhere, and the cursor follows the rule just saved
// or moved, so that the next key acts on it.
func TestRulesShowIDsAndTheCursorFollows(t *testing.T) {
	eng := testEngine(t)
	ctx := context.Background()
	var ids []int64
	for _, n := range []string{"first", "second", "third"} {
		r, err := eng.CreateRule(ctx, engine.System(), engine.RuleSpec{Name: n, Mode: engine.RoundRobin})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if err := eng.DeleteRule(ctx, engine.System(), ids[0]); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, engine.System(), 100, 30)
	c.Send(press("4"))
	waitScreen(t, c, "#2    second", "#3    third")
	// A new rule, saved: the cursor goes to it, and [ moves it, not another one.
	c.Send(press("n"))
	waitScreen(t, c, "New rule")
	c.Type("fourth")
	c.Send(press("enter"))
	waitScreen(t, c, "Saved rule #4 fourth", "#4    fourth")
	c.Send(press("["))
	waitScreen(t, c, "Moved rule #4 to position 2")
	c.Send(press("["))
	waitScreen(t, c, "Moved rule #4 to position 1")
	c.Send(press("d"))
	waitScreen(t, c, `Delete rule #4 "fourth"?`)
	c.Send(press("n"))
	finish(t, c)
	rules, err := eng.Rules(ctx, engine.System())
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rules {
		order = append(order, r.Name)
	}
	if got := strings.Join(order, " "); got != "fourth second third" {
		t.Fatalf("rules in order: %s", got)
	}
}

// Help at 80×24 lists every binding of the pane in focus and those of every pane, and
// fits.
func TestHelpListsEveryBindingAt80x24(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 3, "web")
	for _, pane := range []string{"1", "2", "3", "4", "5", "6"} {
		c, m := startConsole(t, eng, engine.System(), 80, 24)
		waitScreen(t, c, "Queue 3 leads")
		c.Send(press(pane))
		c.Send(press("?"))
		waitScreen(t, c, "Keys: ")
		frame := frameOf(c)
		finish(t, c)
		all := append(m.focused().pane.Keys(), m.globalKeys()...)
		for _, a := range all {
			h := a.Key.Help()
			if !strings.Contains(frame, h.Key+" ") || !strings.Contains(frame, h.Desc) {
				t.Errorf("pane %s: help lacks %q %q:\n%s", pane, h.Key, h.Desc, frame)
			}
		}
		if !strings.Contains(frame, "1–6") {
			t.Errorf("pane %s: help does not say there are 6 panes:\n%s", pane, frame)
		}
		assertFits(t, m.render(), 80, 24, "help of pane "+pane)
	}
}

// routedLead makes a lead whose routing explanation is long: many agents passed over.
func routedLead(t *testing.T, eng *engine.Engine) (engine.Lead, string) {
	t.Helper()
	var recips []engine.RecipientSpec
	for _, h := range []string{"ada", "bea", "cyd", "dot", "eve", "fay", "gus", "hal"} {
		addAgents(t, eng, engine.NewAgent{Handle: h, Name: strings.ToUpper(h[:1]) + h[1:], Presence: engine.Away})
		recips = append(recips, engine.RecipientSpec{Agent: h})
	}
	addAgents(t, eng, engine.NewAgent{Handle: "zed", Name: "Zed", Presence: engine.Available})
	recips = append(recips, engine.RecipientSpec{Agent: "zed"})
	if _, err := eng.CreateRule(context.Background(), engine.System(), engine.RuleSpec{Name: "everyone", Mode: engine.RoundRobin, Recipients: recips}); err != nil {
		t.Fatal(err)
	}
	c, err := eng.CreateLead(context.Background(), engine.System(), engine.NewLead{Name: "Grace Hopper", Source: "web"})
	if err != nil {
		t.Fatal(err)
	}
	return c.Lead, c.Routing.Explain()
}

// wrapped reports whether text appears in frame, wrapped over any number of lines.
func wrapped(frame, text string) bool {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	var b strings.Builder
	for _, l := range strings.Split(frame, "\n") {
		b.WriteString(strings.TrimRight(l, " "))
		b.WriteString(" ")
	}
	return strings.Contains(squash(b.String()), squash(text))
}

// The routing explanation is read whole at 80 columns, in the lead's detail and in
// history.
func TestRoutingExplanationWraps(t *testing.T) {
	eng := testEngine(t)
	lead, why := routedLead(t, eng)
	if len(why) < 120 {
		t.Fatalf("the explanation is too short to test wrapping: %q", why)
	}
	c, _ := startConsole(t, eng, engine.System(), 80, 40)
	waitScreen(t, c, "Grace Hopper")
	c.Send(press("5")) // history
	waitScreen(t, c, "▌History", fmt.Sprintf("#%d rule", lead.ID))
	if f := frameOf(c); !wrapped(f, why) {
		t.Errorf("history cuts the explanation %q:\n%s", why, f)
	}
	c.Send(press("enter"))
	waitScreen(t, c, fmt.Sprintf("Lead #%d  Grace Hopper", lead.ID))
	waitScreen(t, c, "lead.routed")
	if f := frameOf(c); !wrapped(f, why) {
		t.Errorf("the lead's detail cuts the explanation %q:\n%s", why, f)
	}
	finish(t, c)
}

// The rule editor's caret stays under the character it points at, however far in the
// condition the error is.
func TestConditionCaretPointsAtTheError(t *testing.T) {
	eng := testEngine(t)
	c, _ := startConsole(t, eng, engine.System(), 80, 24)
	c.Send(press("4"))
	waitScreen(t, c, "No rules")
	c.Send(press("n"))
	waitScreen(t, c, "New rule")
	c.Send(press("tab"))
	c.Type(`source == "facebook" && fields.budget > 5000 && "vip" in tags && nosuchname == 1`)
	waitScreen(t, c, "unknown name nosuchname")
	frame := frameOf(c)
	finish(t, c)
	lines := strings.Split(frame, "\n")
	for i, l := range lines {
		col := strings.Index(l, "^")
		if col < 0 || i == 0 || strings.TrimSpace(strings.Trim(l, "│ ")) != "^" {
			continue
		}
		above := []rune(lines[i-1])
		at := ansi.StringWidth(l[:col])
		if at >= len(above) || !strings.HasPrefix(string(above[at:]), "nosuchname") {
			t.Fatalf("the caret at column %d does not point at nosuchname:\n%s\n%s", at, lines[i-1], l)
		}
		return
	}
	t.Fatalf("no caret under the condition:\n%s", frame)
}

// A toast too long for the status bar is shown whole, above it, not cut mid-word.
func TestLongToastIsNotCut(t *testing.T) {
	eng := testEngine(t)
	addAgents(t, eng, engine.NewAgent{Handle: "max", Name: "Maximilian Okafor-Lindqvist", Presence: engine.Available})
	addLeads(t, eng, 3, "web")
	c, _ := startConsole(t, eng, engine.System(), 60, 15)
	waitScreen(t, c, "Queue 3 leads")
	pressAll(c, "A", "a", "m", "enter")
	waitScreen(t, c, "Assigned 3 leads to Maximilian Okafor-Lindqvist")
	finish(t, c)
}

// Shared and Inbox scroll: the cursor is always drawn.
func TestSharedAndInboxScroll(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 30, "web")
	if _, err := eng.ShareLeads(context.Background(), engine.System(), leadIDs(leads), "alice", engine.AccessRead, 0, "test"); err != nil {
		t.Fatal(err)
	}
	for _, l := range leads {
		if _, err := eng.Assign(context.Background(), engine.System(), []int64{l.ID}, "bob", ""); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 80, 24)
	c.Send(press("2"))
	waitScreen(t, c, "Shared with me 30 leads")
	c.Send(press("G"))
	waitScreen(t, c, "Lead web 29")
	finish(t, c)

	c, _ = startConsole(t, eng, actorOf(t, eng, "bob"), 80, 24)
	c.Send(press("3"))
	waitScreen(t, c, "Notifications 30 unread")
	c.Send(press("G"))
	waitScreen(t, c, "system assigned you Lead web 0 (web)")
	finish(t, c)
}

// The presence menu has a key for each presence and starts on the current one.
func TestPresenceMenu(t *testing.T) {
	eng := testEngine(t)
	c, _ := startConsole(t, eng, actorOf(t, eng, "bob"), 80, 24)
	waitScreen(t, c, "No open lead is yours.")
	c.Send(press("P"))
	waitScreen(t, c, "Presence of bob", "a  ● available", "b  ◐ busy", "w  ○ away", "o  · offline")
	// enter takes the item under the cursor: bob's presence, away, not the first item.
	c.Send(press("enter"))
	waitScreen(t, c, "bob is away")
	c.Send(press("P"))
	waitScreen(t, c, "Presence of bob")
	c.Send(press("o"))
	waitScreen(t, c, "bob is offline")
	c.Send(press("P"))
	waitScreen(t, c, "Presence of bob")
	c.Send(press("w"))
	waitScreen(t, c, "bob is away")
	finish(t, c)
}

// A capacity bar without a capacity is never full; a board too short for the team says
// how many agents are out of sight; nothing on screen tells people to run a command.
func TestBoard(t *testing.T) {
	eng := testEngine(t)
	for _, h := range []string{"eve", "fay", "gus", "hal", "ivy"} {
		addAgents(t, eng, engine.NewAgent{Handle: h, Name: h, Presence: engine.Available})
	}
	leads := addLeads(t, eng, 25, "web")
	if _, err := eng.Assign(context.Background(), engine.System(), leadIDs(leads), "dana", ""); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, engine.System(), 80, 24)
	waitScreen(t, c, "dana", "25/∞", "+3 more")
	frame := frameOf(c)
	finish(t, c)
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, "25/∞") && strings.Contains(l, "█") {
			t.Errorf("a bar without a capacity is filled: %q", l)
		}
	}

	empty := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1})
	c, _ = startConsole(t, empty, engine.System(), 80, 24)
	waitScreen(t, c, "No agents yet.")
	if f := frameOf(c); strings.Contains(f, "switchboard agent") || strings.Contains(f, "`") {
		t.Errorf("the console tells people to run a command:\n%s", f)
	}
	finish(t, c)
}

// Typing in the rule editor's mode field picks a mode by its name; it never cycles.
func TestModeFieldPicksByName(t *testing.T) {
	eng := testEngine(t)
	c, m := startConsole(t, eng, engine.System(), 100, 30)
	c.Send(press("4"))
	waitScreen(t, c, "No rules")
	pressAll(c, "n", "tab", "tab")
	waitScreen(t, c, "▸ Mode")
	c.Type("broadcast")
	waitScreen(t, c, "[broadcast]")
	c.Type("load")
	waitScreen(t, c, "[load balance]")
	c.Type("hello")
	finish(t, c)
	if ed := m.dialog.(*ruleEditor); ed.mode != engine.LoadBalance {
		t.Fatalf("typing hello changed the mode to %s", ed.mode)
	}
}

// One bulk assign is one notification for the agent who got the leads.
func TestBulkAssignIsOneNotification(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 9, "web")
	d, _ := startConsole(t, eng, actorOf(t, eng, "dana"), 100, 30)
	waitScreen(t, d, "Queue 9 leads")
	pressAll(d, "A", "a", "a", "l", "enter")
	waitScreen(t, d, "Assigned 9 leads to Alice Moreau")
	finish(t, d)
	c, m := startConsole(t, eng, actorOf(t, eng, "alice"), 100, 30)
	c.Send(press("3"))
	waitScreen(t, c, "Notifications 1 unread", "9 leads assigned to you by dana")
	finish(t, c)
	if n := len(m.mounted("inbox").pane.(*inboxPane).items); n != 1 {
		t.Fatalf("alice has %d notifications, want 1", n)
	}
}

// An agent's console never draws a lead it may not see, not even before its first
// version of the lead model.
func TestAgentNeverDrawsOthersLeads(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 3, "web")
	m := New(modelOf(t, eng), actorOf(t, eng, "alice"), Options{Width: 100, Height: 30})
	t.Cleanup(m.Close)
	if frame := ansi.Strip(m.render()); strings.Contains(frame, "Lead web") {
		t.Fatalf("a new agent console draws the queue:\n%s", frame)
	}
	m.Update(feedMsg{})
	if frame := ansi.Strip(m.render()); strings.Contains(frame, "Lead web") {
		t.Fatalf("an agent console draws the queue:\n%s", frame)
	}
}

// A disabled key says why instead of doing nothing.
func TestDisabledKeySaysWhy(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 1, "web")
	if _, err := eng.Assign(context.Background(), engine.System(), leadIDs(leads), "alice", ""); err != nil {
		t.Fatal(err)
	}
	c, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 100, 30)
	waitScreen(t, c, "My leads 1 lead")
	c.Send(press("a"))
	waitScreen(t, c, "assign: dispatchers only")
	c.Send(press("?"))
	// At 100 columns a long description gives way to the reason, which stays whole.
	waitScreen(t, c, "assign (dispatchers only)", "(dispatchers only)")
	if frame := frameOf(c); !strings.Contains(frame, "run the rules") || !strings.Contains(frame, "(dispatchers only)") ||
		strings.Contains(frame, "(dispatchers on…") {
		t.Fatalf("help cuts a reason:\n%s", frame)
	}
	finish(t, c)
}

// What is pasted into a prompt loses its control characters and is cut at the limit.
func TestPasteIsCleanedAndBounded(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 2, "web")
	c, m := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, c, "Queue 2 leads")
	c.Send(press("/"))
	c.Send(tea.PasteMsg{Content: "we\x1b[2Jb\u009b\n" + strings.Repeat("x", 5000)})
	c.Send(press("enter"))
	finish(t, c)
	l := listOf(m, "queue")
	if strings.ContainsFunc(l.filterText, textguard.IsControl) || len(l.filterText) != inputLimit {
		t.Fatalf("the filter kept %d characters: %q…", len(l.filterText), l.filterText[:min(20, len(l.filterText))])
	}
	if !strings.HasPrefix(l.filterText, "we[2Jb") {
		t.Fatalf("filter %q…", l.filterText[:20])
	}
}
