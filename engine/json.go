package engine

import (
	"bytes"
	"encoding/json"
	"time"
)

// The JSON forms below are the wire format of the API (README "HTTP API"): snake_case names that
// integrations rely on, null for "none", times in UTC. The HTTP API, the CLI's
// --format json and the notification payloads all use them.

type leadJSON struct {
	ID             int64          `json:"id"`
	ExternalID     *string        `json:"external_id"`
	Name           string         `json:"name"`
	Email          string         `json:"email"`
	Phone          string         `json:"phone"`
	Company        string         `json:"company"`
	Source         string         `json:"source"`
	Tags           []string       `json:"tags"`
	Fields         map[string]any `json:"fields"`
	Status         Status         `json:"status"`
	Owner          *string        `json:"owner"`
	CreatedAt      time.Time      `json:"created_at"`
	AssignedAt     *time.Time     `json:"assigned_at"`
	FirstContactAt *time.Time     `json:"first_contact_at"`
	SLADueAt       *time.Time     `json:"sla_due_at"`
	WaitingReason  string         `json:"waiting_reason,omitempty"`
	ReturningOf    *int64         `json:"returning_of"`
}

// MarshalJSON writes the lead in the API's form.
func (l Lead) MarshalJSON() ([]byte, error) {
	j := leadJSON{
		ID: l.ID, ExternalID: strPtr(l.ExternalID), Name: l.Name, Email: l.Email, Phone: l.Phone,
		Company: l.Company, Source: l.Source, Tags: l.Tags, Fields: l.Fields, Status: l.Status,
		Owner: strPtr(l.Owner), CreatedAt: l.CreatedAt.UTC(), AssignedAt: timePtr(l.AssignedAt),
		FirstContactAt: timePtr(l.FirstContactAt), SLADueAt: timePtr(l.SLADueAt), WaitingReason: l.WaitReason,
		ReturningOf: idPtr(l.ReturningOf),
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Fields == nil {
		j.Fields = map[string]any{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote (notification payloads).
func (l *Lead) UnmarshalJSON(b []byte) error {
	var j leadJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = Lead{
		ID: j.ID, ExternalID: deref(j.ExternalID), Name: j.Name, Email: j.Email, Phone: j.Phone,
		Company: j.Company, Source: j.Source, Tags: j.Tags, Fields: j.Fields, Status: j.Status,
		Owner: deref(j.Owner), CreatedAt: j.CreatedAt, WaitReason: j.WaitingReason,
	}
	if j.ReturningOf != nil {
		l.ReturningOf = *j.ReturningOf
	}
	if j.AssignedAt != nil {
		l.AssignedAt = *j.AssignedAt
	}
	if j.FirstContactAt != nil {
		l.FirstContactAt = *j.FirstContactAt
	}
	if j.SLADueAt != nil {
		l.SLADueAt = *j.SLADueAt
	}
	return nil
}

// MarshalJSON writes the agent in the API's form; the webhook secret never leaves.
func (a Agent) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Handle         string     `json:"handle"`
		Name           string     `json:"name"`
		Email          string     `json:"email"`
		Role           Role       `json:"role"`
		Presence       Presence   `json:"presence"`
		Capacity       int        `json:"capacity"`
		DailyCap       int        `json:"daily_cap"`
		OpenLeads      int        `json:"open_leads"`
		AssignedToday  int        `json:"assigned_today"`
		EmailNotify    bool       `json:"email_notify"`
		WebhookURL     string     `json:"webhook_url"`
		LastAssignedAt *time.Time `json:"last_assigned_at"`
		TZ             string     `json:"tz"`
		Schedule       string     `json:"schedule"`
		AwayUntil      *time.Time `json:"away_until"`
		AutoPresence   bool       `json:"auto_presence"`
		Teams          []string   `json:"teams"`
		Sessions       int        `json:"sessions"`
	}{a.Handle, a.Name, a.Email, a.Role, a.Presence, a.Capacity, a.DailyCap, a.OpenLeads,
		a.AssignedToday, a.EmailNotify, a.WebhookURL, timePtr(a.LastAssignedAt),
		a.TZ, a.Schedule, timePtr(a.AwayUntil), a.AutoPresence, a.TeamList(), a.Sessions})
}

// recipientJSON is a rule's recipient: an agent or a team (R19).
type recipientJSON struct {
	Agent    string `json:"agent,omitempty"`
	Team     string `json:"team,omitempty"`
	PerRound int    `json:"per_round"`
}

// MarshalJSON writes the team in the API's form.
func (t Team) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name    string   `json:"name"`
		Members []string `json:"members"`
	}{t.Name, t.Handles()})
}

