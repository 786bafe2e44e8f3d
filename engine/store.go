package engine

import (
	"context"
	"errors"
	"time"
)

// ErrNoRows is what a Store returns when a looked-up row does not exist. The engine
// turns it into a NotFound error that names the thing.
var ErrNoRows = errors.New("no rows")

// Store is the engine's persistence. storage.SQLite implements it. The engine owns
// transactions: every command runs in one write transaction; reads run in one
// read-only snapshot.
type Store interface {
	// Begin starts a write transaction. Only one is open at a time per process, and
	// the store must take the database's write lock at once (BEGIN IMMEDIATE), so that
	// two processes on one file serialise instead of failing a lock upgrade.
	Begin(ctx context.Context) (WriteTx, error)
	// Read runs fn in a read-only transaction on a consistent snapshot.
	Read(ctx context.Context, fn func(Reader) error) error
	Close() error
}

// WriteTx is an open write transaction. Savepoints let the engine commit many commands
// in one transaction (group commit) and undo one refused command alone.
type WriteTx interface {
	Tx
	Savepoint() error
	RollbackToSavepoint() error
	ReleaseSavepoint() error
	Commit() error
	Rollback() error
}

// Reader is every query the engine needs.
type Reader interface {
	Lead(id int64) (Lead, error)
	LeadByExternalID(source, externalID string) (Lead, error)
	Leads(f LeadFilter) ([]Lead, error)
	CountLeads(f LeadFilter) (int, error)

	Agent(id int64) (Agent, error)
	AgentByHandle(handle string) (Agent, error)
	AgentByKey(fingerprint string) (Agent, error)
	Agents() ([]Agent, error)
	// AutoAssigned is how many leads rules gave each agent on day ("2006-01-02").
	AutoAssigned(day string) (map[int64]int, error)
	Keys(agentID int64) ([]Key, error)

	Rules() ([]Rule, error) // by position
	Rule(id int64) (Rule, error)

	Share(id int64) (Share, error)
	SharesOfLead(leadID int64) ([]Share, error)
	// ActiveShare is agentID's share of leadID active at now, or ErrNoRows.
	ActiveShare(leadID, agentID int64, now time.Time) (Share, error)
	ActiveSharesOf(agentID int64, now time.Time) ([]Share, error)
	CountActiveShares(agentID int64, now time.Time) (int, error)
	// NextShareExpiry is the earliest end of an active share, if any.
	NextShareExpiry() (time.Time, bool, error)
	// SharesEndedBy lists active shares whose end is at or before now.
	SharesEndedBy(now time.Time, limit int) ([]Share, error)

	Events(f EventFilter) ([]Event, error)
	LastEventID() (int64, error)

	Notifications(agentID int64, limit int) ([]Notification, error)
	UnreadNotifications(agentID int64) (int, error)

	// DueOutbox lists pending outbox rows whose next attempt is at or before now,
	// the longest waiting first.
	DueOutbox(now time.Time, limit int) ([]OutboxItem, error)
	// NextOutboxAttempt is the earliest next attempt of a pending row, if any.
	NextOutboxAttempt() (time.Time, bool, error)
	OutboxItem(id int64) (OutboxItem, error)
	OutboxItems(f OutboxFilter) ([]OutboxItem, error)

	Setting(key string) (string, error) // ErrNoRows when unset

	Tokens() ([]Token, error)                      // all, revoked ones too, oldest first
	TokenByName(name string) (Token, error)        // the active one, or ErrNoRows
	TokensByPrefix(prefix string) ([]Token, error) // active ones
}

// Tx is a Reader that can also write.
type Tx interface {
	Reader

	InsertLead(l *Lead) error // sets l.ID
	UpdateLead(l *Lead) error

	InsertAgent(a *Agent) error // sets a.ID
	UpdateAgent(a *Agent) error
	RemoveAgent(id int64, at time.Time) error
	CountAutoAssigned(agentID int64, day string) error // adds one for the day
	InsertKey(k *Key) error
	DeleteKey(id int64) error

	InsertRule(r *Rule) error // sets r.ID; writes recipients too
	UpdateRule(r *Rule) error // writes recipients and rotation state too
	SaveRuleState(r *Rule) error
	DeleteRule(id int64) error
	SetRulePositions(ids []int64) error // ids in their new order, positions 1…n

	InsertShare(s *Share) error
	UpdateShare(s *Share) error

	InsertEvent(e *Event) error // sets e.ID
	InsertNotification(n *Notification) error
	MarkNotificationsRead(agentID int64, ids []int64, at time.Time) (int, error) // nil ids: all
	InsertOutbox(o *OutboxItem) error
	UpdateOutbox(o *OutboxItem) error // status, attempts, next attempt, last error, delivered at

	SetSetting(key, value string) error

	InsertToken(t *Token) error // sets t.ID
	UpdateToken(t *Token) error // writes RevokedAt
}

// LeadFilter selects leads for Reader.Leads. Zero values mean "any".
type LeadFilter struct {
	IDs        []int64
	Status     []Status
	OwnerID    int64
	Source     string
	Tag        string
	Text       string // substring of name, email, phone or company (case-insensitive)
	Unassigned bool
	Waiting    Waiting // with Unassigned: only leads waiting for this reason
	Open       bool
	// VisibleTo restricts to the leads agent VisibleTo owns or holds a share of that is
	// active at Now.
	VisibleTo int64
	Now       time.Time
	// Keyset paging: ids after (OldestFirst) or before (newest first) AfterID.
	OldestFirst bool
	AfterID     int64
	Limit       int
}

// EventFilter selects history for Reader.Events, newest first.
type EventFilter struct {
	LeadID   int64
	Agent    string // the agent touched, the actor, or the previous owner
	Kind     string // exact kind, or a subject ("lead") matching "lead.*"
	Since    time.Time
	BeforeID int64 // keyset paging: ids below; 0 = from the newest
	// Ascending reads oldest first, ids above AfterID (tailing); BeforeID is ignored.
	Ascending bool
	AfterID   int64
	// VisibleTo restricts to events about the agent, by the agent, or about leads it
	// owns or holds an active share of.
	VisibleTo       int64
	VisibleToHandle string
	Now             time.Time
	Limit           int
}
