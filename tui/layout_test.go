package tui

import (
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestCellsMatchesAnsiWidth(t *testing.T) {
	bold := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ff0000")).Background(lipgloss.Color("#000000"))
	for _, s := range []string{
		"", "plain", bold.Render("styled text"), "a" + bold.Render("b") + "c",
		"● alice", "naïve", "日本語", "🔔 3", "tab\there", "\x1b]8;;http://x\x07link\x1b]8;;\x07",
		"\x1b[", "\x1b[1", "x\x1b",
		"◐ bob ████░░░░ 3/∞", "a → b — c…", "é\u0301", "▪\ufe0f", "·x", "\xff\xfe",
	} {
		if got, want := cells(s), ansi.StringWidth(s); got != want {
			t.Errorf("cells(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}

func TestNarrowRunes(t *testing.T) {
	for r := rune(0x80); r < 0x10000; r++ {
		if narrow(r) {
			if w := ansi.StringWidth(string(r)); w != 1 {
				t.Errorf("narrow(%U %q) but ansi.StringWidth = %d", r, r, w)
			}
		}
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"日本語", 4, "日… "},
		{"x", 0, ""},
	} {
		if got := ansi.Strip(fit(tt.in, tt.width)); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
