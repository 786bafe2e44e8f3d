package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// testEngine is an engine on a real SQLite file with a small team and no rules, so
// every lead waits in the queue.
func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1})
	for _, a := range []engine.NewAgent{
		{Handle: "alice", Name: "Alice Moreau", Presence: engine.Available, Capacity: 10},
		{Handle: "bob", Name: "Bob Okafor", Presence: engine.Away},
		{Handle: "dana", Name: "Dana Reyes", Role: engine.RoleDispatcher, Presence: engine.Available},
	} {
		if _, err := eng.AddAgent(context.Background(), engine.System(), a); err != nil {
			t.Fatal(err)
		}
	}
	return eng
}

func addLeads(t testing.TB, eng *engine.Engine, n int, source string) []engine.Lead {
	t.Helper()
	in := make([]engine.NewLead, n)
	for i := range in {
		in[i] = engine.NewLead{Name: fmt.Sprintf("Lead %s %d", source, i), Company: "Acme", Source: source, Tags: []string{"vip"}}
	}
	out, err := eng.CreateLeads(context.Background(), engine.System(), in)
	if err != nil {
		t.Fatal(err)
	}
	leads := make([]engine.Lead, n)
	for i, c := range out {
		if c.Err != nil {
			t.Fatal(c.Err)
		}
		leads[i] = c.Lead
	}
	return leads
}

func actorOf(t testing.TB, eng *engine.Engine, handle string) engine.Actor {
	t.Helper()
	a, err := eng.Agent(context.Background(), engine.System(), handle)
	if err != nil {
		t.Fatal(err)
	}
	return engine.AsAgent(a)
}

// screen wraps the console to keep the last frame the program drew. The renderer
// writes only the cells that changed, so the byte stream cannot be searched for a
// phrase; the frame can.
type screen struct {
	*Model
	last atomic.Pointer[string]
}

func (s *screen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := s.Model.Update(msg)
	return s, cmd
}

func (s *screen) View() tea.View {
	v := s.Model.View()
	text := ansi.Strip(v.Content)
	s.last.Store(&text)
	return v
}

type console struct {
	*teatest.TestModel
	scr *screen
}

// modelOf is the shared lead model of eng for a test: one per engine, as a process
// has one.
func modelOf(t testing.TB, eng *engine.Engine) *leadmodel.Model {
	t.Helper()
	models.Lock()
	defer models.Unlock()
	if m, ok := models.m[eng]; ok {
		return m
	}
	m := leadmodel.New(eng, slog.New(slog.DiscardHandler))
	models.m[eng] = m
	t.Cleanup(func() {
		models.Lock()
		delete(models.m, eng)
		models.Unlock()
		m.Close()
	})
	return m
}

var models = struct {
	sync.Mutex
	m map[*engine.Engine]*leadmodel.Model
}{m: map[*engine.Engine]*leadmodel.Model{}}

func startConsole(t *testing.T, eng *engine.Engine, actor engine.Actor, w, h int) (*console, *Model) {
	t.Helper()
	m := New(modelOf(t, eng), actor, Options{Width: w, Height: h, DarkBackground: true})
	t.Cleanup(m.Close)
	scr := &screen{Model: m}
	tm := teatest.NewTestModel(t, scr, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	go io.Copy(io.Discard, tm.Output())
	return &console{TestModel: tm, scr: scr}, m
}

// waitScreen waits until the frame on screen holds every want.
func waitScreen(t *testing.T, c *console, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var frame string
		if p := c.scr.last.Load(); p != nil {
			frame = *p
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(frame, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; last frame:\n%s", want, frame)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func finish(t *testing.T, c *console) *Model {
	t.Helper()
	c.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	return c.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*screen).Model
}

// listOf is the lead list of the pane with id.
func listOf(m *Model, id PaneID) *leadList { return m.mounted(id).pane.(*listPane).list }

// ids lists the leads a list shows, in its order.
func ids(l *leadList) []int64 {
	out := []int64{}
	for i := range l.n() {
		out = append(out, l.at(i).ID)
	}
	return out
}

func TestAssignThreeLeads(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 5, "web")
	tm, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, tm, "Queue 5 leads")
	for range 3 {
		tm.Send(press("space"))
	}
	waitScreen(t, tm, "3 selected")
	tm.Send(press("a"))
	waitScreen(t, tm, "Assign 3 leads to")
	tm.Type("bob")
	tm.Send(press("enter"))
	// bob is away: the picker asks once.
	waitScreen(t, tm, "bob is away. Give 3 leads to bob anyway?")
	tm.Send(press("y"))
	waitScreen(t, tm, "Assigned 3 leads to Bob Okafor", "Queue 2 leads", "3/∞")
	m := finish(t, tm)
	if n := listOf(m, "queue").n(); n != 2 {
		t.Errorf("queue holds %d leads, want 2", n)
	}
	for _, a := range m.s.team() {
		if a.Handle == "bob" && a.OpenLeads != 3 {
			t.Errorf("bob has %d open leads, want 3", a.OpenLeads)
		}
	}
	page, err := eng.ListLeads(context.Background(), engine.System(), engine.LeadQuery{Owner: "bob"})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("bob owns %d leads (%v), want 3", len(page.Items), err)
	}
}

