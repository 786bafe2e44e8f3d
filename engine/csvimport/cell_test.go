package csvimport

import (
	"strings"
	"testing"
)

func TestSafeCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"+1+1", "'+1+1"},
		{"+44 20 7946 0000", "'+44 20 7946 0000"},
		{"-5", "'-5"},
		{"-", "-"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"Ada", "Ada"},
		{"", ""},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
	} {
		got := SafeCell(tc.in)
		if got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := readCell(got); back != tc.in {
			t.Errorf("readCell(SafeCell(%q)) = %q", tc.in, back)
		}
	}
}

// TestNeutralisedCellsImportBack: a file of neutralised cells, as switchboard writes
// them for people, imports as the original values.
func TestNeutralisedCellsImportBack(t *testing.T) {
	in := "reject_line,reject_reason,name,phone,note\n" +
		"3,bad,Ada,'+44 20 7946 0000,'=1+1\n"
	r, err := NewReader(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || row.Err != nil {
		t.Fatalf("row: %+v, %v", row, err)
	}
	if row.Lead.Phone != "+44 20 7946 0000" || row.Lead.Fields["note"] != "=1+1" {
		t.Fatalf("lead = %+v", row.Lead)
	}
}

// TestHeaderControlCharacters: a column whose name carries a control character would
// give every lead a field key the engine refuses; the header itself is refused.
func TestHeaderControlCharacters(t *testing.T) {
	for _, h := range []string{"name,\x1b]0;pwned\x07", "name,note\u009b", "name," + strings.Repeat("k", 61)} {
		_, err := NewReader(strings.NewReader(h+"\nAda,x\n"), Options{})
		if err == nil || !strings.Contains(err.Error(), "column 2") {
			t.Errorf("header %q: %v", h, err)
		}
	}
}
