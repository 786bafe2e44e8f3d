package notify

import (
	"testing"
	"time"
)

func TestBackoffDoublesUpToTheCapWithJitter(t *testing.T) {
	b := Backoff{Min: time.Second, Max: 5 * time.Minute}
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	tests := []struct {
		attempt  int
		low, top time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{9, 128 * time.Second, 256 * time.Second},
		{10, 150 * time.Second, 5 * time.Minute}, // 512s capped at 5m
		{1000, 150 * time.Second, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := b.delay(tt.attempt, lowest); got != tt.low {
			t.Errorf("attempt %d, lowest draw: %v, want %v", tt.attempt, got, tt.low)
		}
		if got := b.delay(tt.attempt, highest); got != tt.top {
			t.Errorf("attempt %d, highest draw: %v, want %v", tt.attempt, got, tt.top)
		}
		for range 100 {
			if got := b.Delay(tt.attempt); got < tt.low || got > tt.top {
				t.Fatalf("attempt %d: %v outside [%v, %v]", tt.attempt, got, tt.low, tt.top)
			}
		}
	}
}
