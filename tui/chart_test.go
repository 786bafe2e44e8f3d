package tui

import (
	"reflect"
	"strings"
	"testing"
)

func TestColumns(t *testing.T) {
	for _, c := range []struct {
		values []float64
		width  int
		height int
		want   []string
	}{
		{[]float64{0, 1, 2, 4}, 4, 1, []string{" ▂▄█"}},
		{[]float64{0, 1, 2, 4}, 5, 2, []string{"   █ ", " ▄██ "}}, // 16 levels: 4, 8 and 16 of them
		{[]float64{3, 3}, 2, 1, []string{"██"}},
		{[]float64{0, 0}, 3, 1, []string{"   "}},
		{[]float64{100, 0.1}, 2, 1, []string{"█▁"}}, // a value above zero always shows
	} {
		if got := columns(c.values, c.width, c.height); !reflect.DeepEqual(got, c.want) {
			t.Errorf("columns(%v, %d, %d) = %q, want %q", c.values, c.width, c.height, got, c.want)
		}
	}
}

func TestResample(t *testing.T) {
	for _, c := range []struct {
		counts []int
		width  int
		want   []float64
	}{
		{[]int{1, 2, 3, 4}, 4, []float64{1, 2, 3, 4}},
		{[]int{1, 2}, 4, []float64{1, 1, 2, 2}},                      // each step takes two columns
		{[]int{1, 2, 3}, 4, []float64{1, 1, 2, 3}},                   // the width is filled
		{[]int{1, 3, 5, 7, 0, 2}, 3, []float64{2, 6, 1}},             // two steps a column, their mean
		{[]int{4, 0, 0, 0, 0, 0, 0, 2}, 3, []float64{2, 0, 2.0 / 3}}, // 8 steps in 3 columns: 2, 3, 3
		{nil, 4, nil},
	} {
		if got := resample(c.counts, c.width); !reflect.DeepEqual(got, c.want) {
			t.Errorf("resample(%v, %d) = %v, want %v", c.counts, c.width, got, c.want)
		}
	}
}

func TestHBar(t *testing.T) {
	for _, c := range []struct {
		value, mark, top float64
		width            int
		want             string
		markAt           int
	}{
		{5, -1, 10, 4, "██  ", -1},
		{10, 5, 10, 4, "████", 2},
		{1, 8, 10, 4, "▍   ", 3},
		{0.01, -1, 10, 4, "▏   ", -1}, // a value above zero always shows
		{0, 0, 0, 3, "   ", -1},
		{20, 40, 40, 4, "██  ", 3}, // a mark at the top falls in the last cell
	} {
		bar, at := hbar(c.value, c.mark, c.top, c.width)
		if got := strings.Join(bar, ""); got != c.want || at != c.markAt || len(bar) != c.width {
			t.Errorf("hbar(%v, %v, %v, %d) = %q, %d; want %q, %d", c.value, c.mark, c.top, c.width, got, at, c.want, c.markAt)
		}
	}
}

func TestRatioBar(t *testing.T) {
	for _, c := range []struct{ a, b, width, wantA, wantB int }{
		{1, 1, 10, 5, 5},
		{99, 1, 10, 9, 1}, // each share above zero gets a cell
		{1, 99, 10, 1, 9},
		{0, 5, 10, 0, 10},
		{0, 0, 10, 0, 0},
	} {
		if a, b := ratioBar(c.a, c.b, c.width); a != c.wantA || b != c.wantB {
			t.Errorf("ratioBar(%d, %d, %d) = %d, %d; want %d, %d", c.a, c.b, c.width, a, b, c.wantA, c.wantB)
		}
	}
}

func TestJoinWrapped(t *testing.T) {
	got := joinWrapped([]string{"one", "two", "three"}, 14)
	want := []string{"  one · two   ", "  three       "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("joinWrapped = %q, want %q", got, want)
	}
}

func TestWrapList(t *testing.T) {
	got := wrapList([]string{"alice 54% (40%)", "bob 44% (20%)", "erin 2% (40%)"}, 32)
	want := []string{"alice 54% (40%), bob 44% (20%),", "erin 2% (40%)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wrapList = %q, want %q", got, want)
	}
}
