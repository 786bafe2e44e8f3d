package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// eventHead is the start of an event's line: its time and kind.
func eventHead(e engine.Event, loc *time.Location) (at, kind string) {
	return e.At.In(loc).Format("15:04:05"), pad(clean(string(e.Kind)), 17)
}

// eventHeadWidth is the cells eventHead and its gaps take: where a wrapped summary's
// next lines start.
const eventHeadWidth = 8 + 1 + 17 + 1

// eventLine is an event on one line, cut at width.
func eventLine(st *styles, e engine.Event, loc *time.Location, width int) string {
	at, kind := eventHead(e, loc)
	return fit(st.dim.Render(at)+" "+st.accent.Render(kind)+" "+eventSummary(e), width)
}

// eventLines is an event wrapped at width: the routing explanation is the console's
// best account of a decision, and it is read whole, at any width. Continuation lines
// hang under the summary. With cursor set the lines are drawn as the cursor's.
func eventLines(st *styles, e engine.Event, loc *time.Location, width int, cursor bool) []string {
	at, kind := eventHead(e, loc)
	indent := eventHeadWidth
	if width-indent < 20 {
		indent = 2 // too narrow to hang: wrap under the start instead
	}
	body := strings.Split(wrap(eventSummary(e), max(1, width-indent)), "\n")
	first := body[0]
	rest := body[1:]
	if indent != eventHeadWidth {
		// Narrow: the time and kind on a line of their own.
		rest, first = body, ""
	}
	var out []string
	if cursor {
		out = append(out, st.cursor.Render(fit(at+" "+kind+" "+first, width)))
		for _, l := range rest {
			out = append(out, st.cursor.Render(fit(strings.Repeat(" ", indent)+l, width)))
		}
		return out
	}
	out = append(out, fit(st.dim.Render(at)+" "+st.accent.Render(kind)+" "+first, width))
	for _, l := range rest {
		out = append(out, fit(strings.Repeat(" ", indent)+l, width))
	}
	return out
}

// eventSummary says what an event did, with the routing explanation where there is
// one, stripped of control characters.
func eventSummary(e engine.Event) string {
	var parts []string
	if e.LeadID != 0 {
		parts = append(parts, fmt.Sprintf("#%d", e.LeadID))
	}
	if e.RuleID != 0 && e.Kind.Subject() == "rule" {
		parts = append(parts, fmt.Sprintf("rule #%d", e.RuleID))
	}
	switch {
	case e.Kind == engine.EvLeadSLAMissed:
		// Its reason says it all: "bob missed the 15m SLA by 2s: re-routed to carol".
		return clean(strings.Join(append(parts, e.Reason, "by "+e.Actor), " "))
	case e.Routing != nil:
		parts = append(parts, e.Routing.Explain())
	case e.From == "" && e.To != "":
		parts = append(parts, e.To)
	case e.From != "" || e.To != "":
		parts = append(parts, fmt.Sprintf("%s → %s", orDash(e.From), orDash(e.To)))
	}
	if e.Routing == nil && e.Agent != "" && e.To != e.Agent && e.From != e.Agent {
		parts = append(parts, e.Agent)
	}
	if e.Reason != "" && e.Routing == nil {
		parts = append(parts, "("+e.Reason+")")
	}
	parts = append(parts, "by "+e.Actor)
	return clean(strings.Join(parts, " "))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// mergeEvents returns have (newest first) with the fresh events keep selects, newest
// first, each event once, at most limit of them. have is not modified.
func mergeEvents(have, fresh []engine.Event, keep func(engine.Event) bool, limit int) []engine.Event {
	var add []engine.Event
	for _, e := range fresh {
		if keep(e) {
			add = append(add, e)
		}
	}
	if len(add) == 0 {
		return have
	}
	slices.SortFunc(add, func(a, b engine.Event) int { return cmp.Compare(b.ID, a.ID) })
	out := make([]engine.Event, 0, min(limit, len(have)+len(add)))
	i, j := 0, 0
	for len(out) < limit && (i < len(have) || j < len(add)) {
		var next engine.Event
		switch {
		case j == len(add) || i < len(have) && have[i].ID > add[j].ID:
			next, i = have[i], i+1
		case i == len(have) || add[j].ID > have[i].ID:
			next, j = add[j], j+1
		default: // the same event: the history read already had it
			next, i, j = have[i], i+1, j+1
		}
		if n := len(out); n > 0 && out[n-1].ID == next.ID {
			continue
		}
		out = append(out, next)
	}
	return out
}

// concerns reports whether an event may be in an agent's view of history, or change
// what it is told: the engine shows an agent the events about it, by it, and about the
// leads it owns or holds a share of. seen says whether a lead was in its view before
// (a closed lead's later events are not missed). Reading again for an event that turns
// out not to be visible costs one cheap, filtered read, and leaks nothing: the engine
// decides what the read returns.
func concerns(s *Session, e engine.Event, seen func(int64) bool) bool {
	me := s.actor.Name
	if e.Agent == me || e.Actor == me || e.From == me {
		return true
	}
	if e.LeadID == 0 {
		return false
	}
	if r := s.snap.Row(e.LeadID); r != nil && r.OwnerID == s.actor.AgentID {
		return true
	}
	return s.snap.ShareOf(s.actor.AgentID, e.LeadID) != nil || seen(e.LeadID)
}
