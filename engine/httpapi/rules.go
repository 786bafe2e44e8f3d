package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// ruleIn is the body of POST /v1/rules and PUT /v1/rules/{id}: a whole definition.
type ruleIn struct {
	Name          string        `json:"name"`
	Enabled       *bool         `json:"enabled"`
	Condition     string        `json:"condition"`
	Mode          string        `json:"mode"`
	Recipients    []recipientIn `json:"recipients"`
	ShareAccess   *string       `json:"share_access"`
	ShareDuration *string       `json:"share_duration"`
	SLA           *string       `json:"sla"`
	SLAAction     *string       `json:"sla_action"`
}

// recipientIn is one recipient: an object {"agent", "per_round"} or {"team",
// "per_round"}, or a string as people write it ("bob:2", "team:emea:2"), read by the
// engine's one recipient parser.
type recipientIn engine.RecipientSpec

func (rc *recipientIn) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		rs, err := engine.ParseRecipients(text)
		if err != nil {
			return err
		}
		if len(rs) != 1 {
			return badRequest("recipients", "recipients: %q is not one recipient: give each its own string, like \"bob:2\" or \"team:emea\"", text)
		}
		*rc = recipientIn(rs[0])
		return nil
	}
	var obj struct {
		Agent    string `json:"agent"`
		Team     string `json:"team"`
		PerRound int    `json:"per_round"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return badRequest("recipients", "recipients: unknown field %s: a recipient is {\"agent\", \"per_round\"} or {\"team\", \"per_round\"}", name)
		}
		return badRequest("recipients", "recipients: each is an object {\"agent\" or \"team\", \"per_round\"} or a string like \"team:emea:2\"")
	}
	*rc = recipientIn{Agent: obj.Agent, Team: obj.Team, PerRound: obj.PerRound}
	return nil
}

func (in ruleIn) spec() (engine.RuleSpec, error) {
	mode, err := engine.ParseMode(strings.TrimSpace(in.Mode))
	if err != nil {
		return engine.RuleSpec{}, err
	}
	s := engine.RuleSpec{Name: in.Name, Enabled: in.Enabled, Condition: in.Condition, Mode: mode}
	for _, rc := range in.Recipients {
		s.Recipients = append(s.Recipients, engine.RecipientSpec(rc))
	}
	if in.ShareAccess != nil {
		if s.ShareAccess, err = engine.ParseAccess(strings.TrimSpace(*in.ShareAccess)); err != nil {
			return engine.RuleSpec{}, err
		}
	}
	if in.ShareDuration != nil && strings.TrimSpace(*in.ShareDuration) != "" {
		if s.ShareDuration, err = engine.ParseDuration(*in.ShareDuration); err != nil {
			return engine.RuleSpec{}, err
		}
	}
	if s.SLA, err = engine.ParseSLA(deref(in.SLA)); err != nil {
		return engine.RuleSpec{}, err
	}
	if s.SLAAction, err = engine.ParseSLAAction(strings.TrimSpace(deref(in.SLAAction))); err != nil {
		return engine.RuleSpec{}, err
	}
	return s, nil
}

func (a *API) listRules(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	rules, err := a.eng.Rules(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(rules, ""))
}

func (a *API) getRule(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	rule, err := a.eng.Rule(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *API) createRule(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in ruleIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	s, err := in.spec()
	if err != nil {
		return err
	}
	rule, err := a.eng.CreateRule(r.Context(), actor, s)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/rules/"+itoa(rule.ID))
	return writeJSON(w, http.StatusCreated, rule)
}

// updateRule is PUT /v1/rules/{id}: the body replaces the rule's definition; its
// rotation carries on (R6).
func (a *API) updateRule(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	var in ruleIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	s, err := in.spec()
	if err != nil {
		return err
	}
	rule, err := a.eng.UpdateRule(r.Context(), actor, id, s)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	if err := a.eng.DeleteRule(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// moveRule is POST /v1/rules/{id}/move {"position": n}; 1 is evaluated first.
func (a *API) moveRule(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	var in struct {
		Position *int `json:"position"`
	}
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if in.Position == nil {
		return badRequest("position", "position is missing: 1 puts the rule first")
	}
	rule, err := a.eng.MoveRule(r.Context(), actor, id, *in.Position)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
