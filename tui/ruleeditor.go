package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchboard/switchboard/engine"
)

// ruleEditor edits a rule as a dialog: name, condition (checked as it is typed, its
// error pointed at), mode, recipients, for owner rules the SLA (checked as it is
// typed) and what a miss does, and for broadcast rules the access and duration of the
// shares. It saves through the engine and stays open with the engine's refusal
// when the save fails; saved hears of a rule that was. w (alt+w in a text field)
// asks the engine what the draft would have done with the last 7 days' leads, in
// place of the saved rule (engine.Simulate), and shows each agent's leads before → after.
type ruleEditor struct {
	dialogBase
	s          *Session
	id         int64 // 0: a new rule
	name       textinput.Model
	condition  textinput.Model
	recipients textinput.Model
	duration   textinput.Model
	sla        textinput.Model
	mode       engine.Mode
	access     engine.Access
	slaAction  engine.SLAAction
	slaErr     error
	field      int
	typed      string // what was typed in the mode field, to pick a mode by its name
	condErr    error
	err        error
	saving     bool
	saved      func(engine.Rule)
	// whatIf is the last simulation of the draft, until the draft changes;
	// simulating says one is running.
	whatIf     *engine.Simulation
	whatIfErr  error
	simulating bool
}

// whatIfWindow is how far back the rule editor's what-if replays.
const whatIfWindow = 7 * 24 * time.Hour

// simulated is the engine's answer to a what-if.
type simulated struct {
	sim engine.Simulation
	err error
}

// ruleSaved is the engine's answer to a save.
type ruleSaved struct {
	rule engine.Rule
	err  error
}

const (
	fieldName = iota
	fieldCondition
	fieldMode
	fieldRecipients
	fieldSLA
	fieldSLAAction
	fieldAccess
	fieldDuration
	fieldCount
)

func newRuleEditor(s *Session, r *engine.Rule, saved func(engine.Rule)) *ruleEditor {
	in := func(placeholder string, limit int) textinput.Model {
		t := newInput(s.st, placeholder)
		t.CharLimit = limit
		t.Blur()
		return t
	}
	e := &ruleEditor{
		s:          s,
		name:       in("VIP leads to seniors", 80),
		condition:  in(`source == "facebook" && "vip" in tags  (empty: every lead)`, 2000),
		recipients: in("alice:2, bob, team:emea  (empty: every agent)", 1000),
		duration:   in("48h  (empty: until revoked)", 20),
		sla:        in("15m  (empty: no SLA)", engine.MaxDurationLen),
		mode:       engine.RoundRobin,
		access:     engine.AccessRead,
		slaAction:  engine.SLAReroute,
		saved:      saved,
	}
	if r != nil {
		e.id = r.ID
		e.name.SetValue(clean(r.Name))
		e.condition.SetValue(clean(r.Condition))
		e.mode = r.Mode
		specs := make([]engine.RecipientSpec, len(r.Recipients))
		for i, rc := range r.Recipients {
			specs[i] = engine.RecipientSpec{Agent: clean(rc.Agent), Team: clean(rc.Team), PerRound: rc.PerRound}
		}
		e.recipients.SetValue(engine.FormatRecipients(specs))
		if r.ShareAccess != "" {
			e.access = r.ShareAccess
		}
		if r.ShareDuration > 0 {
			e.duration.SetValue(engine.FormatDuration(r.ShareDuration))
		}
		if r.SLA > 0 {
			e.sla.SetValue(engine.FormatDuration(r.SLA))
		}
		if r.SLAAction != "" {
			e.slaAction = r.SLAAction
		}
	}
	e.validate()
	e.focusField(fieldName)
	return e
}

func (e *ruleEditor) inputs() map[int]*textinput.Model {
	return map[int]*textinput.Model{fieldName: &e.name, fieldCondition: &e.condition, fieldRecipients: &e.recipients,
		fieldSLA: &e.sla, fieldDuration: &e.duration}
}

func (e *ruleEditor) focusField(i int) tea.Cmd {
	e.field, e.typed = i, ""
	var cmd tea.Cmd
	for k, in := range e.inputs() {
		if k == i {
			cmd = in.Focus()
		} else {
			in.Blur()
		}
	}
	return cmd
}

// validate checks the condition and the SLA as the engine will when saving.
func (e *ruleEditor) validate() {
	e.condErr = engine.CheckCondition(e.condition.Value())
	_, e.slaErr = engine.ParseSLA(e.sla.Value())
}

