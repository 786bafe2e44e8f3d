package postgres

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const leadColumns = `l.id, l.external_id, l.source, l.name, l.email, l.phone, l.company, l.tags, l.fields,
	l.status, l.owner_id, a.handle, l.waiting, l.wait_reason, l.created_at, l.assigned_at,
	l.first_contact_at, l.sla_due_at, l.sla_action, l.sla_missed_by, l.updated_at, l.returning_of, l.returning_by,
	l.first_assigned_at, l.contact_owner_id, l.contact_assigned_at, l.sla_met`

const leadFrom = ` FROM leads l LEFT JOIN agents a ON a.id = l.owner_id`

func scanLead(row interface{ Scan(...any) error }) (engine.Lead, error) {
	var (
		l                      engine.Lead
		ext, owner             *string
		ownerID, returning     *int64
		tags, fields, missedBy []byte
		created, updated       time.Time
		assigned, firstContact *time.Time
		slaDue, firstAssigned  *time.Time
		contactAssigned        *time.Time
		contactOwner           *int64
	)
	err := row.Scan(&l.ID, &ext, &l.Source, &l.Name, &l.Email, &l.Phone, &l.Company, &tags, &fields,
		&l.Status, &ownerID, &owner, &l.Waiting, &l.WaitReason, &created, &assigned, &firstContact,
		&slaDue, &l.SLAAction, &missedBy, &updated, &returning, &l.ReturningBy,
		&firstAssigned, &contactOwner, &contactAssigned, &l.SLAMet)
	if err != nil {
		return l, err
	}
	l.SLADueAt = fromNullTS(slaDue)
	l.FirstAssignedAt, l.ContactOwnerID, l.ContactAssignedAt = fromNullTS(firstAssigned), intOf(contactOwner), fromNullTS(contactAssigned)
	if missedBy != nil {
		if err := json.Unmarshal(missedBy, &l.SLAMissedBy); err != nil {
			return l, fmt.Errorf("lead #%d: sla_missed_by: %w", l.ID, err)
		}
	}
	l.ExternalID, l.Owner, l.OwnerID, l.ReturningOf = strOf(ext), strOf(owner), intOf(ownerID), intOf(returning)
	l.CreatedAt, l.UpdatedAt = created.UTC(), updated.UTC()
	l.AssignedAt, l.FirstContactAt = fromNullTS(assigned), fromNullTS(firstContact)
	if err := json.Unmarshal(tags, &l.Tags); err != nil {
		return l, fmt.Errorf("lead #%d: tags: %w", l.ID, err)
	}
	if err := json.Unmarshal(fields, &l.Fields); err != nil {
		return l, fmt.Errorf("lead #%d: fields: %w", l.ID, err)
	}
	return l, nil
}

// identity is what of a lead leadUpdateColumns leave out.
type identity struct {
	externalID, source, name, email, phone, company, tags, returningBy string
	created                                                            time.Time
	returningOf                                                        int64
}

func identityOf(l *engine.Lead) identity {
	return identity{l.ExternalID, l.Source, l.Name, l.Email, l.Phone, l.Company, strings.Join(l.Tags, "\x00"), l.ReturningBy,
		ts(l.CreatedAt), l.ReturningOf}
}

// scanLead reads a lead; in a write transaction it notes the lead's identity, so that
// UpdateLead knows what it need not write.
func (q *q) scanLead(row interface{ Scan(...any) error }) (engine.Lead, error) {
	l, err := scanLead(row)
	if err == nil && q.w != nil {
		q.w.leadsRead[l.ID] = identityOf(&l)
	}
	return l, err
}

func (q *q) Lead(id int64) (engine.Lead, error) {
	l, err := q.scanLead(q.db.QueryRow(q.ctx, `SELECT `+leadColumns+leadFrom+` WHERE l.id = $1`, id))
	return l, one(err)
}

func (q *q) LeadByExternalID(source, externalID string) (engine.Lead, error) {
	l, err := q.scanLead(q.db.QueryRow(q.ctx,
		`SELECT `+leadColumns+leadFrom+` WHERE l.source = $1 AND l.external_id = $2`, source, externalID))
	return l, one(err)
}

