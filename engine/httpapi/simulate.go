package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// draftRuleIn is a draft rule of POST /v1/rules/simulate: a rule's definition as POST
// /v1/rules takes it. What GET /v1/rules adds to a definition (id, position) is taken
// and ignored, so that the rules as they are can be sent back with one of them changed.
type draftRuleIn struct {
	ruleIn
	ID       json.RawMessage `json:"id"`
	Position json.RawMessage `json:"position"`
}

// simulate is POST /v1/rules/simulate {"rules": [definitions, in order], "since": "7d",
// "limit": 10000}: what the draft rules would have done with the leads of the window
// (engine.Simulate). Nothing is written.
func (a *API) simulate(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	var in struct {
		Rules *[]draftRuleIn `json:"rules"`
		Since string         `json:"since"`
		Limit int            `json:"limit"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if in.Rules == nil {
		return badRequest("rules", "rules is missing: the draft rules, in order, as POST /v1/rules takes each one ([] for none)")
	}
	q := engine.SimulationQuery{Limit: in.Limit}
	if len(*in.Rules) > engine.MaxSimulatedRules {
		return badRequest("rules", "a simulation takes at most %d rules (got %d)", engine.MaxSimulatedRules, len(*in.Rules))
	}
	for i, rin := range *in.Rules {
		s, err := rin.spec()
		if err != nil {
			return engine.DraftRuleError(i, err)
		}
		q.Rules = append(q.Rules, s)
	}
	if len(in.Since) > 64 {
		return badRequest("since", "since is too long: a duration (24h, 7d) or a time like 2026-01-02T15:04:05Z")
	}
	if in.Since != "" {
		if t, err := time.Parse(time.RFC3339, in.Since); err == nil {
			q.Since = t
		} else if d, err := engine.ParseDuration(in.Since); err == nil {
			q.Last = d
		} else {
			return badRequest("since", "since %q is neither a duration (24h, 7d) nor a time like 2026-01-02T15:04:05Z", in.Since)
		}
	}
	sim, err := a.eng.Simulate(r.Context(), actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sim)
}
