package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// queryParams returns the request's query, refusing parameters the endpoint does not
// know: a misspelt filter must not silently list everything.
func queryParams(r *http.Request, known ...string) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("", "the query string is malformed: %v", err)
	}
	var unknown []string
	for k := range v {
		if !contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, badRequest(unknown[0], "unknown query parameter %q: this endpoint takes %s", unknown[0], strings.Join(known, ", "))
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func intParam(v url.Values, name string) (int, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest(name, "%s must be a whole number, not %q", name, s)
	}
	return n, nil
}

func boolParam(v url.Values, name string) (bool, error) {
	s := v.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest(name, "%s must be true or false, not %q", name, s)
	}
	return b, nil
}

// pathID reads a numeric id from the path; what is not a positive number names
// nothing that exists.
func pathID(r *http.Request, what string) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, problemf(http.StatusNotFound, "%s %q does not exist: ids are positive whole numbers", what, s)
	}
	return id, nil
}

// sinceParam reads a point in time as a duration back from now ("24h", "7d") or as an
// RFC 3339 time.
func sinceParam(v url.Values, name string, now time.Time) (time.Time, error) {
	if n := len(v[name]); n > 1 {
		// Which one was meant is a guess: refuse rather than answer for one of them.
		return time.Time{}, badRequest(name, "%s is given %d times: give it once", name, n)
	}
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := engine.ParseDuration(s)
	if err != nil {
		return time.Time{}, badRequest(name, "%s %q is neither a duration (90m, 24h, 7d) nor a time like 2026-01-02T15:04:05Z", name, s)
	}
	return now.Add(-d), nil
}

// withMembers encodes v, a JSON object, with more members after its own, so that an
// answer can add to an engine type's form without restating it.
func withMembers(v any, kv ...any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("withMembers: %T does not encode to an object", v)
	}
	b = b[:len(b)-1]
	for i := 0; i+1 < len(kv); i += 2 {
		key, _ := json.Marshal(kv[i])
		val, err := json.Marshal(kv[i+1])
		if err != nil {
			return nil, err
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(b, key...), ':'), val...)
	}
	return append(b, '}'), nil
}

// list is the form of every list answer: {"items", "next_cursor"}.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, NextCursor: next}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
