// Package sqlite is the SQLite implementation of engine.Store: embedded, versioned
// migrations; WAL; one writer connection that takes the write lock at BEGIN
// (BEGIN IMMEDIATE); a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/engine"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLite is an engine.Store on one SQLite database file.
type SQLite struct {
	path   string
	opts   Options
	writer *sql.DB // one connection: SQLite has one writer anyway
	reader *sql.DB // query_only connections for snapshots

	writeStmts, readStmts *stmtCache

	// The writer connection and its data_version at the last Begin: SQLite changes the
	// number when another connection has committed (Unchanged).
	lastConn    any
	lastVersion int64
}

var _ engine.Store = (*SQLite)(nil)

// Options tune Open.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: FULL (the default) makes every
	// commit durable on disk before it returns; NORMAL may lose the last commits on a
	// power cut (never on a process crash) and is faster.
	Synchronous string
	// ReadConns caps the read pool (default 8).
	ReadConns int
}

// writerCacheKiB is the writer connection's page cache: what an import of 100 000
// leads keeps coming back to (the right edges of the append-only indexes, the pages of
// leads_external and leads_email_key) fits, and more measured no faster. Readers keep
// SQLite's default, since there are many of them.
const writerCacheKiB = 16 << 10

// Open opens (creating if needed) the database at path and brings its schema up to
// date.
func Open(path string, opts Options) (*SQLite, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 8
	}
	switch strings.ToUpper(opts.Synchronous) {
	case "FULL", "NORMAL", "EXTRA", "OFF":
	default:
		return nil, fmt.Errorf("sqlite: unknown synchronous mode %q", opts.Synchronous)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: creating %s: %w", dir, err)
		}
	}
	if err := privateFiles(path); err != nil {
		return nil, err
	}
	// temp_store(MEMORY) keeps each command's savepoint journal off the disk: every
	// command in a group commit runs in a savepoint.
	common := []string{"busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)"}
	// The writer keeps writerCacheKiB of pages (SQLite's default is 2 MiB): a batch
	// inserts into a dozen indexes, some at places all over them (external ids,
	// e-mails), and with the default cache it reads most of those pages back from the
	// file for every batch. It changes nothing of when a commit is durable.
	writer, err := sql.Open("sqlite", dsn(path, append(common, "journal_mode(WAL)", "synchronous("+opts.Synchronous+")",
		fmt.Sprintf("cache_size(-%d)", writerCacheKiB)), "immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	s := &SQLite{path: path, opts: opts, writer: writer}
	if err := s.migrate(context.Background()); err != nil {
		writer.Close()
		return nil, err
	}
	reader, err := sql.Open("sqlite", dsn(path, append(common, "query_only(1)"), ""))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: opening %s for reading: %w", path, err)
	}
	reader.SetMaxOpenConns(opts.ReadConns)
	reader.SetMaxIdleConns(opts.ReadConns)
	s.reader = reader
	s.writeStmts, s.readStmts = newStmtCache(writer), newStmtCache(reader)
	return s, nil
}

// privateFiles makes the database readable and writable by its owner only (0600): it
// holds people's names, e-mails and phones, and webhook secrets. The file is created
// here, before SQLite opens it, because SQLite gives the -wal and -shm files it creates
// the mode of the database file; a database an older version left readable by others
// is tightened, with its -wal and -shm.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("sqlite: %s is readable by other users and cannot be made private (%w): chmod 600 it", p, err)
			}
		}
	}
	return nil
}

