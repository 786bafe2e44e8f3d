package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// MaxBody is the largest request body the API reads (1 MiB); a larger one is
// answered 413 before anything changes.
const MaxBody = 1 << 20

// decodeJSON reads exactly one JSON value from body into v, refusing unknown fields and
// text that is not UTF-8 (encoding/json would turn it into U+FFFD without a word). Its
// errors are problems that say what to fix.
func decodeJSON(body io.Reader, v any) error {
	return decodeBody(body, v, true)
}

// decodeBody is decodeJSON; checkText false leaves the UTF-8 check to the caller (a
// batch checks each of its items on its own).
func decodeBody(body io.Reader, v any, checkText bool) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return decodeError(err, v)
	}
	if checkText {
		if err := checkUTF8(raw); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			// encoding/json names a struct field, not a map key: name fields.KEY.
			if num, ok := strings.CutPrefix(typeErr.Value, "number "); ok {
				if field := locateNumber(raw, typeErr.Field, num); field != "" {
					typeErr.Field = field
				}
			}
		}
		return decodeError(err, v)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return badRequest("", "the body holds more than one JSON value: send one object")
	default:
		return decodeError(err, v)
	}
}

func decodeError(err error, v any) error {
	var (
		prob    *problem
		engErr  *engine.Error
		maxErr  *http.MaxBytesError
		synErr  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &prob), errors.As(err, &engErr): // a field's own decoder said what is wrong
		return err
	case errors.As(err, &maxErr):
		return problemf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes (1 MiB): send less", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return badRequest("", "the body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "malformed JSON: the body ends in the middle of a value")
	case errors.As(err, &synErr):
		return badRequest("", "malformed JSON at byte %d: %s", synErr.Offset, strings.TrimPrefix(synErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("", "the body must be a JSON object, not %s", jsonKind(typeErr.Value))
		}
		if num, ok := strings.CutPrefix(typeErr.Value, "number "); ok && outOfRange(num, typeErr.Type) {
			return badRequest(typeErr.Field, "%s: the number %s is out of range", typeErr.Field, num)
		}
		want := describeType(typeErr.Type)
		if ft := fieldType(v, typeErr.Field); ft != nil && ft.Kind() == reflect.Slice && ft.Elem() == typeErr.Type {
			want = describeType(ft) // an element of a list is wrong: say what the list holds
		}
		return badRequest(typeErr.Field, "%s must be %s, not %s", typeErr.Field, want, jsonKind(typeErr.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest(strings.Trim(name, `"`), "unknown field %s: the fields are %s", name, strings.Join(jsonFields(v), ", "))
	}
	return badRequest("", "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// outOfRange reports whether the JSON number num failed to decode into t because it is
// too large (1e400 for any number, 1e20 for a whole one) rather than of the wrong kind
// (1.5 for a whole one).
func outOfRange(num string, t reflect.Type) bool {
	f, err := strconv.ParseFloat(num, 64)
	if errors.Is(err, strconv.ErrRange) {
		return true
	}
	if err != nil {
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return f == math.Trunc(f)
	}
	return false
}

// jsonKind names the JSON type encoding/json reports in an UnmarshalTypeError.
func jsonKind(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "string", "number", "bool":
		if v == "bool" {
			return "true/false"
		}
		return "a " + v
	}
	if strings.HasPrefix(v, "number ") { // "number 1.5" into an int
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return v
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// jsonFields lists the JSON field names of the struct v points to, for the unknown
// field message.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// fieldType is the Go type of the top-level JSON field name of the struct v points to.
func fieldType(v any, name string) reflect.Type {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return t.Field(i).Type
		}
	}
	return nil
}

// leadIn is the body of POST /v1/leads.
type leadIn struct {
	ExternalID string         `json:"external_id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Company    string         `json:"company"`
	Source     string         `json:"source"`
	Tags       []string       `json:"tags"`
	Fields     map[string]any `json:"fields"`
}

// DecodeLead reads a new lead from a JSON body and checks it as the engine will: it
// never returns a lead without a name, e-mail or phone.
func DecodeLead(body io.Reader) (engine.NewLead, error) {
	var in leadIn
	if err := decodeJSON(body, &in); err != nil {
		return engine.NewLead{}, err
	}
	if err := checkFieldValues(in.Fields, false); err != nil {
		return engine.NewLead{}, err
	}
	n := engine.NewLead{
		ExternalID: in.ExternalID, Name: in.Name, Email: in.Email, Phone: in.Phone,
		Company: in.Company, Source: in.Source, Tags: in.Tags, Fields: in.Fields,
	}
	n.Normalize()
	if err := n.Validate(); err != nil {
		return engine.NewLead{}, err
	}
	return n, nil
}

// checkFieldValues refuses values a lead's fields cannot hold, with a message that
// names the field and the JSON type (the engine checks again, in Go terms). null means
// "remove" where allowNull is set.
func checkFieldValues(fields map[string]any, allowNull bool) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var got string
		switch v := fields[k].(type) {
		case string, bool:
			continue
		case float64:
			if !math.IsInf(v, 0) && !math.IsNaN(v) {
				continue
			}
			got = "an infinite number"
		case nil:
			if allowNull {
				continue
			}
			got = "null (leave the field out instead)"
		case map[string]any:
			got = "an object"
		case []any:
			got = "a list"
		default:
			got = fmt.Sprintf("%T", v)
		}
		return badRequest("fields."+k, "field %q must be a string, a number or true/false, not %s", k, got)
	}
	return nil
}
