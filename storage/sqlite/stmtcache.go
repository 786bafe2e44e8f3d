package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the cache: list queries are built from filters, so their
// text varies, but only with the set of filters used, not with the values.
const maxCachedStatements = 512

// stmtCache keeps each query prepared once per pool. Parsing and planning a statement
// costs more than running it (half of a routed lead's CPU time, measured), and the
// driver does not cache.
//
// A statement can only be prepared while a connection is free, and the writer pool has
// one connection, held by the open transaction. So a query first seen inside a
// transaction runs unprepared and is prepared once the transaction has ended.
type stmtCache struct {
	db *sql.DB

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]struct{}
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: make(map[string]*sql.Stmt), missed: make(map[string]struct{})}
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.stmts[query]
	if !ok && len(c.stmts)+len(c.missed) < maxCachedStatements {
		c.missed[query] = struct{}{}
	}
	return s
}

// prepareMissed prepares the queries that ran unprepared. Call it with no transaction
// open on the pool. A query that fails to prepare is simply left to run unprepared.
func (c *stmtCache) prepareMissed(ctx context.Context) {
	c.mu.Lock()
	var todo []string
	for q := range c.missed {
		todo = append(todo, q)
	}
	clear(c.missed)
	c.mu.Unlock()
	for _, query := range todo {
		s, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.stmts[query]; dup {
			s.Close()
		} else {
			c.stmts[query] = s
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	clear(c.stmts)
}

// cachedTx runs a transaction's queries through the cache. It has the method set of
// *sql.Tx that the store uses. In a write transaction each statement first writes the
// rows the transaction holds back (writeTx.before), unless the cachedTx is unheld.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
	w     *writeTx
}

// unheld is t without the writing of held rows first.
func (t *cachedTx) unheld() *cachedTx { return &cachedTx{tx: t.tx, cache: t.cache} }

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.w != nil {
		if err := t.w.before(true); err != nil {
			return nil, err
		}
	}
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.w != nil {
		if err := t.w.before(false); err != nil {
			return nil, err
		}
	}
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t.w != nil {
		if err := t.w.before(false); err != nil {
			// The held rows could not be written: the row says so (failed is a context
			// that is done with that error, which database/sql reports).
			ctx = failed{ctx, err}
		}
	}
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// failed is a context that is done, with err: how a *sql.Row carries an error that
// came before its query.
type failed struct {
	context.Context
	err error
}

func (f failed) Done() <-chan struct{} { return closed }
func (f failed) Err() error            { return f.err }

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
