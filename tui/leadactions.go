package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// leadActions are the actions every view of leads offers on the leads targets names
// (the selection, else the lead under the cursor): assign, unassign, run the rules
// again, share, set status. done runs when an action goes ahead: a list clears its
// selection then. The engine decides each one; the keys only say in advance what it
// would refuse this session.
func leadActions(s *Session, targets func() []int64, done func()) Actions {
	assign := s.can(engine.ActAssign)
	const why = "dispatchers only"
	// on runs an action on the targets; with none (an empty list) the key says so
	// rather than doing nothing.
	on := func(what string, action func(*Session, []int64, func()) tea.Cmd) func() tea.Cmd {
		return func() tea.Cmd {
			ids := targets()
			if len(ids) == 0 {
				return toast("No lead to " + what + ": this list is empty")
			}
			return action(s, ids, done)
		}
	}
	return Actions{
		actIf(assign, why, bind(keys("a"), "a", "assign"), do(on("assign", assignLeads))),
		actIf(assign, why, bind(keys("u"), "u", "unassign"), do(on("unassign", unassignLeads))),
		actIf(assign, why, bind(keys("R"), "R", "run the rules again"), do(on("route", rerouteLeads))),
		act(bind(keys("s"), "s", "share"), do(on("share", shareLeads))),
		act(bind(keys("S"), "S", "set status"), do(on("set a status on", statusMenu))),
		act(bind(keys("c"), "c", "mark contacted"), do(on("mark contacted", markContacted))),
	}
}

// markContacted records first contact with the leads, one key in an agent's list: they
// move to contacted and their SLA ends (leads contacted before stay as they are).
func markContacted(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	done()
	return s.run("saving…", func() (string, error) {
		res, err := s.eng.MarkContacted(s.ctx, s.actor, ids)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("First contact with %s recorded", countLabel(len(res.Changed), "lead")) + unchanged(res), nil
	})
}

func assignLeads(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	title := fmt.Sprintf("Assign %s to…", countLabel(len(ids), "lead"))
	return s.open(newPicker(s, title, len(ids), true, func(a engine.Agent) tea.Cmd {
		done()
		name := s.agentName(a.Handle)
		return s.run("assigning…", func() (string, error) {
			res, err := s.eng.Assign(s.ctx, s.actor, ids, a.Handle, "")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Assigned %s to %s", countLabel(len(res.Changed), "lead"), name) + unchanged(res), nil
		})
	}))
}

func unchanged(r engine.BulkResult) string {
	if len(r.Unchanged) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d already so)", len(r.Unchanged))
}

func unassignLeads(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	done()
	return s.run("unassigning…", func() (string, error) {
		res, err := s.eng.Unassign(s.ctx, s.actor, ids, "")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Returned %s to the queue", countLabel(len(res.Changed), "lead")) + unchanged(res), nil
	})
}

func rerouteLeads(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	done()
	return s.run("routing…", func() (string, error) {
		res, err := s.eng.Reroute(s.ctx, s.actor, ids)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("The rules gave %s a new owner; %d stay as they were", countLabel(len(res.Changed), "lead"), len(res.Unchanged)), nil
	})
}

func shareLeads(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	title := fmt.Sprintf("Share %s with…", countLabel(len(ids), "lead"))
	return s.open(newPicker(s, title, len(ids), false, func(a engine.Agent) tea.Cmd {
		return s.open(newShareForm(s, a, len(ids), func(acc engine.Access, d time.Duration) tea.Cmd {
			done()
			return s.run("sharing…", func() (string, error) {
				// One engine command: all the leads are shared, or none is.
				res, err := s.eng.ShareLeads(s.ctx, s.actor, ids, a.Handle, acc, d, "console")
				if err != nil {
					return "", err
				}
				until := "until revoked"
				if d > 0 {
					until = "for " + engine.FormatDuration(d)
				}
				return fmt.Sprintf("Shared %s with %s (%s, %s)", countLabel(len(res.Changed), "lead"), clean(a.Handle), acc, until) + unchanged(res), nil
			})
		}))
	}))
}

