package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/ratelimit"
)

// Web forms (R21): an admin manages them with a bearer token like everything else; a
// page posts to POST /v1/forms/{key} with no token at all. The key can do one thing –
// create a lead with its form's source – and an API token is never a form key, nor a
// form key a token: they are told apart by their scheme (fk_, sb_) and each is looked
// up only where it belongs.

// Form submissions per client address: 10 a minute, bursts of 20.
const (
	FormRate  = 10
	FormBurst = 20
	// maxFormParts bounds the parts of a multipart body, files included.
	maxFormParts = 1000
)

// formIn is the body of POST /v1/forms.
type formIn struct {
	Name     string   `json:"name"`
	Source   string   `json:"source"`
	Redirect string   `json:"redirect"`
	Origins  []string `json:"origins"`
}

// listForms is GET /v1/forms.
func (a *API) listForms(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	forms, err := a.eng.Forms(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(forms, ""))
}

// createForm is POST /v1/forms: 201 with the form and its key.
func (a *API) createForm(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in formIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	f, err := a.eng.CreateForm(r.Context(), actor, engine.NewForm{Name: in.Name, Source: in.Source, Redirect: in.Redirect, Origins: in.Origins})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/forms/"+f.Name)
	return writeJSON(w, http.StatusCreated, f)
}

