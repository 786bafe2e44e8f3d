package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
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
		l                               engine.Lead
		ext, owner, missedBy            sql.NullString
		ownerID, assigned, firstContact sql.NullInt64
		slaDue, returning               sql.NullInt64
		firstAssigned, contactOwner     sql.NullInt64
		contactAssigned                 sql.NullInt64
		tags, fields                    string
		created, updated                int64
	)
	err := row.Scan(&l.ID, &ext, &l.Source, &l.Name, &l.Email, &l.Phone, &l.Company, &tags, &fields,
		&l.Status, &ownerID, &owner, &l.Waiting, &l.WaitReason, &created, &assigned, &firstContact,
		&slaDue, &l.SLAAction, &missedBy, &updated, &returning, &l.ReturningBy,
		&firstAssigned, &contactOwner, &contactAssigned, &l.SLAMet)
	if err != nil {
		return l, err
	}
	l.SLADueAt = fromNullMS(slaDue)
	l.FirstAssignedAt, l.ContactOwnerID, l.ContactAssignedAt = fromNullMS(firstAssigned), contactOwner.Int64, fromNullMS(contactAssigned)
	if missedBy.Valid {
		if err := json.Unmarshal([]byte(missedBy.String), &l.SLAMissedBy); err != nil {
			return l, fmt.Errorf("lead #%d: sla_missed_by: %w", l.ID, err)
		}
	}
	l.ExternalID, l.Owner, l.OwnerID, l.ReturningOf = ext.String, owner.String, ownerID.Int64, returning.Int64
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	l.AssignedAt, l.FirstContactAt = fromNullMS(assigned), fromNullMS(firstContact)
	// Most leads have no tags and no fields: what json.Unmarshal would make of them,
	// without it.
	if tags == "[]" {
		l.Tags = []string{}
	} else if err := json.Unmarshal([]byte(tags), &l.Tags); err != nil {
		return l, fmt.Errorf("lead #%d: tags: %w", l.ID, err)
	}
	if fields == "{}" {
		l.Fields = map[string]any{}
	} else if err := json.Unmarshal([]byte(fields), &l.Fields); err != nil {
		return l, fmt.Errorf("lead #%d: fields: %w", l.ID, err)
	}
	return l, nil
}

func (q *q) Lead(id int64) (engine.Lead, error) {
	l, err := q.scanLead(q.db.QueryRowContext(q.ctx, `SELECT `+leadColumns+leadFrom+` WHERE l.id = ?`, id))
	return l, one(err)
}

func (q *q) LeadByExternalID(source, externalID string) (engine.Lead, error) {
	l, err := q.scanLead(q.db.QueryRowContext(q.ctx,
		`SELECT `+leadColumns+leadFrom+` WHERE l.source = ? AND l.external_id = ?`, source, externalID))
	return l, one(err)
}

// externalAtOnce is how many keys one statement of LeadsByExternalID looks up.
const externalAtOnce = 256

