// Package csvimport reads leads from a CSV file with a header row, for the engine to
// create and route in batches. A bad row never stops the import: it comes back as a
// Row with Err set and its line number, and reading goes on with the next line.
package csvimport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// DefaultSource is the source of an imported lead whose row and options name none.
const DefaultSource = "csv"

// Limits that keep one broken quote from swallowing the rest of a file.
const (
	maxLineBytes   = 1 << 20 // a longer physical line is rejected
	maxRecordLines = 100     // a quoted field may span at most this many lines
)

// Options tune a Reader.
type Options struct {
	// Source is given to rows without a source of their own (default "csv").
	Source string
}

// Row is one record of the file: a lead ready for engine.CreateLeads, or the reason it
// was rejected.
type Row struct {
	Line   int            // the line the record starts on; the header is line 1 (or later, after blank lines)
	Lead   engine.NewLead // normalised and validated, when Err is nil
	Err    error          // why the row cannot become a lead
	Record []string       // the cells as read; nil when the line is not valid CSV
	Raw    string         // the line as written, when Record is nil
}

// Reader reads leads from CSV.
type Reader struct {
	in      *bufio.Reader
	source  string
	header  []string
	cols    []column
	line    int        // physical lines read
	offset  int64      // bytes read
	pending []physLine // lines read ahead and given back
	done    bool       // the input is at its end
	err     error      // the input's read error, once hit
	// text and textBuf are what each record's text is parsed from: csv.NewReader
	// takes a *bufio.Reader as it is, so that a record costs no 4 KiB buffer of its own
	// (that buffer was a fifth of an import's allocations). Reset drops what a record
	// left unread.
	text    strings.Reader
	textBuf *bufio.Reader
}

type physLine struct {
	n       int
	text    string
	tooLong bool
}

// NewReader reads the header row and maps its columns (case-insensitively, with the
// usual aliases: "E-mail", "Phone number", "Full name", "First name"+"Last name",
// "Organisation", …); other columns become the lead's fields. It fails when the header
// cannot be read or gives leads no name, email or phone column.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.Source == "" {
		opts.Source = DefaultSource
	}
	cr := &Reader{in: bufio.NewReaderSize(r, 64<<10), source: opts.Source}
	for {
		first, ok := cr.next()
		if !ok {
			if cr.err != nil {
				return nil, fmt.Errorf("reading the header: %w", cr.err)
			}
			return nil, errors.New("the file is empty: the first line must be a header naming the columns")
		}
		if first.n == 1 {
			first.text = strings.TrimPrefix(first.text, "\ufeff") // a byte order mark
		}
		if first.tooLong {
			return nil, fmt.Errorf("line %d, the header, is longer than %d bytes", first.n, maxLineBytes)
		}
		if strings.TrimSpace(first.text) == "" {
			continue
		}
		rec, err := cr.record(first)
		if err != nil {
			return nil, fmt.Errorf("line %d, the header: %w", first.n, err)
		}
		cols, err := mapHeader(rec)
		if err != nil {
			return nil, err
		}
		cr.header, cr.cols = rec, cols
		return cr, nil
	}
}

// Header is the header row as written.
func (r *Reader) Header() []string { return r.header }

// Columns says what each column gives the lead.
func (r *Reader) Columns() []Column {
	out := make([]Column, len(r.cols))
	for i, c := range r.cols {
		out[i].Header = r.header[i]
		switch c.kind {
		case colIgnore:
		case colField:
			out[i].Target = "fields." + c.key
		default:
			out[i].Target = targetNames[c.kind]
		}
	}
	return out
}

// Offset is how many bytes of the input have been read, for progress.
func (r *Reader) Offset() int64 { return r.offset }

// Next returns the next row, rejected or not. It returns io.EOF after the last one,
// and another error only when the input itself cannot be read.
func (r *Reader) Next() (Row, error) {
	for {
		first, ok := r.next()
		if !ok {
			if r.err != nil {
				return Row{}, r.err
			}
			return Row{}, io.EOF
		}
		if first.tooLong {
			return Row{Line: first.n, Raw: first.text, Err: fmt.Errorf("the line is longer than %d bytes", maxLineBytes)}, nil
		}
		if strings.TrimSpace(first.text) == "" {
			continue
		}
		rec, err := r.record(first)
		if err != nil {
			return Row{Line: first.n, Raw: first.text, Err: err}, nil
		}
		return r.row(first.n, rec), nil
	}
}

