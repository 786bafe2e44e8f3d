package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// fit cuts or pads s (which may hold escape sequences) to exactly width cells, so that
// no line wraps and a row's background spans the pane.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := cells(s)
	if w > width {
		// A wide character cut at the edge leaves the line a cell short: pad it.
		s = ansi.Truncate(s, width, "…")
		w = cells(s)
	}
	return s + strings.Repeat(" ", width-w)
}

// cells is the width of s on screen. Plain ASCII with SGR/CSI sequences, and the
// one-cell symbols the console draws with (presence dots, load bars, arrows, dashes),
// are measured in one pass over the bytes; anything else goes through grapheme
// segmentation, which costs about ten times more.
func cells(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// CSI: parameters and intermediates up to a final byte in 0x40–0x7e.
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c >= 0x20 && c < 0x7f:
			n++
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size - 1
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrow reports whether r is one cell wide on its own and never joins the rune
// before it: Latin-1 letters and signs, general punctuation (— … •), arrows, box
// drawing, block elements and geometric shapes, less the two that are emoji.
// TestNarrowRunes checks every one against ansi.StringWidth. A combining mark or a
// variation selector after one of them is not narrow, so it sends the whole string
// through segmentation.
func narrow(r rune) bool {
	switch {
	case r >= 0xa1 && r <= 0xff:
		return r != 0xad // the soft hyphen
	case r >= 0x2010 && r <= 0x2027, r >= 0x2190 && r <= 0x21ff:
		return true
	case r >= 0x2500 && r <= 0x25ff:
		return r != 0x25fd && r != 0x25fe
	}
	return false
}

// pad is fit for plain text cells; a zero width drops the cell.
func pad(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return fit(s, width)
}

// paneTitle is a pane's first line: its title and a rule across the rest.
func paneTitle(st *styles, title string, width int, focused bool) string {
	style := st.paneTitle
	if focused {
		style = st.paneTitleFocused
		title = "▌" + title
	} else {
		title = " " + title
	}
	if cells(title) > width {
		title = ansi.Truncate(title, width, "…")
	}
	rest := width - cells(title) - 1
	if rest > 0 {
		return style.Render(title) + " " + st.dim.Render(strings.Repeat("─", rest))
	}
	return style.Render(fit(title, width))
}

// block pads a list of lines to exactly height lines of width cells.
func block(lines []string, width, height int) []string {
	out := make([]string, height)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], width)
		} else {
			out[i] = strings.Repeat(" ", width)
		}
	}
	return out
}

// paneBlock is a pane's view as exactly height lines. A pane draws lines of exactly its
// width (the Pane contract, held by the layout tests), so they are not measured again:
// only missing lines are added and extra ones dropped.
func paneBlock(view string, width, height int) []string {
	lines := strings.SplitN(view, "\n", height+1)
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return lines
}

// sideBySide joins two blocks of the same height with a one-cell gutter.
func sideBySide(left, right []string, gutter string) []string {
	out := make([]string, len(left))
	for i := range left {
		r := ""
		if i < len(right) {
			r = right[i]
		}
		out[i] = left[i] + gutter + r
	}
	return out
}

// wordWrap breaks s at spaces to lines of at most width cells, breaking a word only
// when it is longer than a line.
func wordWrap(s string, width int) string { return ansi.Wrap(s, width, "") }
