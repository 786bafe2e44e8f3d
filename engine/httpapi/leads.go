package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// routingJSON is a routing decision as the API documents it: rule and mode are null
// when no rule set the owner, the lists are empty rather than absent.
type routingJSON struct {
	Rule       *int64              `json:"rule"`
	RuleName   string              `json:"rule_name,omitempty"`
	Mode       *engine.Mode        `json:"mode"`
	Reason     string              `json:"reason"`
	PassedOver []engine.PassedOver `json:"passed_over"`
	SharedWith []string            `json:"shared_with"`
}

func routingOf(r engine.Routing) routingJSON {
	out := routingJSON{RuleName: r.RuleName, Reason: r.Reason, PassedOver: r.PassedOver, SharedWith: r.SharedWith}
	if r.Rule != 0 {
		out.Rule = &r.Rule
	}
	if r.Mode != "" {
		out.Mode = &r.Mode
	}
	if out.PassedOver == nil {
		out.PassedOver = []engine.PassedOver{}
	}
	if out.SharedWith == nil {
		out.SharedWith = []string{}
	}
	return out
}

// createLead is POST /v1/leads: 201 with the lead and its routing, or 200 with the
// existing lead when source+external_id was seen before (R11) – only its id for a
// token that may not read leads (intake).
func (a *API) createLead(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	in, err := DecodeLead(r.Body)
	if err != nil {
		if cerr := a.eng.CheckToken(r.Context(), actor); cerr != nil {
			return cerr // a revoked token is told so before its body is judged
		}
		return err
	}
	c, err := a.eng.CreateLead(r.Context(), actor, in)
	if err != nil {
		return err
	}
	res, err := createdBody(c)
	if err != nil {
		return err
	}
	if res.Status == http.StatusCreated {
		w.Header().Set("Location", "/v1/leads/"+itoa(c.Lead.ID))
	}
	writeEncoded(w, res.Status, res.Lead)
	return nil
}

// listLeads is GET /v1/leads, a page at a time.
func (a *API) listLeads(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	v, err := queryParams(r, "status", "owner", "source", "tag", "q", "unassigned", "open", "order", "limit", "cursor")
	if err != nil {
		return err
	}
	q := engine.LeadQuery{Owner: v.Get("owner"), Source: v.Get("source"), Tag: v.Get("tag"), Text: v.Get("q"), Cursor: v.Get("cursor")}
	for _, s := range v["status"] {
		for _, part := range strings.Split(s, ",") {
			st, err := engine.ParseStatus(strings.TrimSpace(part))
			if err != nil {
				return err
			}
			q.Status = append(q.Status, st)
		}
	}
	if q.Unassigned, err = boolParam(v, "unassigned"); err != nil {
		return err
	}
	if q.Open, err = boolParam(v, "open"); err != nil {
		return err
	}
	switch v.Get("order") {
	case "", "newest":
	case "oldest":
		q.OldestFirst = true
	default:
		return badRequest("order", "order must be newest or oldest, not %q", v.Get("order"))
	}
	if q.Limit, err = intParam(v, "limit"); err != nil {
		return err
	}
	page, err := a.eng.ListLeads(r.Context(), actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(page.Items, page.Next))
}

// getLead is GET /v1/leads/{id}: the lead with its shares.
func (a *API) getLead(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	d, err := a.eng.Lead(r.Context(), actor, id)
	if err != nil {
		return err
	}
	shares := d.Shares
	if shares == nil {
		shares = []engine.Share{}
	}
	body, err := withMembers(d.Lead, "shares", shares)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, body)
}

// leadPatch is the body of PATCH /v1/leads/{id}. A field set to null is removed.
type leadPatch struct {
	Status        *string        `json:"status"`
	Fields        map[string]any `json:"fields"`
	ReplaceFields bool           `json:"replace_fields"`
}

