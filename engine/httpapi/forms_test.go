package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/httpapi"
)

// formEnv is the API with a form "site" (source web, origin https://shop.example, a
// redirect) and a rule that gives every lead to alice; the form limiter's clock stands
// still unless a test moves it.
type formEnv struct {
	*env
	key   string
	clock time.Time
}

func newFormEnv(t *testing.T) *formEnv {
	t.Helper()
	fe := &formEnv{clock: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	fe.env = newEnvWith(t, httpapi.Options{Now: func() time.Time { return fe.clock }})
	res := fe.must(http.StatusCreated, "POST", "/v1/forms", map[string]any{
		"name": "site", "source": "web", "redirect": "https://shop.example/thanks", "origins": []string{"https://shop.example"}})
	fe.key = res.str("key")
	if _, err := fe.eng.CreateRule(context.Background(), engine.System(), engine.RuleSpec{Name: "all", Mode: engine.RoundRobin,
		Recipients: []engine.RecipientSpec{{Agent: "alice"}}}); err != nil {
		t.Fatal(err)
	}
	return fe
}

// post sends a submission with the given content type and headers (name: value pairs).
func (fe *formEnv) post(path, contentType string, body io.Reader, headers ...string) response {
	fe.t.Helper()
	req, err := http.NewRequest("POST", fe.srv.URL+path, body)
	if err != nil {
		fe.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return fe.send(req)
}

func (fe *formEnv) send(req *http.Request) response {
	fe.t.Helper()
	client := *fe.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		fe.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			fe.t.Fatalf("answer is not JSON: %v\n%s", err, raw)
		}
	}
	return out
}

func (fe *formEnv) leadOf(res response) engine.Lead {
	fe.t.Helper()
	id, ok := res.body["id"].(float64)
	if !ok {
		fe.t.Fatalf("answer %d %s has no id", res.status, res.raw)
	}
	d, err := fe.eng.Lead(context.Background(), engine.System(), int64(id))
	if err != nil {
		fe.t.Fatal(err)
	}
	return d.Lead
}

func multipartBody(t *testing.T, fields [][2]string, file bool) (string, io.Reader) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if file {
		w, _ := mw.CreateFormFile("cv", "cv.pdf")
		w.Write(bytes.Repeat([]byte("%PDF"), 1000))
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}

func TestFormContentTypes(t *testing.T) {
	fe := newFormEnv(t)
	path := "/v1/forms/" + fe.key
	mpType, mpBody := multipartBody(t, [][2]string{{"name", "Mona Part"}, {"email", "mona@example.com"}, {"city", "Lyon"}}, true)
	for _, tc := range []struct {
		name, ctype string
		body        io.Reader
		want        engine.Lead
	}{
		{"urlencoded", "application/x-www-form-urlencoded",
			strings.NewReader("first_name=Ursula&last_name=Lenc&email=u%40example.com&city=Lyon&topic=a&topic=b&_gotcha="),
			engine.Lead{Name: "Ursula Lenc", Email: "u@example.com", Fields: map[string]any{"city": "Lyon", "topic": "a, b"}}},
		{"multipart with a file, which is dropped", mpType, mpBody,
			engine.Lead{Name: "Mona Part", Email: "mona@example.com", Fields: map[string]any{"city": "Lyon"}}},
		{"json", "application/json; charset=utf-8",
			strings.NewReader(`{"name":"Jay Son","phone":"+1 555 0100","budget":5000,"vip":true,"topics":["a","b"],"note":null}`),
			engine.Lead{Name: "Jay Son", Phone: "+1 555 0100", Fields: map[string]any{"budget": "5000", "vip": "true", "topics": "a, b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := fe.post(path, tc.ctype, tc.body)
			if res.status != http.StatusCreated {
				t.Fatalf("status %d: %s", res.status, res.raw)
			}
			if len(res.body) != 1 {
				t.Errorf("answer %s: want the id and nothing else", res.raw)
			}
			l := fe.leadOf(res)
			if l.Name != tc.want.Name || l.Email != tc.want.Email || l.Phone != tc.want.Phone || l.Source != "web" || l.Owner != "alice" {
				t.Errorf("lead %+v, want %+v from web, routed to alice", l, tc.want)
			}
			if !equalFields(l.Fields, tc.want.Fields) {
				t.Errorf("fields %v, want %v", l.Fields, tc.want.Fields)
			}
		})
	}
	res := fe.post(path, "text/plain", strings.NewReader("name=x"))
	if res.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d, want 415", res.status)
	}
}

