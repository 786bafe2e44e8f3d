package textguard

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		allow Allow
		want  string // the error, "" for none
	}{
		{"plain", "Ada Lovelace", Line, ""},
		{"empty", "", Line, ""},
		{"accents and emoji", "Zoë Ångström 🚀 — “quoted”", Line, ""},
		{"replacement character written as UTF-8", "a\uFFFDb", Line, ""},
		{"U+00A0 is not a control", "a\u00a0b", Line, ""},
		{"tab refused", "a\tb", Line, "control character U+0009 at position 2 is not allowed"},
		{"tab allowed", "a\tb", Tabs, ""},
		{"newline refused even with tabs", "a\nb", Tabs, "control character U+000A at position 2 is not allowed"},
		{"lines allow tab and LF", "a\tb\nc", Lines, ""},
		{"lines refuse CR", "a\r\nc", Lines, "control character U+000D at position 2 is not allowed"},
		{"lines still refuse ESC", "a\n\x1b", Lines, "control character U+001B at position 3 is not allowed"},
		{"NUL", "\x00", Line, "control character U+0000 at position 1 is not allowed"},
		{"ESC", "ab\x1b[2J", Line, "control character U+001B at position 3 is not allowed"},
		{"DEL", "abc\x7f", Line, "control character U+007F at position 4 is not allowed"},
		{"C1 CSI counts characters, not bytes", "né\u009b2J", Line, "control character U+009B at position 3 is not allowed"},
		{"C1 OSC", "\u009d0;pwned\u009c", Line, "control character U+009D at position 1 is not allowed"},
		{"last C1", "x\u009f", Line, "control character U+009F at position 2 is not allowed"},
		{"invalid byte", "ab\xffc", Line, "invalid UTF-8 at position 3: send text as UTF-8"},
		{"truncated sequence", "é\xc3", Line, "invalid UTF-8 at position 2: send text as UTF-8"},
		{"surrogate half", "\xed\xa0\x80", Line, "invalid UTF-8 at position 1: send text as UTF-8"},
		{"C1 as a lone Latin-1 byte is invalid UTF-8", "\x9b", Line, "invalid UTF-8 at position 1: send text as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.in, tc.allow)
			got := ""
			if err != nil {
				got = err.Error()
				var p *Problem
				if !errors.As(err, &p) {
					t.Fatalf("error %T is not a *Problem", err)
				}
			}
			if got != tc.want {
				t.Fatalf("Check(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStrip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ada Lovelace", "Ada Lovelace"},
		{"", ""},
		{"Zoë 🚀", "Zoë 🚀"},
		{"a\tb\nc\rd", "a b c d"},
		{"\x1b]0;pwned\x07title", "]0;pwnedtitle"},
		{"\u009b2J\u009d0;pwned\u009c", "2J0;pwned"},
		{"\x00\x01\x7f", ""},
		{"bad\xff\xfebytes", "bad??bytes"},
		{"é\xc3", "é?"},
	} {
		if got := Strip(tc.in); got != tc.want {
			t.Errorf("Strip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStripAllowingLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\tb\nc", "a\tb\nc"},
		{"row\r\n\x1b[2Jnext\u009b", "row \n[2Jnext"},
	} {
		if got := StripAllowing(tc.in, Lines); got != tc.want {
			t.Errorf("StripAllowing(%q, Lines) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"name":"Ada"}`, `{"name":"Ada"}`},
		{"{\"name\":\"Eve\u009b2J\u007f\"}", `{"name":"Eve\u009b2J\u007f"}`},
		{"{\"name\":\"Zoë \u0085\"}", `{"name":"Zoë \u0085"}`},
	} {
		got := string(EscapeJSON([]byte(tc.in)))
		if got != tc.want {
			t.Errorf("EscapeJSON(%q) = %q, want %q", tc.in, got, tc.want)
		}
		var a, b any
		if json.Unmarshal([]byte(tc.in), &a) != nil || json.Unmarshal([]byte(got), &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("EscapeJSON(%q) changed the data: %v, %v", tc.in, a, b)
		}
	}
}

func TestStripCleanDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"Ada Lovelace <ada@example.com>", "Zoë Ångström — 🚀"} {
		if n := testing.AllocsPerRun(100, func() { Strip(s) }); n != 0 {
			t.Errorf("Strip(%q) allocates %.0f times; a clean text should cost nothing", s, n)
		}
	}
}

// FuzzStrip: whatever the input, what Strip returns is valid UTF-8 without a single
// control character, passes Check, is never longer than the input, and leaves clean
// text alone.
func FuzzStrip(f *testing.F) {
	for _, seed := range []string{
		"", "plain", "a\tb\nc", "\x1b[2J\x1b]0;x\x07", "\u009b2J", "\u009d0;pwned\u009c",
		"\xff\xfe", "é\xc3", "\xed\xa0\x80", "\x7f\x00", "🚀\u0085", strings.Repeat("\x1b", 64),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Strip(s)
		if len(out) > len(s) {
			t.Fatalf("Strip(%q) = %q grew from %d to %d bytes", s, out, len(s), len(out))
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Strip(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if IsControl(r) {
				t.Fatalf("Strip(%q) = %q holds control character U+%04X", s, out, r)
			}
		}
		if err := Check(out, Line); err != nil {
			t.Fatalf("Check(Strip(%q)) = %v", s, err)
		}
		if Check(s, Line) == nil && out != s {
			t.Fatalf("Strip changed clean text %q into %q", s, out)
		}
		lines := StripAllowing(s, Lines)
		if len(lines) > len(s) || Check(lines, Lines) != nil {
			t.Fatalf("StripAllowing(%q, Lines) = %q: grew, or holds a control character", s, lines)
		}
	})
}
