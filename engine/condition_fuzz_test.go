package engine

import (
	"errors"
	"testing"
	"time"
)

// FuzzCondition: any text a person types as a rule condition either compiles or gets
// an invalid-input error with a position – never a panic, never another kind of error –
// and a condition that compiles can be evaluated against any lead without panicking.
func FuzzCondition(f *testing.F) {
	for _, seed := range []string{
		``, `source == "facebook"`, `"vip" in tags`, `fields.budget > 5000`,
		`hour >= 9 && hour < 17 && weekday != "sunday"`, `company matches "(?i)acme"`,
		`fields.city == "Berlin" || fields.city == "Paris"`, `len(tags) > 2`,
		`source ==`, `hour + 1`, `fields.budget > "x"`, `nosuch == 1`, `((((`, `"\xff"`,
		`all(tags, {# startsWith "a"})`, `fields["a b"] ?? 0 > 1`, `1..3 | sum() > 2`,
	} {
		f.Add(seed)
	}
	leads := []Lead{
		{},
		{Name: "Ada", Source: "facebook", Tags: []string{"vip", "a"}, Fields: map[string]any{"budget": 9000.0, "city": "Berlin", "a b": true}},
		{Email: "x@example.com", Fields: map[string]any{"budget": "lots"}},
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := compileCondition(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != "condition" {
				t.Fatalf("compile %q: want an invalid-condition error, got %T %v", src, err, err)
			}
			return
		}
		for i := range leads {
			c.match(&leads[i], at)
		}
	})
}
