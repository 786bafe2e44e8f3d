package postgres

import (
	"strconv"
	"strings"
	"time"
)

// Times are written truncated to the millisecond, in UTC, and read back in UTC; the zero
// time is NULL where a column may be.

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func nullTS(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := ts(t)
	return &v
}

func fromNullTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nullInt(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func intOf(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func strOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
