package sshd

import (
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// screen is a small virtual terminal for the tests: it applies what a session writes
// (text, cursor moves, erases, scrolls, the alternate screen) to a grid of cells, so a
// test can read what a person would see rather than search a stream of diffs. It
// understands the sequences Bubble Tea's renderer sends and ignores styling.
// (github.com/charmbracelet/x/vt would do this; the module proxy here does not serve it.)
type screen struct {
	mu     sync.Mutex
	p      *ansi.Parser
	w, h   int
	main   [][]rune
	alt    [][]rune
	cells  [][]rune // main or alt
	x, y   int
	wrap   bool // the cursor is past the last column: the next rune wraps
	noWrap bool // DECAWM off
	top    int  // scroll region, inclusive
	bottom int
	saved  [2]int
	last   rune // for REP
}

func newScreen(w, h int) *screen {
	s := &screen{p: ansi.NewParser()}
	s.resize(w, h)
	s.cells = s.main
	s.p.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
		HandleEsc: s.esc,
	})
	return s
}

func blankGrid(w, h int) [][]rune {
	g := make([][]rune, h)
	for i := range g {
		g[i] = []rune(strings.Repeat(" ", w))
	}
	return g
}

// resize follows the client's window: the grids are cut or padded, as terminals do.
func (s *screen) resize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fit := func(g [][]rune) [][]rune {
		n := blankGrid(w, h)
		for y := 0; y < h && y < len(g); y++ {
			copy(n[y], g[y])
		}
		return n
	}
	isAlt := s.cells != nil && &s.cells[0] == &s.alt[0]
	s.main, s.alt = fit(s.main), fit(s.alt)
	s.cells = s.main
	if isAlt {
		s.cells = s.alt
	}
	s.w, s.h = w, h
	s.top, s.bottom = 0, h-1
	s.x, s.y = min(s.x, w-1), min(s.y, h-1)
}

// Write feeds output of the session.
func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.p.Parse(b)
	return len(b), nil
}