func (q *q) LeadsByExternalID(keys []engine.ExternalKey) ([]engine.Lead, error) {
	sources, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		sources[i], ids[i] = k.Source, k.ExternalID
	}
	return q.leads(`SELECT `+leadColumns+leadFrom+` WHERE l.external_id IS NOT NULL
		AND (l.source, l.external_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, sources, ids)
}

// leadWhere is the WHERE clause of a lead filter (without paging).
func leadWhere(f engine.LeadFilter) *where {
	w := &where{}
	if len(f.IDs) > 0 {
		w.add(`l.id = ANY(` + w.arg(f.IDs) + `)`)
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		w.add(`l.status = ANY(` + w.arg(st) + `)`)
	}
	if f.OwnerID != 0 {
		w.add(`l.owner_id = ` + w.arg(f.OwnerID))
	}
	if f.Source != "" {
		w.add(`l.source = ` + w.arg(f.Source))
	}
	if f.Tag != "" {
		w.add(`l.tags ? ` + w.arg(f.Tag))
	}
	if f.Text != "" {
		// The columns sort in byte order (COLLATE "C"), where lower() folds ASCII
		// letters only: the needle is folded the same way.
		t := w.arg(f.Text)
		n := `lower(` + t + `::text COLLATE "C")`
		w.add(`(strpos(lower(l.name), ` + n + `) > 0 OR strpos(lower(l.email), ` + n + `) > 0
			OR strpos(l.phone, ` + t + `) > 0 OR strpos(lower(l.company), ` + n + `) > 0)`)
	}
	if f.Unassigned {
		w.add(`l.owner_id IS NULL`)
		if f.Waiting != "" {
			w.add(`l.waiting = ` + w.arg(string(f.Waiting)))
		}
	}
	if f.Open {
		w.add(`l.status NOT IN ('won','lost')`)
	}
	if f.VisibleTo != 0 {
		agent := w.arg(f.VisibleTo)
		w.add(`(l.owner_id = ` + agent + ` OR EXISTS (SELECT 1 FROM shares s WHERE s.lead_id = l.id AND s.agent_id = ` + agent + `
			AND ` + activeAt(w, f.Now) + `))`)
	}
	return w
}

func (q *q) Leads(f engine.LeadFilter) ([]engine.Lead, error) {
	w := leadWhere(f)
	order := " ORDER BY l.id DESC"
	if f.AfterID != 0 {
		op := " < "
		if f.OldestFirst {
			op = " > "
		}
		w.add("l.id" + op + w.arg(f.AfterID))
	}
	if f.OldestFirst {
		order = " ORDER BY l.id"
	}
	query := `SELECT ` + leadColumns + leadFrom + w.String() + order
	if f.Limit > 0 {
		query += " LIMIT " + w.arg(f.Limit)
	}
	return q.leads(query, w.args...)
}

func (q *q) CountLeads(f engine.LeadFilter) (int, error) {
	w := leadWhere(f)
	var n int
	err := q.db.QueryRow(q.ctx, `SELECT count(*) FROM leads l`+w.String(), w.args...).Scan(&n)
	return n, err
}

func leadArgs(l *engine.Lead) ([]any, error) {
	tags, err := json.Marshal(l.Tags)
	if err != nil {
		return nil, fmt.Errorf("encoding tags: %w", err)
	}
	if l.Tags == nil {
		tags = []byte("[]")
	}
	fields, err := json.Marshal(l.Fields)
	if err != nil {
		return nil, fmt.Errorf("encoding fields: %w", err)
	}
	if l.Fields == nil {
		fields = []byte("{}")
	}
	var missedBy *string
	if len(l.SLAMissedBy) > 0 {
		b, err := json.Marshal(l.SLAMissedBy)
		if err != nil {
			return nil, fmt.Errorf("encoding sla_missed_by: %w", err)
		}
		missedBy = nullStr(string(b))
	}
	return []any{nullStr(l.ExternalID), l.Source, l.Name, l.Email, l.Phone, l.Company, string(tags), string(fields),
		string(l.Status), nullInt(l.OwnerID), string(l.Waiting), l.WaitReason, ts(l.CreatedAt),
		nullTS(l.AssignedAt), nullTS(l.FirstContactAt), nullTS(l.SLADueAt), string(l.SLAAction), missedBy,
		ts(l.UpdatedAt), engine.EmailKey(l.Email), engine.PhoneKey(l.Phone), nullInt(l.ReturningOf), l.ReturningBy,
		nullTS(l.FirstAssignedAt), nullInt(l.ContactOwnerID), nullTS(l.ContactAssignedAt), l.SLAMet}, nil
}

// leadInsertColumns are the columns of a new lead: its id, then leadArgs; and their
// types.
var (
	leadInsertColumns = []string{"id", "external_id", "source", "name", "email", "phone", "company", "tags", "fields",
		"status", "owner_id", "waiting", "wait_reason", "created_at", "assigned_at", "first_contact_at", "sla_due_at",
		"sla_action", "sla_missed_by", "updated_at", "email_key", "phone_key", "returning_of", "returning_by",
		"first_assigned_at", "contact_owner_id", "contact_assigned_at", "sla_met"}
	leadInsertTypes = []string{"bigint", "text", "text", "text", "text", "text", "text", "jsonb", "jsonb",
		"text", "bigint", "text", "text", "timestamptz", "timestamptz", "timestamptz", "timestamptz",
		"text", "jsonb", "timestamptz", "text", "text", "bigint", "text",
		"timestamptz", "bigint", "timestamptz", "boolean"}
)

// leadUpdateColumns are what UpdateLead writes: what changes once a lead exists (its
// fields, status, owner, queue, SLA, contact). What a lead is – its source, external
// id, name, e-mail, phone, company, tags, creation and the lead it returns to – is
// written once: an update that set those would rewrite the indexes on them for nothing.
var leadUpdateColumns = []string{"fields", "status", "owner_id", "waiting", "wait_reason", "assigned_at",
	"first_contact_at", "sla_due_at", "sla_action", "sla_missed_by", "updated_at", "first_assigned_at",
	"contact_owner_id", "contact_assigned_at", "sla_met"}

// leadUpdateArgs are the positions in leadArgs of leadUpdateColumns, leadUpdateTypes
// their types.
var leadUpdateArgs, leadUpdateTypes = func() ([]int, []string) {
	var pos []int
	var types []string
	for _, c := range leadUpdateColumns {
		for i, ic := range leadInsertColumns[1:] {
			if ic == c {
				pos, types = append(pos, i), append(types, leadInsertTypes[i+1])
			}
		}
	}
	return pos, types
}()

// leadUpdateAll writes every column of a lead (then its id).
var leadUpdateAll = func() string {
	sets := make([]string, len(leadInsertColumns)-1)
	for i, c := range leadInsertColumns[1:] {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	return `UPDATE leads SET ` + strings.Join(sets, ", ") + fmt.Sprintf(` WHERE id = $%d`, len(leadInsertColumns))
}()

func (q *q) InsertLead(l *engine.Lead) error {
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	q.w.held.holdLead(l, args)
	q.w.leadsRead[l.ID] = identityOf(l)
	return nil
}

// UpdateLead holds back leadUpdateColumns of a lead whose identity is as this
// transaction read it, and writes every column otherwise.
func (q *q) UpdateLead(l *engine.Lead) error {
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	w := q.w
	if w.held.heldNewLead(l, args) { // still to be inserted: inserted as it is now
		return nil
	}
	if read, ok := w.leadsRead[l.ID]; !ok || read != identityOf(l) {
		w.leadsRead[l.ID] = identityOf(l)
		return q.exec(leadUpdateAll, append(args, l.ID)...)
	}
	upd := make([]any, len(leadUpdateArgs))
	for i, a := range leadUpdateArgs {
		upd[i] = args[a]
	}
	w.held.holdUpdate(l.ID, upd)
	return nil
}

// leadOwnerColumns are what LeadOwners reads.
const leadOwnerColumns = `l.id, l.source, l.name, l.email, l.phone, l.company, l.status, l.owner_id, a.handle,
	l.waiting, l.wait_reason, l.assigned_at, l.first_assigned_at, l.first_contact_at, l.sla_due_at, l.sla_action,
	l.updated_at`

// LeadOwners reads leadOwnerColumns of the leads with these ids (engine.LeadReader).
func (q *q) LeadOwners(ids []int64) ([]engine.Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.db.Query(q.ctx, `SELECT `+leadOwnerColumns+leadFrom+` WHERE l.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]engine.Lead, 0, len(ids))
	for rows.Next() {
		var (
			l                       engine.Lead
			owner                   *string
			ownerID                 *int64
			assigned, firstAssigned *time.Time
			firstContact, slaDue    *time.Time
			updated                 time.Time
		)
		if err := rows.Scan(&l.ID, &l.Source, &l.Name, &l.Email, &l.Phone, &l.Company, &l.Status, &ownerID, &owner,
			&l.Waiting, &l.WaitReason, &assigned, &firstAssigned, &firstContact, &slaDue, &l.SLAAction, &updated); err != nil {
			return nil, err
		}
		l.OwnerID, l.Owner, l.UpdatedAt = intOf(ownerID), strOf(owner), updated.UTC()
		l.AssignedAt, l.FirstAssignedAt, l.FirstContactAt = fromNullTS(assigned), fromNullTS(firstAssigned), fromNullTS(firstContact)
		l.SLADueAt = fromNullTS(slaDue)
		out = append(out, l)
	}
	return out, rows.Err()
}

