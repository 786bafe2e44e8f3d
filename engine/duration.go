package engine

import (
	"strconv"
	"strings"
	"time"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
	// maxShareDuration keeps durations sane: a share for longer is one "until revoked".
	maxShareDuration = 10 * 365 * day
)

// ParseDuration reads a share duration as people write it: "90s", "30m", "48h", "7d",
// "2w", or combinations such as "1d12h". It must be positive. Fractions are allowed
// ("1.5h"), as in Go.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(strings.ToLower(s))
	if in == "" {
		return 0, invalidf("duration", "duration is empty: write it like 90s, 30m, 48h, 7d or 2w")
	}
	if len(in) > MaxDurationLen {
		return 0, badDuration(s)
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] == '.' || (rest[i] >= '0' && rest[i] <= '9')) {
			i++
		}
		j := i
		for j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z' {
			j++
		}
		if i == 0 || j == i {
			return 0, badDuration(s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, badDuration(s)
		}
		var unit time.Duration
		switch rest[i:j] {
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = day
		case "w":
			unit = week
		default:
			return 0, badDuration(s)
		}
		if n*float64(unit) > float64(maxShareDuration) {
			return 0, invalidf("duration", "duration %s is longer than 10 years: share until revoked instead", short(s))
		}
		total += time.Duration(n * float64(unit))
		rest = rest[j:]
	}
	if total <= 0 {
		return 0, invalidf("duration", "duration %s must be positive", short(s))
	}
	if total > maxShareDuration {
		return 0, invalidf("duration", "duration %s is longer than 10 years: share until revoked instead", short(s))
	}
	return total, nil
}

func badDuration(s string) error {
	return invalidf("duration", "bad duration %s: write a number and a unit (s, m, h, d, w), like 90s, 30m, 48h, 7d or 2w", short(s))
}

// FormatDuration writes d the way ParseDuration reads it, in its largest units ("2w",
// "1d12h", "90s"). Weeks are used only for a whole number of them: a person who wrote
// "30d" or "90d" reads it back as written, not as "4w2d".
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	var b strings.Builder
	for _, u := range []struct {
		d time.Duration
		s string
	}{{week, "w"}, {day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if u.d == week && d%week != 0 {
			continue
		}
		if n := d / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.s)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
