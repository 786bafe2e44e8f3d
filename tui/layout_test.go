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
	} {
		if got, want := cells(s), ansi.StringWidth(s); got != want {
			t.Errorf("cells(%q) = %d, ansi.StringWidth = %d", s, got, want)
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
