package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
)

// rulesPane lists the routing rules in evaluation order.
type rulesPane struct {
	rules  []engine.Rule
	cursor int
}

func (r *rulesPane) current() *engine.Rule {
	if r.cursor < 0 || r.cursor >= len(r.rules) {
		return nil
	}
	return &r.rules[r.cursor]
}

func (r *rulesPane) move(d int) { r.cursor = max(0, min(r.cursor+d, len(r.rules)-1)) }

func (r *rulesPane) view(st *styles, width, height int, focused bool) []string {
	lines := []string{paneTitle(st, "Rules "+st.dim.Render("evaluated top to bottom"), width, focused)}
	for i, rule := range r.rules {
		on := st.ok.Render("on ")
		if !rule.Enabled {
			on = st.dim.Render("off")
		}
		text := fmt.Sprintf("%2d. %s %s", rule.Position, pad(rule.Name, 22), rule.Describe())
		line := fit(on+" "+text, width)
		if !rule.Enabled {
			line = fit(on+" "+st.dim.Render(text), width)
		}
		if i == r.cursor && focused {
			state := "on "
			if !rule.Enabled {
				state = "off"
			}
			line = st.cursor.Render(fit(state+" "+text, width))
		}
		lines = append(lines, line)
	}
	if len(r.rules) == 0 {
		lines = append(lines, st.dim.Render("  No rules: every lead waits in the queue. Press n to add one."))
	}
	if len(lines) > height {
		// Keep the cursor in sight on short terminals.
		start := max(1, min(r.cursor+1-(height-1)+1, len(lines)-(height-1)))
		lines = append(lines[:1], lines[start:start+height-1]...)
	}
	return lines
}

// ruleForm edits a rule: name, condition (checked as it is typed), mode, recipients,
// and for broadcast rules the access and duration of the shares.
type ruleForm struct {
	id         int64 // 0: a new rule
	name       textinput.Model
	condition  textinput.Model
	recipients textinput.Model
	duration   textinput.Model
	mode       engine.Mode
	access     engine.Access
	focus      int
	condErr    error
	err        error
	saving     bool
}

const (
	fieldName = iota
	fieldCondition
	fieldMode
	fieldRecipients
	fieldAccess
	fieldDuration
	fieldCount
)

func newRuleForm(st *styles, r *engine.Rule) *ruleForm {
	in := func(placeholder string, limit int) textinput.Model {
		t := textinput.New()
		t.Prompt = ""
		t.Placeholder = placeholder
		t.CharLimit = limit
		t.SetStyles(textinput.DefaultStyles(st.dark))
		return t
	}
	f := &ruleForm{
		name:       in("VIP leads to seniors", 80),
		condition:  in(`source == "facebook" && "vip" in tags  (empty: every lead)`, 2000),
		recipients: in("alice:2, bob, carol  (empty: every agent)", 1000),
		duration:   in("48h  (empty: until revoked)", 20),
		mode:       engine.RoundRobin,
		access:     engine.AccessRead,
	}
	if r != nil {
		f.id = r.ID
		f.name.SetValue(r.Name)
		f.condition.SetValue(r.Condition)
		f.mode = r.Mode
		specs := make([]engine.RecipientSpec, len(r.Recipients))
		for i, rc := range r.Recipients {
			specs[i] = engine.RecipientSpec{Agent: rc.Agent, PerRound: rc.PerRound}
		}
		f.recipients.SetValue(engine.FormatRecipients(specs))
		if r.ShareAccess != "" {
			f.access = r.ShareAccess
		}
		if r.ShareDuration > 0 {
			f.duration.SetValue(engine.FormatDuration(r.ShareDuration))
		}
	}
	f.validate()
	f.focusField(fieldName)
	return f
}

func (f *ruleForm) inputs() map[int]*textinput.Model {
	return map[int]*textinput.Model{fieldName: &f.name, fieldCondition: &f.condition, fieldRecipients: &f.recipients, fieldDuration: &f.duration}
}

func (f *ruleForm) focusField(i int) tea.Cmd {
	f.focus = i
	var cmd tea.Cmd
	for k, in := range f.inputs() {
		if k == i {
			cmd = in.Focus()
		} else {
			in.Blur()
		}
	}
	return cmd
}

// validate checks the condition as the engine would when saving.
func (f *ruleForm) validate() { f.condErr = engine.CheckCondition(f.condition.Value()) }

