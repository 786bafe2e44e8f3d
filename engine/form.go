package engine

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine/textguard"
)

// Form is a web form that posts leads to switchboard without a bearer token (R21): the
// page that holds it carries its key. The key is public by design – anyone who opens
// the page can read it – so it is kept as it is (an admin can list it again to build
// the page), found by its first characters and compared in constant time, like a
// token. It can do one thing: create a lead with the form's source.
type Form struct {
	ID     int64
	Name   string // unique among the forms in use; history records submissions as form:NAME
	Source string // the source of every lead the form creates
	Key    string // fk_…, what the page posts to: POST /v1/forms/{key}
	// Prefix is the key's first characters: it finds the form's row, so that the key
	// itself is only ever compared in constant time.
	Prefix string
	// Redirect is where a browser goes after submitting ("" for a short thank-you page).
	Redirect string
	// Origins are the web origins (scheme://host[:port]) whose pages may post to the
	// form from a browser; a browser request from any other origin is refused.
	Origins []string
	// Dropped counts the submissions the honeypot caught: counted, never stored.
	Dropped   int
	CreatedAt time.Time
	CreatedBy string
	DeletedAt time.Time // zero while the form works
}

// Active reports whether the form still takes submissions.
func (f Form) Active() bool { return f.DeletedAt.IsZero() }

// MarshalJSON writes the form in the API's form.
func (f Form) MarshalJSON() ([]byte, error) {
	origins := f.Origins
	if origins == nil {
		origins = []string{}
	}
	return json.Marshal(struct {
		Name      string    `json:"name"`
		Source    string    `json:"source"`
		Key       string    `json:"key"`
		Redirect  *string   `json:"redirect"`
		Origins   []string  `json:"origins"`
		Dropped   int       `json:"spam_dropped"`
		CreatedAt time.Time `json:"created_at"`
		CreatedBy string    `json:"created_by"`
	}{f.Name, f.Source, f.Key, strPtr(f.Redirect), origins, f.Dropped, f.CreatedAt.UTC(), f.CreatedBy})
}

// NewForm is the input of CreateForm.
type NewForm struct {
	Name     string
	Source   string // default "web"
	Redirect string
	Origins  []string
}

// Limits of a form's settings.
const (
	MaxFormOrigins    = 20  // origins of one form
	MaxOriginLen      = 200 // one origin
	formSourceDefault = "web"
	// formKeyScheme starts every form key, so that it is never taken for an API token
	// (sb_…) and people recognise it.
	formKeyScheme    = "fk_"
	formKeyPrefixLen = len(formKeyScheme) + 8
	maxFormKeyLen    = 256
)

// FormFieldCut is how long a form's free field may be: a longer one is cut, not
// refused, because a person typing into a web page cannot see a limit and should not
// lose the whole message over it.
const FormFieldCut = 1000

// HoneypotField is the field a web page hides from people: a bot that fills every
// input fills it too, and its submission is dropped (R21).
const HoneypotField = "_gotcha"

func newFormKey() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return formKeyScheme + base64.RawURLEncoding.EncodeToString(b)
}

// ValidFormName reports whether name can name a form: the shape of a handle, because
// history writes a submission's actor as form:NAME.
func ValidFormName(name string) error {
	if !handlePattern.MatchString(name) {
		return invalidf("name", "form name %q must be 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter", name)
	}
	return nil
}

// normalize trims the input, fills the default source and writes each origin the way
// a browser sends it in an Origin header; Validate checks the result.
func (n *NewForm) normalize() error {
	n.Name = strings.TrimSpace(n.Name)
	n.Source = lower(strings.TrimSpace(n.Source))
	if n.Source == "" {
		n.Source = formSourceDefault
	}
	n.Redirect = strings.TrimSpace(n.Redirect)
	if len(n.Origins) > MaxFormOrigins {
		return invalidf("origins", "a form may have at most %d origins (got %d)", MaxFormOrigins, len(n.Origins))
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range n.Origins {
		norm, err := NormalizeOrigin(o)
		if err != nil {
			return err
		}
		if !seen[norm] {
			seen[norm] = true
			out = append(out, norm)
		}
	}
	n.Origins = out
	return nil
}

func (n *NewForm) validate() error {
	if err := ValidFormName(n.Name); err != nil {
		return err
	}
	if err := checkText("source", n.Source, MaxSourceLen); err != nil {
		return err
	}
	if n.Redirect != "" {
		if err := checkText("redirect", n.Redirect, MaxURLLen); err != nil {
			return err
		}
		u, err := url.Parse(n.Redirect)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidf("redirect", "redirect %s must be an absolute http:// or https:// URL", short(n.Redirect))
		}
	}
	return nil
}