func (e *ruleEditor) Keys() Actions {
	return Actions{
		act(bind(keys("tab", "down"), "tab ↓", "next field"), do(func() tea.Cmd { return e.focusField((e.field + 1) % fieldCount) })),
		act(bind(keys("shift+tab", "up"), "shift+tab ↑", "previous field"), do(func() tea.Cmd {
			return e.focusField((e.field + fieldCount - 1) % fieldCount)
		})),
		act(bind(keys("enter"), "enter", "save"), do(e.save)),
		act(bind(keys("alt+w"), "w alt+w", "what if"), do(e.simulate)),
		act(bind(keys("esc"), "esc", "cancel"), do(func() tea.Cmd { e.close(); return nil })),
	}
}

// choiceKey changes the mode and the access: ←/→ (or space) step through them, and
// typing a mode's name (or its start) picks it, so that typing never cycles it.
func (e *ruleEditor) choiceKey(msg tea.KeyPressMsg) {
	step := 0
	switch msg.String() {
	case "left":
		step = -1
	case "right", "space":
		step = 1
	}
	switch e.field {
	case fieldMode:
		if step != 0 {
			e.mode, e.typed = cycle(engine.Modes, e.mode, step < 0), ""
			return
		}
		// Typing a mode's name picks it: "b" or "broadcast" is broadcast.
		letter := strings.ToLower(msg.Text)
		for _, typed := range []string{e.typed + letter, letter} {
			for _, m := range engine.Modes {
				if letter != "" && strings.HasPrefix(m.Label(), typed) {
					e.mode, e.typed = m, typed
					return
				}
			}
		}
	case fieldSLAAction:
		if step != 0 {
			e.slaAction = cycle(engine.SLAActions, e.slaAction, step < 0)
			return
		}
		for _, a := range engine.SLAActions {
			if letter := strings.ToLower(msg.Text); letter != "" && strings.HasPrefix(string(a), letter) {
				e.slaAction = a
			}
		}
	case fieldAccess:
		if step != 0 {
			e.access = cycle([]engine.Access{engine.AccessRead, engine.AccessEdit}, e.access, step < 0)
			return
		}
		switch strings.ToLower(msg.Text) {
		case "r":
			e.access = engine.AccessRead
		case "e":
			e.access = engine.AccessEdit
		}
	}
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

func (e *ruleEditor) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	e.stay(e)
	switch msg := msg.(type) {
	case simulated:
		e.simulating = false
		e.whatIf, e.whatIfErr = nil, msg.err
		if msg.err == nil {
			e.whatIf = &msg.sim
		}
		return e, nil
	case ruleSaved:
		e.saving = false
		if msg.err != nil {
			e.err = msg.err
			return e, nil
		}
		e.saved(msg.rule)
		return nil, toast(fmt.Sprintf("Saved rule #%d %s", msg.rule.ID, clean(msg.rule.Name)))
	case tea.KeyPressMsg:
		if cmd, ok := e.Keys().Handle(msg); ok {
			return e.next, cmd
		}
		if e.field == fieldMode || e.field == fieldAccess || e.field == fieldSLAAction {
			if msg.String() == "w" { // no choice starts with w: a choice field takes it for what-if
				return e, e.simulate()
			}
			e.forgetWhatIf()
			e.choiceKey(msg)
			return e, nil
		}
		e.forgetWhatIf()
		in := e.inputs()[e.field]
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		if e.field == fieldCondition || e.field == fieldSLA {
			e.validate()
		}
		e.err = nil
		return e, cmd
	}
	return e, nil
}

// save checks the form and sends it to the engine; the answer comes back as ruleSaved.
func (e *ruleEditor) save() tea.Cmd {
	spec, err := e.spec()
	if err != nil {
		e.err = err
		return nil
	}
	e.saving = true
	s, id := e.s, e.id
	return func() tea.Msg {
		var r engine.Rule
		var err error
		if id == 0 {
			r, err = s.eng.CreateRule(s.ctx, s.actor, spec)
		} else {
			r, err = s.eng.UpdateRule(s.ctx, s.actor, id, spec)
		}
		return toDialog{ruleSaved{rule: r, err: err}}
	}
}

