package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// leadStore holds the open leads a session can see, oldest first. The queue and the
// all-leads pane are two views over it.
type leadStore struct {
	byID map[int64]*row
	ids  []int64 // ascending: lead ids grow with creation, so this is the queue's order
}

func newLeadStore() *leadStore { return &leadStore{byID: map[int64]*row{}} }

func (s *leadStore) reset(rows []*row) {
	s.byID = make(map[int64]*row, len(rows))
	s.ids = make([]int64, 0, len(rows))
	for _, r := range rows {
		s.byID[r.id] = r
		s.ids = append(s.ids, r.id)
	}
	slices.Sort(s.ids)
}

// put inserts or replaces a row. New leads have the highest ids, so inserting is
// usually an append.
func (s *leadStore) put(r *row) {
	if _, ok := s.byID[r.id]; !ok {
		i, _ := slices.BinarySearch(s.ids, r.id)
		s.ids = slices.Insert(s.ids, i, r.id)
	}
	s.byID[r.id] = r
}

func (s *leadStore) remove(id int64) {
	if _, ok := s.byID[id]; !ok {
		return
	}
	delete(s.byID, id)
	if i, ok := slices.BinarySearch(s.ids, id); ok {
		s.ids = slices.Delete(s.ids, i, i+1)
	}
}

// leadList is a scrolling, filterable, multi-select list of leads. It draws only the
// rows on screen, and its selection is a set of lead ids, so it survives scrolling,
// filtering and reloads.
type leadList struct {
	title string
	// keep decides which of the store's leads belong in this list at all.
	keep      func(*row) bool
	showOwner bool
	// newestFirst lists the latest lead first: an agent's own leads and the all-leads
	// pane, where what just arrived matters most. The queue is served oldest first.
	newestFirst bool

	filter     Filter
	filterText string
	visible    []*row
	cursor     int
	offset     int
	height     int // rows the last view showed, for paging
	selected   map[int64]struct{}
	anchor     int // -1: no range anchor
	total      int // leads the list keeps, before the filter
}

func newLeadList(title string, keep func(*row) bool, showOwner bool) *leadList {
	return &leadList{title: title, keep: keep, showOwner: showOwner, selected: map[int64]struct{}{}, anchor: -1, height: 10}
}

// rebuild recomputes the visible rows from the store, keeping the cursor on the same
// lead when it is still there, and drops from the selection leads that left the list.
func (l *leadList) rebuild(s *leadStore, now time.Time) {
	var curID int64
	if c := l.current(); c != nil {
		curID = c.id
	}
	l.visible = l.visible[:0]
	l.total = 0
	all := l.filter.Empty()
	for k := range s.ids {
		id := s.ids[k]
		if l.newestFirst {
			id = s.ids[len(s.ids)-1-k]
		}
		r := s.byID[id]
		if !l.keep(r) {
			continue
		}
		l.total++
		if all || l.filter.Match(r, now) {
			l.visible = append(l.visible, r)
		}
	}
	for id := range l.selected {
		if r, ok := s.byID[id]; !ok || !l.keep(r) {
			delete(l.selected, id)
		}
	}
	if curID != 0 {
		i, found := slices.BinarySearchFunc(l.visible, curID, func(r *row, id int64) int {
			if l.newestFirst {
				return cmp.Compare(id, r.id)
			}
			return cmp.Compare(r.id, id)
		})
		if found || i < len(l.visible) {
			l.cursor = i
		} else {
			l.cursor = len(l.visible) - 1
		}
	}
	l.clamp()
}

func (l *leadList) current() *row {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		return nil
	}
	return l.visible[l.cursor]
}

func (l *leadList) clamp() {
	l.cursor = max(0, min(l.cursor, len(l.visible)-1))
	if l.anchor >= len(l.visible) {
		l.anchor = -1
	}
}

// move moves the cursor by delta rows; with the range anchor set, every row between
// the anchor and the cursor is selected.
func (l *leadList) move(delta int) {
	l.cursor += delta
	l.clamp()
	if l.anchor >= 0 {
		lo, hi := min(l.anchor, l.cursor), max(l.anchor, l.cursor)
		for _, r := range l.visible[lo : hi+1] {
			l.selected[r.id] = struct{}{}
		}
	}
}

func (l *leadList) moveTo(i int) { l.move(i - l.cursor) }

