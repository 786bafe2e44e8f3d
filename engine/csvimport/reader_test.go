package csvimport

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// readAll reads every row; it fails the test on an input error.
func readAll(t testing.TB, in string, opts Options) []Row {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
}

// summary writes each row as "LINE ok NAME/EMAIL/PHONE" or "LINE rejected: REASON".
func summary(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if r.Err != nil {
			out = append(out, fmt.Sprintf("%d rejected: %v", r.Line, r.Err))
			continue
		}
		out = append(out, fmt.Sprintf("%d ok %s/%s/%s", r.Line, r.Lead.Name, r.Lead.Email, r.Lead.Phone))
	}
	return out
}

func TestRowsGoodAndBad(t *testing.T) {
	in := "\ufeffName,E-mail,Phone Number,Budget\r\n" +
		"Ada,ada@example.com,,9000\r\n" +
		"\r\n" +
		",,,500\r\n" + // no contact field
		"\"Bob \"\"The Builder\"\"\",bob@example.com,,1\r\n" +
		"Carol,\"carol@example.com\r\n" + // unterminated quote: only this line is lost
		"Dan,dan@example.com,+1 555 0100,2\r\n" +
		"Eve,eve@example.com\r\n" + // too few fields
		"Fay,fay@example.com,,3,extra\r\n" + // too many
		"\"Gus\nGuster\",,555,4\n" + // a quoted field over two lines
		"Hal,hal@example.com,,x\"y\n" + // a bare quote
		"Ivy,,,\n" +
		"Jo,\"jo\"@example.com,,\n" // even quotes, still not CSV
	got := summary(readAll(t, in, Options{}))
	want := []string{
		"2 ok Ada/ada@example.com/",
		"4 rejected: a lead needs at least one of name, email or phone",
		`5 ok Bob "The Builder"/bob@example.com/`,
		"6 rejected: " + errUnbalanced.Error(),
		"7 ok Dan/dan@example.com/+1 555 0100",
		"8 rejected: the line has 2 fields, the header has 4",
		"9 rejected: the line has 5 fields, the header has 4",
		"10 ok Gus Guster//555",
		"12 rejected: " + errUnbalanced.Error(),
		"13 ok Ivy//",
		`14 rejected: not valid CSV: extraneous or missing " in quoted-field`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestUnterminatedQuoteAtTheEndLosesOneLine(t *testing.T) {
	in := "email\n\"a@example.com\nb@example.com\nc@example.com\n"
	got := summary(readAll(t, in, Options{}))
	want := []string{
		"2 rejected: " + errUnbalanced.Error(),
		"3 ok /b@example.com/",
		"4 ok /c@example.com/",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestColumnsAndValues(t *testing.T) {
	in := "First Name,Last Name,Organisation,Lead Source,Labels,ID,Budget,Zip,VIP,Notes,reject_line,reject_reason\n" +
		"Ada,Lovelace,Analytical Ltd,Facebook,\"vip, hot;VIP\",fb-1,5000.50,02134,TRUE,call me,7,old reason\n" +
		"Bob,,,,,,,,,,,\n"
	r, err := NewReader(strings.NewReader(in), Options{Source: "fair"})
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, c := range r.Columns() {
		targets = append(targets, c.Target)
	}
	wantTargets := "first name,last name,company,source,tags,external_id,fields.budget,fields.zip,fields.vip,fields.notes,,"
	if got := strings.Join(targets, ","); got != wantTargets {
		t.Errorf("columns %s\nwant    %s", got, wantTargets)
	}
	rows := readAll(t, in, Options{Source: "fair"})
	ada, bob := rows[0].Lead, rows[1].Lead
	if rows[0].Err != nil || rows[1].Err != nil {
		t.Fatalf("errors: %v, %v", rows[0].Err, rows[1].Err)
	}
	if ada.Name != "Ada Lovelace" || ada.Company != "Analytical Ltd" || ada.Source != "facebook" || ada.ExternalID != "fb-1" {
		t.Errorf("ada: %+v", ada)
	}
	if !reflect.DeepEqual(ada.Tags, []string{"vip", "hot"}) {
		t.Errorf("tags %q", ada.Tags)
	}
	wantFields := map[string]any{"budget": 5000.5, "zip": "02134", "vip": true, "notes": "call me"}
	if !reflect.DeepEqual(ada.Fields, wantFields) {
		t.Errorf("fields %v, want %v", ada.Fields, wantFields)
	}
	if bob.Name != "Bob" || bob.Source != "fair" || bob.Fields != nil {
		t.Errorf("bob: %+v", bob)
	}
}

func TestBadHeaders(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "the file is empty"},
		{"\n\n", "the file is empty"},
		{"company,budget\nAcme,5\n", "no name, email or phone column"},
		{"email,E-Mail\n", `columns 1 ("email") and 2 ("E-Mail") both give the lead's email`},
		{"name,\"city\n", "quotes do not balance"},
		{"name" + strings.Repeat(",x", 51) + "\n", "both give the lead's x"},
		{"name" + manyColumns(51) + "\n", "51 columns that would become fields; a lead holds at most 50"},
	} {
		_, err := NewReader(strings.NewReader(c.in), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("header %q: err = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestVeryLongLineIsRejectedAlone(t *testing.T) {
	in := "name,notes\nAda,short\nBob," + strings.Repeat("x", maxLineBytes+10) + "\nCy,short\n"
	got := summary(readAll(t, in, Options{}))
	want := []string{"2 ok Ada//", "3 rejected: the line is longer than 1048576 bytes", "4 ok Cy//"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

func manyColumns(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ",f%d", i)
	}
	return b.String()
}
