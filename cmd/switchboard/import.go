package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/csvimport"
	"github.com/switchboard/switchboard/engine/textguard"
)

// importBatch is how many rows one transaction creates and routes: large enough that
// the commit's fsync is paid once per thousand leads, small enough that a batch commits
// in milliseconds and other writers (serve) wait little.
const importBatch = 1000

// rejectsShown is how many rejected rows the import lists on stderr; the rejects file
// has them all.
const rejectsShown = 20

// importGCPercent is the garbage collector's target while an import runs: an import is
// a batch job whose live heap is small (the batch being written and the one being
// read) but that allocates gigabytes on the way, and the collector running four times
// less often gives back about a sixth of its CPU time for some 40 MiB more memory
// (100 000 rows, measured).
const importGCPercent = 400

func (a *app) importCmd() *cobra.Command {
	var (
		source string
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE.csv [--source S] [--dry-run]",
		Short: "Import leads from a CSV file with a header row, routing each one",
		Long: "import reads a CSV file whose first row names the columns. name, email, phone, company,\n" +
			"source, tags and external_id are found by their names (case-insensitive, with the usual\n" +
			"aliases: E-mail, Phone number, First name + Last name, Organisation, ID…); the other columns\n" +
			"become the lead's fields. Every lead is routed like any other, recorded as import:FILE.\n" +
			"A row with the source and external id of an existing lead is skipped. A bad row is\n" +
			"reported with its line number and written to FILE.rejects.csv; the other rows are imported.",
		Example: "  switchboard import leads.csv --source fair2026\n  switchboard import leads.csv --dry-run",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: a.checked(func(cmd *cobra.Command, args []string) error {
			return a.runImport(ctx(cmd), args[0], source, dryRun)
		}),
	}
	cmd.Flags().StringVar(&source, "source", csvimport.DefaultSource, "the source of rows that name none")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check every row and write the rejects file, but import nothing")
	return cmd
}

// importStats is the import's summary (the JSON form of --format json).
type importStats struct {
	File        string  `json:"file"`
	DryRun      bool    `json:"dry_run"`
	Rows        int     `json:"rows"`
	Imported    int     `json:"imported"`
	Assigned    int     `json:"assigned"`
	Queued      int     `json:"queued"`
	Duplicates  int     `json:"duplicates"`
	Rejected    int     `json:"rejected"`
	RejectsFile string  `json:"rejects_file,omitempty"`
	Seconds     float64 `json:"seconds"`
}

type importer struct {
	a       *app
	ctx     context.Context
	eng     *engine.Engine // nil on a dry run
	actor   engine.Actor
	rd      *csvimport.Reader
	rejects *rejectsFile
	stats   importStats
	bar     *progressLine // nil unless stderr is a terminal
	through int           // the last line of the last batch committed
}

// rowBatch is what the reader hands the writer: every row read, in order, and the leads
// of those the reader did not refuse.
type rowBatch struct {
	rows   []csvimport.Row
	leads  []engine.NewLead
	offset int64 // how far into the file the reader was
}

func (a *app) runImport(c context.Context, path, source string, dryRun bool) error {
	defer debug.SetGCPercent(debug.SetGCPercent(importGCPercent))
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the file to import: %w", err)
	}
	defer f.Close()
	rd, err := csvimport.NewReader(f, csvimport.Options{Source: source})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	im := &importer{
		a: a, ctx: c, rd: rd, actor: engine.AsImport(textguard.Strip(filepath.Base(path))), // history shows it to everyone
		rejects: &rejectsFile{path: rejectsPath(path), header: rd.Header()},
		stats:   importStats{File: path, DryRun: dryRun},
	}
	if !dryRun {
		s, err := a.openEngine(false, engine.Options{TailInterval: -1})
		if err != nil {
			return err
		}
		defer s.Close()
		im.eng = s.eng
	}
	if info, err := f.Stat(); err == nil && a.term != nil && isTerminal(a.term) {
		im.bar = newProgressLine(a.term, info.Size())
	}
	start := time.Now()
	err = im.run()
	im.stats.Seconds = time.Since(start).Seconds()
	if im.bar != nil {
		im.bar.clear()
	}
	if cerr := im.rejects.close(); cerr != nil && err == nil {
		err = cerr
	}
	if im.rejects.n > 0 {
		im.stats.RejectsFile = im.rejects.path
	}
	im.printSummary()
	if err != nil {
		return fmt.Errorf("import stopped: %w (the rows up to line %d were handled; the rest were not imported)", err, im.through)
	}
	if im.stats.Rejected > 0 {
		return fmt.Errorf("%d row(s) rejected: fix them in %s and import that file", im.stats.Rejected, im.rejects.path)
	}
	return nil
}

// run reads the file in one goroutine and has the engine create each batch in
// another: the next batch is read and checked while the engine writes one (each takes
// about as long as the other, on separate cores). The writer handles rows in file
// order, so that rejects and the summary come out as if it were done in one go.
func (im *importer) run() error {
	ctx, cancel := context.WithCancel(im.ctx)
	defer cancel()
	batches := make(chan *rowBatch, 1)
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		read <- im.read(ctx, batches)
	}()
	for b := range batches {
		if err := im.write(b); err != nil {
			cancel()
			for range batches { // let the reader stop
			}
			<-read
			return err
		}
	}
	return <-read
}

