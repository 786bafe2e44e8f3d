package engine

import "testing"

func TestSecondsText(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0s"}, {0.0004, "0s"}, {0.001, "1ms"}, {0.25, "250ms"}, {1.8, "1.8s"}, {45, "45s"}, {59.4, "59s"},
		{60, "1m"}, {1608, "26m48s"}, {3600, "1h"}, {11520, "3h12m"}, {86400, "1d"}, {183600, "2d3h"},
	} {
		if got := SecondsText(&c.in); got != c.want {
			t.Errorf("SecondsText(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := SecondsText(nil); got != "-" {
		t.Errorf("SecondsText(nil) = %q", got)
	}
}
