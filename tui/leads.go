package tui

import "github.com/switchboard/switchboard/tui/leadmodel"

// newLeadsPane is every open lead, the newest first, with its owner: where leads are
// reassigned.
func newLeadsPane(s *Session, id PaneID) Pane {
	l := newLeadList(s, "Open leads", (*leadmodel.Snapshot).Open)
	l.newestFirst, l.showOwner = true, true
	l.empty = "No open leads."
	return &listPane{id: id, s: s, list: l}
}