// deleteForm is DELETE /v1/forms/{name}: the key stops working at once.
func (a *API) deleteForm(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	f, err := a.eng.DeleteForm(r.Context(), actor, r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

// submitForm is POST /v1/forms/{key}, a web form's submission. It needs no token: the
// key in the path names the form. In order: the client's address must have a token
// left (else 429 with Retry-After); the key must name a form in use (404); a browser's
// Origin must be one of the form's (403; a request without Origin does not come from a
// browser page and is accepted); the body must be urlencoded, multipart or JSON (415).
// A browser (Accept: text/html) is sent to the form's redirect with 303; anyone else
// gets 201 with the new lead's id and nothing else.
func (a *API) submitForm(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		if ok, wait := a.forms.Allow(ratelimit.Key(r.RemoteAddr), a.now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return problemf(http.StatusTooManyRequests, "too many submissions from your address: at most %d a minute (bursts of %d); try again in %s",
				FormRate, FormBurst, wait.Round(time.Second))
		}
		f, err := a.formOf(r)
		if err != nil {
			return err
		}
		if rl, _ := r.Context().Value(logKey{}).(*requestLog); rl != nil {
			rl.actor = engine.AsForm(f.Name).Name
		}
		if err := allowOrigin(w, r, f); err != nil {
			return err
		}
		values, err := formValues(r)
		if err != nil {
			return err
		}
		res, err := a.eng.SubmitForm(r.Context(), r.PathValue("key"), values)
		if err != nil {
			return err
		}
		var id *int64
		if !res.Dropped {
			id = &res.Lead.ID
		}
		if wantsHTML(r) {
			if f.Redirect != "" {
				w.Header().Set("Location", f.Redirect)
				w.WriteHeader(http.StatusSeeOther)
				return nil
			}
			writeHTML(w, http.StatusCreated, "Thank you", "Your message has been received.")
			return nil
		}
		return writeJSON(w, http.StatusCreated, map[string]*int64{"id": id})
	}()
	if err != nil {
		a.formProblem(w, r, err)
	}
}

// preflightForm is OPTIONS /v1/forms/{key}: a browser asks whether a page of its
// origin may post JSON to the form.
func (a *API) preflightForm(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		f, err := a.formOf(r)
		if err != nil {
			return err
		}
		if r.Header.Get("Origin") == "" {
			return problemf(http.StatusForbidden, "a preflight request names its Origin: this one names none")
		}
		if err := allowOrigin(w, r, f); err != nil {
			return err
		}
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Accept")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}()
	if err != nil {
		a.formProblem(w, r, err)
	}
}

// formOf is the form the path's key names.
func (a *API) formOf(r *http.Request) (engine.Form, error) {
	f, ok, err := a.eng.FormByKey(r.Context(), r.PathValue("key"))
	if err != nil {
		return engine.Form{}, err
	}
	if !ok {
		return engine.Form{}, problemf(http.StatusNotFound, "no form has this key: check the key in the page's form action (an admin lists them with `switchboard form list`)")
	}
	return f, nil
}

// allowOrigin lets a browser page of one of the form's origins read the answer, and
// refuses a page of any other origin. A request without Origin is not from a browser
// page (or from one the browser did not think needed it): it is accepted as it is.
func allowOrigin(w http.ResponseWriter, r *http.Request, f engine.Form) error {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if !f.AllowsOrigin(origin) {
		return problemf(http.StatusForbidden, "pages from %s may not post to form %s: it takes browser submissions from %s",
			quoteShort(origin), f.Name, originList(f.Origins))
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return nil
}

func originList(origins []string) string {
	if len(origins) == 0 {
		return "no site's pages (only from servers and scripts, which send no Origin)"
	}
	return strings.Join(origins, ", ")
}

func quoteShort(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return strconv.QuoteToASCII(s)
}

// formProblem answers a refused submission: problem+json, or a short page for a
// browser.
func (a *API) formProblem(w http.ResponseWriter, r *http.Request, err error) {
	p, internal := toProblem(err)
	if internal {
		if rl, _ := r.Context().Value(logKey{}).(*requestLog); rl != nil {
			rl.err = err
		}
	}
	if !wantsHTML(r) {
		writeProblem(w, p)
		return
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeHTML(w, p.Status, http.StatusText(p.Status), p.Detail)
}

// wantsHTML reports whether the client is a browser that follows a form's redirect.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "text/html")
}

// writeHTML writes a minimal page: a heading and one paragraph, escaped.
func writeHTML(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<h1>%s</h1>\n<p>%s</p>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

// formValues reads a submission's fields, in the order sent, from any of the three
// encodings a page may use. The body is already bounded to MaxBody (413 past it).
func formValues(r *http.Request) ([]engine.FormValue, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && ct != "" {
		return nil, problemf(http.StatusUnsupportedMediaType, "the Content-Type %s cannot be read: send application/x-www-form-urlencoded, multipart/form-data or application/json", quoteShort(ct))
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		return urlencodedValues(r.Body)
	case "multipart/form-data":
		return multipartValues(r.Body, params["boundary"])
	case "application/json":
		return jsonValues(r.Body)
	}
	return nil, problemf(http.StatusUnsupportedMediaType, "a form takes application/x-www-form-urlencoded, multipart/form-data or application/json, not %s", quoteShort(ct))
}

func readBody(body io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(body)
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, problemf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes (1 MiB): send less", maxErr.Limit)
	}
	if err != nil {
		return nil, badRequest("", "reading the body: %v", err)
	}
	return raw, nil
}

func urlencodedValues(body io.Reader) ([]engine.FormValue, error) {
	raw, err := readBody(body)
	if err != nil {
		return nil, err
	}
	var out []engine.FormValue
	for _, pair := range strings.Split(string(raw), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err := errors.Join(err1, err2); err != nil {
			return nil, badRequest("", "the urlencoded body is malformed near %s: %v", quoteShort(pair), err)
		}
		out = append(out, engine.FormValue{Name: key, Value: val})
	}
	return out, nil
}

func multipartValues(body io.Reader, boundary string) ([]engine.FormValue, error) {
	if boundary == "" {
		return nil, badRequest("", "a multipart/form-data body needs a boundary in its Content-Type")
	}
	mr := multipart.NewReader(body, boundary)
	var out []engine.FormValue
	for n := 0; ; n++ {
		if n == maxFormParts {
			return nil, badRequest("", "a form may send at most %d parts", maxFormParts)
		}
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, multipartError(err)
		}
		// Files are not leads: their bytes are read past and dropped.
		if p.FileName() != "" || p.FormName() == "" {
			if _, err := io.Copy(io.Discard, p); err != nil {
				return nil, multipartError(err)
			}
			continue
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, multipartError(err)
		}
		out = append(out, engine.FormValue{Name: p.FormName(), Value: string(v)})
	}
}

func multipartError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return problemf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes (1 MiB): send less (files are not taken)", maxErr.Limit)
	}
	return badRequest("", "the multipart body is malformed: %v", err)
}

// jsonValues reads a JSON object of scalars (or lists of scalars, joined like a
// checkbox group); numbers and booleans become their text.
func jsonValues(body io.Reader) ([]engine.FormValue, error) {
	raw, err := readBody(body)
	if err != nil {
		return nil, err
	}
	if err := checkUTF8(raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, decodeError(err, &obj)
	}
	if obj == nil {
		return nil, badRequest("", "the body must be a JSON object, not null")
	}
	if dec.More() {
		return nil, badRequest("", "the body holds more than one JSON value: send one object")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []engine.FormValue
	for _, k := range keys {
		items, ok := obj[k].([]any)
		if !ok {
			items = []any{obj[k]}
		}
		for _, item := range items {
			var s string
			switch v := item.(type) {
			case nil:
				continue
			case string:
				s = v
			case json.Number:
				s = v.String()
			case bool:
				s = strconv.FormatBool(v)
			default:
				return nil, badRequest(k, "field %q must be text, a number, true/false or a list of them, not an object or a list of lists", k)
			}
			out = append(out, engine.FormValue{Name: k, Value: s})
		}
	}
	return out, nil
}
