package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// detail is one lead with its owner, shares and history (routing explained).
type detail struct {
	lead    engine.LeadDetail
	owner   *engine.Agent
	history []engine.Event
	offset  int
}

func (d *detail) view(st *styles, width, height int, now time.Time, loc *time.Location) []string {
	l := d.lead.Lead
	lines := []string{paneTitle(st, fmt.Sprintf("Lead #%d  %s", l.ID, l.Title()), width, true)}
	kv := func(k, v string) {
		if v != "" {
			lines = append(lines, fit(st.dim.Render(pad(k, 10))+" "+v, width))
		}
	}
	kv("Name", l.Name)
	kv("Company", l.Company)
	kv("Email", l.Email)
	kv("Phone", l.Phone)
	kv("Source", l.Source)
	kv("Tags", strings.Join(l.Tags, ", "))
	kv("Status", string(l.Status))
	if len(l.Fields) > 0 {
		keys := make([]string, 0, len(l.Fields))
		for k := range l.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%v", k, l.Fields[k])
		}
		kv("Fields", strings.Join(parts, " "))
	}
	kv("Created", fmt.Sprintf("%s (%s ago)", l.CreatedAt.In(loc).Format("2006-01-02 15:04"), age(now.Sub(l.CreatedAt))))
	switch {
	case d.owner != nil:
		a := d.owner
		kv("Owner", fmt.Sprintf("%s %s (%s) %s, %s open", st.presence[a.Presence].Render(presenceSymbol(a.Presence)), a.Handle, a.Name, a.Presence, loadLabel(a.OpenLeads, a.Capacity)))
	case l.Owner != "":
		kv("Owner", l.Owner)
	default:
		kv("Owner", st.warn.Render("none — "+l.WaitReason))
	}
	kv("Access", string(d.lead.Access))
	var shares []string
	for _, s := range d.lead.Shares {
		if !s.ActiveAt(now) {
			continue
		}
		left := "until revoked"
		if !s.ExpiresAt.IsZero() {
			left = age(s.ExpiresAt.Sub(now)) + " left"
		}
		shares = append(shares, fmt.Sprintf("%s (%s, %s)", s.Agent, s.Access, left))
	}
	if len(shares) == 0 {
		shares = []string{st.dim.Render("not shared")}
	}
	kv("Shared", strings.Join(shares, ", "))
	lines = append(lines, paneTitle(st, "History", width, false))
	rows := max(0, height-len(lines))
	evs := d.history
	d.offset = max(0, min(d.offset, len(evs)-rows))
	for _, e := range evs[d.offset:min(len(evs), d.offset+rows)] {
		lines = append(lines, fit(eventLine(st, e, loc), width))
	}
	return lines
}

// historyOldestFirst sorts a lead's events so that its story reads top to bottom.
func historyOldestFirst(evs []engine.Event) []engine.Event {
	out := slices.Clone(evs)
	slices.SortFunc(out, func(a, b engine.Event) int { return int(a.ID - b.ID) })
	return out
}
