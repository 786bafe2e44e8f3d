// Package postgres is the PostgreSQL implementation of engine.Store, for several
// `serve` nodes on one database: pgx with a connection pool, embedded versioned
// migrations, and one journal row that every write transaction locks first.
//
// The journal row is the one writer lock across nodes. A write transaction begins with
// SELECT … FOR UPDATE on it (at READ COMMITTED, so that once it holds the lock it sees
// everything the writers before it committed), hands out history ids from it – and the
// ids of new leads, shares, notifications and outbox rows, so that the rows can be held
// back and sent together (held.go) – and writes the new heads back before it commits. Ids therefore follow commit order with no
// gap: a node that tails history by id never skips an event that commits later. The
// commit also sends NOTIFY with the new head, which other nodes hear through
// WatchCommits; the engine's tail of history is the fallback, so a lost notification
// costs latency, never an event.
//
// Reads run at REPEATABLE READ, READ ONLY: one snapshot per read. pgx prepares each
// distinct statement once per connection and keeps it (its statement cache), as the
// SQLite store's statement cache does.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard/switchboard/engine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// channel is where commits announce their head event id.
const channel = "switchboard_events"

// migrationLock is the advisory lock that makes nodes starting together apply the
// migrations once ("sb-migr" in ASCII).
const migrationLock = 0x73622d6d696772

// Options tune Open.
type Options struct {
	// MaxConns caps the pool (default 9: the writer and eight readers), unless the URL
	// sets pool_max_conns.
	MaxConns int32
	// Logger receives what WatchCommits cannot tell its caller (default slog.Default()).
	Logger *slog.Logger
}

// Postgres is an engine.Store on a PostgreSQL database.
type Postgres struct {
	dsn  string
	opts Options
	pool *pgxpool.Pool
	log  *slog.Logger
	// wrote is the journal's generation after this value's last commit (0: none yet).
	wrote atomic.Int64
}

var (
	_ engine.Store      = (*Postgres)(nil)
	_ engine.CommitFeed = (*Postgres)(nil)
)

// Open connects to the database at url (postgres://…) and brings its schema up to date.
// The database must exist.
func Open(ctx context.Context, url string, opts Options) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 9
		if opts.MaxConns > 0 {
			cfg.MaxConns = opts.MaxConns
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "3D000" { // invalid_catalog_name
			return nil, fmt.Errorf("postgres: database %q does not exist: create it first (createdb %s, or CREATE DATABASE %s): %w",
				cfg.ConnConfig.Database, cfg.ConnConfig.Database, cfg.ConnConfig.Database, err)
		}
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	p := &Postgres{dsn: url, opts: opts, pool: pool, log: opts.Logger}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

// Reopen connects to the same database again, as another node would.
func (p *Postgres) Reopen() (engine.Store, error) { return Open(context.Background(), p.dsn, p.opts) }

// Close closes the pool.
func (p *Postgres) Close() error {
	p.pool.Close()
	return nil
}

// Version is the schema version (the number of the last migration applied).
func (p *Postgres) Version(ctx context.Context) (int, error) {
	var v int
	err := p.pool.QueryRow(ctx, `SELECT version FROM switchboard_schema`).Scan(&v)
	return v, err
}

// migrate applies the embedded migrations newer than the database's schema version, all
// in one transaction under an advisory lock, so that nodes starting together agree.
func (p *Postgres) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: listing migrations: %w", err)
	}
	sort.Strings(names)
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS switchboard_schema (version integer NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	current := 0
	switch err := tx.QueryRow(ctx, `SELECT version FROM switchboard_schema`).Scan(&current); {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `INSERT INTO switchboard_schema (version) VALUES (0)`); err != nil {
			return fmt.Errorf("postgres: migrating: %w", err)
		}
	case err != nil:
		return fmt.Errorf("postgres: reading schema version: %w", err)
	}
	known := 0
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("postgres: migration %s is not named NNNN_name.sql", base)
		}
		known = version
		if version <= current {
			continue
		}
		if version != current+1 {
			return fmt.Errorf("postgres: database is at schema version %d; migration %s expects %d", current, base, version-1)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("postgres: reading %s: %w", base, err)
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", base, err)
		}
		if fill := afterMigration[migrationName(base)]; fill != nil {
			if err := fill(ctx, tx); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", base, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE switchboard_schema SET version = $1`, version); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", base, err)
		}
		current = version
	}
	// A database a newer switchboard has migrated has tables and constraints this one
	// does not know about: writing to it could break the newer version's invariants.
	if current > known {
		return fmt.Errorf("postgres: the database is at schema version %d, newer than this switchboard knows (%d): use a newer switchboard", current, known)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	return nil
}

// afterMigration is Go that runs after the migration of that name (its file name
// without number and extension), in the migrations' transaction: what SQL cannot
// compute as the engine does.
var afterMigration = map[string]func(ctx context.Context, tx pgx.Tx) error{
	"returning": fillMatchKeys,
}

