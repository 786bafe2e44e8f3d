package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestSettingKinds checks how each kind of setting reads what people write, with a
// registry of one setting of each kind (the real one may not have them all yet).
func TestSettingKinds(t *testing.T) {
	defs := []SettingDef{
		{Key: "wait", Kind: DurationSetting},
		{Key: "window", Kind: DurationSetting, Default: "90d"},
		{Key: "words", Kind: ListSetting, DefaultList: []string{"quote"}, MaxItems: 3, MaxLen: 10},
		{Key: "to", Kind: ListSetting, Check: func(v string) error {
			if !strings.Contains(v, "@") {
				return errors.New("not an e-mail address")
			}
			return nil
		}},
	}
	e := &Engine{}
	cases := []struct {
		key    string
		change SettingChange
		want   string // stored; "!" followed by a part of the error
	}{
		{"wait", SettingChange{Text: "15m"}, "15m"},
		{"wait", SettingChange{Text: " 90S "}, "1m30s"},
		{"wait", SettingChange{Text: "1d12h"}, "1d12h"},
		{"wait", SettingChange{Text: ""}, ""},
		{"wait", SettingChange{Text: "soon"}, "!wait: bad duration"},
		{"wait", SettingChange{Text: "-5m"}, "!wait: bad duration"},
		{"wait", SettingChange{Text: "0s"}, "!must be positive"},
		{"wait", SettingChange{Text: "11y"}, "!bad duration"},
		{"wait", SettingChange{Text: "1\n5m"}, "!control character"},
		{"wait", SettingChange{Text: strings.Repeat("1", 50) + "m"}, "!longer than 40"},
		{"wait", SettingChange{List: []string{"5m"}}, "!one value, not a list"},
		{"words", SettingChange{Text: "quote, Pricing ,, demo"}, `["quote","Pricing","demo"]`},
		{"words", SettingChange{List: []string{" free   trial ", "free trial"}}, `["free trial"]`},
		{"words", SettingChange{List: []string{}}, `[]`},
		{"words", SettingChange{Text: "a,b,c,d"}, "!at most 3 items"},
		{"words", SettingChange{Text: "much too long a phrase"}, "!longer than 10"},
		{"words", SettingChange{List: []string{"ok\u0085"}}, "!control character"},
		{"to", SettingChange{Text: "sales@example.com\nleads@example.com"}, `["sales@example.com","leads@example.com"]`},
		{"to", SettingChange{Text: "sales"}, `!to: "sales": not an e-mail address`},
	}
	for _, c := range cases {
		i := slices.IndexFunc(defs, func(d SettingDef) bool { return d.Key == c.key })
		c.change.Key = c.key
		got, err := e.checkSetting(&defs[i], c.change)
		if want, ok := strings.CutPrefix(c.want, "!"); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %+v: %q, %v; want an error with %q", c.key, c.change, got, err, want)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %+v: %q, %v; want %q", c.key, c.change, got, err, c.want)
		}
	}

	display := []struct {
		s    Setting
		want string
	}{
		{Setting{SettingDef: defs[0]}, "off (default)"},
		{Setting{SettingDef: defs[1], Value: "90d"}, "90d (default)"},
		{Setting{SettingDef: defs[1], IsSet: true}, "off"},
		{Setting{SettingDef: defs[2], List: []string{"quote", "demo"}, IsSet: true}, "quote, demo"},
		{Setting{SettingDef: defs[2], List: []string{}, IsSet: true}, "none"},
		{Setting{SettingDef: SettingDef{Kind: SecretSetting}, Value: "s3cret", IsSet: true}, "(set)"},
	}
	for _, d := range display {
		if got := d.s.Display(); got != d.want {
			t.Errorf("Display of %+v = %q, want %q", d.s, got, d.want)
		}
	}
}