func equalFields(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFormHoneypot(t *testing.T) {
	fe := newFormEnv(t)
	before := fe.countLeads()
	res := fe.post("/v1/forms/"+fe.key, "application/x-www-form-urlencoded", strings.NewReader("name=Bot&_gotcha=http%3A%2F%2Fspam"))
	if res.status != http.StatusCreated || res.body["id"] != nil {
		t.Errorf("honeypot: %d %s, want 201 with a null id", res.status, res.raw)
	}
	if n := fe.countLeads(); n != before {
		t.Errorf("%d leads stored by the honeypot", n-before)
	}
	list := fe.must(http.StatusOK, "GET", "/v1/forms", nil)
	items := list.body["items"].([]any)
	if got := items[0].(map[string]any)["spam_dropped"]; got != 1.0 {
		t.Errorf("spam_dropped %v, want 1", got)
	}
}

func TestFormBrowserAnswers(t *testing.T) {
	fe := newFormEnv(t)
	path := "/v1/forms/" + fe.key
	html := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	res := fe.post(path, "application/x-www-form-urlencoded", strings.NewReader("name=Bea"), "Accept", html, "Origin", "https://shop.example")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "https://shop.example/thanks" {
		t.Errorf("browser: %d Location %q, want 303 to the redirect", res.status, res.header.Get("Location"))
	}
	if bytes.Contains(res.raw, []byte("Bea")) {
		t.Errorf("the answer holds the lead's data: %s", res.raw)
	}
	res = fe.post(path, "application/x-www-form-urlencoded", strings.NewReader("name=Cy"), "Accept", "*/*", "Origin", "https://shop.example")
	if res.status != http.StatusCreated || res.header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("script: %d ACAO %q, want 201 readable by the origin", res.status, res.header.Get("Access-Control-Allow-Origin"))
	}
	// A browser's refusal is a page it can show, with the reason.
	res = fe.post(path, "application/x-www-form-urlencoded", strings.NewReader("message=hi"), "Accept", html)
	if res.status != http.StatusBadRequest || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(res.raw, []byte("at least one of name, email or phone")) {
		t.Errorf("browser refusal: %d %s %s", res.status, res.header.Get("Content-Type"), res.raw)
	}
	// Without a redirect, a browser gets a thank-you page.
	plain := fe.must(http.StatusCreated, "POST", "/v1/forms", map[string]any{"name": "plain"})
	res = fe.post("/v1/forms/"+plain.str("key"), "application/x-www-form-urlencoded", strings.NewReader("name=Dee"), "Accept", html)
	if res.status != http.StatusCreated || !bytes.Contains(res.raw, []byte("Thank you")) {
		t.Errorf("no redirect: %d %s", res.status, res.raw)
	}
}

func TestFormCORS(t *testing.T) {
	fe := newFormEnv(t)
	path := "/v1/forms/" + fe.key
	preflight := func(origin string) response {
		req, _ := http.NewRequest("OPTIONS", fe.srv.URL+path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		return fe.send(req)
	}
	res := preflight("https://shop.example")
	if res.status != http.StatusNoContent || res.header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(res.header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(res.header.Get("Access-Control-Allow-Headers")), "content-type") {
		t.Errorf("preflight from the form's origin: %d %v", res.status, res.header)
	}
	for _, origin := range []string{"https://evil.example", "null", "https://shop.example.evil.example"} {
		res := preflight(origin)
		if res.status != http.StatusForbidden || res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d ACAO %q, want 403 without CORS headers", origin, res.status, res.header.Get("Access-Control-Allow-Origin"))
		}
	}
	before := fe.countLeads()
	res = fe.post(path, "application/json", strings.NewReader(`{"name":"Eve"}`), "Origin", "https://evil.example")
	if res.status != http.StatusForbidden || res.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("post from another origin: %d %s", res.status, res.raw)
	}
	if fe.countLeads() != before {
		t.Error("a refused origin stored a lead")
	}
	// The origin is compared as browsers write it.
	res = fe.post(path, "application/json", strings.NewReader(`{"name":"Sam"}`), "Origin", "https://SHOP.example:443")
	if res.status != http.StatusCreated {
		t.Errorf("post from the form's origin written another way: %d %s", res.status, res.raw)
	}
	// No Origin: not a browser page; accepted.
	res = fe.post(path, "application/json", strings.NewReader(`{"name":"Curl"}`))
	if res.status != http.StatusCreated || res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("post without Origin: %d ACAO %q", res.status, res.header.Get("Access-Control-Allow-Origin"))
	}
}

