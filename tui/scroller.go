package tui

// scroller is the cursor and the first row in sight of a list of n rows shown height
// rows at a time: every list of the console scrolls with one. It knows positions only,
// never the rows, so a list of 100 000 leads costs it nothing.
type scroller struct {
	cursor int
	offset int
	height int // rows the last view showed, for paging
}

// move moves the cursor by delta, kept within n rows.
func (s *scroller) move(delta, n int) {
	s.cursor += delta
	s.clamp(n)
}

// to puts the cursor on row i.
func (s *scroller) to(i, n int) {
	s.cursor = i
	s.clamp(n)
}

func (s *scroller) clamp(n int) {
	s.cursor = max(0, min(s.cursor, n-1))
}

// window is the rows to draw, [start, end), in rows lines: it scrolls as little as it
// can to keep the cursor in sight.
func (s *scroller) window(n, rows int) (start, end int) {
	s.height = rows
	s.clamp(n)
	if rows <= 0 {
		return 0, 0
	}
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = max(0, min(s.offset, n-rows))
	return s.offset, min(n, s.offset+rows)
}

// windowLines is window for rows of different heights (a wrapped routing explanation
// takes several lines): lines(i) is the height of row i, and the rows returned fill at
// most rows lines, the cursor's row in sight and, when it fits, whole.
func (s *scroller) windowLines(n, rows int, lines func(i int) int) (start, end int) {
	s.height = rows
	s.clamp(n)
	if rows <= 0 || n == 0 {
		return 0, 0
	}
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	// Move the top down until the cursor's row ends within the window.
	for s.offset < s.cursor {
		used := 0
		for i := s.offset; i <= s.cursor; i++ {
			used += lines(i)
		}
		if used <= rows {
			break
		}
		s.offset++
	}
	used, end := 0, s.offset
	for end < n && used+lines(end) <= rows {
		used += lines(end)
		end++
	}
	if end == s.offset {
		end++ // a row taller than the window still shows its start
	}
	return s.offset, end
}

// scroll moves the first row in sight of a view without a cursor (a text that is read,
// not chosen from), kept so that the last page stays full.
func (s *scroller) scroll(delta, n, rows int) {
	s.offset = max(0, min(s.offset+delta, n-rows))
}