func dsn(path string, pragmas []string, txlock string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes what SQLite's URI file names give a meaning to, so that a path with
// '?' or '#' in it opens that file and not a shorter one.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// Reopen opens the same database file again, as another process would.
func (s *SQLite) Reopen() (engine.Store, error) { return Open(s.path, s.opts) }

// Close closes both pools. The WAL is checkpointed by SQLite as the last connection
// closes.
func (s *SQLite) Close() error {
	var errs []error
	if s.writeStmts != nil {
		s.writeStmts.close()
		s.readStmts.close()
	}
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}

// Version is the schema version (the number of the last migration applied).
func (s *SQLite) Version(ctx context.Context) (int, error) {
	var v int
	err := s.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies the embedded migrations newer than PRAGMA user_version, each in its
// own immediate transaction, so that two processes starting together agree.
func (s *SQLite) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: listing migrations: %w", err)
	}
	sort.Strings(names)
	known := 0
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("sqlite: migration %s is not named NNNN_name.sql", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("sqlite: reading %s: %w", base, err)
		}
		if err := s.apply(ctx, version, base, string(body)); err != nil {
			return err
		}
		known = version
	}
	// A database a newer switchboard has migrated has tables and constraints this one
	// does not know about: writing to it could break the newer version's invariants.
	current, err := s.Version(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: reading schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("sqlite: %s is at schema version %d, newer than this switchboard knows (%d): use a newer switchboard", s.path, current, known)
	}
	return nil
}

func (s *SQLite) apply(ctx context.Context, version int, name, body string) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", name, err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("sqlite: reading schema version: %w", err)
	}
	if current >= version {
		return nil
	}
	if current != version-1 {
		return fmt.Errorf("sqlite: database is at schema version %d; migration %s expects %d", current, name, version-1)
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", name, err)
	}
	if fill := afterMigration[migrationName(name)]; fill != nil {
		if err := fill(ctx, tx); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", name, err)
	}
	return nil
}

// afterMigration is Go that runs after the migration of that name (its file name
// without number and extension), in its transaction: what SQL cannot compute as the
// engine does.
var afterMigration = map[string]func(ctx context.Context, tx *sql.Tx) error{
	"returning": fillMatchKeys,
}

func migrationName(file string) string {
	_, name, _ := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	return name
}

