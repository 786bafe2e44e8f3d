package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// checkUTF8 refuses a body that is not UTF-8, naming the JSON field that holds the bad
// byte and its position in that field's text, as the engine names a control character:
// `name: invalid UTF-8 at position 4: send text as UTF-8`.
func checkUTF8(body []byte) error {
	bad := firstInvalidByte(body)
	if bad < 0 {
		return nil
	}
	field, pos := locateByte(body, bad)
	if field == "" {
		return badRequest("", "the body is not valid UTF-8 (byte %d): send text as UTF-8", bad+1)
	}
	return badRequest(field, "%s: invalid UTF-8 at position %d: send text as UTF-8", field, pos)
}

func firstInvalidByte(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// jsonFrame is an object or array the walk is inside.
type jsonFrame struct {
	path    string // the field's name as errors give it: "fields.city", "tags"
	object  bool
	wantKey bool   // an object expecting a key next
	lastKey string // an object's key whose value comes next
}

// walkJSON calls visit with every token of body, the name of the field it belongs to
// ("name", "fields.city", "tags" for any item of tags; for a key, the object holding
// it), whether it is a key, and the bytes [start, end) it spans, which may begin with
// separators. It stops when visit returns false or at a syntax error.
func walkJSON(body []byte, visit func(field string, key bool, tok json.Token, start, end int) bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	top := func() *jsonFrame {
		if len(stack) == 0 {
			return nil
		}
		return &stack[len(stack)-1]
	}
	valuePath := func() string {
		f := top()
		switch {
		case f == nil:
			return ""
		case f.object && f.path == "":
			return f.lastKey
		case f.object:
			return f.path + "." + f.lastKey
		}
		return f.path // an array's items are named by the array
	}
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return
		}
		end := int(dec.InputOffset())
		f := top()
		isKey := f != nil && f.object && f.wantKey
		field := valuePath()
		if isKey {
			field = f.path
		}
		if !visit(field, isKey, tok, start, end) {
			return
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, jsonFrame{path: field, object: t == '{', wantKey: t == '{'})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if isKey {
				f.lastKey, f.wantKey = t, false
				continue
			}
		}
		if f := top(); f != nil && f.object {
			f.wantKey = true
		}
	}
}

// locateByte returns the name of the field whose text holds byte offset bad, and the
// 1-based position of that byte among the text's characters.
func locateByte(body []byte, bad int) (field string, pos int) {
	walkJSON(body, func(f string, _ bool, _ json.Token, start, end int) bool {
		if bad >= start && bad < end {
			field, pos = f, charPosition(body[start:end], bad-start)
			return false
		}
		return true
	})
	return field, pos
}

// locateNumber returns the name of the first field under within that holds the number
// written num: encoding/json names the struct field of a bad number, not its map key.
func locateNumber(body []byte, within, num string) string {
	var field string
	walkJSON(body, func(f string, key bool, tok json.Token, _, _ int) bool {
		if n, ok := tok.(json.Number); ok && !key && n.String() == num && (f == within || strings.HasPrefix(f, within+".")) {
			field = f
			return false
		}
		return true
	})
	return field
}

// charPosition counts the characters of the JSON string token tok (which may begin with
// separators and spaces) before byte offset at, and returns at's 1-based position.
func charPosition(tok []byte, at int) int {
	q := bytes.IndexByte(tok, '"')
	if q < 0 || q >= at {
		return 1
	}
	// The prefix decodes as a string of its own: a bad byte is never inside an escape.
	var s string
	if err := json.Unmarshal(append(append([]byte{}, tok[q:at]...), '"'), &s); err != nil {
		return utf8.RuneCount(tok[q+1 : at])
	}
	return utf8.RuneCountInString(s) + 1
}