// leadOwnerUpdateColumns are what UpdateLeadOwner writes (ownerArgs), leadOwnerTypes
// their types, leadOwnerInsert their positions in a held new lead's row (its id, then
// leadArgs) and leadOwnerUpdate in a held update's (its id, then leadUpdateColumns).
var leadOwnerUpdateColumns = []string{"status", "owner_id", "waiting", "wait_reason", "assigned_at",
	"first_assigned_at", "sla_due_at", "sla_action", "updated_at"}

var leadOwnerTypes, leadOwnerInsert, leadOwnerUpdate = func() (types []string, insert, update []int) {
	for _, c := range leadOwnerUpdateColumns {
		i, u := slices.Index(leadInsertColumns, c), slices.Index(leadUpdateColumns, c)
		if i < 0 || u < 0 {
			panic("postgres: no lead column " + c)
		}
		types, insert, update = append(types, leadInsertTypes[i]), append(insert, i), append(update, u+1)
	}
	return types, insert, update
}()

func ownerArgs(l *engine.Lead) []any {
	return []any{string(l.Status), nullInt(l.OwnerID), string(l.Waiting), l.WaitReason, nullTS(l.AssignedAt),
		nullTS(l.FirstAssignedAt), nullTS(l.SLADueAt), string(l.SLAAction), ts(l.UpdatedAt)}
}

