package engine

import "time"

// EventReader reads history.
type EventReader interface {
	// Events lists history newest first, or oldest first with EventFilter.Ascending.
	Events(f EventFilter) ([]Event, error)
	LastEventID() (int64, error) // 0 for no history
}

// EventWriter appends to history. History is append-only: an event is never changed
// or deleted.
type EventWriter interface {
	// InsertEvent sets e.ID: above every id committed before, in commit order.
	InsertEvent(e *Event) error
}

// EventFilter selects history for EventReader.Events. Zero values mean "any".
type EventFilter struct {
	LeadID   int64
	Agent    string // the agent touched, the actor, or the previous owner
	Kind     string // exact kind, or a subject ("lead") matching "lead.*"
	Since    time.Time
	BeforeID int64 // keyset paging: ids below; 0 = from the newest
	// Ascending reads oldest first, ids above AfterID (tailing); BeforeID is ignored.
	Ascending bool
	AfterID   int64
	// VisibleTo keeps the events agent VisibleTo (whose handle is VisibleToHandle) may
	// see at Now (EventVisibleTo).
	VisibleTo       int64
	VisibleToHandle string
	Now             time.Time
	Limit           int
}
