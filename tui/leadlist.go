package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchboard/switchboard/tui/leadmodel"
)

type row = leadmodel.Row

// leadList is a scrolling, filterable, multi-select list over one set of the shared lead
// model (the queue, the open leads). It keeps no copy of the leads: with no filter it
// reads the set itself; with a filter it keeps an index of the matching rows, which each
// new version updates from the ids its burst changed, not by filtering every lead again.
// It draws only the rows in sight, and its selection is a set of lead ids, so it
// survives scrolling, filtering and other people's changes.
type leadList struct {
	s     *Session
	title string
	// set is the part of the model the list shows; keep narrows it further (an agent's
	// own leads), nil for all of it.
	set  func(*leadmodel.Snapshot) *leadmodel.Set
	keep func(*row) bool
	// newestFirst lists the latest lead first: an agent's own leads and the all-leads
	// pane, where what just arrived matters most. The queue is served oldest first.
	newestFirst bool
	showOwner   bool
	// ownLeads: every lead is the session's own, so the last column is the status alone.
	ownLeads bool
	empty    string // what the list says when it has no lead and no filter
	// subtitle, when set and not "", is a line under the title (an agent's own hours).
	subtitle func() string

	base       *leadmodel.Set
	ready      bool
	filter     Filter
	filterText string
	// index holds, in ascending id order, the rows of base that keep and the filter's
	// terms other than age select, when there is a keep or a filter; nil otherwise.
	index   []*row
	indexed bool
	// aged is index narrowed by the filter's age terms, which time changes on its own:
	// recomputed (comparisons only) at every version and every tick.
	aged []*row
	kept int // rows keep selects, before the filter

	sc       scroller
	cur      int64 // the lead under the cursor, followed as rows come and go
	selected map[int64]struct{}
	anchor   int // position of the range anchor; -1: none
}

func newLeadList(s *Session, title string, set func(*leadmodel.Snapshot) *leadmodel.Set) *leadList {
	return &leadList{s: s, title: title, set: set, selected: map[int64]struct{}{}, anchor: -1, base: set(s.snap)}
}

// n is how many rows the list shows.
func (l *leadList) n() int {
	if !l.ready {
		// Until the first version is applied the list has not decided what it may
		// show (an agent's own leads are a part of the set): it shows nothing.
		return 0
	}
	if l.indexed {
		return len(l.rows())
	}
	return l.base.Len()
}

func (l *leadList) rows() []*row {
	if l.filter.HasAge() {
		return l.aged
	}
	return l.index
}

// at is the row at position i of the list as drawn.
func (l *leadList) at(i int) *row {
	n := l.n()
	if l.newestFirst {
		i = n - 1 - i
	}
	if l.indexed {
		return l.rows()[i]
	}
	return l.base.At(i)
}

// pos is where lead id is in the list as drawn, if it is there.
func (l *leadList) pos(id int64) (int, bool) {
	var i int
	var ok bool
	if l.indexed {
		i, ok = slices.BinarySearchFunc(l.rows(), id, cmpRow)
	} else {
		i, ok = l.base.Find(id)
	}
	if ok && l.newestFirst {
		i = l.n() - 1 - i
	}
	return i, ok
}

func cmpRow(r *row, id int64) int {
	switch {
	case r.ID < id:
		return -1
	case r.ID > id:
		return 1
	}
	return 0
}

func (l *leadList) current() *row {
	if l.sc.cursor < 0 || l.sc.cursor >= l.n() {
		return nil
	}
	return l.at(l.sc.cursor)
}

func (l *leadList) keeps(r *row) bool { return r != nil && (l.keep == nil || l.keep(r)) }

