package engine

import (
	"errors"
	"fmt"
)

// Kind classifies an engine error so that every caller (HTTP status, CLI exit code,
// console message) can react to it the same way.
type Kind int

const (
	KindInternal  Kind = iota
	KindInvalid        // the input is wrong; the message says how to fix it
	KindNotFound       // the thing named does not exist
	KindForbidden      // the actor's role or access does not allow it
	KindConflict       // the change clashes with the current state (duplicate handle…)
	KindLimit          // a limit would be exceeded (the 2000 active shares…)
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not found"
	case KindForbidden:
		return "forbidden"
	case KindConflict:
		return "conflict"
	case KindLimit:
		return "limit"
	default:
		return "internal"
	}
}

// Error is the error every engine command returns for a refusal. Msg is written for a
// person: it says what was wrong and, where it can, what to do instead.
type Error struct {
	Kind Kind
	Msg  string
	// Field names the input field at fault, when there is one.
	Field string
	// Position locates an error inside a rule condition (1-based; zero when unknown).
	Line, Column int
}

func (e *Error) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrNotFound) and friends match on the kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is; they match any *Error of the same kind.
var (
	ErrInvalid   = &Error{Kind: KindInvalid}
	ErrNotFound  = &Error{Kind: KindNotFound}
	ErrForbidden = &Error{Kind: KindForbidden}
	ErrConflict  = &Error{Kind: KindConflict}
	ErrLimit     = &Error{Kind: KindLimit}
)

func invalidf(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Msg: fmt.Sprintf(format, args...)}
}

// notFoundIn is notFoundf for a thing named by an input field ("agent", "key", "token"),
// so that each face can add its own way to find the right name: the CLI points at its
// list commands, the console at its panes. The message itself names no command.
func notFoundIn(field, format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func forbiddenf(format string, args ...any) *Error {
	return &Error{Kind: KindForbidden, Msg: fmt.Sprintf(format, args...)}
}

func conflictf(format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Msg: fmt.Sprintf(format, args...)}
}

// KindOf reports the kind of err; errors that are not engine errors are internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
