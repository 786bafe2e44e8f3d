package httpapi

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// FuzzDecodeLead: whatever the body, the decoder never panics, refuses with an error a
// client can read (never an internal one), and never accepts a lead without a name,
// e-mail or phone. `go test -fuzz FuzzDecodeLead ./engine/httpapi` explores further.
func FuzzDecodeLead(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"name":"Ada"}`, `{"name":" "}`, `{"email":"a@b"}`,
		`{"phone":"+1 555"}`, `{"name":"A","tags":["vip","VIP"," "]}`, `{"name":"A","fields":{"b":1e400}}`,
		`{"name":"A","fields":{"x":{"y":1}}}`, `{"name":"A","fields":{"x":null}}`, `{"name":"A"}{"name":"B"}`,
		`{"company":"Acme","source":"web"}`, `{"name":"\u0000"}`, `{"name":"A","nmae":"B"}`, `{"name":42}`,
		`{"external_id":"1","source":"FB","email":"x@y.z","fields":{"budget":5000,"ok":true,"city":"Paris"}}`,
		"{\"name\":\"\xff\"}", `{"name":"A",`, `{"name":"` + strings.Repeat("é", 300) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := DecodeLead(bytes.NewReader(body))
		if err != nil {
			var p *problem
			var ee *engine.Error
			if !errors.As(err, &p) && !errors.As(err, &ee) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if p, internal := toProblem(err); internal || p.Status >= 500 || p.Detail == "" {
				t.Fatalf("error answers %d %q (internal %v)", p.Status, p.Detail, internal)
			}
			return
		}
		if strings.TrimSpace(n.Name) == "" && strings.TrimSpace(n.Email) == "" && strings.TrimSpace(n.Phone) == "" {
			t.Fatalf("accepted a lead without a contact field: %+v from %q", n, body)
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("accepted a lead the engine refuses (%v): %q", err, body)
		}
	})
}
