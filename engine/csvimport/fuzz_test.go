package csvimport

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzReader: whatever the file, reading never panics, never loops, gives rows in
// line order, and never accepts a lead without a name, e-mail or phone.
// `go test -fuzz FuzzReader ./engine/csvimport` explores further.
func FuzzReader(f *testing.F) {
	for _, seed := range []string{
		"name,email\nAda,ada@example.com\n",
		"email\n\"a@b\nb@c\n",
		"Name,Phone,Budget\r\n,,5\r\nBo,555,x\"y\r\n\"Cy\nCyrus\",1,2\r\n",
		"company\nAcme\n",
		"first_name,last_name,tags\n , ,vip\nA,B,\"a,b\"\n",
		"\ufeffE-mail,id\nx@y,1\nx@y,1\n",
		"name,\"\n\"\"\n",
		"name\n\x00\n\xff\xfe\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			return
		}
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more rows than lines in %q", data)
			}
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if row.Line <= last {
				t.Fatalf("row on line %d after line %d", row.Line, last)
			}
			last = row.Line
			if row.Err != nil {
				continue
			}
			n := row.Lead
			if strings.TrimSpace(n.Name) == "" && strings.TrimSpace(n.Email) == "" && strings.TrimSpace(n.Phone) == "" {
				t.Fatalf("line %d accepted without a contact field: %+v", row.Line, n)
			}
			if err := n.Validate(); err != nil {
				t.Fatalf("line %d accepted but the engine refuses it: %v", row.Line, err)
			}
		}
	})
}