func migrationName(file string) string {
	_, name, _ := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	return name
}

// fillMatchKeys gives the leads stored before e-mail and phone were indexed for
// returning leads their keys, a page of ids at a time.
func fillMatchKeys(ctx context.Context, tx pgx.Tx) error {
	var after int64
	for {
		rows, err := tx.Query(ctx, `SELECT id, email, phone FROM leads WHERE id > $1 ORDER BY id LIMIT 5000`, after)
		if err != nil {
			return err
		}
		type keys struct {
			id           int64
			email, phone string
		}
		page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (keys, error) {
			var k keys
			err := r.Scan(&k.id, &k.email, &k.phone)
			return k, err
		})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		batch := &pgx.Batch{}
		for _, k := range page {
			batch.Queue(`UPDATE leads SET email_key = $1, phone_key = $2 WHERE id = $3`, engine.EmailKey(k.email), engine.PhoneKey(k.phone), k.id)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		after = page[len(page)-1].id
	}
}

// Begin starts a write transaction: it waits for the journal row, the one writer lock
// across every node, and learns the history head from it.
func (p *Postgres) Begin(ctx context.Context) (engine.WriteTx, error) {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	w := &writeTx{tx: tx, held: newHeld(), leadsRead: map[int64]identity{}}
	w.b = &batcher{ctx: ctx, tx: tx, held: w.held}
	w.q = q{ctx: ctx, db: w.b, w: w}
	h := w.held
	// The row as the writer before left it (a row lock waited for reads the row's
	// newest version, where a subquery would read the tables as they were before).
	if err := tx.QueryRow(ctx, `SELECT last_event_id, generation,
		last_lead_id, last_share_id, last_notification_id, last_outbox_id
		FROM journal WHERE id = 1 FOR UPDATE`).Scan(&w.head, &w.generation,
		&h.leads.nextID, &h.shares.nextID, &h.notifications.nextID, &h.outbox.nextID); err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("postgres: taking the journal: %w", err)
	}
	for _, t := range []*heldTable{&h.leads, &h.shares, &h.notifications, &h.outbox} {
		t.nextID++
		t.first = t.nextID
	}
	w.committed = w.head
	w.unchanged = w.generation != 0 && p.wrote.Load() == w.generation
	w.p = p
	return w, nil
}

// Read runs fn on one snapshot.
func (p *Postgres) Read(ctx context.Context, fn func(engine.Reader) error) error {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(&q{ctx: ctx, db: tx})
}

// ErrNotEmpty is Import's refusal of a database that holds data already.
var ErrNotEmpty = errors.New("it already holds data")

