package tui

import (
	"strings"
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

// Painting with an ink gives what lipgloss renders for the same style, for any
// single-line text: the escape sequences are lipgloss's, made once. (lipgloss draws an
// underlined text a character at a time, which looks the same; those compare by text.)
func TestInkPaintsAsLipglossRenders(t *testing.T) {
	styles := []lipgloss.Style{
		lipgloss.NewStyle(),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#58a6ff")),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#e6edf3")).Background(lipgloss.Color("#1f3a5f")).Bold(true),
	}
	for _, st := range styles {
		for _, s := range []string{"plain", " padded ", "● alice ████░░░░ 3/∞", "日本語", "x"} {
			if got, want := inkOf(st).Render(s), st.Render(s); got != want {
				t.Errorf("ink(%q) = %q, lipgloss %q", s, got, want)
			}
		}
	}
	ul := lipgloss.NewStyle().Bold(true).Underline(true)
	if got, want := inkOf(ul).Render("1 Queue"), ul.Render("1 Queue"); ansi.Strip(got) != ansi.Strip(want) || !strings.HasPrefix(want, inkOf(ul).open) {
		t.Errorf("underlined: ink %q, lipgloss %q", got, want)
	}
	if got := inkOf(styles[1]).Render("a\nb"); got != styles[1].Render("a")+"\n"+styles[1].Render("b") {
		t.Errorf("two lines: %q", got)
	}
}