// fillMatchKeys gives the leads stored before e-mail and phone were indexed for
// returning leads their keys, a page of ids at a time.
func fillMatchKeys(ctx context.Context, tx *sql.Tx) error {
	var after int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, email, phone FROM leads WHERE id > ? ORDER BY id LIMIT 5000`, after)
		if err != nil {
			return err
		}
		type keys struct {
			id           int64
			email, phone string
		}
		var page []keys
		for rows.Next() {
			var k keys
			if err := rows.Scan(&k.id, &k.email, &k.phone); err != nil {
				rows.Close()
				return err
			}
			page = append(page, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, k := range page {
			if _, err := tx.ExecContext(ctx, `UPDATE leads SET email_key = ?, phone_key = ? WHERE id = ?`,
				engine.EmailKey(k.email), engine.PhoneKey(k.phone), k.id); err != nil {
				return err
			}
		}
		after = page[len(page)-1].id
	}
}

// Begin starts the write transaction (BEGIN IMMEDIATE on the writer connection).
//
// It also tells whether anything committed since the previous one: PRAGMA
// data_version changes on a connection when another connection commits, and only
// then. It is only comparable on one connection, so a new writer connection (the
// database/sql pool replaced a broken one) counts as a change.
func (s *SQLite) Begin(ctx context.Context) (engine.WriteTx, error) {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	var driverConn any
	if err := conn.Raw(func(dc any) error { driverConn = dc; return nil }); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	w := &writeTx{tx: tx, conn: conn, stmts: s.writeStmts, held: newHeld(), leadsRead: map[int64]leadRead{}}
	w.q = q{ctx: ctx, db: &cachedTx{tx: tx, cache: s.writeStmts, w: w}, w: w}
	var version int64
	if err := w.db.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		w.Rollback()
		return nil, fmt.Errorf("sqlite: begin: reading the data version: %w", err)
	}
	w.unchanged = s.lastConn == driverConn && s.lastVersion == version
	s.lastConn, s.lastVersion = driverConn, version
	return w, nil
}

// Read runs fn on a read-only snapshot from the read pool.
func (s *SQLite) Read(ctx context.Context, fn func(engine.Reader) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer func() {
		tx.Rollback()
		s.readStmts.prepareMissed(ctx)
	}()
	return fn(&q{ctx: ctx, db: &cachedTx{tx: tx, cache: s.readStmts}})
}

// Snapshot runs fn on one read transaction of the database's tables as they are, for
// what copies them whole (switchboard migrate); everything else reads through Read.
func (s *SQLite) Snapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// writeTx is an open write transaction.
type writeTx struct {
	q
	tx        *sql.Tx
	conn      *sql.Conn
	stmts     *stmtCache
	unchanged bool
	held      *held // held.go
	// leadsRead is what the transaction knows of each lead it read or wrote, as the
	// database has it (UpdateLead); a rollback to a savepoint forgets it all.
	leadsRead map[int64]leadRead
	// inSavepoint: Savepoint was called and not yet released; opened: the SQL savepoint
	// is open (before the command's first write).
	inSavepoint, opened bool
	mark                heldMark
}

func (w *writeTx) Unchanged() bool { return w.unchanged }

// Savepoint starts a command: what is held is written first, so that the command's
// rows can be given back alone.
func (w *writeTx) Savepoint() error {
	if err := w.writeHeld(); err != nil {
		return err
	}
	w.inSavepoint, w.opened, w.mark = true, false, w.held.mark()
	return nil
}

// openSavepoint opens the SQL savepoint of the command, if there is one and it is not
// open yet: before its first write.
func (w *writeTx) openSavepoint() error {
	if !w.inSavepoint || w.opened {
		return nil
	}
	if _, err := w.tx.ExecContext(w.ctx, "SAVEPOINT cmd"); err != nil {
		return err
	}
	w.opened = true
	return nil
}

func (w *writeTx) RollbackToSavepoint() error {
	w.held.discard(w.mark)
	clear(w.leadsRead) // what the command wrote is undone: the next update writes every column
	if !w.opened {
		return nil
	}
	_, err := w.tx.ExecContext(w.ctx, "ROLLBACK TO cmd")
	return err
}

// ReleaseSavepoint writes the command's held rows – a failure is the command's, and the
// savepoint can still be rolled back – then releases the savepoint.
func (w *writeTx) ReleaseSavepoint() error {
	if err := w.writeHeld(); err != nil {
		return err
	}
	if w.opened {
		if _, err := w.tx.ExecContext(w.ctx, "RELEASE cmd"); err != nil {
			return err
		}
	}
	w.inSavepoint, w.opened = false, false
	return nil
}

func (w *writeTx) Commit() error {
	if err := w.writeHeld(); err != nil {
		w.end(w.tx.Rollback())
		return err
	}
	return w.end(w.tx.Commit())
}

func (w *writeTx) Rollback() error { return w.end(w.tx.Rollback()) }

// end gives the writer connection back and prepares, now that it is free, what the
// transaction ran unprepared.
func (w *writeTx) end(err error) error {
	w.conn.Close()
	w.stmts.prepareMissed(context.Background())
	return err
}

// before runs before every statement of the transaction but those that write the held
// rows: they are written first, and a statement that writes opens the savepoint.
func (w *writeTx) before(write bool) error {
	if err := w.writeHeld(); err != nil {
		return err
	}
	if write {
		return w.openSavepoint()
	}
	return nil
}

// q runs the queries, on a read snapshot or in the write transaction.
type q struct {
	ctx context.Context
	db  *cachedTx
	w   *writeTx // nil on a read snapshot
}

func (q *q) exec(query string, args ...any) error {
	_, err := q.db.ExecContext(q.ctx, query, args...)
	return err
}

func (q *q) insert(query string, args ...any) (int64, error) {
	res, err := q.db.ExecContext(q.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// unheld runs the queries of tables that are never held (the team, the rules, the
// settings, tokens and forms): they need nothing written first.
func (q *q) unheld() *cachedTx { return q.db.unheld() }

// one turns sql.ErrNoRows into engine.ErrNoRows.
func one(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return engine.ErrNoRows
	}
	return err
}