func TestFormRateLimit(t *testing.T) {
	fe := newFormEnv(t)
	path := "/v1/forms/" + fe.key
	for i := range httpapi.FormBurst {
		if res := fe.post(path, "application/json", strings.NewReader(`{"name":"L"}`)); res.status != http.StatusCreated {
			t.Fatalf("submission %d of the burst: %d %s", i+1, res.status, res.raw)
		}
	}
	res := fe.post(path, "application/json", strings.NewReader(`{"name":"L"}`))
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "6" {
		t.Fatalf("past the burst: %d Retry-After %q %s, want 429 and 6", res.status, res.header.Get("Retry-After"), res.raw)
	}
	before := fe.countLeads()
	// A wrong key counts too: guessing keys costs the same.
	if res := fe.post("/v1/forms/fk_nope", "application/json", strings.NewReader(`{"name":"L"}`)); res.status != http.StatusTooManyRequests {
		t.Errorf("an unknown key past the limit: %d", res.status)
	}
	fe.clock = fe.clock.Add(6 * time.Second)
	if res := fe.post(path, "application/json", strings.NewReader(`{"name":"L"}`)); res.status != http.StatusCreated {
		t.Errorf("6s later: %d", res.status)
	}
	if got := fe.countLeads(); got != before+1 {
		t.Errorf("%d leads after the limit, want %d", got, before+1)
	}
}

// TestFormKeyIsNoToken: a form key is refused as a bearer token, and a token is no
// form key, in both directions and on every route.
func TestFormKeyIsNoToken(t *testing.T) {
	fe := newFormEnv(t)
	for _, path := range []string{"/v1/leads", "/v1/forms"} {
		if res := fe.do("GET", path, fe.key, nil); res.status != http.StatusUnauthorized {
			t.Errorf("GET %s with a form key as the token: %d, want 401", path, res.status)
		}
	}
	if res := fe.do("POST", "/v1/leads", fe.key, map[string]any{"name": "x"}); res.status != http.StatusUnauthorized {
		t.Errorf("POST /v1/leads with a form key: %d, want 401", res.status)
	}
	for _, tok := range []string{fe.intake, fe.admin} {
		res := fe.post("/v1/forms/"+tok, "application/json", strings.NewReader(`{"name":"x"}`))
		if res.status != http.StatusNotFound {
			t.Errorf("a token as a form key: %d, want 404", res.status)
		}
	}
	// A token in the header does not make a submission anything more than a form's.
	res := fe.post("/v1/forms/"+fe.key, "application/json", strings.NewReader(`{"name":"Tok"}`), "Authorization", "Bearer "+fe.admin)
	if res.status != http.StatusCreated || len(res.body) != 1 {
		t.Errorf("a submission with an admin token: %d %s, want 201 with the id only", res.status, res.raw)
	}
	// Forms are managed by admins only.
	if res := fe.do("GET", "/v1/forms", fe.intake, nil); res.status != http.StatusForbidden {
		t.Errorf("an intake token lists forms: %d", res.status)
	}
	if res := fe.do("DELETE", "/v1/forms/site", fe.intake, nil); res.status != http.StatusForbidden {
		t.Errorf("an intake token removes a form: %d", res.status)
	}
	fe.must(http.StatusOK, "DELETE", "/v1/forms/site", nil)
	if res := fe.post("/v1/forms/"+fe.key, "application/json", strings.NewReader(`{"name":"x"}`)); res.status != http.StatusNotFound {
		t.Errorf("a removed form's key: %d, want 404", res.status)
	}
}

