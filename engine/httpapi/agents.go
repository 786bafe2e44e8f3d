package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

func (a *API) listAgents(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	agents, err := a.eng.Agents(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(agents, ""))
}

func (a *API) getAgent(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	ag, err := a.eng.Agent(r.Context(), actor, r.PathValue("handle"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ag)
}

// agentIn is the body of POST /v1/agents.
type agentIn struct {
	Handle      string `json:"handle"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	Presence    string `json:"presence"`
	Capacity    int    `json:"capacity"`
	DailyCap    int    `json:"daily_cap"`
	EmailNotify bool   `json:"email_notify"`
	WebhookURL  string `json:"webhook_url"`
	TZ          string `json:"tz"`
	Schedule    string `json:"schedule"`
	// AutoPresence is absent for the default, true.
	AutoPresence *bool `json:"auto_presence"`
}

func (a *API) addAgent(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in agentIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	n := engine.NewAgent{
		Handle: in.Handle, Name: in.Name, Email: in.Email, Role: engine.Role(strings.TrimSpace(in.Role)),
		Presence: engine.Presence(strings.TrimSpace(in.Presence)), Capacity: in.Capacity, DailyCap: in.DailyCap,
		EmailNotify: in.EmailNotify, WebhookURL: in.WebhookURL, TZ: in.TZ, Schedule: in.Schedule, AutoPresence: in.AutoPresence,
	}
	if n.Capacity < 0 || n.DailyCap < 0 {
		return badRequest("capacity", "capacity and daily_cap must be 0 (no limit) or more")
	}
	ag, err := a.eng.AddAgent(r.Context(), actor, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/agents/"+ag.Handle)
	return writeJSON(w, http.StatusCreated, ag)
}

// agentPatch is the body of PATCH /v1/agents/{handle}: what is absent stays.
type agentPatch struct {
	Name        *string `json:"name"`
	Email       *string `json:"email"`
	Role        *string `json:"role"`
	Presence    *string `json:"presence"`
	Capacity    *int    `json:"capacity"`
	DailyCap    *int    `json:"daily_cap"`
	EmailNotify *bool   `json:"email_notify"`
	WebhookURL  *string `json:"webhook_url"`
	TZ          *string `json:"tz"`
	Schedule    *string `json:"schedule"`
	// AwayUntil is a time (RFC 3339, or as people write it: "2h", "tomorrow 09:00",
	// "2026-12-24", in the agent's zone); null clears it.
	AwayUntil    nullable `json:"away_until"`
	AutoPresence *bool    `json:"auto_presence"`
}

// nullable is a string field of a PATCH that may be absent (leave it), null (clear it)
// or a string.
type nullable struct {
	set bool
	v   string
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// ptr is the field for an engine update: nil when absent, "" when null.
func (n nullable) ptr() *string {
	if !n.set {
		return nil
	}
	return &n.v
}

func (a *API) updateAgent(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in agentPatch
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if in == (agentPatch{}) {
		return badRequest("", "nothing to change: send one or more of %s", strings.Join(jsonFields(&in), ", "))
	}
	u := engine.AgentUpdate{Name: in.Name, Email: in.Email, Capacity: in.Capacity, DailyCap: in.DailyCap,
		EmailNotify: in.EmailNotify, WebhookURL: in.WebhookURL, TZ: in.TZ, Schedule: in.Schedule,
		AwayUntil: in.AwayUntil.ptr(), AutoPresence: in.AutoPresence}
	if in.Role != nil {
		role := engine.Role(strings.TrimSpace(*in.Role))
		u.Role = &role
	}
	if in.Presence != nil {
		p := engine.Presence(strings.TrimSpace(*in.Presence))
		u.Presence = &p
	}
	if (u.Capacity != nil && *u.Capacity < 0) || (u.DailyCap != nil && *u.DailyCap < 0) {
		return badRequest("capacity", "capacity and daily_cap must be 0 (no limit) or more")
	}
	ag, err := a.eng.UpdateAgent(r.Context(), actor, r.PathValue("handle"), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ag)
}