func TestFilterBySource(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 4, "web")
	addLeads(t, eng, 3, "facebook")
	tm, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, tm, "Queue 7 leads")
	tm.Send(press("/"))
	tm.Type("source:facebook")
	tm.Send(press("enter"))
	waitScreen(t, tm, "Queue 3 leads", "/ source:facebook")
	m := finish(t, tm)
	l := listOf(m, "queue")
	if l.n() != 3 {
		t.Fatalf("filtered queue shows %d leads, want 3", l.n())
	}
	for i := range l.n() {
		if r := l.at(i); r.Source != "facebook" {
			t.Errorf("lead #%d from %s passed the filter", r.ID, r.Source)
		}
	}
}

func TestRuleEditorRejectsInvalidCondition(t *testing.T) {
	eng := testEngine(t)
	tm, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, tm, "Queue")
	tm.Send(press("4"))
	waitScreen(t, tm, "No rules")
	tm.Send(press("n"))
	waitScreen(t, tm, "New rule")
	tm.Type("Broken")
	tm.Send(press("tab"))
	tm.Type(`source == `)
	tm.Send(press("enter"))
	waitScreen(t, tm, "fix the condition first")
	m := finish(t, tm)
	ed, ok := m.dialog.(*ruleEditor)
	if !ok {
		t.Fatalf("the rule editor closed on an invalid condition")
	}
	if ed.condErr == nil {
		t.Fatalf("the condition %q was accepted", ed.condition.Value())
	}
	rules, _ := eng.Rules(context.Background(), engine.System())
	if len(rules) != 0 {
		t.Fatalf("an invalid rule was saved: %+v", rules)
	}
}

func TestAgentCannotSeeQueue(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 3, "web")
	tm, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 80, 24)
	waitScreen(t, tm, "My leads", "Inbox")
	m := finish(t, tm)
	for _, mp := range m.panes {
		if id := mp.spec.id; id == "queue" || id == "leads" || id == "team" {
			t.Fatalf("an agent session has the %s pane", id)
		}
	}
	if v := ansi.Strip(m.View().Content); strings.Contains(v, "Queue") || strings.Contains(v, "Lead web") {
		t.Fatalf("an agent session shows the queue:\n%s", v)
	}
}

func TestLeadFromAnotherActorAppearsLive(t *testing.T) {
	eng := testEngine(t)
	tm, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, tm, "The queue is empty")
	if _, err := eng.CreateLead(context.Background(), engine.AsAPI("webform", engine.RoleIntake), engine.NewLead{Name: "Zebediah Live", Source: "web"}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "Zebediah Live", "Queue 1 lead")
	finish(t, tm)
}

// TestLayoutFits renders every pane, with and without help, and the dialogs, at the
// sizes people use, and checks that no line is wider than the terminal and the screen
// has exactly its height.
func TestLayoutFits(t *testing.T) {
	eng := testEngine(t)
	addLeads(t, eng, 40, "facebook")
	if _, err := eng.Assign(context.Background(), engine.System(), []int64{1, 2}, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Share(context.Background(), engine.System(), engine.NewShare{LeadID: 3, Agent: "alice", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	alice := actorOf(t, eng, "alice")
	for _, size := range [][3]int{{80, 24, 0}, {200, 50, 0}, {60, 15, 0}, {80, 24, 1}, {200, 50, 1}} {
		w, h := size[0], size[1]
		actor, want := engine.System(), "Queue 38 leads"
		if size[2] == 1 {
			actor, want = alice, "My leads 2 leads"
		}
		tm, _ := startConsole(t, eng, actor, w, h)
		waitScreen(t, tm, want)
		m := finish(t, tm)
		for i, mp := range m.tabs {
			m.setFocus(i)
			for _, withHelp := range []bool{false, true} {
				m.showHelp = withHelp
				assertFits(t, m.render(), w, h, fmt.Sprintf("%s at %dx%d (help %v)", mp.pane.Title(), w, h, withHelp))
			}
		}
		m.showHelp = false
		m.setFocus(0)
		m.update(openLeadMsg{id: 3})
		m.update(refreshedMsg{to: leadPane, msg: m.overlay.pane.Refresh()()})
		assertFits(t, m.render(), w, h, fmt.Sprintf("lead detail at %dx%d", w, h))
		m.update(closeLeadMsg{})
		m.dialog = newPicker(m.s, "Assign 1 lead to…", 1, true, func(engine.Agent) tea.Cmd { return nil })
		assertFits(t, m.render(), w, h, fmt.Sprintf("assign picker at %dx%d", w, h))
		m.dialog = newRuleEditor(m.s, nil, func(engine.Rule) {})
		assertFits(t, m.render(), w, h, fmt.Sprintf("rule editor at %dx%d", w, h))
		m.dialog = nil
		m.status.set(statusMsg{err: errors.New(strings.Repeat("a refusal long enough to need more than one line ", 6))})
		assertFits(t, m.render(), w, h, fmt.Sprintf("a long refusal at %dx%d", w, h))
	}
}

func assertFits(t *testing.T, screen string, w, h int, what string) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", what, len(lines), h)
	}
	for i, l := range lines {
		// Exactly the width: a short line would shift what is drawn beside it.
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("%s: line %d is %d cells wide, want %d: %q", what, i+1, got, w, ansi.Strip(l))
		}
	}
}

