package tui

import (
	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// newMinePane is an agent's own open leads, the newest first. Which leads those are is
// the engine's rule (engine.LeadAccess: the owner edits its own), applied to the
// shared model's open leads.
func newMinePane(s *Session, id PaneID) Pane {
	l := newLeadList(s, "My leads", (*leadmodel.Snapshot).Open)
	l.keep = func(r *row) bool {
		return r.OwnerID == s.actor.AgentID && r.AccessOf(s.actor, nil, s.snap.Now) == engine.AccessEdit
	}
	l.newestFirst, l.ownLeads = true, true
	l.empty = "No open lead is yours."
	return &listPane{id: id, s: s, list: l}
}