// NormalizeOrigin checks a web origin and writes it as browsers send it in the Origin
// header: scheme and host in lower case, no default port, no path.
// "https://Example.com:443/" becomes "https://example.com".
func NormalizeOrigin(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText("origins", s, MaxOriginLen); err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	bad := func(why string) error {
		return invalidf("origins", "origin %s %s: write it as scheme://host[:port], e.g. https://www.example.com", short(s), why)
	}
	switch {
	case s == "*":
		return "", invalidf("origins", "origin * is not allowed: list the sites whose pages hold the form")
	case err != nil:
		return "", bad("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("must start with http:// or https://")
	case u.Host == "" || u.User != nil:
		return "", bad("must name a host")
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", bad("must not have a path, query or fragment")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// AllowsOrigin reports whether a browser page from origin may post to the form.
func (f Form) AllowsOrigin(origin string) bool {
	norm, err := NormalizeOrigin(origin)
	if err != nil {
		return false
	}
	for _, o := range f.Origins {
		if o == norm {
			return true
		}
	}
	return false
}

// FormValue is one field of a web form submission, in the order it was sent.
type FormValue struct {
	Name, Value string
}

// FormResult says what a submission did.
type FormResult struct {
	Lead Lead // the lead created; its id only when Dropped is false
	// Dropped is set when the honeypot caught the submission: nothing was stored.
	Dropped bool
}

// formLead maps a submission to a lead (R21): name (or first_name + last_name),
// email, phone and company go to the lead, matched case-insensitively; every other
// non-empty field goes to fields, as text cut to FormFieldCut characters; a field sent
// twice (checkboxes) is joined with ", ". Line breaks, which a text area sends as CR LF,
// become spaces, because a lead's texts are one line; any other control character is
// refused. honeypot is set when the honeypot field is filled in.
func formLead(source string, values []FormValue) (in NewLead, honeypot bool, err error) {
	var order []string
	got := map[string]string{}
	for _, v := range values {
		key := strings.TrimSpace(v.Name)
		if err := textguard.Check(key, textguard.Line); err != nil {
			return NewLead{}, false, invalidf("fields", "fields: the name of a field %s: %v", short(key), err)
		}
		if strings.EqualFold(key, HoneypotField) {
			if strings.TrimSpace(v.Value) != "" {
				honeypot = true
			}
			continue
		}
		val, err := formText(key, v.Value)
		if err != nil {
			return NewLead{}, false, err
		}
		if key == "" || val == "" {
			continue
		}
		switch lk := strings.ToLower(key); lk {
		case "name", "first_name", "last_name", "email", "phone", "company":
			key = lk
		}
		if old, ok := got[key]; ok {
			got[key] = old + ", " + val
			continue
		}
		order = append(order, key)
		got[key] = val
	}
	in = NewLead{Source: source, Name: got["name"], Email: got["email"], Phone: got["phone"], Company: got["company"]}
	mapped := map[string]bool{"name": true, "email": true, "phone": true, "company": true}
	if in.Name == "" {
		in.Name = strings.TrimSpace(got["first_name"] + " " + got["last_name"])
		mapped["first_name"], mapped["last_name"] = true, true
	}
	for _, k := range order {
		if mapped[k] {
			continue
		}
		if in.Fields == nil {
			in.Fields = map[string]any{}
		}
		in.Fields[k] = cut(got[k], FormFieldCut)
	}
	return in, honeypot, nil
}

// formText is one submitted value as a lead can hold it: line breaks folded into
// spaces, trimmed, other control characters refused.
func formText(key, v string) (string, error) {
	v = FoldLineBreaks(v)
	if err := textguard.Check(v, textguard.Tabs); err != nil {
		return "", invalidf(fieldName(key), "%s: %v", fieldName(key), err)
	}
	return strings.TrimSpace(v), nil
}

func fieldName(key string) string {
	switch strings.ToLower(key) {
	case "name", "first_name", "last_name", "email", "phone", "company":
		return strings.ToLower(key)
	}
	return "fields." + key
}

// FoldLineBreaks turns every line break (CR LF, CR, LF) into one space: a lead's texts
// are one line each, and a message written on several lines reads the same on one.
func FoldLineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
