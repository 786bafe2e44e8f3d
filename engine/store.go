package engine

import (
	"context"
	"errors"
)

// ErrNoRows is what a Store returns when a looked-up row does not exist. The engine
// turns it into a NotFound error that names the thing.
var ErrNoRows = errors.New("no rows")

// Store is the engine's persistence: storage/sqlite (one file) and storage/postgres
// (several nodes on one database) implement it, and storage/storetest is the contract
// both pass. The interface is only the contract's shape; the suite is the contract.
//
// The engine owns the transaction boundary: every command runs in one write
// transaction (many commands share one, each in a savepoint: group commit), and every
// read runs on one snapshot. What the engine assumes of a store, each checked by the
// suite:
//
//   - One writer at a time, across every process and node on the database. Begin
//     returns only once it holds the database's write lock, and holds it until Commit
//     or Rollback. Nothing else writes in between, so what a transaction reads is what
//     it commits on: routing reads a rotation and saves the next turn without anyone
//     taking a turn in between, and the engine keeps counters (an agent's open leads)
//     in memory for the length of a command.
//   - Event ids increase in commit order, with no gap that a tail could skip: once any
//     reader has seen event n, no transaction commits an event below n. The engine's
//     hub tails history by id (events after the last one it published) to hear what
//     other processes committed. RollbackToSavepoint gives back the ids handed out
//     since the savepoint.
//   - Times are stored and returned at millisecond precision (truncated), in UTC.
//   - A lookup of one row that finds none returns ErrNoRows (wrapped or not).
//   - Lists come back in the order their method documents.
//   - Read runs fn on a consistent snapshot: it sees every transaction committed before
//     it began, and none committed after.
type Store interface {
	// Begin starts a write transaction, waiting for the database's write lock.
	Begin(ctx context.Context) (WriteTx, error)
	// Read runs fn in a read-only transaction on a consistent snapshot.
	Read(ctx context.Context, fn func(Reader) error) error
	Close() error
}

// WriteTx is an open write transaction. Savepoints let the engine commit many commands
// in one transaction (group commit) and undo one refused command alone; they do not
// nest. A store may hold writes back and send them together (a network round trip
// each is what a remote database costs): a held-back write that fails makes a later
// call fail, at the latest the savepoint's release, after which the savepoint can
// still be rolled back. So a command's failed write is that command's failure.
type WriteTx interface {
	Tx
	// Unchanged reports whether nothing has committed on the database since this Store
	// value's previous write transaction ended: no other process, node or Store value
	// on the same database, and nothing by hand. It is false for the first write
	// transaction. The engine keeps what it read in memory from one transaction to the
	// next (its routing model) only while this is true.
	Unchanged() bool
	Savepoint() error
	RollbackToSavepoint() error
	ReleaseSavepoint() error
	Commit() error
	Rollback() error
}

// Reader is every query the engine needs, one small interface per aggregate.
type Reader interface {
	LeadReader
	FollowUpReader
	AgentReader
	RuleReader
	ShareReader
	EventReader
	NotificationReader
	TokenReader
	SettingReader
	FormReader
	StatsReader
	PeopleReader
}

// Tx is a Reader that can also write.
type Tx interface {
	Reader
	LeadWriter
	AgentWriter
	RuleWriter
	ShareWriter
	EventWriter
	NotificationWriter
	TokenWriter
	SettingWriter
	FormWriter
	PeopleWriter
}

// CommitFeed is implemented by a store that other processes write to over a network
// (PostgreSQL): it tells the engine at once when another process committed history,
// instead of leaving it to the next poll of the tail.
type CommitFeed interface {
	// WatchCommits calls wake with the newest event id of each commit it hears of, and
	// with 0 when it may have missed some (after reconnecting), until ctx is done. It
	// returns nil when ctx is done and keeps trying through errors until then. wake
	// must not block.
	WatchCommits(ctx context.Context, wake func(head int64)) error
}
