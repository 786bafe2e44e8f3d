package engine_test

import (
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

func TestDurationRoundTrip(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"90s", 90 * time.Second, "1m30s"},
		{"30m", 30 * time.Minute, "30m"},
		{"48h", 48 * time.Hour, "2d"},
		{"36h", 36 * time.Hour, "1d12h"},
		{"7d", 7 * day, "1w"},
		{"2w", 14 * day, "2w"},
		{"30d", 30 * day, "30d"}, // not 4w2d: weeks only when whole
		{"90d", 90 * day, "90d"},
		{"1d12h", 36 * time.Hour, "1d12h"},
		{"1.5h", 90 * time.Minute, "1h30m"},
	} {
		got, err := engine.ParseDuration(tc.in)
		if err != nil {
			t.Fatalf("ParseDuration(%q): %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
		}
		out := engine.FormatDuration(got)
		if out != tc.out {
			t.Errorf("FormatDuration(%v) = %q, want %q", got, out, tc.out)
		}
		if back, err := engine.ParseDuration(out); err != nil || back != got {
			t.Errorf("FormatDuration(%v) = %q reads back as %v, %v", got, out, back, err)
		}
	}
	for _, bad := range []string{"", "0s", "-5m", "5", "m", "5 minutes", "5y", "11000d", "1e9h"} {
		if _, err := engine.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}
