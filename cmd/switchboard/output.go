package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
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
		w.Write(t.header)
		w.WriteAll(t.rows)
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
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
