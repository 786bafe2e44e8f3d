package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// run performs an engine command off the UI loop and reports it as a doneMsg.
func (m *Model) run(working string, fn func() (string, error)) tea.Cmd {
	m.working = working
	return func() tea.Msg {
		toast, err := fn()
		return doneMsg{toast: toast, err: err}
	}
}

func (m *Model) agentName(handle string) string {
	for _, a := range m.board.agents {
		if a.Handle == handle && a.Name != "" {
			return a.Name
		}
	}
	return handle
}

func (m *Model) assign(ids []int64, l *leadList) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	title := fmt.Sprintf("Assign %s to…", countLabel(len(ids), "lead"))
	m.modal = newPicker(&m.st, title, m.board.agents, func(a engine.Agent) tea.Cmd {
		if l != nil {
			l.clearSelection()
		}
		eng, actor, ctx := m.eng, m.actor, m.ctx
		name := m.agentName(a.Handle)
		return m.run("assigning…", func() (string, error) {
			res, err := eng.Assign(ctx, actor, ids, a.Handle, "")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Assigned %s to %s", countLabel(len(res.Changed), "lead"), name) + unchanged(res), nil
		})
	})
	return nil
}

func unchanged(r engine.BulkResult) string {
	if len(r.Unchanged) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d already there)", len(r.Unchanged))
}

func (m *Model) unassign(ids []int64, l *leadList) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	if l != nil {
		l.clearSelection()
	}
	eng, actor, ctx := m.eng, m.actor, m.ctx
	return m.run("unassigning…", func() (string, error) {
		res, err := eng.Unassign(ctx, actor, ids, "")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Returned %s to the queue", countLabel(len(res.Changed), "lead")) + unchanged(res), nil
	})
}

func (m *Model) reroute(ids []int64, l *leadList) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	if l != nil {
		l.clearSelection()
	}
	eng, actor, ctx := m.eng, m.actor, m.ctx
	return m.run("routing…", func() (string, error) {
		res, err := eng.Reroute(ctx, actor, ids)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Rules gave %s a new owner; %d stay", countLabel(len(res.Changed), "lead"), len(res.Unchanged)), nil
	})
}

func (m *Model) share(ids []int64) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	eng, actor, ctx := m.eng, m.actor, m.ctx
	m.modal = newPicker(&m.st, fmt.Sprintf("Share %s with…", countLabel(len(ids), "lead")), m.board.agents, func(a engine.Agent) tea.Cmd {
		m.modal = &shareForm{agent: a, leads: len(ids), access: engine.AccessRead, duration: newInput(&m.st, "48h"),
			submit: func(acc engine.Access, d time.Duration) tea.Cmd {
				return m.run("sharing…", func() (string, error) {
					// One engine command: all the leads are shared, or none is.
					res, err := eng.ShareLeads(ctx, actor, ids, a.Handle, acc, d, "console")
					if err != nil {
						return "", err
					}
					until := "until revoked"
					if d > 0 {
						until = "for " + engine.FormatDuration(d)
					}
					return fmt.Sprintf("Shared %s with %s (%s, %s)", countLabel(len(res.Changed), "lead"), a.Handle, acc, until) + unchanged(res), nil
				})
			}}
		return nil
	})
	return nil
}

func (m *Model) statusMenu(ids []int64) {
	if len(ids) == 0 {
		return
	}
	eng, actor, ctx := m.eng, m.actor, m.ctx
	set := func(st engine.Status) func() tea.Cmd {
		return func() tea.Cmd {
			return m.run("saving…", func() (string, error) {
				// One engine command: all the leads change, or none does.
				res, err := eng.SetStatus(ctx, actor, ids, st)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("Marked %s %s", countLabel(len(res.Changed), "lead"), st) + unchanged(res), nil
			})
		}
	}
	m.modal = &menu{title: fmt.Sprintf("Status of %s", countLabel(len(ids), "lead")), items: []menuItem{
		{"c", "contacted", set(engine.StatusContacted)},
		{"q", "qualified", set(engine.StatusQualified)},
		{"w", "won", set(engine.StatusWon)},
		{"l", "lost", set(engine.StatusLost)},
	}}
}

func (m *Model) presenceMenu(handle string) {
	eng, actor, ctx := m.eng, m.actor, m.ctx
	var items []menuItem
	for _, p := range engine.Presences {
		items = append(items, menuItem{key: string(p[0]), label: presenceSymbol(p) + " " + string(p), do: func() tea.Cmd {
			return m.run("saving…", func() (string, error) {
				if _, err := eng.SetPresence(ctx, actor, handle, p); err != nil {
					return "", err
				}
				return fmt.Sprintf("%s is %s", handle, p), nil
			})
		}})
	}
	m.modal = &menu{title: "Presence of " + handle, items: items}
}