// read reads the file into batches of importBatch leads.
func (im *importer) read(ctx context.Context, out chan<- *rowBatch) error {
	b := &rowBatch{}
	send := func() bool {
		b.offset = im.rd.Offset()
		select {
		case out <- b:
			b = &rowBatch{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		row, err := im.rd.Next()
		if errors.Is(err, io.EOF) {
			if len(b.rows) > 0 {
				send()
			}
			return nil
		}
		if err != nil {
			return err
		}
		b.rows = append(b.rows, row)
		if row.Err == nil {
			b.leads = append(b.leads, row.Lead)
		}
		if len(b.leads) >= importBatch && !send() {
			return nil
		}
	}
}

// write creates and routes a batch in one transaction, then counts and rejects its
// rows in order.
func (im *importer) write(b *rowBatch) error {
	defer func() {
		if im.bar != nil {
			im.bar.show(b.offset, im.stats.Rows)
		}
	}()
	var created []engine.Created
	switch {
	case len(b.leads) == 0:
	case im.eng == nil: // a dry run: the reader has validated the rows already
		created = make([]engine.Created, len(b.leads))
	default:
		var err error
		if created, err = im.eng.CreateLeads(im.ctx, im.actor, b.leads); err != nil {
			return err
		}
	}
	next := 0
	for _, row := range b.rows {
		im.stats.Rows++
		if row.Err != nil {
			if err := im.reject(row, row.Err); err != nil {
				return err
			}
			continue
		}
		c := created[next]
		next++
		switch {
		case c.Err != nil:
			if err := im.reject(row, c.Err); err != nil {
				return err
			}
		case c.Duplicate:
			im.stats.Duplicates++
		default:
			im.stats.Imported++
			if im.eng == nil {
				continue
			}
			if c.Lead.Owner != "" {
				im.stats.Assigned++
			} else {
				im.stats.Queued++
			}
		}
	}
	if im.eng != nil && len(b.rows) > 0 {
		im.through = b.rows[len(b.rows)-1].Line
	}
	return nil
}

func (im *importer) reject(row csvimport.Row, why error) error {
	im.stats.Rejected++
	if im.stats.Rejected <= rejectsShown {
		if im.bar != nil {
			im.bar.clear()
		}
		fmt.Fprintf(im.a.stderr, "line %d: %v\n", row.Line, why)
	}
	return im.rejects.add(row, why)
}

func (im *importer) printSummary() {
	st := im.stats
	if im.a.format == formatJSON {
		im.a.printJSON(st)
		return
	}
	w := im.a.stdout
	if st.Rejected > rejectsShown {
		fmt.Fprintf(im.a.stderr, "… and %d more rejected rows in %s\n", st.Rejected-rejectsShown, st.RejectsFile)
	}
	rejected := "none rejected"
	if st.Rejected > 0 {
		rejected = fmt.Sprintf("%d rejected (see %s)", st.Rejected, st.RejectsFile)
	}
	if st.DryRun {
		fmt.Fprintf(w, "Dry run of %s: %d rows, %d would be imported, %s. Nothing was imported; rows that repeat a lead already in the database are found only by a real import.\n",
			st.File, st.Rows, st.Imported, rejected)
		return
	}
	rate := ""
	if st.Seconds >= 1 && st.Imported > 0 { // a rate over less than a second is noise
		rate = fmt.Sprintf(", %.0f leads/s", float64(st.Imported)/st.Seconds)
	}
	fmt.Fprintf(w, "Imported %d of %d rows from %s in %.1fs%s: %d assigned, %d queued; %d duplicates skipped; %s.\n",
		st.Imported, st.Rows, st.File, st.Seconds, rate, st.Assigned, st.Queued, st.Duplicates, rejected)
}

// rejectsPath is where the rejected rows of path go: leads.csv → leads.rejects.csv.
func rejectsPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".rejects.csv"
}

// rejectsFile collects rejected rows as CSV: the line number and the reason, then the
// row's cells under the original header. An import ignores the first two columns, so
// the corrected file can be imported as it is. It is created at the first reject; an
// import without rejects removes the one a previous run left.
type rejectsFile struct {
	path   string
	header []string
	f      *os.File
	w      *csv.Writer
	n      int
}

func (r *rejectsFile) add(row csvimport.Row, why error) error {
	if r.f == nil {
		f, err := createPrivate(r.path)
		if err != nil {
			return fmt.Errorf("writing the rejects file: %w", err)
		}
		r.f, r.w = f, csv.NewWriter(f)
		r.write(append([]string{csvimport.RejectLineColumn, csvimport.RejectReasonColumn}, r.header...))
	}
	cells := row.Record
	if cells == nil {
		cells = []string{row.Raw}
	}
	r.n++
	return r.write(append([]string{strconv.Itoa(row.Line), why.Error()}, cells...))
}

// write writes one row for people: a cell that a spreadsheet would run as a formula is
// neutralised (csvimport.SafeCell), and the importer reads it back as it was.
func (r *rejectsFile) write(cells []string) error {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = csvimport.SafeCell(c)
	}
	return r.w.Write(out)
}

// createPrivate creates (or empties) the file at path with mode 0600: a rejects file
// holds the rows' names, e-mails and phones. A file left by an older version with a
// wider mode is tightened.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (r *rejectsFile) close() error {
	if r.f == nil {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the old rejects file: %w", err)
		}
		return nil
	}
	r.w.Flush()
	return errors.Join(r.w.Error(), r.f.Close())
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// progressLine redraws one line on a terminal: a bar of the bytes read and the rows.
type progressLine struct {
	w     io.Writer
	total int64
	bar   progress.Model
}

func newProgressLine(w io.Writer, total int64) *progressLine {
	return &progressLine{w: w, total: total, bar: progress.New(progress.WithWidth(40), progress.WithDefaultBlend())}
}

func (p *progressLine) show(done int64, rows int) {
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(done)/float64(p.total), 1)
	}
	fmt.Fprintf(p.w, "\r%s  %d rows\x1b[K", p.bar.ViewAs(frac), rows)
}

func (p *progressLine) clear() { fmt.Fprint(p.w, "\r\x1b[K") }
