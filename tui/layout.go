package tui

import (
	"strings"

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
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-w)
}

// cells is the width of s on screen. Plain ASCII, most of what the lists draw, is
// measured by its length; anything else goes through grapheme segmentation.
func cells(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
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
	title = ansi.Truncate(title, width, "…")
	rest := width - ansi.StringWidth(title) - 1
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
