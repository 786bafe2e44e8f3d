package tui

import (
	"math"
	"strings"
)

// Charts are drawn with block elements, a cell at a time: eighths of a cell give a bar
// its fine end and a column its fine top, so a chart reads at 80×24 and uses a large
// terminal's cells without a charting library. Every chart is exactly as wide as asked.

// eighthsUp are a cell filled from the bottom by 0–8 eighths; eighthsLeft from the left.
var (
	eighthsUp   = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	eighthsLeft = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"}
)

// columns draws values as vertical bars, one a column, height rows tall, the tallest
// reaching the top: the lines top first. A value above zero shows at least an eighth;
// zero shows nothing. Values beyond width are not drawn; use resample first.
func columns(values []float64, width, height int) []string {
	peak := 0.0
	for _, v := range values {
		peak = math.Max(peak, v)
	}
	rows := make([]strings.Builder, height)
	levels := height * 8
	for c := range width {
		level := 0
		if c < len(values) && values[c] > 0 && peak > 0 {
			level = max(1, int(math.Round(values[c]/peak*float64(levels))))
		}
		for r := range height {
			fill := min(8, max(0, level-(height-1-r)*8))
			rows[r].WriteString(eighthsUp[fill])
		}
	}
	out := make([]string, height)
	for r := range rows {
		out[r] = rows[r].String()
	}
	return out
}

// resample spreads counts per step over exactly width columns: each column is the mean
// of the steps it covers – a step may span several columns when there are fewer steps
// than columns, several steps share a column when there are more – so the chart runs
// from the window's start at the left edge to its end at the right.
func resample(counts []int, width int) []float64 {
	n := len(counts)
	if n == 0 || width <= 0 {
		return nil
	}
	cols := make([]float64, width)
	for c := range cols {
		from := c * n / width
		to := max(from+1, (c+1)*n/width)
		sum := 0
		for _, v := range counts[from:to] {
			sum += v
		}
		cols[c] = float64(sum) / float64(to-from)
	}
	return cols
}

// hbar draws value of a scale from 0 to top as a bar width cells long, with a mark at
// the cell where mark falls (mark < 0: none); the rest of the width is blank. It
// returns the bar and the mark's cell (-1 when none), so that the caller can colour
// them.
func hbar(value, mark, top float64, width int) (bar []string, markAt int) {
	bar = make([]string, width)
	for i := range bar {
		bar[i] = " "
	}
	if width <= 0 || top <= 0 {
		return bar, -1
	}
	eighths := int(math.Round(value / top * float64(width*8)))
	if value > 0 {
		eighths = max(1, eighths)
	}
	eighths = min(eighths, width*8)
	for i := 0; i < eighths/8; i++ {
		bar[i] = "█"
	}
	if r := eighths % 8; r > 0 {
		bar[eighths/8] = eighthsLeft[r]
	}
	markAt = -1
	if mark >= 0 {
		markAt = min(width-1, int(mark/top*float64(width)))
	}
	return bar, markAt
}

// ratioBar splits width cells between a and b in proportion: a's cells, then b's.
// Each share above zero gets at least one cell.
func ratioBar(a, b, width int) (aCells, bCells int) {
	if a+b == 0 || width <= 0 {
		return 0, 0
	}
	aCells = int(math.Round(float64(a) / float64(a+b) * float64(width)))
	if a > 0 && aCells == 0 {
		aCells = 1
	}
	if b > 0 && aCells == width {
		aCells = width - 1
	}
	return aCells, width - aCells
}
