package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// stats is GET /v1/stats: the team's figures for since (default 7d) up to until
// (default now), each a duration back from now ("7d") or an RFC 3339 time.
func (a *API) stats(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	v, err := queryParams(r, "since", "until")
	if err != nil {
		return err
	}
	now := a.eng.Now()
	var q engine.StatsQuery
	if q.Since, err = sinceParam(v, "since", now); err != nil {
		return err
	}
	if q.Until, err = sinceParam(v, "until", now); err != nil {
		return err
	}
	if d, err := engine.ParseDuration(v.Get("since")); err == nil && q.Until.IsZero() {
		// since=7d alone: the seven days up to now, exactly.
		q.Since, q.Last = time.Time{}, d
	}
	st, err := a.eng.Stats(r.Context(), actor, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}
