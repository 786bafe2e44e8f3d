package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/engine"
)

// dialogBase is what a dialog's actions use to say what shows next: the dialog itself
// (the default), another one, or nothing.
type dialogBase struct {
	next Dialog
}

func (b *dialogBase) stay(d Dialog) { b.next = d }
func (b *dialogBase) close()        { b.next = nil }
func (b *dialogBase) then(d Dialog) { b.next = d }

// inputLimit bounds what a prompt takes (the engine's limit on a search text): a
// pasted megabyte is cut there, not filtered against every lead.
const inputLimit = 200

func newInput(st *styles, placeholder string) textinput.Model {
	t := textinput.New()
	t.Prompt = ""
	t.CharLimit = inputLimit
	t.Placeholder = placeholder
	t.SetStyles(textinput.DefaultStyles(st.dark))
	t.Focus()
	return t
}

// menu is a short list of choices, each with its letter.
type menu struct {
	dialogBase
	s     *Session
	title string
	items []menuItem
	sc    scroller
}

type menuItem struct {
	key, label string
	do         func() tea.Cmd
}

func (m *menu) Keys() Actions {
	as := Actions{
		act(bind(keys("up", "k", "down", "j"), "↑↓", "choose"), func(msg tea.KeyPressMsg) tea.Cmd {
			if s := msg.String(); s == "up" || s == "k" {
				m.sc.move(-1, len(m.items))
			} else {
				m.sc.move(1, len(m.items))
			}
			return nil
		}),
		act(bind(keys("enter"), "enter", "choose"), do(func() tea.Cmd { m.close(); return m.items[m.sc.cursor].do() })),
		act(bind(keys("esc"), "esc", "cancel"), do(func() tea.Cmd { m.close(); return nil })),
	}
	for _, it := range m.items {
		as = append(as, act(bind(keys(it.key), it.key, it.label), do(func() tea.Cmd { m.close(); return it.do() })))
	}
	return as
}

func (m *menu) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	m.stay(m)
	if k, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := m.Keys().Handle(k)
		return m.next, cmd
	}
	return m, nil
}

func (m *menu) View(width int) []string {
	st := m.s.st
	lines := []string{st.bold.Render(m.title)}
	for i, it := range m.items {
		text := fit(fmt.Sprintf(" %s  %s", it.key, it.label), width)
		if i == m.sc.cursor {
			text = st.cursor.Render(text)
		}
		lines = append(lines, text)
	}
	return lines
}

// confirm asks yes or no; no goes back to back (nil: closes).
type confirm struct {
	dialogBase
	s        *Session
	question string
	yes      func() tea.Cmd
	back     Dialog
}

func (c *confirm) Keys() Actions {
	return Actions{
		act(bind(keys("y", "Y"), "y", "yes"), do(func() tea.Cmd { c.close(); return c.yes() })),
		act(bind(keys("n", "N", "esc"), "n", "no"), do(func() tea.Cmd { c.then(c.back); return nil })),
	}
}

func (c *confirm) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	c.stay(c)
	if k, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := c.Keys().Handle(k)
		return c.next, cmd
	}
	return c, nil
}

func (c *confirm) View(width int) []string {
	return strings.Split(c.s.st.warn.Render(wrap(c.question, width)), "\n")
}

// shareForm asks how to share: access and for how long.
type shareForm struct {
	dialogBase
	s        *Session
	agent    engine.Agent
	leads    int
	access   engine.Access
	duration textinput.Model
	err      error
	submit   func(engine.Access, time.Duration) tea.Cmd
}

func newShareForm(s *Session, a engine.Agent, leads int, submit func(engine.Access, time.Duration) tea.Cmd) *shareForm {
	return &shareForm{s: s, agent: a, leads: leads, access: engine.AccessRead, duration: newInput(s.st, "48h"), submit: submit}
}

func (f *shareForm) Keys() Actions {
	return Actions{
		act(bind(keys("tab", "ctrl+e"), "tab", "read/edit"), do(func() tea.Cmd {
			if f.access == engine.AccessRead {
				f.access = engine.AccessEdit
			} else {
				f.access = engine.AccessRead
			}
			return nil
		})),
		act(bind(keys("enter"), "enter", "share"), do(func() tea.Cmd {
			var d time.Duration
			if v := strings.TrimSpace(f.duration.Value()); v != "" {
				var err error
				if d, err = engine.ParseDuration(v); err != nil {
					f.err = err
					return nil
				}
			}
			f.close()
			return f.submit(f.access, d)
		})),
		act(bind(keys("esc"), "esc", "cancel"), do(func() tea.Cmd { f.close(); return nil })),
	}
}