// MarshalJSON writes the rule in the API's form.
func (r Rule) MarshalJSON() ([]byte, error) {
	recips := make([]recipientJSON, len(r.Recipients))
	for i, rc := range r.Recipients {
		recips[i] = recipientJSON{rc.Agent, rc.Team, rc.PerRound}
	}
	var access, dur *string
	if r.Mode == Broadcast {
		access = strPtr(string(r.ShareAccess))
		dur = strPtr(FormatDuration(r.ShareDuration))
	}
	slaAction := r.SLAAction
	if slaAction == "" {
		slaAction = SLAReroute
	}
	return json.Marshal(struct {
		ID            int64           `json:"id"`
		Name          string          `json:"name"`
		Position      int             `json:"position"`
		Enabled       bool            `json:"enabled"`
		Condition     string          `json:"condition"`
		Mode          Mode            `json:"mode"`
		Recipients    []recipientJSON `json:"recipients"`
		ShareAccess   *string         `json:"share_access"`
		ShareDuration *string         `json:"share_duration"`
		SLA           string          `json:"sla"`
		SLAAction     SLAAction       `json:"sla_action"`
	}{r.ID, r.Name, r.Position, r.Enabled, r.Condition, r.Mode, recips, access, dur, FormatDuration(r.SLA), slaAction})
}

// MarshalJSON writes the share in the API's form.
func (s Share) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID        int64       `json:"id"`
		LeadID    int64       `json:"lead_id"`
		Agent     string      `json:"agent"`
		Access    Access      `json:"access"`
		ExpiresAt *time.Time  `json:"expires_at"`
		Status    ShareStatus `json:"status"`
		CreatedAt time.Time   `json:"created_at"`
		CreatedBy string      `json:"created_by"`
		Via       string      `json:"via"`
	}{s.ID, s.LeadID, s.Agent, s.Access, timePtr(s.ExpiresAt), s.Status, s.CreatedAt.UTC(), s.CreatedBy, s.Via})
}

// MarshalJSON writes the event in the API's form.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID      int64     `json:"id"`
		At      time.Time `json:"at"`
		Kind    EventKind `json:"kind"`
		Actor   string    `json:"actor"`
		LeadID  *int64    `json:"lead_id"`
		Agent   *string   `json:"agent"`
		RuleID  *int64    `json:"rule_id"`
		From    string    `json:"from"`
		To      string    `json:"to"`
		Reason  string    `json:"reason"`
		Routing *Routing  `json:"routing,omitempty"`
	}{e.ID, e.At.UTC(), e.Kind, e.Actor, idPtr(e.LeadID), strPtr(e.Agent), idPtr(e.RuleID), e.From, e.To, e.Reason, e.Routing})
}

// MarshalJSON writes the notification in the API's form.
func (n Notification) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID        int64      `json:"id"`
		EventID   int64      `json:"event_id"`
		LeadID    *int64     `json:"lead_id"`
		Kind      EventKind  `json:"kind"`
		Text      string     `json:"text"`
		CreatedAt time.Time  `json:"created_at"`
		ReadAt    *time.Time `json:"read_at"`
	}{n.ID, n.EventID, idPtr(n.LeadID), n.Kind, n.Text, n.CreatedAt.UTC(), timePtr(n.ReadAt)})
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// SettingsObject writes settings as the API's settings object: one member per key, in
// the registry's order; durations and texts as strings ("" = off or none), lists as
// arrays of strings, a secret as {"set": true|false} and never its value.
type SettingsObject []Setting

// MarshalJSON writes the object in the registry's order.
func (o SettingsObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, s := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(s.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(s.JSONValue())
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// JSONValue is the setting's value as the API writes it.
func (s Setting) JSONValue() any {
	switch s.Kind {
	case SecretSetting:
		return struct {
			Set bool `json:"set"`
		}{s.IsSet}
	case ListSetting:
		if s.List == nil {
			return []string{}
		}
		return s.List
	}
	return s.Value
}
