package tui

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/switchboard/switchboard/engine"
)

// styles are every style the console draws with, for one background. They are made
// again when the terminal reports its background colour.
type styles struct {
	dark bool

	title, tab, tabActive        ink
	header, dim, bold, accent    ink
	cursor, selected, cursorSel  ink
	paneTitle, paneTitleFocused  ink
	status, statusKey, bell      ink
	statusErr                    ink // an error on the status bar
	ok, warn, errMsg, toast      ink
	presence                     map[engine.Presence]ink
	barFull, barEmpty, barOver   ink
	inputLabel, inputLabelActive ink
	modal                        lipgloss.Style
}

// ink is a style that only colours and weights text: its escape sequences are made
// once, by lipgloss, and painting with it is two concatenations. lipgloss.Style.Render
// measures and lays out its text at every call, a cost paid for every styled piece of
// every frame of every session.
type ink struct{ open, close string }

// inkMark stands for the text while lipgloss renders a style's escape sequences.
const inkMark = "\ue000"

func inkOf(st lipgloss.Style) ink {
	r := st.Render(inkMark)
	open, close, ok := strings.Cut(r, inkMark)
	if !ok {
		return ink{}
	}
	return ink{open, close}
}

// Render paints s, line by line.
func (k ink) Render(s string) string {
	if k.open == "" && k.close == "" {
		return s
	}
	if strings.Contains(s, "\n") {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = k.open + l + k.close
		}
		return strings.Join(lines, "\n")
	}
	return k.open + s + k.close
}

func newStyles(dark bool) styles {
	ld := lipgloss.LightDark(dark)
	var (
		fg      = ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
		dim     = ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
		accent  = ld(lipgloss.Color("#0969da"), lipgloss.Color("#58a6ff"))
		green   = ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
		yellow  = ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
		red     = ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149"))
		gray    = ld(lipgloss.Color("#8c959f"), lipgloss.Color("#6e7681"))
		barBg   = ld(lipgloss.Color("#d0d7de"), lipgloss.Color("#30363d"))
		cursBg  = ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
		selFg   = ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))
		statBg  = ld(lipgloss.Color("#eaeef2"), lipgloss.Color("#21262d"))
		toastBg = ld(lipgloss.Color("#dafbe1"), lipgloss.Color("#033a16"))
	)
	fgc := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := styles{
		dark:             dark,
		title:            inkOf(fgc(accent).Bold(true)),
		tab:              inkOf(fgc(dim)),
		tabActive:        inkOf(fgc(accent).Bold(true).Underline(true)),
		header:           inkOf(fgc(dim).Bold(true)),
		dim:              inkOf(fgc(dim)),
		bold:             inkOf(fgc(fg).Bold(true)),
		accent:           inkOf(fgc(accent)),
		cursor:           inkOf(lipgloss.NewStyle().Background(cursBg).Foreground(fg)),
		selected:         inkOf(fgc(selFg).Bold(true)),
		cursorSel:        inkOf(lipgloss.NewStyle().Background(cursBg).Foreground(selFg).Bold(true)),
		paneTitle:        inkOf(fgc(dim).Bold(true)),
		paneTitleFocused: inkOf(fgc(accent).Bold(true)),
		status:           inkOf(lipgloss.NewStyle().Background(statBg).Foreground(fg)),
		statusKey:        inkOf(lipgloss.NewStyle().Background(statBg).Foreground(accent).Bold(true)),
		bell:             inkOf(lipgloss.NewStyle().Background(statBg).Foreground(yellow).Bold(true)),
		ok:               inkOf(fgc(green)),
		warn:             inkOf(fgc(yellow)),
		errMsg:           inkOf(fgc(red).Bold(true)),
		statusErr:        inkOf(lipgloss.NewStyle().Background(statBg).Foreground(red).Bold(true)),
		toast:            inkOf(lipgloss.NewStyle().Background(toastBg).Foreground(fg).Bold(true)),
		presence: map[engine.Presence]ink{
			engine.Available: inkOf(fgc(green)),
			engine.Busy:      inkOf(fgc(yellow)),
			engine.Away:      inkOf(fgc(red)),
			engine.Offline:   inkOf(fgc(gray)),
		},
		barFull:          inkOf(fgc(accent)),
		barEmpty:         inkOf(fgc(barBg)),
		barOver:          inkOf(fgc(red)),
		inputLabel:       inkOf(fgc(dim)),
		inputLabelActive: inkOf(fgc(accent).Bold(true)),
		modal:            lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
	}
	return s
}

// presenceSymbol pairs each presence with a symbol, so that it reads without colour.
func presenceSymbol(p engine.Presence) string {
	switch p {
	case engine.Available:
		return "●"
	case engine.Busy:
		return "◐"
	case engine.Away:
		return "○"
	default:
		return "·"
	}
}