// forgetWhatIf drops a what-if once the draft it was for changes.
func (e *ruleEditor) forgetWhatIf() { e.whatIf, e.whatIfErr = nil, nil }

// simulate asks the engine what the rules would have done with the draft in place of
// the rule edited (or after the others, for a new rule); the answer comes back as
// simulated.
func (e *ruleEditor) simulate() tea.Cmd {
	draft, err := e.spec()
	if err != nil {
		e.whatIf, e.whatIfErr = nil, err
		return nil
	}
	e.simulating, e.whatIfErr = true, nil
	s, id := e.s, e.id
	return func() tea.Msg {
		rules, err := s.eng.Rules(s.ctx, s.actor)
		if err != nil {
			return toDialog{simulated{err: err}}
		}
		specs := make([]engine.RuleSpec, 0, len(rules)+1)
		for _, r := range rules {
			if r.ID == id {
				specs = append(specs, draft)
			} else {
				specs = append(specs, r.Spec())
			}
		}
		if id == 0 {
			specs = append(specs, draft)
		}
		sim, err := s.eng.Simulate(s.ctx, s.actor, engine.SimulationQuery{Rules: specs, Last: whatIfWindow})
		return toDialog{simulated{sim: sim, err: err}}
	}
}

// whatIfLines are the what-if's answer: how many leads change owner, and each agent's
// leads before → after (those that change first), wrapped to width.
func (e *ruleEditor) whatIfLines(width int) []string {
	st := e.s.st
	switch {
	case e.simulating:
		return []string{st.dim.Render(fit("What if: replaying the last 7 days' leads…", width))}
	case e.whatIfErr != nil:
		var out []string
		for _, l := range strings.Split(wrap("What if: "+clean(errText(e.whatIfErr)), width), "\n") {
			out = append(out, fit(st.errMsg.Render(l), width))
		}
		return out
	case e.whatIf == nil:
		return nil
	}
	sim := e.whatIf
	head := fmt.Sprintf("What if, last 7 days: %s of %s leads change owner", groupDigits(sim.ChangedOwner), groupDigits(sim.Leads))
	if sim.ChangedOwner == 0 {
		head = fmt.Sprintf("What if, last 7 days: none of %s leads changes owner", groupDigits(sim.Leads))
	}
	var changed, same []string
	item := func(name string, before, after int) {
		text := fmt.Sprintf("%s %d → %d", clean(name), before, after)
		if before != after {
			changed = append(changed, st.bold.Render(text))
		} else {
			same = append(same, st.dim.Render(text))
		}
	}
	for _, a := range sim.Agents {
		item(a.Agent, a.Before, a.After)
	}
	item("queue", sim.Queued.Before, sim.Queued.After)
	out := []string{fit(st.accent.Render(head), width)}
	line := ""
	for _, it := range append(changed, same...) {
		switch {
		case line == "":
			line = "  " + it
		case cells(line)+3+cells(it) <= width:
			line += "   " + it
		default:
			out = append(out, fit(line, width))
			line = "  " + it
		}
	}
	return append(out, fit(line, width))
}

// spec reads the form into a RuleSpec, or says what to fix.
func (e *ruleEditor) spec() (engine.RuleSpec, error) {
	s := engine.RuleSpec{
		Name:      strings.TrimSpace(e.name.Value()),
		Condition: strings.TrimSpace(e.condition.Value()),
		Mode:      e.mode,
	}
	if e.condErr != nil {
		return s, fmt.Errorf("fix the condition first: %w", e.condErr)
	}
	recips, err := engine.ParseRecipients(e.recipients.Value())
	if err != nil {
		return s, err
	}
	s.Recipients = recips
	if e.mode.SetsOwner() {
		if e.slaErr != nil {
			return s, e.slaErr
		}
		s.SLA, _ = engine.ParseSLA(e.sla.Value())
		s.SLAAction = e.slaAction
	}
	if e.mode == engine.Broadcast {
		s.ShareAccess = e.access
		if d := strings.TrimSpace(e.duration.Value()); d != "" {
			dur, err := engine.ParseDuration(d)
			if err != nil {
				return s, fmt.Errorf("share duration: %w", err)
			}
			s.ShareDuration = dur
		}
	}
	return s, nil
}

// labelWidth is the cells the field labels take, with the gap after them.
const labelWidth = 15

