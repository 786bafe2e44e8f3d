package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

// The queries of R14 and R15's timers; engine.Lead.SLADue and engine.HandoffDue are the
// rules they restate.

// handoffOwner is engine.HandoffDue's condition on the owner, a, and its lead, l.
const handoffOwner = `a.removed_at IS NULL AND a.presence IN ('away','offline') AND a.away_since IS NOT NULL
	AND l.status NOT IN ('won','lost') AND l.first_contact_at IS NULL AND l.assigned_at <= a.away_since`

func (q *q) NextSLADue() (time.Time, bool, error) {
	return q.minTime(`SELECT min(sla_due_at) FROM leads WHERE sla_due_at IS NOT NULL`)
}

func (q *q) LeadsSLADue(now time.Time, limit int) ([]engine.Lead, error) {
	return q.leads(`SELECT `+leadColumns+leadFrom+` WHERE l.sla_due_at <= $1 ORDER BY l.sla_due_at, l.id LIMIT $2`,
		ts(now), limit)
}

func (q *q) NextHandoff() (time.Time, bool, error) {
	return q.minTime(`SELECT min(a.away_since) FROM agents a WHERE EXISTS (
		SELECT 1 FROM leads l WHERE l.owner_id = a.id AND ` + handoffOwner + `)`)
}

func (q *q) HandoffLeads(awayBy time.Time, limit int) ([]engine.Lead, error) {
	return q.leads(`SELECT `+leadColumns+leadFrom+` WHERE a.away_since <= $1 AND `+handoffOwner+`
		ORDER BY l.id LIMIT $2`, ts(awayBy), limit)
}

// minTime runs a query of one nullable time.
func (q *q) minTime(query string, args ...any) (time.Time, bool, error) {
	var v *time.Time
	if err := q.db.QueryRow(q.ctx, query, args...).Scan(&v); err != nil {
		return time.Time{}, false, err
	}
	return fromNullTS(v), v != nil, nil
}

// leads runs a query of leadColumns.
func (q *q) leads(query string, args ...any) ([]engine.Lead, error) {
	rows, err := q.db.Query(q.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Lead
	for rows.Next() {
		l, err := q.scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
