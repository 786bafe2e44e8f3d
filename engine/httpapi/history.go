package httpapi

import (
	"net/http"

	"github.com/switchboard/switchboard/engine"
)

// history is GET /v1/history, newest first, a page at a time.
func (a *API) history(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	v, err := queryParams(r, "lead", "agent", "kind", "since", "limit", "cursor")
	if err != nil {
		return err
	}
	q := engine.HistoryQuery{Agent: v.Get("agent"), Kind: v.Get("kind"), Cursor: v.Get("cursor")}
	lead, err := intParam(v, "lead")
	if err != nil {
		return err
	}
	q.LeadID = int64(lead)
	if q.Since, err = sinceParam(v, "since", a.eng.Now()); err != nil {
		return err
	}
	if q.Limit, err = intParam(v, "limit"); err != nil {
		return err
	}
	page, err := a.eng.History(r.Context(), actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(page.Items, page.Next))
}
