package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/switchboard/switchboard/engine"
)

// problem is an error answer (RFC 9457, application/problem+json). Field, Line and
// Column are extension members that point at the input at fault.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (p *problem) Error() string { return p.Detail }

func problemf(status int, format string, args ...any) *problem {
	return &problem{Status: status, Detail: fmt.Sprintf(format, args...)}
}

// badRequest is a 400 that names the input field at fault.
func badRequest(field, format string, args ...any) *problem {
	p := problemf(http.StatusBadRequest, format, args...)
	p.Field = field
	return p
}

// toProblem maps any error a handler returns to the answer a client sees. Engine
// refusals keep their message; anything else is an internal error whose details go to
// the log, not to the client (internal reports whether that happened).
func toProblem(err error) (p *problem, internal bool) {
	if errors.As(err, &p) {
		return p, false
	}
	var ee *engine.Error
	if errors.As(err, &ee) && ee.Kind != engine.KindInternal {
		p := &problem{Detail: ee.Msg, Field: ee.Field, Line: ee.Line, Column: ee.Column}
		switch ee.Kind {
		case engine.KindInvalid:
			p.Status = http.StatusBadRequest
		case engine.KindNotFound:
			p.Status = http.StatusNotFound
		case engine.KindForbidden:
			p.Status = http.StatusForbidden
		case engine.KindConflict, engine.KindLimit:
			p.Status = http.StatusConflict
		}
		return p, false
	}
	switch {
	case errors.Is(err, engine.ErrTokenRevoked): // found so in the lead's transaction
		return unknownToken(), false
	case errors.Is(err, engine.ErrClosed):
		return problemf(http.StatusServiceUnavailable, "switchboard is shutting down: try again in a moment"), false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return problemf(http.StatusServiceUnavailable, "the request was cancelled before it finished; nothing was changed"), false
	}
	return problemf(http.StatusInternalServerError, "internal error: the server log has the details"), true
}

func writeProblem(w http.ResponseWriter, p *problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	p.Title = http.StatusText(p.Status)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}