func TestFormHostileBodies(t *testing.T) {
	fe := newFormEnv(t)
	path := "/v1/forms/" + fe.key
	before := fe.countLeads()
	big := strings.NewReader("name=a&pad=" + strings.Repeat("x", httpapi.MaxBody))
	mpType, mpBig := multipartBody(t, [][2]string{{"name", "a"}, {"pad", strings.Repeat("x", httpapi.MaxBody)}}, false)
	for _, tc := range []struct {
		name, ctype string
		body        io.Reader
		want        int
		field       string
	}{
		{"ESC in a name", "application/x-www-form-urlencoded", strings.NewReader("name=Ada%1B%5B2J"), 400, "name"},
		{"C1 in a field", "application/json", strings.NewReader(`{"name":"A","city":"Ly\u009bon"}`), 400, "fields.city"},
		{"invalid UTF-8 in JSON", "application/json", strings.NewReader("{\"name\":\"A\xff\"}"), 400, "name"},
		{"invalid UTF-8 urlencoded", "application/x-www-form-urlencoded", strings.NewReader("name=A%FF"), 400, "name"},
		{"a bad escape", "application/x-www-form-urlencoded", strings.NewReader("name=%zz"), 400, ""},
		{"a nested object", "application/json", strings.NewReader(`{"name":"A","x":{"y":1}}`), 400, "x"},
		{"JSON that is a list", "application/json", strings.NewReader(`["a"]`), 400, ""},
		{"urlencoded over 1 MiB", "application/x-www-form-urlencoded", big, 413, ""},
		{"multipart over 1 MiB", mpType, mpBig, 413, ""},
		{"multipart without boundary", "multipart/form-data", strings.NewReader("x"), 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := fe.post(path, tc.ctype, tc.body)
			if res.status != tc.want || res.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want %d problem+json", res.status, res.raw, tc.want)
			}
			if tc.field != "" && res.str("field") != tc.field {
				t.Errorf("field %q, want %q (%s)", res.str("field"), tc.field, res.str("detail"))
			}
		})
	}
	if n := fe.countLeads(); n != before {
		t.Errorf("%d leads stored from refused bodies", n-before)
	}
	// A long free field is cut, not refused.
	long := url.Values{"name": {"Ada"}, "message": {strings.Repeat("m", 5000)}}
	res := fe.post(path, "application/x-www-form-urlencoded", strings.NewReader(long.Encode()))
	if res.status != http.StatusCreated {
		t.Fatalf("a long message: %d %s", res.status, res.raw)
	}
	if got := fe.leadOf(res).Fields["message"].(string); len(got) != engine.FormFieldCut {
		t.Errorf("message kept %d characters, want %d", len(got), engine.FormFieldCut)
	}
}

func TestFormsAPI(t *testing.T) {
	fe := newFormEnv(t)
	res := fe.must(http.StatusOK, "GET", "/v1/forms", nil)
	items := res.body["items"].([]any)
	site := items[0].(map[string]any)
	if site["name"] != "site" || site["key"] != fe.key || site["redirect"] != "https://shop.example/thanks" {
		t.Errorf("listed form %v", site)
	}
	if res := fe.do("POST", "/v1/forms", fe.admin, map[string]any{"name": "x", "origins": []string{"https://a.example/path"}}); res.status != 400 || res.str("field") != "origins" {
		t.Errorf("an origin with a path: %d %s", res.status, res.raw)
	}
	if res := fe.do("POST", "/v1/forms", fe.admin, map[string]any{"name": "site"}); res.status != http.StatusConflict {
		t.Errorf("a second form named site: %d", res.status)
	}
	if res := fe.do("DELETE", "/v1/forms/nope", fe.admin, nil); res.status != http.StatusNotFound {
		t.Errorf("removing an unknown form: %d", res.status)
	}
}