func (q *q) LeadsByExternalID(keys []engine.ExternalKey) ([]engine.Lead, error) {
	var out []engine.Lead
	for len(keys) > 0 {
		n := chunkFor(min(len(keys), externalAtOnce))
		args := make([]any, 0, 2*n)
		for _, k := range keys[:n] {
			args = append(args, k.Source, k.ExternalID)
		}
		rows, err := q.db.QueryContext(q.ctx, externalStatements[n], args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			l, err := q.scanLead(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, l)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

// externalStatements look up n sources and external ids (leads_external), by n.
var externalStatements = func() map[int]string {
	m := map[int]string{}
	for _, n := range chunkSizes {
		m[n] = `SELECT ` + leadColumns + leadFrom + ` WHERE l.external_id IS NOT NULL AND (l.source, l.external_id) IN (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?),", n), ",") + `)`
	}
	return m
}()

// leadWhere builds the WHERE clause of a lead filter (without paging).
func leadWhere(f engine.LeadFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if len(f.IDs) > 0 {
		ids, _ := json.Marshal(f.IDs)
		add(`l.id IN (SELECT value FROM json_each(?))`, string(ids))
	}
	if len(f.Status) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Status)), ",")
		var a []any
		for _, s := range f.Status {
			a = append(a, string(s))
		}
		add(`l.status IN (`+ph+`)`, a...)
	}
	if f.OwnerID != 0 {
		add(`l.owner_id = ?`, f.OwnerID)
	}
	if f.Source != "" {
		add(`l.source = ?`, f.Source)
	}
	if f.Tag != "" {
		add(`EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = ?)`, f.Tag)
	}
	if f.Text != "" {
		// SQLite's lower() folds ASCII letters only; the needle is folded the same way,
		// so that other letters match as written.
		add(`(instr(lower(l.name), lower(?)) OR instr(lower(l.email), lower(?)) OR instr(l.phone, ?)
			OR instr(lower(l.company), lower(?)))`, f.Text, f.Text, f.Text, f.Text)
	}
	if f.Unassigned {
		add(`l.owner_id IS NULL`)
		if f.Waiting != "" {
			add(`l.waiting = ?`, string(f.Waiting))
		}
	}
	if f.Open {
		add(`l.status NOT IN ('won','lost')`)
	}
	if f.VisibleTo != 0 {
		add(`(l.owner_id = ? OR EXISTS (SELECT 1 FROM shares s WHERE s.lead_id = l.id AND s.agent_id = ?
			AND s.status = 'active' AND (s.expires_at IS NULL OR s.expires_at > ?)))`, f.VisibleTo, f.VisibleTo, ms(f.Now))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (q *q) Leads(f engine.LeadFilter) ([]engine.Lead, error) {
	where, args := leadWhere(f)
	order := " ORDER BY l.id DESC"
	if f.AfterID != 0 {
		op := "<"
		if f.OldestFirst {
			op = ">"
		}
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += "l.id " + op + " ?"
		args = append(args, f.AfterID)
	}
	if f.OldestFirst {
		order = " ORDER BY l.id"
	}
	query := `SELECT ` + leadColumns + leadFrom + where + order
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := q.db.QueryContext(q.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]engine.Lead, 0, min(max(len(f.IDs), f.Limit), leadsAtOnce)) // a bulk read's leads are copied once
	for rows.Next() {
		l, err := q.scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// leadsAtOnce bounds what Leads sets aside before reading.
const leadsAtOnce = 1000

func (q *q) CountLeads(f engine.LeadFilter) (int, error) {
	where, args := leadWhere(f)
	var n int
	err := q.db.QueryRowContext(q.ctx, `SELECT count(*) FROM leads l`+where, args...).Scan(&n)
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
	missedBy, err := missedByArg(l)
	if err != nil {
		return nil, err
	}
	return []any{nullStr(l.ExternalID), l.Source, l.Name, l.Email, l.Phone, l.Company, string(tags), string(fields),
		string(l.Status), nullInt(l.OwnerID), string(l.Waiting), l.WaitReason, ms(l.CreatedAt),
		nullMS(l.AssignedAt), nullMS(l.FirstContactAt), nullMS(l.SLADueAt), string(l.SLAAction), missedBy,
		ms(l.UpdatedAt), engine.EmailKey(l.Email), engine.PhoneKey(l.Phone), nullInt(l.ReturningOf), l.ReturningBy,
		nullMS(l.FirstAssignedAt), nullInt(l.ContactOwnerID), nullMS(l.ContactAssignedAt), l.SLAMet}, nil
}

// leadInsertColumns are the columns of a new lead: its id, then leadArgs.
var leadInsertColumns = []string{"id", "external_id", "source", "name", "email", "phone", "company", "tags", "fields",
	"status", "owner_id", "waiting", "wait_reason", "created_at", "assigned_at", "first_contact_at", "sla_due_at",
	"sla_action", "sla_missed_by", "updated_at", "email_key", "phone_key", "returning_of", "returning_by",
	"first_assigned_at", "contact_owner_id", "contact_assigned_at", "sla_met"}

// leadUpdateColumns are what UpdateLead writes: what changes once a lead exists (its
// fields, status, owner, queue, SLA, contact). What a lead is – its source, external
// id, name, e-mail, phone, company, tags, creation and the lead it returns to – is
// written once: an update that set those would rewrite the indexes on them for nothing.
//
// SQLite rewrites an index's entry for every row an UPDATE sets a column of that index
// (or of its WHERE) on, whether the value changes or not. So the columns are grouped by
// the indexes they are in, and an update statement sets only the groups some of its rows
// change (indexGroups); the columns in no index are always set.
var leadUpdateColumns = []string{"fields", "wait_reason", "assigned_at", "sla_action", "sla_missed_by", "updated_at",
	"owner_id", "status", "waiting",
	"sla_due_at",
	"first_assigned_at", "first_contact_at", "contact_owner_id", "contact_assigned_at", "sla_met"}

// indexGroups are the runs of leadUpdateColumns that an update sets only when a row
// changes them, with the indexes each touches:
//   - owner_id, status, waiting: leads_owner, and leads_queue, leads_email_key and
//     leads_phone_key through their WHERE (a reassignment, a status change);
//   - sla_due_at: leads_sla_due;
//   - first_assigned_at, first_contact_at, contact_owner_id, contact_assigned_at,
//     sla_met: leads_created and leads_contacted (a lead's first owner, its first
//     contact).
//
// TestLeadUpdateIndexes checks that no other index has a column updates set.
var indexGroups = [...]struct{ from, to int }{{6, 9}, {9, 10}, {10, 15}}

// indexed is a lead's values of the columns of indexGroups, as the database has them.
type indexed struct {
	ownerID                       int64
	status, waiting               string
	slaDue                        int64
	firstAssigned, firstContact   int64
	contactOwner, contactAssigned int64
	slaMet                        bool
}

func indexedOf(l *engine.Lead) indexed {
	return indexed{l.OwnerID, string(l.Status), string(l.Waiting), msOrNull(l.SLADueAt),
		msOrNull(l.FirstAssignedAt), msOrNull(l.FirstContactAt), l.ContactOwnerID, msOrNull(l.ContactAssignedAt), l.SLAMet}
}

// msOrNull is t as stored, math.MinInt64 for NULL (the zero time).
func msOrNull(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixMilli()
}

// groupsChanged is the set of indexGroups (bit i for group i) whose values differ
// between a and b.
func groupsChanged(a, b indexed) uint8 {
	var m uint8
	if a.ownerID != b.ownerID || a.status != b.status || a.waiting != b.waiting {
		m |= 1
	}
	if a.slaDue != b.slaDue {
		m |= 2
	}
	if a.firstAssigned != b.firstAssigned || a.firstContact != b.firstContact || a.contactOwner != b.contactOwner ||
		a.contactAssigned != b.contactAssigned || a.slaMet != b.slaMet {
		m |= 4
	}
	return m
}

// allGroups sets every group.
const allGroups = 1<<len(indexGroups) - 1

// updateArgs are a lead's values of leadUpdateColumns.
func updateArgs(l *engine.Lead) ([]any, error) {
	fields := "{}"
	if len(l.Fields) > 0 {
		b, err := json.Marshal(l.Fields)
		if err != nil {
			return nil, fmt.Errorf("encoding fields: %w", err)
		}
		fields = string(b)
	}
	missedBy, err := missedByArg(l)
	if err != nil {
		return nil, err
	}
	return []any{fields, l.WaitReason, nullMS(l.AssignedAt), string(l.SLAAction), missedBy, ms(l.UpdatedAt),
		nullInt(l.OwnerID), string(l.Status), string(l.Waiting),
		nullMS(l.SLADueAt),
		nullMS(l.FirstAssignedAt), nullMS(l.FirstContactAt), nullInt(l.ContactOwnerID), nullMS(l.ContactAssignedAt), l.SLAMet}, nil
}

func missedByArg(l *engine.Lead) (sql.NullString, error) {
	if len(l.SLAMissedBy) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(l.SLAMissedBy)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encoding sla_missed_by: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// leadUpdateAll writes every column of a lead (then its id).
var leadUpdateAll = func() string {
	sets := make([]string, len(leadInsertColumns)-1)
	for i, c := range leadInsertColumns[1:] {
		sets[i] = c + " = ?"
	}
	return `UPDATE leads SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`
}()

func (q *q) InsertLead(l *engine.Lead) error {
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	return q.w.holdLead(l, args)
}

// UpdateLead writes leadUpdateColumns of a lead whose identity is as this transaction
// read it (held, to be written with the others), and every column otherwise.
func (q *q) UpdateLead(l *engine.Lead) error {
	if _, held := q.w.held.newLeadPos[l.ID]; !held {
		if read, ok := q.w.leadsRead[l.ID]; ok && read.identity == identityOf(l) {
			args, err := updateArgs(l)
			if err != nil {
				return err
			}
			q.w.holdUpdate(l.ID, args, indexedOf(l))
			return nil
		}
	}
	args, err := leadArgs(l)
	if err != nil {
		return err
	}
	if q.w.heldNewLead(l, args) { // still to be inserted: inserted as it is now
		return nil
	}
	// Held updates, this lead's among them, are written first: it is noted after.
	if err := q.exec(leadUpdateAll, append(args, l.ID)...); err != nil {
		return err
	}
	q.w.leadsRead[l.ID] = leadRead{identityOf(l), indexedOf(l)}
	return nil
}

// leadOwnerColumns are what LeadOwners reads (scanLeadOwner).
const leadOwnerColumns = `l.id, l.source, l.name, l.email, l.phone, l.company, l.status, l.owner_id, a.handle,
	l.waiting, l.wait_reason, l.assigned_at, l.first_assigned_at, l.first_contact_at, l.sla_due_at, l.sla_action,
	l.updated_at`

// LeadOwners reads leadOwnerColumns of the leads with these ids (engine.LeadReader).
func (q *q) LeadOwners(ids []int64) ([]engine.Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(ids)
	rows, err := q.db.QueryContext(q.ctx, `SELECT `+leadOwnerColumns+leadFrom+` WHERE l.id IN (SELECT value FROM json_each(?))`,
		string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]engine.Lead, 0, min(len(ids), leadsAtOnce))
	for rows.Next() {
		var (
			l                                engine.Lead
			owner                            sql.NullString
			ownerID, assigned, firstAssigned sql.NullInt64
			firstContact, slaDue             sql.NullInt64
			updated                          int64
		)
		if err := rows.Scan(&l.ID, &l.Source, &l.Name, &l.Email, &l.Phone, &l.Company, &l.Status, &ownerID, &owner,
			&l.Waiting, &l.WaitReason, &assigned, &firstAssigned, &firstContact, &slaDue, &l.SLAAction, &updated); err != nil {
			return nil, err
		}
		l.OwnerID, l.Owner, l.UpdatedAt = ownerID.Int64, owner.String, fromMS(updated)
		l.AssignedAt, l.FirstAssignedAt, l.FirstContactAt = fromNullMS(assigned), fromNullMS(firstAssigned), fromNullMS(firstContact)
		l.SLADueAt = fromNullMS(slaDue)
		if q.w != nil {
			q.w.sawOwner(&l)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpdateLeadOwner writes leadOwnerUpdate of a lead, held with the other updates
// (engine.LeadWriter).
func (q *q) UpdateLeadOwner(l *engine.Lead) error {
	q.w.holdOwnerUpdate(l, ownerArgs(l))
	return nil
}

// ownerArgs are a lead's values of leadUpdateColumns as updateArgs has them, but only
// those of leadOwnerUpdate: the others are nil, never written.
func ownerArgs(l *engine.Lead) []any {
	args := make([]any, len(leadUpdateColumns))
	for k, v := range [...]any{l.WaitReason, nullMS(l.AssignedAt), string(l.SLAAction), ms(l.UpdatedAt),
		nullInt(l.OwnerID), string(l.Status), string(l.Waiting), nullMS(l.SLADueAt), nullMS(l.FirstAssignedAt)} {
		args[leadOwnerUpdate[k]] = v
	}
	return args
}

// leadOwnerUpdate are the positions in leadUpdateColumns of what UpdateLeadOwner writes.
var leadOwnerUpdate = positions(leadUpdateColumns, "wait_reason", "assigned_at", "sla_action", "updated_at",
	"owner_id", "status", "waiting", "sla_due_at", "first_assigned_at")

// leadOwnerInsert are the positions of leadOwnerUpdate in a held new lead's row (its
// id, then leadInsertColumns[1:]).
var leadOwnerInsert = func() []int {
	var out []int
	for _, i := range leadOwnerUpdate {
		out = append(out, positions(leadInsertColumns, leadUpdateColumns[i])...)
	}
	return out
}()

// positions are the positions of names in columns.
func positions(columns []string, names ...string) []int {
	var out []int
	for _, n := range names {
		i := slices.Index(columns, n)
		if i < 0 {
			panic("sqlite: no column " + n)
		}
		out = append(out, i)
	}
	return out
}

// withOwner is x with what UpdateLeadOwner writes of l.
func withOwner(x indexed, l *engine.Lead) indexed {
	x.ownerID, x.status, x.waiting = l.OwnerID, string(l.Status), string(l.Waiting)
	x.slaDue, x.firstAssigned = msOrNull(l.SLADueAt), msOrNull(l.FirstAssignedAt)
	return x
}

// sawOwner notes what LeadOwners read of a lead: its identity stays unknown (nothing
// matches it), so that a later UpdateLead of the lead writes every column.
func (w *writeTx) sawOwner(l *engine.Lead) {
	read := w.leadsRead[l.ID]
	read.indexed = withOwner(read.indexed, l)
	w.leadsRead[l.ID] = read
}

// returningQuery finds the newest owned lead created since a time (?3) whose email_key
// is ?1 or whose phone_key is ?2, in one statement: a search of each key's partial
// index by key and time (its conditions repeated, so that SQLite uses it), the newer
// of the two hits, then that one row (TestReturningLookupUsesTheIndex).
// An empty key finds nothing: the indexes hold no empty key.
const returningQuery = `SELECT ` + leadColumns + leadFrom + ` WHERE l.id = (
	SELECT id FROM (
		SELECT * FROM (SELECT id, created_at FROM leads WHERE email_key = ?1 AND owner_id IS NOT NULL
			AND email_key <> '' AND created_at >= ?3 ORDER BY created_at DESC, id DESC LIMIT 1)
		UNION ALL
		SELECT * FROM (SELECT id, created_at FROM leads WHERE phone_key = ?2 AND owner_id IS NOT NULL
			AND phone_key <> '' AND created_at >= ?3 ORDER BY created_at DESC, id DESC LIMIT 1)
	) ORDER BY created_at DESC, id DESC LIMIT 1)`

// leadRead is what a write transaction knows of a lead as the database has it: what
// leadUpdateColumns leave out, and the columns of indexGroups.
type leadRead struct {
	identity
	indexed
}

// identity is what of a lead leadUpdateColumns leave out.
type identity struct {
	externalID, source, name, email, phone, company, tags, returningBy string
	created                                                            int64
	returningOf                                                        int64
}

func identityOf(l *engine.Lead) identity {
	return identity{l.ExternalID, l.Source, l.Name, l.Email, l.Phone, l.Company, strings.Join(l.Tags, "\x00"), l.ReturningBy,
		ms(l.CreatedAt), l.ReturningOf}
}

// scanLead reads a lead; in a write transaction it notes the lead's identity, so that
// UpdateLead knows what it need not write.
func (q *q) scanLead(row interface{ Scan(...any) error }) (engine.Lead, error) {
	l, err := scanLead(row)
	if err == nil && q.w != nil {
		q.w.leadsRead[l.ID] = leadRead{identityOf(&l), indexedOf(&l)}
	}
	return l, err
}

// ReturningLead is the most recent owned lead since a time with either key.
func (q *q) ReturningLead(emailKey, phoneKey string, since time.Time) (engine.Lead, error) {
	if emailKey == "" && phoneKey == "" {
		return engine.Lead{}, engine.ErrNoRows
	}
	l, err := q.scanLead(q.db.QueryRowContext(q.ctx, returningQuery, emailKey, phoneKey, ms(since)))
	return l, one(err)
}

// returningLeadsQuery finds, for each e-mail key in the JSON list ?1 and each phone key
// in ?2, the lead returningQuery finds by that key alone: one search of the key's index
// per key.
const returningLeadsQuery = `SELECT ` + leadColumns + leadFrom + ` WHERE l.id IN (
	SELECT (SELECT id FROM leads WHERE email_key = k.value AND owner_id IS NOT NULL AND email_key <> ''
		AND created_at >= ?3 ORDER BY created_at DESC, id DESC LIMIT 1) FROM json_each(?1) k
	UNION
	SELECT (SELECT id FROM leads WHERE phone_key = k.value AND owner_id IS NOT NULL AND phone_key <> ''
		AND created_at >= ?3 ORDER BY created_at DESC, id DESC LIMIT 1) FROM json_each(?2) k)`

func (q *q) ReturningLeads(emailKeys, phoneKeys []string, since time.Time) ([]engine.Lead, error) {
	emails, err := json.Marshal(nonEmpty(emailKeys))
	if err != nil {
		return nil, err
	}
	phones, err := json.Marshal(nonEmpty(phoneKeys))
	if err != nil {
		return nil, err
	}
	return q.leads(returningLeadsQuery, string(emails), string(phones), ms(since))
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
