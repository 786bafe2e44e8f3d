package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine/csvimport"
	"github.com/switchboard/switchboard/engine/textguard"
)

// Output formats of --format: a table for people, JSON or CSV for scripts.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatCSV   = "csv"
)

// table is rows for people (and for --format csv).
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// checked wraps a command's RunE so that a bad --format is refused before the command
// changes anything.
func (a *app) checked(run func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		switch a.format {
		case formatTable, formatJSON, formatCSV:
			return run(cmd, args)
		}
		return usagef("unknown --format %q: use table, json or csv", a.format)
	}
}

// emit prints v as JSON, or t as an aligned table or CSV.
func (a *app) emit(v any, t table) error {
	switch a.format {
	case formatJSON:
		return a.printJSON(v)
	case formatCSV:
		w := csv.NewWriter(a.stdout)
		writeSafeCSV(w, t.header)
		for _, r := range t.rows {
			writeSafeCSV(w, r)
		}
		w.Flush()
		return w.Error()
	}
	if len(t.rows) == 0 {
		fmt.Fprintln(a.stdout, "(none)")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		for i := range r {
			r[i] = oneLine(r[i])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// done reports a change: the changed thing as JSON for scripts, a sentence for people.
func (a *app) done(v any, format string, args ...any) error {
	if a.format == formatJSON {
		return a.printJSON(v)
	}
	fmt.Fprintf(a.stdout, format+"\n", args...)
	return nil
}

func (a *app) printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(append(textguard.EscapeJSON(b), '\n'))
	return err
}

// writeSafeCSV writes one row of CSV for people (--format csv): a cell a spreadsheet
// would run as a formula is neutralised as csvimport.SafeCell does, and an import reads
// it back as it was.
func writeSafeCSV(w *csv.Writer, cells []string) {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = csvimport.SafeCell(c)
	}
	w.Write(out)
}

// The CLI prints what the database holds, and a database may hold text written before
// the engine refused control characters, or written by hand: printed raw, an ESC or C1
// control in a lead's name would drive the operator's terminal. So every command writes
// through textWriter, which strips control characters but tabs and line feeds; JSON
// escapes the ones encoding/json leaves raw (DEL, C1) instead, so that scripts still get
// the data exactly.

// textWriter strips control characters from what passes through it
// (textguard.StripAllowing with Lines). A UTF-8 sequence cut between two writes is held
// back until the next one, so that it is not mistaken for a bad byte.
type textWriter struct {
	w       io.Writer
	partial []byte
}

func newTextWriter(w io.Writer) *textWriter { return &textWriter{w: w} }

func (t *textWriter) Write(p []byte) (int, error) {
	buf := append(t.partial, p...)
	keep := incompleteRune(buf)
	t.partial = append([]byte(nil), buf[len(buf)-keep:]...)
	out := textguard.StripAllowing(string(buf[:len(buf)-keep]), textguard.Lines)
	if _, err := io.WriteString(t.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteRune is how many bytes at the end of b start a UTF-8 sequence that is not
// complete yet.
func incompleteRune(b []byte) int {
	for n := 1; n <= min(utf8.UTFMax-1, len(b)); n++ {
		c := b[len(b)-n]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
}

// when writes a time for people, in local time; "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func limitText(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func idText(id int64) string {
	if id == 0 {
		return "-"
	}
	return "#" + strconv.FormatInt(id, 10)
}

// usageArgs makes a wrong number of arguments a usage error (exit 2), as a bad flag is.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())}
		}
		return nil
	}
}

// showHelp is the RunE of a command that only groups others: alone it prints its help;
// with an argument that names no subcommand it is a usage error.
func showHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }
