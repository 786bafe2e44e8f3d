package tui

import "github.com/switchboard/switchboard/tui/leadmodel"

// newQueuePane is the unassigned queue: every open lead without an owner, the oldest
// (the next to hand out) first.
func newQueuePane(s *Session, id PaneID) Pane {
	l := newLeadList(s, "Queue", (*leadmodel.Snapshot).Queue)
	l.empty = "The queue is empty."
	return &listPane{id: id, s: s, list: l}
}
