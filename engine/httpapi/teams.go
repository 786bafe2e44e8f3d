package httpapi

import (
	"net/http"

	"github.com/switchboard/switchboard/engine"
)

// teamIn is the body of POST /v1/teams and PUT /v1/teams/{name}.
type teamIn struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	teams, err := a.eng.Teams(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(teams, ""))
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	tm, err := a.eng.Team(r.Context(), actor, r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tm)
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in teamIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	tm, err := a.eng.CreateTeam(r.Context(), actor, in.Name, in.Members)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/teams/"+tm.Name)
	return writeJSON(w, http.StatusCreated, tm)
}

// putTeam replaces a team's members; the name in the body, if any, must be the path's.
func (a *API) putTeam(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in teamIn
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	name := r.PathValue("name")
	if in.Name != "" && in.Name != name {
		return badRequest("name", "the body names team %q but the path %q: a team is not renamed; make a new one", in.Name, name)
	}
	if in.Members == nil {
		return badRequest("members", "members is missing: give the whole list, in order ([] for none)")
	}
	tm, err := a.eng.SetTeam(r.Context(), actor, name, in.Members)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tm)
}

func (a *API) deleteTeam(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if err := a.eng.DeleteTeam(r.Context(), actor, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
