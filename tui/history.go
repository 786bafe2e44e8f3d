package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// How many events the history pane and the dashboard's live strip keep.
const (
	historyKeep = 500
	stripKeep   = 20
)

// historyPane lists events newest first, filtered by agent, kind and lead.
type historyPane struct {
	events     []engine.Event
	query      engine.HistoryQuery
	filterText string
	cursor     int
	offset     int
}

// parseHistoryFilter reads "agent:bob kind:lead lead:12".
func parseHistoryFilter(s string) (engine.HistoryQuery, error) {
	var q engine.HistoryQuery
	for _, t := range strings.Fields(s) {
		k, v, ok := strings.Cut(t, ":")
		if !ok || v == "" {
			return q, fmt.Errorf("%q: history filters are agent:HANDLE, kind:KIND (or lead, share, agent, rule) and lead:ID", t)
		}
		switch strings.ToLower(k) {
		case "agent":
			q.Agent = v
		case "kind":
			q.Kind = v
		case "lead":
			id, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64)
			if err != nil || id <= 0 {
				return q, fmt.Errorf("lead:%s: a lead is named by its number", v)
			}
			q.LeadID = id
		default:
			return q, fmt.Errorf("%q: history filters are agent:, kind: and lead:", k+":")
		}
	}
	return q, nil
}

// add puts committed events the pane's filter keeps on top, keeping the cursor on the
// event it was on unless it was following the newest.
func (h *historyPane) add(events []engine.Event) {
	var at int64
	if h.cursor > 0 && h.cursor < len(h.events) {
		at = h.events[h.cursor].ID
	}
	h.events = mergeEvents(h.events, events, func(e engine.Event) bool { return h.query.Matches(e) }, historyKeep)
	if at != 0 {
		h.cursor = slices.IndexFunc(h.events, func(e engine.Event) bool { return e.ID == at })
	}
	h.move(0)
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

func (h *historyPane) move(d int) {
	h.cursor = max(0, min(h.cursor+d, len(h.events)-1))
}

func (h *historyPane) view(st *styles, width, height int, focused bool, loc *time.Location) []string {
	title := "History"
	if h.filterText != "" {
		title += st.accent.Render("  / " + h.filterText)
	}
	lines := []string{paneTitle(st, title, width, focused)}
	rows := height - 1
	if rows <= 0 {
		return lines[:min(1, height)]
	}
	if h.cursor < h.offset {
		h.offset = h.cursor
	}
	if h.cursor >= h.offset+rows {
		h.offset = h.cursor - rows + 1
	}
	end := min(len(h.events), h.offset+rows)
	for i := h.offset; i < end; i++ {
		line := fit(eventLine(st, h.events[i], loc), width)
		if i == h.cursor && focused {
			line = st.cursor.Render(fit(eventText(h.events[i], loc), width))
		}
		lines = append(lines, line)
	}
	if len(h.events) == 0 {
		lines = append(lines, st.dim.Render("  Nothing yet."))
	}
	return lines
}

func eventLine(st *styles, e engine.Event, loc *time.Location) string {
	return st.dim.Render(e.At.In(loc).Format("15:04:05")) + " " + st.accent.Render(pad(clean(string(e.Kind)), 17)) + " " + eventSummary(e)
}

func eventText(e engine.Event, loc *time.Location) string {
	return e.At.In(loc).Format("15:04:05") + " " + pad(clean(string(e.Kind)), 17) + " " + eventSummary(e)
}

// eventSummary says what an event did in one line, with the routing explanation
// where there is one, stripped of control characters (see clean.go).
func eventSummary(e engine.Event) string {
	var parts []string
	if e.LeadID != 0 {
		parts = append(parts, fmt.Sprintf("#%d", e.LeadID))
	}
	if e.RuleID != 0 && e.Kind.Subject() == "rule" {
		parts = append(parts, fmt.Sprintf("rule #%d", e.RuleID))
	}
	switch {
	case e.Routing != nil:
		parts = append(parts, e.Routing.Explain())
	case e.From == "" && e.To != "":
		parts = append(parts, e.To)
	case e.From != "" || e.To != "":
		parts = append(parts, fmt.Sprintf("%s → %s", orDash(e.From), orDash(e.To)))
	}
	if e.Routing == nil && e.Agent != "" && e.To != e.Agent {
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