// record reads the CSV record that starts on line first, joining the lines a quoted
// field spans. When the record is not valid CSV, only its first line is rejected: the
// lines after it are read again as records of their own.
func (r *Reader) record(first physLine) ([]string, error) {
	lines := []physLine{first}
	text := first.text
	for quoteOpen(text) && len(lines) < maxRecordLines {
		next, ok := r.next()
		if !ok {
			break
		}
		if next.tooLong {
			r.unread([]physLine{next})
			break
		}
		lines = append(lines, next)
		text += "\n" + next.text
	}
	if quoteOpen(text) {
		r.unread(lines[1:])
		return nil, errUnbalanced
	}
	r.text.Reset(text)
	if r.textBuf == nil {
		r.textBuf = bufio.NewReader(&r.text)
	}
	r.textBuf.Reset(&r.text)
	cr := csv.NewReader(r.textBuf)
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		r.unread(lines[1:])
		if len(lines) > 1 {
			return nil, errUnbalanced
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("not valid CSV: %v", pe.Err)
		}
		return nil, fmt.Errorf("not valid CSV: %v", err)
	}
	for i, cell := range rec {
		cell = readCell(cell)
		// A quoted field may span lines; a lead's text holds none, so a line break
		// inside a cell becomes a space.
		if strings.ContainsAny(cell, "\r\n") {
			cell = strings.Join(strings.FieldsFunc(cell, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
		}
		rec[i] = cell
	}
	return rec, nil
}

var errUnbalanced = errors.New("the line's quotes do not balance (a field that holds a quote must itself be quoted, with the quote doubled)")

// quoteOpen reports whether text ends inside a quoted field: in CSV every quote
// character opens, closes or doubles inside a quoted field, so an odd count means open.
func quoteOpen(text string) bool { return strings.Count(text, `"`)%2 == 1 }

func (r *Reader) unread(lines []physLine) {
	if len(lines) > 0 {
		r.pending = append(append([]physLine{}, lines...), r.pending...)
	}
}

// next is the next physical line, without its line ending.
func (r *Reader) next() (physLine, bool) {
	if len(r.pending) > 0 {
		l := r.pending[0]
		r.pending = r.pending[1:]
		return l, true
	}
	if r.done || r.err != nil {
		return physLine{}, false
	}
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.in.ReadSlice('\n')
		r.offset += int64(len(chunk))
		if !tooLong {
			if len(buf)+len(chunk) > maxLineBytes {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			r.done = true
			if len(buf) == 0 && !tooLong {
				return physLine{}, false
			}
		} else if err != nil {
			r.err = err
			return physLine{}, false
		}
		break
	}
	r.line++
	text := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
	return physLine{n: r.line, text: text, tooLong: tooLong}, true
}

// number is how a cell must look to become a number field: no leading zeros or
// plus sign (zip codes and phone-like codes stay text), at most 15 digits (so that
// long ids are not rounded).
var number = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$`)

// FieldValue types a cell for a lead's fields: numbers and true/false become
// themselves, so that conditions such as fields.budget > 5000 work on imported leads;
// anything else stays text.
func FieldValue(s string) any {
	if number.MatchString(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
			return f
		}
	}
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	}
	return s
}

// row turns a record into a lead.
func (r *Reader) row(line int, rec []string) Row {
	row := Row{Line: line, Record: rec}
	if len(rec) != len(r.cols) {
		row.Err = fmt.Errorf("the line has %d fields, the header has %d", len(rec), len(r.cols))
		return row
	}
	var n engine.NewLead
	var first, last string
	for i, c := range r.cols {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		switch c.kind {
		case colName:
			n.Name = v
		case colFirstName:
			first = v
		case colLastName:
			last = v
		case colEmail:
			n.Email = v
		case colPhone:
			n.Phone = v
		case colCompany:
			n.Company = v
		case colSource:
			n.Source = v
		case colTags:
			n.Tags = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
		case colExternalID:
			n.ExternalID = v
		case colField:
			if n.Fields == nil {
				n.Fields = map[string]any{}
			}
			n.Fields[c.key] = FieldValue(v)
		}
	}
	if n.Name == "" {
		n.Name = strings.TrimSpace(first + " " + last)
	}
	if n.Source == "" {
		n.Source = r.source
	}
	n.Normalize()
	if err := n.Validate(); err != nil {
		row.Err = err
		return row
	}
	row.Lead = n
	return row
}