// apply takes a new version of the model: the whole list again after a resync, else
// only the leads the burst changed.
func (l *leadList) apply(u liveMsg) {
	old := l.base
	l.base = l.set(u.Snapshot)
	if u.Resync || !l.ready || (u.Team && len(l.filter.Teams) > 0) {
		// A team's members may have changed: the team terms select other owners.
		l.ready = true
		l.filter = l.filter.withTeams(u.Snapshot.Team())
		l.rebuild()
		return
	}
	for _, id := range u.Leads {
		was, is := l.keeps(old.Get(id)), l.keeps(l.base.Get(id))
		if l.keep != nil {
			l.kept += b2i(is) - b2i(was)
		}
		if l.indexed {
			i, found := slices.BinarySearchFunc(l.index, id, cmpRow)
			if found {
				l.index = slices.Delete(l.index, i, i+1)
			}
			if r := l.base.Get(id); is && l.filter.MatchTerms(r) {
				l.index = slices.Insert(l.index, i, r)
			}
		}
		if !is {
			delete(l.selected, id)
		}
	}
	if l.keep == nil {
		l.kept = l.base.Len()
	}
	l.narrow()
	l.follow()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rebuild builds the index from the whole set: at start, after a resync, and when the
// filter changes.
func (l *leadList) rebuild() {
	l.indexed = l.keep != nil || !l.filter.Empty()
	l.index = nil
	if !l.indexed {
		l.kept = l.base.Len()
	} else {
		l.kept = 0
		l.base.Each(func(r *row) bool {
			if l.keep == nil || l.keep(r) {
				l.kept++
				if l.filter.MatchTerms(r) {
					l.index = append(l.index, r)
				}
			}
			return true
		})
		if l.index == nil {
			l.index = []*row{}
		}
	}
	for id := range l.selected {
		if !l.keeps(l.base.Get(id)) {
			delete(l.selected, id)
		}
	}
	l.narrow()
	l.follow()
}

// narrow applies the filter's age terms to the index.
func (l *leadList) narrow() {
	if !l.filter.HasAge() {
		l.aged = nil
		return
	}
	now := l.s.now()
	l.aged = l.aged[:0]
	for _, r := range l.index {
		if l.filter.MatchAge(r, now) {
			l.aged = append(l.aged, r)
		}
	}
}

// tick moves time: rows enter and leave an age filter on their own.
func (l *leadList) tick() {
	if l.filter.HasAge() {
		l.narrow()
		l.follow()
	}
}

// follow puts the cursor back on its lead after the list changed; when that lead left,
// the cursor stays where it was, on the lead that took its place.
func (l *leadList) follow() {
	if i, ok := l.pos(l.cur); ok && l.cur != 0 {
		l.sc.cursor = i
	}
	l.sc.clamp(l.n())
	if l.anchor >= l.n() {
		l.anchor = -1
	}
	l.noteCursor()
}

func (l *leadList) noteCursor() {
	l.cur = 0
	if r := l.current(); r != nil {
		l.cur = r.ID
	}
}

// moved notes the cursor's lead after a movement key; with the range anchor set, every
// row between the anchor and the cursor is selected.
func (l *leadList) moved() {
	l.noteCursor()
	if l.anchor >= 0 {
		lo, hi := min(l.anchor, l.sc.cursor), max(l.anchor, l.sc.cursor)
		for i := lo; i <= hi && i < l.n(); i++ {
			l.selected[l.at(i).ID] = struct{}{}
		}
	}
}

func (l *leadList) move(delta int) {
	l.sc.move(delta, l.n())
	l.moved()
}

// extend selects the current row and moves, as shift+arrows do.
func (l *leadList) extend(delta int) {
	if r := l.current(); r != nil {
		l.selected[r.ID] = struct{}{}
	}
	l.move(delta)
	if r := l.current(); r != nil {
		l.selected[r.ID] = struct{}{}
	}
}

func (l *leadList) toggle() {
	r := l.current()
	if r == nil {
		return
	}
	if _, ok := l.selected[r.ID]; ok {
		delete(l.selected, r.ID)
	} else {
		l.selected[r.ID] = struct{}{}
	}
}

func (l *leadList) toggleAnchor() {
	if l.anchor >= 0 {
		l.anchor = -1
		return
	}
	l.anchor = l.sc.cursor
	if r := l.current(); r != nil {
		l.selected[r.ID] = struct{}{}
	}
}

// selectAll selects every lead the list shows.
func (l *leadList) selectAll() {
	if !l.indexed {
		l.base.Each(func(r *row) bool {
			l.selected[r.ID] = struct{}{}
			return true
		})
		return
	}
	for _, r := range l.rows() {
		l.selected[r.ID] = struct{}{}
	}
}

func (l *leadList) clearSelection() {
	clear(l.selected)
	l.anchor = -1
}

// targets are the leads an action applies to: the selection, else the cursor's lead.
func (l *leadList) targets() []int64 {
	if len(l.selected) > 0 {
		ids := make([]int64, 0, len(l.selected))
		for id := range l.selected {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}
	if r := l.current(); r != nil {
		return []int64{r.ID}
	}
	return nil
}

// setFilter shows only the leads f selects.
func (l *leadList) setFilter(text string, f Filter) {
	l.filterText, l.filter = strings.TrimSpace(text), f.withTeams(l.s.team())
	l.rebuild()
}

// values lists what the rows of the list hold for a filter key (every source, tag,
// owner or status present), for completing a value at the prompt.
func (l *leadList) values(k filterKey) []string {
	seen := map[string]bool{}
	if k == keyTeam {
		for _, a := range l.s.team() {
			for _, t := range a.TeamList() {
				seen[t] = true
			}
		}
		return sortedKeys(seen)
	}
	l.base.Each(func(r *row) bool {
		if l.keep != nil && !l.keep(r) {
			return true
		}
		switch k {
		case keySource:
			seen[r.Source] = true
		case keyTag:
			for _, t := range r.Tags {
				seen[t] = true
			}
		case keyOwner:
			if r.Owner == "" {
				seen["none"] = true
			} else {
				seen[r.Owner] = true
			}
		case keyStatus:
			seen[string(r.Status)] = true
		}
		return true
	})
	return sortedKeys(seen)
}

// sortedKeys lists the non-empty keys of seen, sorted.
func sortedKeys(seen map[string]bool) []string {
	out := make([]string, 0, len(seen))
	for v := range seen {
		if v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// keys are the list's own bindings: movement, selection and the filter.
func (l *leadList) keys(prompt func() tea.Cmd) Actions {
	var as Actions
	for _, a := range moveActions(&l.sc, l.n) {
		move := a.Do
		a.Do = func(msg tea.KeyPressMsg) tea.Cmd {
			cmd := move(msg)
			l.moved()
			return cmd
		}
		as = append(as, a)
	}
	return append(as,
		act(bind(keys("space"), "space", "select"), do(func() tea.Cmd { l.toggle(); l.move(1); return nil })),
		act(bind(keys("shift+down", "J", "shift+up", "K"), "shift+↑↓ JK", "extend the selection"), func(msg tea.KeyPressMsg) tea.Cmd {
			if s := msg.String(); s == "shift+up" || s == "K" {
				l.extend(-1)
			} else {
				l.extend(1)
			}
			return nil
		}),
		act(bind(keys("v"), "v", "range from here"), do(func() tea.Cmd { l.toggleAnchor(); return nil })),
		act(bind(keys("A", "ctrl+a"), "A", "select all that match"), do(func() tea.Cmd {
			l.selectAll()
			return toast(fmt.Sprintf("Selected %s", countLabel(len(l.selected), "lead")))
		})),
		act(bind(keys("esc"), "esc", "clear selection, filter"), do(func() tea.Cmd {
			if len(l.selected) > 0 || l.anchor >= 0 {
				l.clearSelection()
			} else if l.filterText != "" {
				l.setFilter("", Filter{})
			}
			return nil
		})),
		act(bind(keys("/"), "/", "filter"), do(prompt)),
		act(bind(keys("enter"), "enter", "open the lead"), do(func() tea.Cmd {
			if r := l.current(); r != nil {
				return l.s.openLead(r.ID)
			}
			return nil
		})),
	)
}

// view draws the list in width×height cells: a title line, a header and the rows in
// sight. Only those rows are formatted, whatever the list's length.
func (l *leadList) view(width, height int, focused bool) []string {
	st := l.s.st
	now := l.s.now()
	lines := make([]string, 0, height)
	title := fmt.Sprintf("%s %s", l.title, st.dim.Render(countLabel(l.n(), "lead")))
	if l.filterText != "" && l.kept != l.n() {
		title += st.dim.Render(" of " + groupDigits(l.kept))
	}
	if n := len(l.selected); n > 0 {
		title += st.selected.Render(fmt.Sprintf("  %d selected", n))
	}
	if l.anchor >= 0 {
		title += st.accent.Render("  range")
	}
	if l.filterText != "" {
		title += st.accent.Render("  / " + clean(l.filterText))
	}
	lines = append(lines, paneTitle(st, title, width, focused))
	if height < 3 {
		return lines[:min(len(lines), height)]
	}
	head := 2 // the title and the header
	if l.subtitle != nil && height >= 6 {
		if sub := l.subtitle(); sub != "" {
			lines = append(lines, st.dim.Render(fit(" "+clean(sub), width)))
			head++
		}
	}
	cols := l.columns(width)
	lines = append(lines, st.header.Render(fit(cols.header(), width)))
	if !l.s.snap.Loaded || !l.ready {
		return append(lines, st.dim.Render(fit("  loading…", width)))
	}
	n := l.n()
	start, end := l.sc.window(n, height-head)
	if n == 0 {
		msg := l.empty
		if l.filterText != "" {
			msg = "No lead matches the filter (esc clears it)."
		}
		lines = append(lines, st.dim.Render(fit("  "+msg, width)))
	}
	for i := start; i < end; i++ {
		r := l.at(i)
		_, sel := l.selected[r.ID]
		mark := "  "
		if sel {
			mark = "✓ "
		}
		text := fit(mark+cols.row(r, now), width)
		switch {
		case i == l.sc.cursor && focused && sel:
			text = st.cursorSel.Render(text)
		case i == l.sc.cursor && focused:
			text = st.cursor.Render(text)
		case sel:
			text = st.selected.Render(text)
		case cols.sla && r.SLA().SLAUrgent(now):
			text = st.errMsg.Render(text) // the last fifth of its SLA: the whole row says so
		}
		lines = append(lines, text)
	}
	return lines
}

// leadColumns are the widths of a lead list's columns for one terminal width.
type leadColumns struct {
	showOwner, ownLeads         bool
	sla                         bool // the time left to first contact (lists of owned leads)
	name, company, source, tags int
	last                        int
}

// slaWidth is the SLA column's: "!9:59".
const slaWidth = 5

func (l *leadList) columns(width int) leadColumns {
	c := leadColumns{showOwner: l.showOwner, ownLeads: l.ownLeads, sla: l.showOwner || l.ownLeads, source: 9}
	rest := width - 2 - 5 - 1 - c.source - 1 // mark, age, gaps
	if c.sla {
		rest -= slaWidth + 1
	}
	// Share what is left: name 30%, company 25%, tags 15%, the last column the rest;
	// on wide terminals names and companies stop growing where they stop being read.
	c.name = max(8, min(40, rest*30/100))
	c.company = max(6, min(32, rest*25/100))
	c.tags = max(5, min(30, rest*15/100))
	c.last = max(0, rest-c.name-c.company-c.tags-4)
	return c
}

func (c leadColumns) header() string {
	last := "WHY IT WAITS"
	switch {
	case c.ownLeads:
		last = "STATUS"
	case c.showOwner:
		last = "OWNER · STATUS"
	}
	sla := ""
	if c.sla {
		sla = pad("SLA", slaWidth) + " "
	}
	return "  " + pad("AGE", 5) + " " + sla + pad("NAME", c.name) + " " + pad("COMPANY", c.company) + " " +
		pad("SOURCE", c.source) + " " + pad("TAGS", c.tags) + " " + pad(last, c.last)
}

// slaCell is the time left to a lead's first contact – minutes and seconds under ten
// minutes ("1:59"), else in one unit ("14m", "3h") – marked "!" in the last fifth of
// its SLA so that it reads without colour; "—" when no SLA runs.
func slaCell(r *row, now time.Time) string {
	l := r.SLA()
	left, ok := l.SLALeft(now)
	if !ok {
		return "—"
	}
	text := age(left)
	if left < 10*time.Minute {
		s := max(0, int(left.Seconds()))
		text = fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	if l.SLAUrgent(now) {
		text = "!" + text
	}
	return text
}

func (c leadColumns) row(r *row, now time.Time) string {
	last := r.Why
	switch {
	case c.ownLeads:
		last = string(r.Status)
	case c.showOwner:
		owner := r.Owner
		if owner == "" {
			owner = "—"
		}
		last = owner + " · " + string(r.Status)
	}
	sla := ""
	if c.sla {
		sla = pad(slaCell(r, now), slaWidth) + " "
	}
	return pad(age(now.Sub(r.Created)), 5) + " " + sla + pad(r.Title, c.name) + " " + pad(r.Company, c.company) + " " +
		pad(r.Source, c.source) + " " + pad(strings.Join(r.Tags, ","), c.tags) + " " + pad(last, c.last)
}

// age writes a duration in one short unit: 45s, 12m, 3h, 5d, 2w.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	default:
		return fmt.Sprintf("%dw", int(d.Hours()/24/7))
	}
}

func countLabel(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%s %ss", groupDigits(n), noun)
}

// groupDigits writes 100000 as "100 000".
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 10000 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