func (m *Model) markRead(ids []int64) tea.Cmd {
	eng, actor, ctx := m.eng, m.actor, m.ctx
	return m.run("", func() (string, error) {
		n, err := eng.MarkRead(ctx, actor, ids)
		if err != nil {
			return "", err
		}
		if ids == nil {
			return fmt.Sprintf("Marked %d read", n), nil
		}
		return "", nil
	})
}

func (m *Model) openDetail(id int64) tea.Cmd {
	eng, actor, ctx := m.eng, m.actor, m.ctx
	m.working = "opening…"
	return func() tea.Msg {
		d, err := loadDetail(eng, actor, ctx, id)
		return detailMsg{d: d, err: err}
	}
}

func (m *Model) rulesKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if d, ok := m.moveKey(msg, 5); ok {
		m.rules.move(d)
		return nil
	}
	manage := m.can(engine.ActManageRules)
	r := m.rules.current()
	eng, actor, ctx := m.eng, m.actor, m.ctx
	needManage := func() tea.Cmd {
		m.err = fmt.Errorf("changing rules needs the admin role")
		return nil
	}
	switch {
	case key.Matches(msg, k.New):
		if !manage {
			return needManage()
		}
		m.modal = &ruleEditor{m: m, form: newRuleForm(&m.st, nil)}
		return m.modal.(*ruleEditor).form.focusField(fieldName)
	case key.Matches(msg, k.Edit) && r != nil:
		if !manage {
			return needManage()
		}
		m.modal = &ruleEditor{m: m, form: newRuleForm(&m.st, r)}
		return nil
	case key.Matches(msg, k.MoveUp, k.MoveDown) && r != nil:
		if !manage {
			return needManage()
		}
		pos := r.Position - 1
		if key.Matches(msg, k.MoveDown) {
			pos = r.Position + 1
		}
		if pos < 1 || pos > len(m.rules.rules) {
			return nil
		}
		id := r.ID
		m.rules.cursor = pos - 1
		return m.run("moving…", func() (string, error) {
			_, err := eng.MoveRule(ctx, actor, id, pos)
			return "", err
		})
	case key.Matches(msg, k.Toggle) && r != nil:
		if !manage {
			return needManage()
		}
		id, on := r.ID, !r.Enabled
		return m.run("saving…", func() (string, error) {
			rule, err := eng.SetRuleEnabled(ctx, actor, id, on)
			if err != nil {
				return "", err
			}
			state := "disabled"
			if rule.Enabled {
				state = "enabled"
			}
			return fmt.Sprintf("Rule #%d %s", rule.ID, state), nil
		})
	case key.Matches(msg, k.Delete) && r != nil:
		if !manage {
			return needManage()
		}
		id, name := r.ID, r.Name
		m.modal = &confirm{question: fmt.Sprintf("Delete rule #%d %q? Its history stays.", id, name), yes: func() tea.Cmd {
			return m.run("deleting…", func() (string, error) {
				if err := eng.DeleteRule(ctx, actor, id); err != nil {
					return "", err
				}
				return fmt.Sprintf("Deleted rule #%d %s", id, name), nil
			})
		}}
	}
	return nil
}

// ruleEditor is the rule form as a dialog: it saves through the engine and stays open
// with the engine's refusal when the save fails.
type ruleEditor struct {
	m    *Model
	form *ruleForm
}

type ruleSavedMsg struct {
	rule engine.Rule
	err  error
}

func (e *ruleEditor) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	f := e.form
	switch msg.String() {
	case "esc":
		return true, nil
	case "enter":
		spec, err := f.spec()
		if err != nil {
			f.err = err
			return false, nil
		}
		f.saving = true
		eng, actor, ctx, id := e.m.eng, e.m.actor, e.m.ctx, f.id
		return false, func() tea.Msg {
			var r engine.Rule
			var err error
			if id == 0 {
				r, err = eng.CreateRule(ctx, actor, spec)
			} else {
				r, err = eng.UpdateRule(ctx, actor, id, spec)
			}
			return ruleSavedMsg{rule: r, err: err}
		}
	}
	return false, f.update(msg)
}

func (e *ruleEditor) view(st *styles, width int) []string { return e.form.view(st, width) }

// saved takes the engine's answer to a save.
func (e *ruleEditor) saved(msg ruleSavedMsg) (done bool) {
	e.form.saving = false
	if msg.err != nil {
		e.form.err = msg.err
		return false
	}
	return true
}