// UpdateLeadOwner holds back leadOwnerUpdateColumns of a lead (engine.LeadWriter).
func (q *q) UpdateLeadOwner(l *engine.Lead) error {
	q.w.held.holdOwnerUpdate(l.ID, ownerArgs(l))
	return nil
}

// returningQuery finds the newest owned lead created since a time ($3) whose email_key
// is $1 or whose phone_key is $2, in one statement (one round trip): a search of each
// key's partial index by key and time (its conditions repeated, so that PostgreSQL
// uses it), the newer of the two hits, then that one row. An empty key finds nothing:
// the indexes hold no empty key.
const returningQuery = `SELECT ` + leadColumns + leadFrom + ` WHERE l.id = (
	SELECT id FROM (
		(SELECT id, created_at FROM leads WHERE email_key = $1 AND owner_id IS NOT NULL
			AND email_key <> '' AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1)
		UNION ALL
		(SELECT id, created_at FROM leads WHERE phone_key = $2 AND owner_id IS NOT NULL
			AND phone_key <> '' AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1)
	) hits ORDER BY created_at DESC, id DESC LIMIT 1)`

// ReturningLead is the most recent owned lead since a time with either key.
func (q *q) ReturningLead(emailKey, phoneKey string, since time.Time) (engine.Lead, error) {
	if emailKey == "" && phoneKey == "" {
		return engine.Lead{}, engine.ErrNoRows
	}
	l, err := q.scanLead(q.db.QueryRow(q.ctx, returningQuery, emailKey, phoneKey, ts(since)))
	return l, one(err)
}

// returningLeadsQuery finds, for each e-mail key in $1 and each phone key in $2, the lead
// returningQuery finds by that key alone: one search of the key's index per key.
const returningLeadsQuery = `SELECT ` + leadColumns + leadFrom + ` WHERE l.id IN (
	SELECT (SELECT id FROM leads WHERE email_key = k AND owner_id IS NOT NULL AND email_key <> ''
		AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1) FROM unnest($1::text[]) k
	UNION
	SELECT (SELECT id FROM leads WHERE phone_key = k AND owner_id IS NOT NULL AND phone_key <> ''
		AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1) FROM unnest($2::text[]) k)`

func (q *q) ReturningLeads(emailKeys, phoneKeys []string, since time.Time) ([]engine.Lead, error) {
	return q.leads(returningLeadsQuery, nonEmpty(emailKeys), nonEmpty(phoneKeys), ts(since))
}

// nonEmpty is keys without "" (which matches nothing), never nil.
func nonEmpty(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}