func (a *API) updateLead(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	var in leadPatch
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if in.Status == nil && in.Fields == nil {
		return badRequest("", "nothing to change: send status and/or fields")
	}
	if err := checkFieldValues(in.Fields, true); err != nil {
		return err
	}
	u := engine.LeadUpdate{Fields: in.Fields, Replace: in.ReplaceFields}
	if in.Status != nil {
		st, err := engine.ParseStatus(strings.TrimSpace(*in.Status))
		if err != nil {
			return err
		}
		u.Status = &st
	}
	l, err := a.eng.UpdateLead(r.Context(), actor, id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// bulkIn is the body of the bulk lead commands.
type bulkIn struct {
	LeadIDs []int64 `json:"lead_ids"`
	Agent   string  `json:"agent"`
	Reason  string  `json:"reason"`
}

type bulkOut struct {
	Changed   []int64 `json:"changed"`
	Unchanged []int64 `json:"unchanged"`
}

func bulkResult(res engine.BulkResult) bulkOut {
	out := bulkOut{Changed: res.Changed, Unchanged: res.Unchanged}
	if out.Changed == nil {
		out.Changed = []int64{}
	}
	if out.Unchanged == nil {
		out.Unchanged = []int64{}
	}
	return out
}

// assign is POST /v1/leads/assign: all the leads or none.
func (a *API) assign(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in bulkIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Agent) == "" {
		return badRequest("agent", "agent is missing: give the handle of the agent to assign the leads to")
	}
	res, err := a.eng.Assign(r.Context(), actor, in.LeadIDs, strings.TrimSpace(in.Agent), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult(res))
}

// unassign is POST /v1/leads/unassign: the leads go back to the queue.
func (a *API) unassign(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in struct {
		LeadIDs []int64 `json:"lead_ids"`
		Reason  string  `json:"reason"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	res, err := a.eng.Unassign(r.Context(), actor, in.LeadIDs, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult(res))
}

// route is POST /v1/leads/route: the rules run again for these leads.
func (a *API) route(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in struct {
		LeadIDs []int64 `json:"lead_ids"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	res, err := a.eng.Reroute(r.Context(), actor, in.LeadIDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult(res))
}

// shareMany is POST /v1/leads/share: every lead shared with one agent, or none.
func (a *API) shareMany(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in struct {
		LeadIDs  []int64 `json:"lead_ids"`
		Agent    string  `json:"agent"`
		Access   string  `json:"access"`
		Duration string  `json:"duration"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Agent) == "" {
		return badRequest("agent", "agent is missing: give the handle of the agent to share the leads with")
	}
	acc, err := engine.ParseAccess(strings.TrimSpace(in.Access))
	if err != nil {
		return err
	}
	var d time.Duration
	if strings.TrimSpace(in.Duration) != "" {
		if d, err = engine.ParseDuration(in.Duration); err != nil {
			return err
		}
	}
	res, err := a.eng.ShareLeads(r.Context(), actor, in.LeadIDs, strings.TrimSpace(in.Agent), acc, d, "api")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult(res))
}

// setStatus is POST /v1/leads/status: every lead moves to the status, or none does.
func (a *API) setStatus(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in struct {
		LeadIDs []int64 `json:"lead_ids"`
		Status  string  `json:"status"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Status) == "" {
		return badRequest("status", "status is missing: give contacted, qualified, won or lost")
	}
	res, err := a.eng.SetStatus(r.Context(), actor, in.LeadIDs, engine.Status(strings.TrimSpace(in.Status)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult(res))
}

// share is POST /v1/leads/{id}/shares.
func (a *API) share(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	var in struct {
		Agent    string `json:"agent"`
		Access   string `json:"access"`
		Duration string `json:"duration"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Agent) == "" {
		return badRequest("agent", "agent is missing: give the handle of the agent to share the lead with")
	}
	acc, err := engine.ParseAccess(strings.TrimSpace(in.Access))
	if err != nil {
		return err
	}
	ns := engine.NewShare{LeadID: id, Agent: strings.TrimSpace(in.Agent), Access: acc, Via: "api"}
	if strings.TrimSpace(in.Duration) != "" {
		if ns.Duration, err = engine.ParseDuration(in.Duration); err != nil {
			return err
		}
	}
	s, err := a.eng.Share(r.Context(), actor, ns)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s)
}

// revokeShare is DELETE /v1/shares/{id}: the share ends now; the answer is the share.
func (a *API) revokeShare(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "share")
	if err != nil {
		return err
	}
	s, err := a.eng.RevokeShare(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}
