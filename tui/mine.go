package tui

import (
	"strings"

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
	l.subtitle = func() string { return ownHours(s) }
	return &listPane{id: id, s: s, list: l}
}

// ownHours is what the agent's workspace says of its own working time (R16, R17): its
// schedule in its zone, where it stands in it, and when an away ends, e.g. "Your hours:
// mon-fri 09:00-17:00 (America/New_York) · off until 09:00 Tue EST". "" when it has
// neither a schedule nor an away-until.
func ownHours(s *Session) string {
	a, ok := s.agent(s.actor.Name)
	if !ok || (a.Schedule == "" && a.AwayUntil.IsZero()) {
		return ""
	}
	now, loc := s.now(), s.location()
	own := a.Zone(loc) // the agent reads its hours on its own clock
	var parts []string
	if a.Schedule != "" {
		state := "off"
		if a.OnSchedule(now, loc) {
			state = "on"
		}
		if at, ok := a.ScheduleChange(now, loc); ok {
			state += " until " + engine.WhenShort(at, now, own)
		}
		parts = append(parts, "Your hours: "+a.Schedule+" ("+own.String()+")", state)
	}
	if !a.AwayUntil.IsZero() {
		parts = append(parts, "away until "+engine.WhenShort(a.AwayUntil, now, own))
	}
	return strings.Join(parts, " · ")
}
