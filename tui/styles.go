package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/switchboard/switchboard/engine"
)

// styles are every style the console draws with, for one background. They are made
// again when the terminal reports its background colour.
type styles struct {
	dark bool

	title, tab, tabActive        lipgloss.Style
	header, dim, bold, accent    lipgloss.Style
	cursor, selected, cursorSel  lipgloss.Style
	paneTitle, paneTitleFocused  lipgloss.Style
	status, statusKey, bell      lipgloss.Style
	ok, warn, errMsg, toast      lipgloss.Style
	presence                     map[engine.Presence]lipgloss.Style
	barFull, barEmpty, barOver   lipgloss.Style
	help                         help.Styles
	inputLabel, inputLabelActive lipgloss.Style
	modal                        lipgloss.Style
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
		title:            fgc(accent).Bold(true),
		tab:              fgc(dim),
		tabActive:        fgc(accent).Bold(true).Underline(true),
		header:           fgc(dim).Bold(true),
		dim:              fgc(dim),
		bold:             fgc(fg).Bold(true),
		accent:           fgc(accent),
		cursor:           lipgloss.NewStyle().Background(cursBg).Foreground(fg),
		selected:         fgc(selFg).Bold(true),
		cursorSel:        lipgloss.NewStyle().Background(cursBg).Foreground(selFg).Bold(true),
		paneTitle:        fgc(dim).Bold(true),
		paneTitleFocused: fgc(accent).Bold(true),
		status:           lipgloss.NewStyle().Background(statBg).Foreground(fg),
		statusKey:        lipgloss.NewStyle().Background(statBg).Foreground(accent).Bold(true),
		bell:             lipgloss.NewStyle().Background(statBg).Foreground(yellow).Bold(true),
		ok:               fgc(green),
		warn:             fgc(yellow),
		errMsg:           fgc(red).Bold(true),
		toast:            lipgloss.NewStyle().Background(toastBg).Foreground(fg).Bold(true),
		presence: map[engine.Presence]lipgloss.Style{
			engine.Available: fgc(green),
			engine.Busy:      fgc(yellow),
			engine.Away:      fgc(red),
			engine.Offline:   fgc(gray),
		},
		barFull:          fgc(accent),
		barEmpty:         fgc(barBg),
		barOver:          fgc(red),
		help:             help.DefaultStyles(dark),
		inputLabel:       fgc(dim),
		inputLabelActive: fgc(accent).Bold(true),
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
