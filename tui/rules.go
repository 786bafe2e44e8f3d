package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// rulesPane lists the routing rules in the order they are evaluated, each named by its
// id, as history and every refusal name it.
type rulesPane struct {
	paneBase
	id    PaneID
	s     *Session
	rules []engine.Rule
	err   error
	sc    scroller
	// want is a rule to put the cursor on once the rules are read again: the one just
	// saved or moved.
	want int64
}

// rulesRead is what a read of the rules brought.
type rulesRead struct {
	rules []engine.Rule
	err   error
}

func newRulesPane(s *Session, id PaneID) Pane { return &rulesPane{id: id, s: s} }

func (p *rulesPane) Title() string { return "Rules" }

// Stale: a rule changed, or an agent that rules may name went.
func (p *rulesPane) Stale(e engine.Event) bool {
	return e.Kind.Subject() == "rule" || e.Kind == engine.EvAgentRemoved
}

func (p *rulesPane) Refresh() tea.Cmd {
	s := p.s
	return func() tea.Msg {
		rules, err := s.eng.Rules(s.ctx, s.actor)
		return rulesRead{rules: rules, err: err}
	}
}

func (p *rulesPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if p.focus(msg) {
		return p, nil
	}
	if msg, ok := msg.(rulesRead); ok {
		p.err = msg.err
		if msg.err != nil {
			return p, nil
		}
		at := p.want
		if at == 0 {
			if r := p.current(); r != nil {
				at = r.ID
			}
		}
		p.rules = msg.rules
		p.selectRule(at)
	}
	return p, nil
}

// selectRule puts the cursor on rule id when it is there (and stops waiting for it).
func (p *rulesPane) selectRule(id int64) {
	if i := slices.IndexFunc(p.rules, func(r engine.Rule) bool { return r.ID == id }); i >= 0 {
		p.sc.cursor = i
		if id == p.want {
			p.want = 0
		}
	}
	p.sc.clamp(len(p.rules))
}

func (p *rulesPane) current() *engine.Rule {
	if p.sc.cursor < 0 || p.sc.cursor >= len(p.rules) {
		return nil
	}
	return &p.rules[p.sc.cursor]
}

func (p *rulesPane) Keys() Actions {
	s := p.s
	manage := s.can(engine.ActManageRules)
	const why = "admins only"
	withRule := func(fn func(r engine.Rule) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			if r := p.current(); r != nil {
				return fn(*r)
			}
			return nil
		}
	}
	move := func(d int) func(engine.Rule) tea.Cmd {
		return func(r engine.Rule) tea.Cmd {
			pos := r.Position + d
			if pos < 1 || pos > len(p.rules) {
				return nil
			}
			// Move the row at once, so that the next [ or ] moves it further even before
			// the engine's answer; the rules are read again after it either way.
			p.moveRow(r.ID, pos)
			p.want = r.ID
			return tea.Sequence(s.run("moving…", func() (string, error) {
				if _, err := s.eng.MoveRule(s.ctx, s.actor, r.ID, pos); err != nil {
					return "", err
				}
				return fmt.Sprintf("Moved rule #%d to position %d", r.ID, pos), nil
			}), s.to(p.id, p.Refresh()))
		}
	}
	return append(moveActions(&p.sc, func() int { return len(p.rules) }),
		actIf(manage, why, bind(keys("n"), "n", "new rule"), do(func() tea.Cmd {
			return s.open(newRuleEditor(s, nil, p.saved))
		})),
		actIf(manage, why, bind(keys("e", "enter"), "e enter", "edit rule"), withRule(func(r engine.Rule) tea.Cmd {
			return s.open(newRuleEditor(s, &r, p.saved))
		})),
		actIf(manage, why, bind(keys("["), "[", "move rule up"), withRule(move(-1))),
		actIf(manage, why, bind(keys("]"), "]", "move rule down"), withRule(move(1))),
		actIf(manage, why, bind(keys("t"), "t", "enable/disable"), withRule(func(r engine.Rule) tea.Cmd {
			return s.run("saving…", func() (string, error) {
				rule, err := s.eng.SetRuleEnabled(s.ctx, s.actor, r.ID, !r.Enabled)
				if err != nil {
					return "", err
				}
				state := "disabled"
				if rule.Enabled {
					state = "enabled"
				}
				return fmt.Sprintf("Rule #%d %s", rule.ID, state), nil
			})
		})),
		actIf(manage, why, bind(keys("d", "delete"), "d", "delete rule"), withRule(func(r engine.Rule) tea.Cmd {
			return s.open(&confirm{s: s, question: fmt.Sprintf("Delete rule #%d %q? Its history stays.", r.ID, clean(r.Name)), yes: func() tea.Cmd {
				return s.run("deleting…", func() (string, error) {
					if err := s.eng.DeleteRule(s.ctx, s.actor, r.ID); err != nil {
						return "", err
					}
					return fmt.Sprintf("Deleted rule #%d %s", r.ID, clean(r.Name)), nil
				})
			}})
		})),
	)
}

// moveRow puts rule id at position pos (1-based) in the pane's list, as the engine
// will, and the cursor on it.
func (p *rulesPane) moveRow(id int64, pos int) {
	i := slices.IndexFunc(p.rules, func(r engine.Rule) bool { return r.ID == id })
	if i < 0 {
		return
	}
	r := p.rules[i]
	rules := slices.Delete(slices.Clone(p.rules), i, i+1)
	rules = slices.Insert(rules, pos-1, r)
	for k := range rules {
		rules[k].Position = k + 1
	}
	p.rules = rules
	p.sc.to(pos-1, len(rules))
}

// saved is the rule editor's news of a save: the cursor goes to that rule.
func (p *rulesPane) saved(r engine.Rule) {
	p.want = r.ID
	p.selectRule(r.ID)
}

func (p *rulesPane) View(width, height int) string {
	st := p.s.st
	lines := []string{paneTitle(st, "Rules "+st.dim.Render("evaluated top to bottom"), width, p.focused)}
	if p.err != nil {
		lines = append(lines, st.errMsg.Render(fit("  reading the rules: "+clean(p.err.Error()), width)))
	}
	start, end := p.sc.window(len(p.rules), height-len(lines))
	for i := start; i < end; i++ {
		rule := p.rules[i]
		state := "on "
		if !rule.Enabled {
			state = "off"
		}
		text := fmt.Sprintf("%-5s %s %s", fmt.Sprintf("#%d", rule.ID), pad(clean(rule.Name), 22), clean(rule.Describe()))
		var line string
		switch {
		case i == p.sc.cursor && p.focused:
			line = st.cursor.Render(fit(state+" "+text, width))
		case rule.Enabled:
			line = fit(st.ok.Render(state)+" "+text, width)
		default:
			line = fit(st.dim.Render(state+" "+text), width)
		}
		lines = append(lines, line)
	}
	if len(p.rules) == 0 && p.err == nil {
		msg := "  No rules: every lead waits in the queue."
		if p.s.can(engine.ActManageRules) {
			msg += " Press n to add one."
		}
		lines = append(lines, st.dim.Render(fit(msg, width)))
	}
	return strings.Join(lines, "\n")
}