func (f *ruleForm) update(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "tab", "down":
		return f.focusField((f.focus + 1) % fieldCount)
	case "shift+tab", "up":
		return f.focusField((f.focus + fieldCount - 1) % fieldCount)
	}
	switch f.focus {
	case fieldMode:
		switch msg.String() {
		case "left", "right", "space", "h", "l":
			f.mode = cycle(engine.Modes, f.mode, msg.String() == "left" || msg.String() == "h")
		}
		return nil
	case fieldAccess:
		switch msg.String() {
		case "left", "right", "space", "h", "l":
			if f.access == engine.AccessRead {
				f.access = engine.AccessEdit
			} else {
				f.access = engine.AccessRead
			}
		}
		return nil
	}
	in := f.inputs()[f.focus]
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	if f.focus == fieldCondition {
		f.validate()
	}
	f.err = nil
	return cmd
}

func cycle[T comparable](all []T, cur T, back bool) T {
	for i, v := range all {
		if v == cur {
			if back {
				return all[(i+len(all)-1)%len(all)]
			}
			return all[(i+1)%len(all)]
		}
	}
	return all[0]
}

// spec reads the form into a RuleSpec, or says what to fix.
func (f *ruleForm) spec() (engine.RuleSpec, error) {
	s := engine.RuleSpec{
		Name:      strings.TrimSpace(f.name.Value()),
		Condition: strings.TrimSpace(f.condition.Value()),
		Mode:      f.mode,
	}
	if f.condErr != nil {
		return s, fmt.Errorf("fix the condition first: %w", f.condErr)
	}
	recips, err := engine.ParseRecipients(f.recipients.Value())
	if err != nil {
		return s, err
	}
	s.Recipients = recips
	if f.mode == engine.Broadcast {
		s.ShareAccess = f.access
		if d := strings.TrimSpace(f.duration.Value()); d != "" {
			dur, err := engine.ParseDuration(d)
			if err != nil {
				return s, fmt.Errorf("share duration: %w", err)
			}
			s.ShareDuration = dur
		}
	}
	return s, nil
}

func (f *ruleForm) view(st *styles, width int) []string {
	title := "New rule"
	if f.id != 0 {
		title = fmt.Sprintf("Edit rule #%d", f.id)
	}
	lines := []string{paneTitle(st, title, width, true), ""}
	label := func(i int, s string) string {
		if f.focus == i {
			return st.inputLabelActive.Render(pad("▸ "+s, 14))
		}
		return st.inputLabel.Render(pad("  "+s, 14))
	}
	inW := max(10, width-16) // the input draws its cursor one cell past its width
	field := func(i int, s string, in *textinput.Model) {
		in.SetWidth(inW)
		lines = append(lines, fit(label(i, s)+" "+in.View(), width))
	}
	field(fieldName, "Name", &f.name)
	field(fieldCondition, "Condition", &f.condition)
	if f.condErr != nil {
		var ee *engine.Error
		if errors.As(f.condErr, &ee) && ee.Column > 0 && ee.Line <= 1 {
			lines = append(lines, fit(strings.Repeat(" ", 15+ee.Column-1)+st.errMsg.Render("^"), width))
		}
		for _, l := range strings.Split(ansi.Wrap(f.condErr.Error(), max(10, width-15), ""), "\n") {
			lines = append(lines, fit(strings.Repeat(" ", 15)+st.errMsg.Render(clean(l)), width))
		}
	} else {
		lines = append(lines, fit(strings.Repeat(" ", 15)+st.ok.Render("✓ valid")+st.dim.Render("  names: "+strings.Join(engine.ConditionNames, " ")), width))
	}
	lines = append(lines, fit(label(fieldMode, "Mode")+" "+choice(st, engine.Modes, f.mode, func(m engine.Mode) string { return m.Label() }), width))
	field(fieldRecipients, "Recipients", &f.recipients)
	if f.mode == engine.Broadcast {
		lines = append(lines, fit(label(fieldAccess, "Share access")+" "+choice(st, []engine.Access{engine.AccessRead, engine.AccessEdit}, f.access, func(a engine.Access) string { return string(a) }), width))
		field(fieldDuration, "Share for", &f.duration)
	} else {
		lines = append(lines, st.dim.Render(fit(label(fieldAccess, "Share access")+" (broadcast rules only)", width)))
		lines = append(lines, st.dim.Render(fit(label(fieldDuration, "Share for")+" (broadcast rules only)", width)))
	}
	lines = append(lines, "")
	if f.err != nil {
		for _, l := range strings.Split(ansi.Wrap(f.err.Error(), width, ""), "\n") {
			lines = append(lines, fit(st.errMsg.Render(clean(l)), width))
		}
	}
	help := "tab/↑↓ field · ←/→ choose · enter save · esc cancel"
	if f.saving {
		help = "saving…"
	}
	lines = append(lines, st.dim.Render(fit(help, width)))
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