// Import fills an empty database in one transaction, for what copies a whole team in
// (switchboard migrate). It holds the journal row, refuses a database in which any
// table but the journal holds a row, runs fill, then moves every id sequence past the
// ids fill wrote and the journal to the last event, so that ids go on from there, and
// commits. Nothing is left behind when fill fails.
func (p *Postgres) Import(ctx context.Context, fill func(tx pgx.Tx) error) error {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT 1 FROM journal WHERE id = 1 FOR UPDATE`); err != nil {
		return fmt.Errorf("postgres: taking the journal: %w", err)
	}
	tables, err := p.tables(ctx, tx)
	if err != nil {
		return err
	}
	var full []string
	for _, t := range tables {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return fmt.Errorf("postgres: counting %s: %w", t, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s: %d", t, n))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w (%s)", ErrNotEmpty, strings.Join(full, ", "))
	}
	if err := fill(tx); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("postgres: listing sequences: %w", err)
	}
	var ids [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return err
		}
		ids = append(ids, [2]string{t, c})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		t, c := pgx.Identifier{id[0]}.Sanitize(), pgx.Identifier{id[1]}.Sanitize()
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(`+c+`), 0) + 1, false) FROM `+t,
			id[0], id[1]); err != nil {
			return fmt.Errorf("postgres: moving the ids of %s: %w", id[0], err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE journal SET last_event_id = (SELECT coalesce(max(id), 0) FROM events),
		last_lead_id = (SELECT coalesce(max(id), 0) FROM leads), last_share_id = (SELECT coalesce(max(id), 0) FROM shares),
		last_notification_id = (SELECT coalesce(max(id), 0) FROM notifications),
		last_outbox_id = (SELECT coalesce(max(id), 0) FROM outbox) WHERE id = 1`); err != nil {
		return fmt.Errorf("postgres: moving the journal: %w", err)
	}
	return tx.Commit(ctx)
}

// tables lists the tables that hold a team: every table but the journal and the
// schema version.
func (p *Postgres) tables(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		AND table_name NOT IN ('journal', 'switchboard_schema') ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: listing tables: %w", err)
	}
	return tables, nil
}

// writeTx is an open write transaction holding the journal row.
type writeTx struct {
	q
	p          *Postgres
	tx         pgx.Tx
	b          *batcher
	head       int64 // the last history id handed out
	committed  int64 // the head when the transaction began
	saved      int64 // the head at the savepoint
	generation int64 // the journal's generation when the transaction began
	unchanged  bool
	held       *held // held.go
	mark       heldMark
	// leadsRead is the identity of each lead read in the transaction (UpdateLead).
	leadsRead map[int64]identity
}

func (w *writeTx) Unchanged() bool { return w.unchanged }

func (w *writeTx) Savepoint() error {
	w.saved = w.head
	w.b.hold(`SAVEPOINT cmd`)
	w.mark = w.held.mark()
	return nil
}

// RollbackToSavepoint drops the rows held since the savepoint, sends what is held back
// (it is being undone: its failure does not matter), then rolls back.
func (w *writeTx) RollbackToSavepoint() error {
	w.head = w.saved
	w.held.discard(w.mark)
	w.b.flush()
	_, err := w.tx.Exec(w.ctx, `ROLLBACK TO SAVEPOINT cmd`)
	return err
}

// ReleaseSavepoint sends the command's held-back writes with the release: a failure of
// one of them is reported here, and the savepoint can then still be rolled back.
func (w *writeTx) ReleaseSavepoint() error {
	_, err := w.b.Exec(w.ctx, `RELEASE SAVEPOINT cmd`)
	return err
}

// Commit writes the new history head and the next generation to the journal and
// announces the head (NOTIFY is delivered when the transaction commits, and only if it
// does), then commits.
func (w *writeTx) Commit() error {
	ctx := context.WithoutCancel(w.ctx)
	h := w.held
	for _, t := range []*heldTable{&h.leads, &h.shares, &h.notifications, &h.outbox} {
		if t.nextID != t.first { // the table's sequence goes on after the ids given out
			w.b.hold(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, t.name, t.nextID-1)
		}
	}
	w.b.hold(`UPDATE journal SET last_event_id = $1, generation = $2, last_lead_id = $3, last_share_id = $4,
		last_notification_id = $5, last_outbox_id = $6 WHERE id = 1`, w.head, w.generation+1,
		h.leads.nextID-1, h.shares.nextID-1, h.notifications.nextID-1, h.outbox.nextID-1)
	if w.head != w.committed {
		w.b.hold(`SELECT pg_notify($1, $2)`, channel, strconv.FormatInt(w.head, 10))
	}
	if err := w.b.flush(); err != nil {
		w.tx.Rollback(ctx)
		return fmt.Errorf("postgres: writing the transaction: %w", err)
	}
	if err := w.tx.Commit(ctx); err != nil {
		return err
	}
	w.p.wrote.Store(w.generation + 1)
	return nil
}

func (w *writeTx) Rollback() error {
	w.held.clear()
	return w.tx.Rollback(context.WithoutCancel(w.ctx))
}

// nextEventID hands out the next history id.
func (w *writeTx) nextEventID() int64 {
	w.head++
	return w.head
}

// WatchCommits listens for the commits of every node (LISTEN on its own connection,
// outside the pool) and calls wake with each one's head event id. When it (re)connects
// it calls wake(0): commits may have gone by unheard. It keeps reconnecting, with a
// growing pause, until ctx is done.
func (p *Postgres) WatchCommits(ctx context.Context, wake func(head int64)) error {
	pause := 100 * time.Millisecond
	for {
		err := p.listen(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		p.log.Warn("postgres: listening for other nodes' commits; reconnecting", "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (p *Postgres) listen(ctx context.Context, wake func(head int64)) error {
	conn, err := pgx.ConnectConfig(ctx, p.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		return err
	}
	wake(0)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		head, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			head = 0 // not ours to understand: look at the history
		}
		wake(head)
	}
}

// q runs the queries, on a read snapshot or in the write transaction.
type q struct {
	ctx context.Context
	db  querier
	w   *writeTx // nil on a read snapshot
}

// exec runs a statement whose only answer is success or failure: in a write
// transaction it is held back until the next statement that needs an answer (batcher).
func (q *q) exec(sql string, args ...any) error {
	if q.w != nil {
		q.w.b.hold(sql, args...)
		return nil
	}
	_, err := q.db.Exec(q.ctx, sql, args...)
	return err
}

// unheld runs the statements that need none of the rows a write transaction holds back
// (reads of the team, the rules, the settings, tokens and forms).
func (q *q) unheld() querier {
	if q.w != nil {
		return unheld{q.w.b}
	}
	return q.db
}

// insert runs an INSERT … RETURNING id.
func (q *q) insert(sql string, args ...any) (int64, error) {
	var id int64
	err := q.db.QueryRow(q.ctx, sql+` RETURNING id`, args...).Scan(&id)
	return id, err
}

// one turns pgx.ErrNoRows into engine.ErrNoRows.
func one(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return engine.ErrNoRows
	}
	return err
}
