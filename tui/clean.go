package tui

import (
	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/textguard"
)

// The console draws text that strangers wrote: a lead posted from a web form, a field
// key from a CSV header, an agent's name. The engine refuses control characters at
// every door, but the database may hold text written before it did, or by hand, and one
// ESC or C1 control drawn raw would drive the terminal of everyone watching. So every
// text from the engine passes through textguard.Strip before it is drawn: rows and
// events where they are formatted (rowOf, eventSummary), the rest as it arrives from
// the engine (the helpers below), and toasts and errors in the status bar.

var clean = textguard.Strip

// cleanLead is l with every text it shows stripped.
func cleanLead(l engine.Lead) engine.Lead {
	l.ExternalID, l.Name, l.Email, l.Phone = clean(l.ExternalID), clean(l.Name), clean(l.Email), clean(l.Phone)
	l.Company, l.Source, l.Owner, l.WaitReason = clean(l.Company), clean(l.Source), clean(l.Owner), clean(l.WaitReason)
	if len(l.Tags) > 0 {
		tags := make([]string, len(l.Tags))
		for i, t := range l.Tags {
			tags[i] = clean(t)
		}
		l.Tags = tags
	}
	if len(l.Fields) > 0 {
		fields := make(map[string]any, len(l.Fields))
		for k, v := range l.Fields {
			if s, ok := v.(string); ok {
				v = clean(s)
			}
			fields[clean(k)] = v
		}
		l.Fields = fields
	}
	return l
}

func cleanAgents(agents []engine.Agent) []engine.Agent {
	for i := range agents {
		a := &agents[i]
		a.Handle, a.Name, a.Email = clean(a.Handle), clean(a.Name), clean(a.Email)
	}
	return agents
}

func cleanRules(rules []engine.Rule) []engine.Rule {
	for i := range rules {
		r := &rules[i]
		// A condition may span lines: Strip makes them one, which is how a pane row
		// shows it anyway; the rule editor then edits it as one line.
		r.Name, r.Condition = clean(r.Name), clean(r.Condition)
		for j := range r.Recipients {
			r.Recipients[j].Agent = clean(r.Recipients[j].Agent)
		}
	}
	return rules
}

func cleanShared(items []engine.SharedLead) []engine.SharedLead {
	for i := range items {
		items[i].Lead = cleanLead(items[i].Lead)
	}
	return items
}

func cleanNotes(notes []engine.Notification) []engine.Notification {
	for i := range notes {
		notes[i].Text = clean(notes[i].Text)
	}
	return notes
}

func cleanDetail(d *detail) *detail {
	d.lead.Lead = cleanLead(d.lead.Lead)
	for i := range d.lead.Shares {
		d.lead.Shares[i].Agent = clean(d.lead.Shares[i].Agent)
	}
	if d.owner != nil {
		a := cleanAgents([]engine.Agent{*d.owner})[0]
		d.owner = &a
	}
	return d
}