// A session reads the process's lead model through a feed of its own, and gives it back
// when it closes; it never subscribes to the engine's hub.
func TestCloseReleasesFeed(t *testing.T) {
	eng := testEngine(t)
	leads := modelOf(t, eng)
	hub, before := eng.Hub().Subscribers(), leads.Feeds()
	m := New(leads, engine.System(), Options{})
	if got := leads.Feeds(); got != before+1 {
		t.Fatalf("feeds = %d after New, want %d", got, before+1)
	}
	if got := eng.Hub().Subscribers(); got != hub {
		t.Fatalf("a console subscribed to the hub: %d subscribers, want %d", got, hub)
	}
	m.Close()
	m.Close()
	if got := leads.Feeds(); got != before {
		t.Fatalf("feeds = %d after Close, want %d", got, before)
	}
}

// An agent's newest lead is on top of its list, where it sees it arrive; the
// dispatcher's queue keeps the oldest on top, the next to hand out.
func TestListOrders(t *testing.T) {
	eng := testEngine(t)
	leads := addLeads(t, eng, 3, "web")
	ids := []int64{leads[0].ID, leads[1].ID, leads[2].ID}
	if _, err := eng.Assign(context.Background(), engine.System(), ids, "alice", ""); err != nil {
		t.Fatal(err)
	}
	addLeads(t, eng, 2, "phone") // for the queue

	agent, _ := startConsole(t, eng, actorOf(t, eng, "alice"), 100, 30)
	waitScreen(t, agent, "Lead web 2", "Lead web 0")
	frame := *agent.scr.last.Load()
	if strings.Index(frame, "Lead web 2") > strings.Index(frame, "Lead web 0") {
		t.Errorf("the agent's list has the oldest lead first:\n%s", frame)
	}
	finish(t, agent)

	disp, _ := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, disp, "Lead phone 1", "Lead phone 0")
	frame = *disp.scr.last.Load()
	if strings.Index(frame, "Lead phone 0") > strings.Index(frame, "Lead phone 1") {
		t.Errorf("the queue has the newest lead first:\n%s", frame)
	}
	finish(t, disp)
}

// Empty panes fit too: no agents, no leads, no rules, no history.
func TestEmptyLayoutFits(t *testing.T) {
	eng := enginetest.Open(t, "", storage.Options{}, engine.Options{TailInterval: -1})
	if _, err := eng.AddAgent(context.Background(), engine.System(), engine.NewAgent{Handle: "ann", Name: "Ann", Presence: engine.Away}); err != nil {
		t.Fatal(err)
	}
	for _, actor := range []engine.Actor{engine.System(), actorOf(t, eng, "ann")} {
		for _, size := range [][2]int{{80, 24}, {200, 50}, {60, 15}} {
			w, h := size[0], size[1]
			c, m := startConsole(t, eng, actor, w, h)
			waitScreen(t, c, "1 ")
			finish(t, c)
			for i, mp := range m.tabs {
				m.setFocus(i)
				assertFits(t, m.render(), w, h, fmt.Sprintf("empty %s as %s at %dx%d", mp.pane.Title(), actor.Name, w, h))
			}
			m.dialog = newPicker(m.s, "Assign 1 lead to…", 1, true, func(engine.Agent) tea.Cmd { return nil })
			m.dialog.Update(tea.KeyPressMsg{Code: 'z', Text: "z"})
			assertFits(t, m.render(), w, h, fmt.Sprintf("a picker matching nobody at %dx%d", w, h))
		}
	}
}

// A lead action on an empty list says there is nothing to act on, instead of nothing.
func TestActionOnAnEmptyListSaysSo(t *testing.T) {
	c, _ := startConsole(t, testEngine(t), engine.System(), 100, 30)
	waitScreen(t, c, "Queue 0 leads")
	c.Send(press("a"))
	waitScreen(t, c, "No lead to assign: this list is empty")
}
