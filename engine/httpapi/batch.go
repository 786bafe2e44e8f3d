package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/switchboard/switchboard/engine"
)

// MaxBatchLeads is the most leads POST /v1/leads/batch takes at once.
const MaxBatchLeads = 1000

// MaxBatchBody is the largest body POST /v1/leads/batch reads (4 MiB): a thousand leads
// of four kilobytes each.
const MaxBatchBody = 4 << 20

// batchIn is the body of POST /v1/leads/batch. Each lead is decoded on its own, so that
// one bad lead is that lead's refusal, not the batch's.
type batchIn struct {
	Leads []json.RawMessage `json:"leads"`
}

// batchResult is one lead's answer in a batch: the status POST /v1/leads would have
// answered for it, and its body – the lead, or the refusal's problem.
type batchResult struct {
	Status int             `json:"status"`
	Lead   json.RawMessage `json:"lead,omitempty"`
	Error  *problem        `json:"error,omitempty"`
}

// createLeads is POST /v1/leads/batch: up to MaxBatchLeads leads in one
// transaction, each created, refused or found a duplicate on its own, as POST
// /v1/leads would: the answer lists, in order, each lead's status (201, 200 for a
// duplicate, 400 for a lead that is refused) with that endpoint's body under "lead",
// or the refusal's problem under "error". A body that is no list of leads is refused
// whole.
func (a *API) createLeads(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var in batchIn
	if err := decodeBody(r.Body, &in, false); err != nil { // each lead's text is checked with it
		return err
	}
	switch {
	case in.Leads == nil:
		return badRequest("leads", "send {\"leads\": [...]} with up to %d leads", MaxBatchLeads)
	case len(in.Leads) == 0:
		return badRequest("leads", "the list of leads is empty")
	case len(in.Leads) > MaxBatchLeads:
		return badRequest("leads", "at most %d leads at once (got %d): send them in several batches", MaxBatchLeads, len(in.Leads))
	}
	leads := make([]engine.NewLead, len(in.Leads))
	refused := make([]*problem, len(in.Leads))
	for i, raw := range in.Leads {
		l, err := DecodeLead(bytes.NewReader(raw))
		if err != nil {
			refused[i] = itemProblem(i, err)
			continue
		}
		leads[i] = l
	}
	// The refused ones go to the engine too, empty, so that results stay in order:
	// an empty lead is refused there and its own refusal is kept here.
	created, err := a.eng.CreateLeads(r.Context(), actor, leads)
	if err != nil {
		return err
	}
	results := make([]batchResult, len(in.Leads))
	for i, c := range created {
		if p := refused[i]; p != nil {
			results[i] = errorResult(p)
			continue
		}
		if c.Err != nil {
			results[i] = errorResult(itemProblem(i, c.Err))
			continue
		}
		res, err := createdBody(c)
		if err != nil {
			return err
		}
		results[i] = res
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// itemProblem is lead i's refusal, its field named as leads[i].FIELD.
func itemProblem(i int, err error) *problem {
	p, _ := toProblem(err)
	c := *p
	if c.Field != "" {
		c.Field = fmt.Sprintf("leads[%d].%s", i, c.Field)
	} else {
		c.Field = fmt.Sprintf("leads[%d]", i)
	}
	return &c
}

func errorResult(p *problem) batchResult {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	p.Title = http.StatusText(p.Status)
	return batchResult{Status: p.Status, Error: p}
}

// createdBody is what POST /v1/leads answers for a created or repeated lead, with its
// status.
func createdBody(c engine.Created) (batchResult, error) {
	if c.Duplicate && c.Redacted {
		b, err := json.Marshal(map[string]any{"id": c.Lead.ID, "duplicate": true})
		return batchResult{Status: http.StatusOK, Lead: b}, err
	}
	if c.Duplicate {
		b, err := withMembers(c.Lead, "routing", nil, "duplicate", true)
		return batchResult{Status: http.StatusOK, Lead: b}, err
	}
	b, err := withMembers(c.Lead, "routing", routingOf(c.Routing), "duplicate", false)
	return batchResult{Status: http.StatusCreated, Lead: b}, err
}