// String is the screen's text, one line per row, trailing spaces cut.
func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, row := range s.cells {
		line := strings.Map(func(r rune) rune {
			if r == 0 { // the right half of a wide rune
				return -1
			}
			return r
		}, string(row))
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Line is row y of the screen, trailing spaces cut.
func (s *screen) Line(y int) string {
	lines := strings.Split(s.String(), "\n")
	if y < 0 {
		y += len(lines) - 1 // the text ends with a newline
	}
	if y < 0 || y >= len(lines) {
		return ""
	}
	return lines[y]
}

func (s *screen) print(r rune) {
	w := ansi.StringWidth(string(r))
	if w == 0 {
		return
	}
	if s.wrap && !s.noWrap {
		s.x, s.wrap = 0, false
		s.lineFeed()
	}
	if s.x+w > s.w {
		if s.noWrap {
			s.x = s.w - w
		} else {
			s.x = 0
			s.lineFeed()
		}
	}
	s.cells[s.y][s.x] = r
	if w == 2 {
		s.cells[s.y][s.x+1] = 0
	}
	s.last = r
	s.x += w
	if s.x >= s.w {
		s.x, s.wrap = s.w-1, true
	}
}

func (s *screen) execute(b byte) {
	s.wrap = false
	switch b {
	case '\r':
		s.x = 0
	case '\n', '\v', '\f':
		s.lineFeed()
	case '\b':
		s.x = max(s.x-1, 0)
	case '\t':
		s.x = min((s.x/8+1)*8, s.w-1)
	}
}

func (s *screen) lineFeed() {
	if s.y == s.bottom {
		s.scrollUp(1)
		return
	}
	s.y = min(s.y+1, s.h-1)
}

// scrollUp moves the rows of the scroll region up by n, blank rows entering below.
func (s *screen) scrollUp(n int) {
	for ; n > 0; n-- {
		copy(s.cells[s.top:s.bottom], s.cells[s.top+1:s.bottom+1])
		s.cells[s.bottom] = []rune(strings.Repeat(" ", s.w))
	}
}

func (s *screen) scrollDown(n int) {
	for ; n > 0; n-- {
		copy(s.cells[s.top+1:s.bottom+1], s.cells[s.top:s.bottom])
		s.cells[s.top] = []rune(strings.Repeat(" ", s.w))
	}
}

func (s *screen) clear(y, from, to int) {
	for x := max(from, 0); x < to && x < s.w; x++ {
		s.cells[y][x] = ' '
	}
}

func (s *screen) esc(cmd ansi.Cmd) {
	s.wrap = false
	switch cmd.Final() {
	case 'M': // RI
		if s.y == s.top {
			s.scrollDown(1)
		} else {
			s.y = max(s.y-1, 0)
		}
	case 'D': // IND
		s.lineFeed()
	case 'E': // NEL
		s.x = 0
		s.lineFeed()
	case '7':
		s.saved = [2]int{s.x, s.y}
	case '8':
		s.x, s.y = s.saved[0], s.saved[1]
	}
}

func (s *screen) csi(cmd ansi.Cmd, params ansi.Params) {
	s.wrap = false
	n := func(i, def int) int {
		v, _, _ := params.Param(i, def)
		if v == 0 {
			v = def
		}
		return v
	}
	if cmd.Prefix() == '?' {
		set := cmd.Final() == 'h'
		if cmd.Final() != 'h' && cmd.Final() != 'l' {
			return
		}
		params.ForEach(0, func(_, mode int, _ bool) {
			switch mode {
			case 7:
				s.noWrap = !set
			case 1049, 1047, 47:
				if set {
					s.alt = blankGrid(s.w, s.h)
					s.cells = s.alt
				} else {
					s.cells = s.main
				}
			}
		})
		return
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case 'A':
		s.y = max(s.y-n(0, 1), 0)
	case 'B':
		s.y = min(s.y+n(0, 1), s.h-1)
	case 'C':
		s.x = min(s.x+n(0, 1), s.w-1)
	case 'D':
		s.x = max(s.x-n(0, 1), 0)
	case 'E':
		s.x, s.y = 0, min(s.y+n(0, 1), s.h-1)
	case 'F':
		s.x, s.y = 0, max(s.y-n(0, 1), 0)
	case 'G', '`':
		s.x = min(n(0, 1)-1, s.w-1)
	case 'd':
		s.y = min(n(0, 1)-1, s.h-1)
	case 'H', 'f':
		s.y, s.x = min(n(0, 1)-1, s.h-1), min(n(1, 1)-1, s.w-1)
	case 'I':
		for i := n(0, 1); i > 0; i-- {
			s.x = min((s.x/8+1)*8, s.w-1)
		}
	case 'Z':
		for i := n(0, 1); i > 0; i-- {
			s.x = max((s.x-1)/8*8, 0)
		}
	case 'J':
		mode, _, _ := params.Param(0, 0)
		switch mode {
		case 0:
			s.clear(s.y, s.x, s.w)
			for y := s.y + 1; y < s.h; y++ {
				s.clear(y, 0, s.w)
			}
		case 1:
			s.clear(s.y, 0, s.x+1)
			for y := 0; y < s.y; y++ {
				s.clear(y, 0, s.w)
			}
		case 2, 3:
			for y := 0; y < s.h; y++ {
				s.clear(y, 0, s.w)
			}
		}
	case 'K':
		mode, _, _ := params.Param(0, 0)
		switch mode {
		case 0:
			s.clear(s.y, s.x, s.w)
		case 1:
			s.clear(s.y, 0, s.x+1)
		case 2:
			s.clear(s.y, 0, s.w)
		}
	case 'X':
		s.clear(s.y, s.x, s.x+n(0, 1))
	case 'b':
		for i := n(0, 1); i > 0; i-- {
			s.print(s.last)
		}
	case '@':
		k := min(n(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x+k:], row[s.x:s.w-k])
		s.clear(s.y, s.x, s.x+k)
	case 'P':
		k := min(n(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x:], row[s.x+k:])
		s.clear(s.y, s.w-k, s.w)
	case 'L', 'M':
		if s.y < s.top || s.y > s.bottom {
			return
		}
		top := s.top
		s.top = s.y
		if cmd.Final() == 'L' {
			s.scrollDown(n(0, 1))
		} else {
			s.scrollUp(n(0, 1))
		}
		s.top = top
		s.x = 0
	case 'S':
		s.scrollUp(n(0, 1))
	case 'T':
		s.scrollDown(n(0, 1))
	case 'r':
		s.top, s.bottom = n(0, 1)-1, min(n(1, s.h)-1, s.h-1)
		if s.top >= s.bottom {
			s.top, s.bottom = 0, s.h-1
		}
		s.x, s.y = 0, 0
	}
}

func TestScreen(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"text and newline", "ab\r\ncd", []string{"ab", "cd", ""}},
		{"cursor position and erase line", "hello\x1b[1;3H\x1b[K", []string{"he", "", ""}},
		{"erase chars and repeat", "abcde\x1b[1;2H\x1b[3Xz\x1b[b", []string{"azz e", "", ""}},
		{"wrap at the edge", "abcdefg", []string{"abcde", "fg", ""}},
		{"no wrap when DECAWM is off", "\x1b[?7labcdefg", []string{"abcdg", "", ""}},
		{"scroll at the bottom", "1\r\n2\r\n3\r\n4", []string{"2", "3", "4"}},
		{"reverse index scrolls down", "1\r\n2\x1b[H\x1bM", []string{"", "1", "2"}},
		{"insert and delete lines", "1\r\n2\r\n3\x1b[2H\x1b[L", []string{"1", "", "2"}},
		{"alt screen starts blank and returns", "main\x1b[?1049hALT\x1b[?1049l", []string{"main", "", ""}},
		{"erase display", "abc\r\ndef\x1b[2J", []string{"", "", ""}},
		{"delete chars", "abcde\x1b[1;2H\x1b[2P", []string{"ade", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScreen(5, 3)
			s.Write([]byte(tt.in))
			got := strings.Split(strings.TrimSuffix(s.String(), "\n"), "\n")
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("screen after %q:\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