func (e *ruleEditor) View(width int) []string {
	st := e.s.st
	title := "New rule"
	if e.id != 0 {
		title = fmt.Sprintf("Edit rule #%d", e.id)
	}
	lines := []string{st.bold.Render(title), ""}
	label := func(i int, s string) string {
		if e.field == i {
			return st.inputLabelActive.Render(pad("▸ "+s, labelWidth-1))
		}
		return st.inputLabel.Render(pad("  "+s, labelWidth-1))
	}
	inW := max(10, width-labelWidth-1) // the input draws its cursor one cell past its width
	field := func(i int, s string, in *textinput.Model) {
		in.SetWidth(inW)
		lines = append(lines, fit(label(i, s)+" "+in.View(), width))
	}
	indent := strings.Repeat(" ", labelWidth)
	field(fieldName, "Name", &e.name)
	field(fieldCondition, "Condition", &e.condition)
	if e.condErr != nil {
		var ee *engine.Error
		if errors.As(e.condErr, &ee) && ee.Column > 0 && ee.Line <= 1 {
			text, caret := caretLines(e.condition.Value(), ee.Column, width-labelWidth)
			lines = append(lines, fit(indent+st.dim.Render(text), width), fit(indent+st.errMsg.Render(caret), width))
		}
		for _, l := range strings.Split(wrap(clean(e.condErr.Error()), max(10, width-labelWidth)), "\n") {
			lines = append(lines, fit(indent+st.errMsg.Render(l), width))
		}
	} else {
		lines = append(lines, fit(indent+st.ok.Render("✓ valid")+st.dim.Render("  names: "+strings.Join(engine.ConditionNames, " ")), width))
	}
	lines = append(lines, fit(label(fieldMode, "Mode")+" "+choice(st, engine.Modes, e.mode, func(m engine.Mode) string { return m.Label() }), width))
	field(fieldRecipients, "Recipients", &e.recipients)
	if e.mode.SetsOwner() {
		field(fieldSLA, "SLA", &e.sla)
		if e.slaErr != nil {
			for _, l := range strings.Split(wrap(clean(e.slaErr.Error()), max(10, width-labelWidth)), "\n") {
				lines = append(lines, fit(indent+st.errMsg.Render(l), width))
			}
		}
		lines = append(lines, fit(label(fieldSLAAction, "If missed")+" "+choice(st, engine.SLAActions, e.slaAction, func(a engine.SLAAction) string { return string(a) }), width))
	} else {
		lines = append(lines, st.dim.Render(fit(label(fieldSLA, "SLA")+" (owner rules only)", width)))
		lines = append(lines, st.dim.Render(fit(label(fieldSLAAction, "If missed")+" (owner rules only)", width)))
	}
	if e.mode == engine.Broadcast {
		lines = append(lines, fit(label(fieldAccess, "Share access")+" "+choice(st, []engine.Access{engine.AccessRead, engine.AccessEdit}, e.access, func(a engine.Access) string { return string(a) }), width))
		field(fieldDuration, "Share for", &e.duration)
	} else {
		lines = append(lines, st.dim.Render(fit(label(fieldAccess, "Share access")+" (broadcast rules only)", width)))
		lines = append(lines, st.dim.Render(fit(label(fieldDuration, "Share for")+" (broadcast rules only)", width)))
	}
	lines = append(lines, st.dim.Render(fit(indent+"choices: ←/→, or type a name", width)))
	if e.err != nil {
		for _, l := range strings.Split(wrap(clean(errText(e.err)), width), "\n") {
			lines = append(lines, fit(st.errMsg.Render(l), width))
		}
	}
	if e.saving {
		lines = append(lines, st.dim.Render("saving…"))
	}
	return append(lines, e.whatIfLines(width)...)
}

// caretLines show where in a condition its error is: the text around column col (1-
// based, in characters), cut to width, and a caret under that column. Neither line is
// ever wider than width, so the caret never wraps away from what it points at.
func caretLines(cond string, col, width int) (text, caret string) {
	runes := []rune(clean(cond))
	width = max(4, width)
	at := min(max(0, col-1), len(runes))
	start := 0
	if at >= width-1 {
		start = at - width/2
	}
	end := min(len(runes), start+width)
	snippet := string(runes[start:end])
	pos := at - start
	if start > 0 {
		snippet = "…" + string(runes[start+1:end])
	}
	return ansi.Truncate(snippet, width, "…"), strings.Repeat(" ", pos) + "^"
}
