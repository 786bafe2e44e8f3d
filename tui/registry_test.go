package tui

import (
	"fmt"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// probePane is a pane written the way a new one is: a type in a file of its own with
// Title, Update, View and Keys (the rest from paneBase), and one line in registry.
type probePane struct {
	paneBase
	s      *Session
	pokes  int
	notes  []string
	events int
}

func newProbePane(s *Session, _ PaneID) Pane { return &probePane{s: s} }

func (p *probePane) Title() string { return "Probe" }

func (p *probePane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	switch msg := msg.(type) {
	case string:
		p.notes = append(p.notes, msg)
	case liveMsg:
		p.events += len(msg.Events)
	}
	return p, nil
}

func (p *probePane) View(width, height int) string {
	return paneTitle(p.s.st, fmt.Sprintf("Probe poked %d, told %q, %d queued", p.pokes, p.notes, p.s.snap.Queue().Len()), width, p.focused)
}

func (p *probePane) Keys() Actions {
	return Actions{act(bind(keys("x"), "x", "poke the probe"), do(func() tea.Cmd { p.pokes++; return nil }))}
}

// A pane is one file and one line of registration: with that line the console gives
// the pane a tab and a number, sends it the keys its bindings name, lists them in help,
// hands it each version of the lead model and the messages addressed to it.
func TestAPaneIsAFileAndALine(t *testing.T) {
	saved := slices.Clone(registry)
	t.Cleanup(func() { registry = saved })

	registry = append(registry, paneSpec{id: "probe", allowed: dispatchers, new: newProbePane})

	eng := testEngine(t)
	addLeads(t, eng, 2, "web")
	c, m := startConsole(t, eng, engine.System(), 100, 30)
	waitScreen(t, c, "Queue 2 leads", "7 Probe")
	c.Send(press("7"))
	waitScreen(t, c, "▌Probe poked 0")
	pressAll(c, "x", "x")
	c.Send(toPane{to: "probe", msg: "hello"})
	waitScreen(t, c, `Probe poked 2, told ["hello"], 2 queued`)
	c.Send(press("?"))
	waitScreen(t, c, "Keys: Probe", "poke the probe", "1–7")
	finish(t, c)
	if n := len(m.tabs); n != 7 {
		t.Fatalf("%d tabs, want 7", n)
	}

	// Agents do not get a pane registered for dispatchers.
	a, am := startConsole(t, eng, actorOf(t, eng, "alice"), 100, 30)
	waitScreen(t, a, "My leads")
	finish(t, a)
	for _, mp := range am.panes {
		if mp.spec.id == "probe" {
			t.Fatal("an agent got the probe pane")
		}
	}
}