// extend selects the current row and moves, as shift+arrows do.
func (l *leadList) extend(delta int) {
	if r := l.current(); r != nil {
		l.selected[r.id] = struct{}{}
	}
	l.move(delta)
	if r := l.current(); r != nil {
		l.selected[r.id] = struct{}{}
	}
}

func (l *leadList) toggle() {
	r := l.current()
	if r == nil {
		return
	}
	if _, ok := l.selected[r.id]; ok {
		delete(l.selected, r.id)
	} else {
		l.selected[r.id] = struct{}{}
	}
}

func (l *leadList) toggleAnchor() {
	if l.anchor >= 0 {
		l.anchor = -1
		return
	}
	l.anchor = l.cursor
	if r := l.current(); r != nil {
		l.selected[r.id] = struct{}{}
	}
}

func (l *leadList) selectAll() {
	for _, r := range l.visible {
		l.selected[r.id] = struct{}{}
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
		return []int64{r.id}
	}
	return nil
}

func (l *leadList) setFilter(text string, f Filter, s *leadStore, now time.Time) {
	l.filterText, l.filter = text, f
	l.rebuild(s, now)
}

// view draws the list in width×height cells: a title line, a header and the rows in
// sight. Only those rows are formatted, whatever the list's length.
func (l *leadList) view(st *styles, width, height int, focused bool, now time.Time) []string {
	lines := make([]string, 0, height)
	title := fmt.Sprintf("%s %s", l.title, st.dim.Render(countLabel(len(l.visible), "lead")))
	if n := len(l.selected); n > 0 {
		title += st.selected.Render(fmt.Sprintf("  %d selected", n))
	}
	if l.anchor >= 0 {
		title += st.accent.Render("  range")
	}
	if l.filterText != "" {
		title += st.accent.Render("  / " + l.filterText)
	}
	lines = append(lines, paneTitle(st, title, width, focused))
	if height < 3 {
		return lines[:min(len(lines), height)]
	}
	cols := l.columns(width)
	lines = append(lines, st.header.Render(fit(cols.header(), width)))
	rows := height - 2
	l.height = rows
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	l.offset = max(0, min(l.offset, len(l.visible)-rows))
	if len(l.visible) == 0 {
		msg := "The queue is empty."
		if l.filterText != "" {
			msg = "No lead matches the filter (esc clears it)."
		} else if l.showOwner {
			msg = "No open leads."
		}
		lines = append(lines, st.dim.Render(fit("  "+msg, width)))
	}
	end := min(len(l.visible), l.offset+rows)
	for i := l.offset; i < end; i++ {
		r := l.visible[i]
		_, sel := l.selected[r.id]
		mark := "  "
		if sel {
			mark = "✓ "
		}
		text := fit(mark+cols.row(r, now), width)
		switch {
		case i == l.cursor && focused && sel:
			text = st.cursorSel.Render(text)
		case i == l.cursor && focused:
			text = st.cursor.Render(text)
		case sel:
			text = st.selected.Render(text)
		}
		lines = append(lines, text)
	}
	return lines
}

// leadColumns are the widths of a lead list's columns for one terminal width.
type leadColumns struct {
	showOwner                   bool
	name, company, source, tags int
	last                        int
}

func (l *leadList) columns(width int) leadColumns {
	c := leadColumns{showOwner: l.showOwner, source: 9}
	rest := width - 2 - 5 - 1 - c.source - 1 // mark, age, gaps
	// Share what is left: name 30%, company 25%, tags 15%, the last column the rest.
	c.name = max(8, rest*30/100)
	c.company = max(6, rest*25/100)
	c.tags = max(5, rest*15/100)
	c.last = max(0, rest-c.name-c.company-c.tags-4)
	return c
}

func (c leadColumns) header() string {
	last := "WHY IT WAITS"
	if c.showOwner {
		last = "OWNER · STATUS"
	}
	return "  " + pad("AGE", 5) + " " + pad("NAME", c.name) + " " + pad("COMPANY", c.company) + " " +
		pad("SOURCE", c.source) + " " + pad("TAGS", c.tags) + " " + pad(last, c.last)
}

func (c leadColumns) row(r *row, now time.Time) string {
	last := r.why
	if c.showOwner {
		owner := r.owner
		if owner == "" {
			owner = "—"
		}
		last = owner + " · " + string(r.status)
	}
	return pad(age(now.Sub(r.created)), 5) + " " + pad(r.title, c.name) + " " + pad(r.company, c.company) + " " +
		pad(r.source, c.source) + " " + pad(strings.Join(r.tags, ","), c.tags) + " " + pad(last, c.last)
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
