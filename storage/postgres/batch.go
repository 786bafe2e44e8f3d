package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier runs statements: a read snapshot's pgx.Tx, or a write transaction's batcher.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// batcher sends a write transaction's statements. Every statement is a round trip to
// the server, and the writer holds the one write lock of every node while it waits, so
// the statements whose only answer is success or failure (inserts of rows whose ids are
// known, updates, savepoints) are held back and sent together with the next statement
// that needs an answer – a query, an insert that returns an id, the release of a
// savepoint, the commit – in one round trip. A held-back statement that fails makes that
// next statement fail: at the latest the savepoint's release, so a command's failed
// write is still that command's (the engine rolls its savepoint back).
type batcher struct {
	ctx     context.Context
	tx      pgx.Tx
	pending []queued
	held    *held // rows held back to be sent as one statement per table (held.go)
}

type queued struct {
	sql  string
	args []any
}

// hold queues a statement whose answer is only success or failure, after the statements
// that write the rows held so far.
func (b *batcher) hold(sql string, args ...any) {
	b.pending = append(b.pending, b.held.statements()...)
	b.pending = append(b.pending, queued{sql: sql, args: args})
}

// send sends what is held back – the rows too, unless rows is false: sql needs them not
// – then sql (when not ""), in one batch, and reads the held-back statements' answers;
// the caller reads sql's and closes the results.
func (b *batcher) send(ctx context.Context, sql string, args []any, rows bool) (pgx.BatchResults, error) {
	if rows {
		b.pending = append(b.pending, b.held.statements()...)
	}
	batch := &pgx.Batch{}
	for _, p := range b.pending {
		batch.Queue(p.sql, p.args...)
	}
	held := len(b.pending)
	b.pending = b.pending[:0]
	if sql != "" {
		batch.Queue(sql, args...)
	}
	br := b.tx.SendBatch(ctx, batch)
	for range held {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

// flush sends what is held back.
func (b *batcher) flush() error {
	b.pending = append(b.pending, b.held.statements()...)
	if len(b.pending) == 0 {
		return nil
	}
	br, err := b.send(b.ctx, "", nil, true)
	if err != nil {
		return err
	}
	return br.Close()
}

func (b *batcher) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return b.exec(ctx, sql, args, true)
}

func (b *batcher) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return b.query(ctx, sql, args, true)
}

func (b *batcher) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return b.queryRow(ctx, sql, args, true)
}

func (b *batcher) exec(ctx context.Context, sql string, args []any, rows bool) (pgconn.CommandTag, error) {
	if len(b.pending) == 0 && (!rows || b.held.empty()) {
		return b.tx.Exec(ctx, sql, args...)
	}
	br, err := b.send(ctx, sql, args, rows)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

func (b *batcher) query(ctx context.Context, sql string, args []any, rows bool) (pgx.Rows, error) {
	if len(b.pending) == 0 && (!rows || b.held.empty()) {
		return b.tx.Query(ctx, sql, args...)
	}
	br, err := b.send(ctx, sql, args, rows)
	if err != nil {
		return nil, err
	}
	r, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: r, br: br}, nil
}

func (b *batcher) queryRow(ctx context.Context, sql string, args []any, rows bool) pgx.Row {
	if len(b.pending) == 0 && (!rows || b.held.empty()) {
		return b.tx.QueryRow(ctx, sql, args...)
	}
	br, err := b.send(ctx, sql, args, rows)
	if err != nil {
		return errRow{err}
	}
	return &batchRow{row: br.QueryRow(), br: br}
}

// unheld runs the statements of a write transaction that need none of its held rows
// (reads of the team, the rules, the settings): what is held stays held.
type unheld struct{ b *batcher }

func (u unheld) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return u.b.exec(ctx, sql, args, false)
}

func (u unheld) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return u.b.query(ctx, sql, args, false)
}

func (u unheld) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return u.b.queryRow(ctx, sql, args, false)
}

// batchRows are a batch's last statement's rows. Reading the last row, or closing
// them, closes the batch, as reading a query to its end frees the connection.
type batchRows struct {
	pgx.Rows
	br       pgx.BatchResults
	closed   bool
	closeErr error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.closeErr = r.br.Close()
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.closeErr
}

// batchRow is a batch's last statement's row; scanning it closes the batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r *batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row that could not be read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
