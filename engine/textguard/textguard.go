// Package textguard keeps control characters out of switchboard's text: Check refuses
// them where text comes in, Strip removes them where text is drawn.
//
// Text that reaches a terminal can drive it: ESC (U+001B) and the C1 controls
// (U+0080–U+009F, among them CSI U+009B and OSC U+009D, which terminals that honour
// UTF-8 C1 controls execute) clear screens, set window titles, move the cursor, and on
// some terminals do worse. Every text a person or a program gives switchboard is
// therefore checked by Check at the door, and every text the console and the CLI draw
// goes through Strip, whatever the database holds (it may have been written by an older
// version, or by hand).
//
// The characters refused and stripped are:
//   - C0: U+0000–U+001F, except tab where a field allows it (Check with Tabs), and
//     line feeds in the one text written on several lines, a rule condition (Lines);
//   - DEL: U+007F;
//   - C1: U+0080–U+009F;
//   - bytes that are not UTF-8.
package textguard

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Allow says which control characters a text may hold.
type Allow int

const (
	// Line refuses every control character: names, reasons, keys, one-line texts.
	Line Allow = iota
	// Tabs lets tabs through: free text such as a lead's field values.
	Tabs
	// Lines lets tabs and line feeds through: a rule condition, a command's output.
	Lines
)

// allows reports whether a lets the ASCII control character c through.
func (a Allow) allows(c byte) bool {
	switch c {
	case '\t':
		return a == Tabs || a == Lines
	case '\n':
		return a == Lines
	}
	return false
}

// Problem is the first character Check refused: what it is and where.
type Problem struct {
	// Pos is the 1-based position of the character among the text's characters (an
	// invalid byte counts as one character).
	Pos int
	// Rune is the control character; utf8.RuneError when the bytes are not UTF-8.
	Rune rune
	// Invalid reports bytes that are not UTF-8.
	Invalid bool
}

func (p *Problem) Error() string {
	if p.Invalid {
		return fmt.Sprintf("invalid UTF-8 at position %d: send text as UTF-8", p.Pos)
	}
	return fmt.Sprintf("control character U+%04X at position %d is not allowed", p.Rune, p.Pos)
}

// IsControl reports whether r is a character Check refuses: C0 (tab included), DEL or
// C1.
func IsControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// Check returns a *Problem naming the first control character or invalid byte in s,
// or nil when s is clean.
func Check(s string, allow Allow) error {
	pos := 0
	for i := 0; i < len(s); {
		pos++
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !allow.allows(c)) || c == 0x7f {
				return &Problem{Pos: pos, Rune: rune(c)}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return &Problem{Pos: pos, Rune: utf8.RuneError, Invalid: true}
		}
		if r <= 0x9f {
			return &Problem{Pos: pos, Rune: r}
		}
		i += size
	}
	return nil
}

// Strip makes s safe to draw on a terminal, on one line. Tab, line feed and carriage
// return become a space (so that words stay apart and a line stays one line); every
// other control character is removed; each byte that is not UTF-8 becomes '?'. The
// result is never longer than s, holds no character IsControl reports, and is valid
// UTF-8. A clean s is returned as it is, without allocating.
func Strip(s string) string { return StripAllowing(s, Line) }

// StripAllowing is Strip for text that keeps the control characters allow lets
// through: with Lines, tabs and line feeds stay (a command's output of many lines).
func StripAllowing(s string, allow Allow) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && !allow.allows(c)) || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	// Non-ASCII text may still be clean: look before allocating.
	if Check(s, allow) == nil {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c < 0x20 && allow.allows(c):
				b = append(b, c)
			case c == '\t' || c == '\n' || c == '\r':
				b = append(b, ' ')
			case c >= 0x20 && c != 0x7f:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '?')
		case r > 0x9f:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// EscapeJSON writes DEL and the C1 controls in the JSON text b as \u escapes: the data
// stays exactly the same for a program, and a terminal that shows the JSON (curl, a
// CLI's --format json) runs none of them. encoding/json escapes the C0 controls already
// but leaves these raw. Outside its strings JSON is ASCII, so every such character is
// inside a string, where the escape means the same character. b is returned as it is
// when it holds none.
func EscapeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && r <= 0x9f }) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && r <= 0x9f {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