func statusMenu(s *Session, ids []int64, done func()) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	set := func(st engine.Status) func() tea.Cmd {
		return func() tea.Cmd {
			done()
			return s.run("saving…", func() (string, error) {
				// One engine command: all the leads change, or none does.
				res, err := s.eng.SetStatus(s.ctx, s.actor, ids, st)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("Marked %s %s", countLabel(len(res.Changed), "lead"), st) + unchanged(res), nil
			})
		}
	}
	return s.open(&menu{s: s, title: fmt.Sprintf("Status of %s", countLabel(len(ids), "lead")), items: []menuItem{
		{"c", "contacted", set(engine.StatusContacted)},
		{"q", "qualified", set(engine.StatusQualified)},
		{"w", "won", set(engine.StatusWon)},
		{"l", "lost", set(engine.StatusLost)},
	}})
}

// presenceMenu sets handle's presence; its cursor starts on the presence it has.
func presenceMenu(s *Session, handle string) Dialog {
	keyOf := map[engine.Presence]string{engine.Available: "a", engine.Busy: "b", engine.Away: "w", engine.Offline: "o"}
	m := &menu{s: s, title: "Presence of " + clean(handle)}
	cur, _ := s.agent(handle)
	for i, p := range engine.Presences {
		if p == cur.Presence {
			m.sc.cursor = i
		}
		m.items = append(m.items, menuItem{key: keyOf[p], label: presenceSymbol(p) + " " + string(p), do: func() tea.Cmd {
			return s.run("saving…", func() (string, error) {
				if _, err := s.eng.SetPresence(s.ctx, s.actor, handle, p); err != nil {
					return "", err
				}
				return fmt.Sprintf("%s is %s", clean(handle), p), nil
			})
		}})
	}
	m.items = append(m.items, menuItem{key: "u", label: presenceSymbol(engine.Away) + " away until…", do: func() tea.Cmd {
		return s.open(awayUntilPrompt(s, handle))
	}})
	return m
}

// bothClocks writes a time for agent a on its own clock, and on the console's (the
// server's zone loc) when that is another: "09:30 Mon Europe/Paris, 08:30 Mon UTC".
func bothClocks(a engine.Agent, at, now time.Time, loc *time.Location) string {
	own := a.Zone(loc)
	if own.String() == loc.String() {
		return engine.WhenShort(at, now, loc)
	}
	zone, _ := at.In(loc).Zone()
	return engine.WhenShort(at, now, own) + " " + own.String() + ", " + engine.WhenShort(at, now, loc) + " " + zone
}

// awayUntilPrompt asks until when handle is away (R17): "2h", "tomorrow 09:00", "fri
// 09:00", "2026-12-24", read as the engine reads them, in the agent's zone; as it is
// typed, it says when that is, or what it cannot read.
func awayUntilPrompt(s *Session, handle string) Dialog {
	in := newInput(s.st, "2h, tomorrow 09:00, fri 09:00, 2026-12-24")
	in.CharLimit = 40
	in.Focus()
	p := &prompt{s: s, label: "away until", input: in}
	a, _ := s.agent(handle)
	when := func(v string) (string, error) {
		at, err := engine.ParseWhen(v, s.now(), a.Zone(s.location()))
		if err != nil {
			return "", err
		}
		return bothClocks(a, at, s.now(), s.location()), nil
	}
	p.change = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		at, err := when(v)
		if err == nil {
			p.hint = clean(handle) + " is back at " + at
		}
		return err
	}
	p.submit = func(v string) (tea.Cmd, error) {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("type when %s is back: 2h, tomorrow 09:00, fri 09:00 or a date", clean(handle))
		}
		if _, err := when(v); err != nil {
			return nil, err
		}
		return s.run("saving…", func() (string, error) {
			ag, err := s.eng.UpdateAgent(s.ctx, s.actor, handle, engine.AgentUpdate{AwayUntil: &v})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s is away until %s", clean(handle), bothClocks(ag, ag.AwayUntil, s.now(), s.location())), nil
		}), nil
	}
	return p
}
