package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// modal is a dialog that takes the keyboard until it is done: the agent picker,
// menus, the share form, confirmations, prompts and the rule editor.
type modal interface {
	// update handles a key; done closes the dialog.
	update(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	view(st *styles, width int) []string
}

func newInput(st *styles, placeholder string) textinput.Model {
	t := textinput.New()
	t.Prompt = ""
	t.Placeholder = placeholder
	t.SetStyles(textinput.DefaultStyles(st.dark))
	t.Focus()
	return t
}

// picker chooses an agent, showing presence and load; typing narrows the list.
type picker struct {
	title  string
	agents []engine.Agent
	shown  []engine.Agent
	query  textinput.Model
	cursor int
	pick   func(engine.Agent) tea.Cmd
}

func newPicker(st *styles, title string, agents []engine.Agent, pick func(engine.Agent) tea.Cmd) *picker {
	p := &picker{title: title, agents: agents, query: newInput(st, "type to narrow"), pick: pick}
	p.narrow()
	return p
}

func (p *picker) narrow() {
	q := strings.ToLower(p.query.Value())
	p.shown = p.shown[:0]
	for _, a := range p.agents {
		if q == "" || strings.Contains(strings.ToLower(a.Handle+" "+a.Name), q) {
			p.shown = append(p.shown, a)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *picker) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc":
		return true, nil
	case "up", "ctrl+k", "ctrl+p":
		p.cursor = max(0, p.cursor-1)
		return false, nil
	case "down", "ctrl+j", "ctrl+n":
		p.cursor = min(len(p.shown)-1, p.cursor+1)
		return false, nil
	case "enter":
		if p.cursor < len(p.shown) {
			return true, p.pick(p.shown[p.cursor])
		}
		return false, nil
	}
	var cmd tea.Cmd
	p.query, cmd = p.query.Update(msg)
	p.narrow()
	return false, cmd
}

func (p *picker) view(st *styles, width int) []string {
	p.query.SetWidth(max(10, width-4))
	lines := []string{st.bold.Render(p.title), "› " + p.query.View()}
	for i, a := range p.shown {
		if i >= 12 {
			lines = append(lines, st.dim.Render(fmt.Sprintf("  … %d more: type to narrow", len(p.shown)-i)))
			break
		}
		text := fmt.Sprintf("%s %s %s %s %s", presenceSymbol(a.Presence), pad(a.Handle, 10), pad(a.Name, 16), pad(string(a.Presence), 9), loadLabel(a.OpenLeads, a.Capacity))
		if i == p.cursor {
			lines = append(lines, st.cursor.Render(fit(text, width)))
		} else {
			lines = append(lines, st.presence[a.Presence].Render(presenceSymbol(a.Presence))+fit(text[len(presenceSymbol(a.Presence)):], width-1))
		}
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.dim.Render("  nobody matches"))
	}
	lines = append(lines, st.dim.Render("↑/↓ choose · enter pick · esc cancel"))
	return lines
}

// menu is a short list of choices, each with a letter.
type menu struct {
	title  string
	items  []menuItem
	cursor int
}

type menuItem struct {
	key, label string
	do         func() tea.Cmd
}

func (m *menu) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch s := msg.String(); s {
	case "esc":
		return true, nil
	case "up", "k":
		m.cursor = max(0, m.cursor-1)
	case "down", "j":
		m.cursor = min(len(m.items)-1, m.cursor+1)
	case "enter":
		return true, m.items[m.cursor].do()
	default:
		for _, it := range m.items {
			if it.key == s {
				return true, it.do()
			}
		}
	}
	return false, nil
}

func (m *menu) view(st *styles, width int) []string {
	lines := []string{st.bold.Render(m.title)}
	for i, it := range m.items {
		text := fit(fmt.Sprintf(" %s  %s", it.key, it.label), width)
		if i == m.cursor {
			text = st.cursor.Render(text)
		}
		lines = append(lines, text)
	}
	return append(lines, st.dim.Render("letter or enter · esc cancel"))
}

// confirm asks yes or no.
type confirm struct {
	question string
	yes      func() tea.Cmd
}

func (c *confirm) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "y", "Y":
		return true, c.yes()
	case "n", "N", "esc":
		return true, nil
	}
	return false, nil
}

func (c *confirm) view(st *styles, width int) []string {
	return []string{st.warn.Render(c.question), st.dim.Render("y yes · n no")}
}

// shareForm asks how to share: access and for how long.
type shareForm struct {
	agent    engine.Agent
	leads    int
	access   engine.Access
	duration textinput.Model
	err      error
	submit   func(engine.Access, time.Duration) tea.Cmd
}

func (f *shareForm) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc":
		return true, nil
	case "tab", "ctrl+e":
		if f.access == engine.AccessRead {
			f.access = engine.AccessEdit
		} else {
			f.access = engine.AccessRead
		}
		return false, nil
	case "enter":
		var d time.Duration
		if v := strings.TrimSpace(f.duration.Value()); v != "" {
			var err error
			if d, err = engine.ParseDuration(v); err != nil {
				f.err = err
				return false, nil
			}
		}
		return true, f.submit(f.access, d)
	}
	var cmd tea.Cmd
	f.duration, cmd = f.duration.Update(msg)
	f.err = nil
	return false, cmd
}

func (f *shareForm) view(st *styles, width int) []string {
	f.duration.SetWidth(max(10, width-12))
	lines := []string{
		st.bold.Render(fmt.Sprintf("Share %s with %s", countLabel(f.leads, "lead"), f.agent.Handle)),
		"Access   " + choice(st, []engine.Access{engine.AccessRead, engine.AccessEdit}, f.access, func(a engine.Access) string { return string(a) }),
		"For      " + f.duration.View(),
	}
	if f.err != nil {
		lines = append(lines, st.errMsg.Render(f.err.Error()))
	}
	return append(lines, st.dim.Render("tab read/edit · duration 90s 30m 48h 7d 2w (empty: until revoked) · enter share · esc cancel"))
}

// prompt is a one-line input; change runs on every edit (the live filter), submit on
// enter.
type prompt struct {
	label  string
	input  textinput.Model
	err    error
	change func(string) error
	submit func(string) error
	cancel func()
}

func (p *prompt) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc":
		if p.cancel != nil {
			p.cancel()
		}
		return true, nil
	case "enter":
		if p.submit != nil {
			if p.err = p.submit(p.input.Value()); p.err != nil {
				return false, nil
			}
		}
		return true, nil
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(msg)
	if p.change != nil && p.input.Value() != before {
		p.err = p.change(p.input.Value())
	}
	return false, cmd
}

func (p *prompt) view(st *styles, width int) []string {
	p.input.SetWidth(max(10, width-len(p.label)-2))
	line := st.accent.Render(p.label) + " " + p.input.View()
	if p.err != nil {
		return []string{fit(line, width), fit(st.errMsg.Render(p.err.Error()), width)}
	}
	return []string{fit(line, width)}
}