func (f *shareForm) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	f.stay(f)
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return f, nil
	}
	if cmd, ok := f.Keys().Handle(k); ok {
		return f.next, cmd
	}
	var cmd tea.Cmd
	f.duration, cmd = f.duration.Update(k)
	f.err = nil
	return f, cmd
}

func (f *shareForm) View(width int) []string {
	st := f.s.st
	f.duration.SetWidth(max(10, width-12))
	lines := []string{
		st.bold.Render(fmt.Sprintf("Share %s with %s", countLabel(f.leads, "lead"), clean(f.agent.Handle))),
		"Access   " + choice(st, []engine.Access{engine.AccessRead, engine.AccessEdit}, f.access, func(a engine.Access) string { return string(a) }),
		"For      " + f.duration.View(),
		st.dim.Render("durations: 90s 30m 48h 7d 2w; empty: until revoked"),
	}
	if f.err != nil {
		lines = append(lines, st.errMsg.Render(clean(f.err.Error())))
	}
	return lines
}

func choice[T comparable](st *styles, all []T, cur T, label func(T) string) string {
	var parts []string
	for _, v := range all {
		if v == cur {
			parts = append(parts, st.accent.Render("["+label(v)+"]"))
		} else {
			parts = append(parts, st.dim.Render(" "+label(v)+" "))
		}
	}
	return strings.Join(parts, " ")
}

// prompt is a one-line input on the last line of the body: the filters. change runs on
// every edit (the live filter), submit on enter (an error keeps the prompt open with
// it), cancel on esc; complete, when set,
// completes the text on tab and lists what it could complete to.
type prompt struct {
	dialogBase
	s        *Session
	label    string
	input    textinput.Model
	err      error
	hint     string
	change   func(string) error
	submit   func(string) (tea.Cmd, error)
	cancel   func()
	complete func(string) (string, string)
}

func (p *prompt) atBottom() {}

func (p *prompt) Keys() Actions {
	as := Actions{
		act(bind(keys("enter"), "enter", "apply"), do(func() tea.Cmd {
			var cmd tea.Cmd
			if p.submit != nil {
				if cmd, p.err = p.submit(p.input.Value()); p.err != nil {
					return nil
				}
			}
			p.close()
			return cmd
		})),
		act(bind(keys("esc"), "esc", "cancel"), do(func() tea.Cmd {
			if p.cancel != nil {
				p.cancel()
			}
			p.close()
			return nil
		})),
	}
	if p.complete != nil {
		as = append(as, act(bind(keys("tab"), "tab", "complete"), do(func() tea.Cmd {
			text, hint := p.complete(p.input.Value())
			p.set(text)
			p.hint = hint
			return nil
		})))
	}
	return as
}

func (p *prompt) set(text string) {
	if text == p.input.Value() {
		return
	}
	p.input.SetValue(text)
	p.input.CursorEnd()
	if p.change != nil {
		p.err = p.change(text)
	}
}

func (p *prompt) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	p.stay(p)
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if cmd, ok := p.Keys().Handle(k); ok {
		return p.next, cmd
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(k)
	if p.change != nil && p.input.Value() != before {
		p.hint = ""
		p.err = p.change(p.input.Value())
	}
	return p, cmd
}

func (p *prompt) View(width int) []string {
	st := p.s.st
	p.input.SetWidth(max(10, width-len(p.label)-2))
	lines := []string{fit(st.accent.Render(p.label)+" "+p.input.View(), width)}
	if p.hint != "" {
		lines = append(lines, fit(st.dim.Render(clean(p.hint)), width))
	}
	if p.err != nil {
		lines = append(lines, fit(st.errMsg.Render(clean(p.err.Error())), width))
	}
	return lines
}

// wrap breaks text at words to width cells.
func wrap(text string, width int) string {
	return wordWrap(text, max(1, width))
}
