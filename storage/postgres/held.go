package postgres

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// A write transaction holds back the rows a command inserts into the tables that grow
// with every lead – leads, history, shares, notifications, the outbox – and the leads it
// updates, as the SQLite store does, and sends each table's rows as one statement,
// whatever their number: INSERT … SELECT FROM unnest of one array per column (one
// prepared statement per table), and UPDATE … FROM unnest for the updates. The rows go
// out when any other statement is held back (so that statements keep their order) or
// a statement that needs the held rows is sent, and at the latest with the release of
// the command's savepoint: a failure is still the command's.
//
// The ids are handed out by the transaction from the largest of each table, read when
// it takes the journal (it holds the one write lock of every node), so that a held row
// has its id at once; the tables' sequences are moved past them before the commit.

// heldTable is one table's held inserts.
type heldTable struct {
	name    string
	columns []string
	types   []string // each column's array type, for unnest
	rows    [][]any
	nextID  int64
	first   int64 // nextID when the transaction began: the sequence moves if it moved
}

// held is what a write transaction holds back.
type held struct {
	leads, events, shares, notifications, outbox heldTable
	updates                                      [][]any
	updatePos                                    map[int64]int
	// owners are the held owners' updates (UpdateLeadOwner) of leads held in no other
	// row: each the id, then leadOwnerUpdateColumns; nil when a whole update replaced it.
	owners     [][]any
	ownerPos   map[int64]int
	newLeadPos map[int64]int // lead id → index in leads.rows
}

func newHeld() *held {
	return &held{
		leads:         heldTable{name: "leads", columns: leadInsertColumns, types: leadInsertTypes},
		events:        heldTable{name: "events", columns: eventInsertColumns, types: eventInsertTypes},
		shares:        heldTable{name: "shares", columns: shareInsertColumns, types: shareInsertTypes},
		notifications: heldTable{name: "notifications", columns: notificationInsertColumns, types: notificationInsertTypes},
		outbox:        heldTable{name: "outbox", columns: outboxInsertColumns, types: outboxInsertTypes},
	}
}

// tables are the held tables in the order their rows are sent: a row's references (a
// share's lead, a notification's event) go first.
func (h *held) tables() []*heldTable {
	return []*heldTable{&h.leads, &h.events, &h.shares, &h.notifications, &h.outbox}
}

func (h *held) empty() bool {
	for _, t := range h.tables() {
		if len(t.rows) > 0 {
			return false
		}
	}
	return len(h.updates) == 0 && len(h.owners) == 0
}

// heldMark is what Savepoint remembers to give back: the ids handed out since.
type heldMark struct{ nextIDs [5]int64 }

func (h *held) mark() heldMark {
	var m heldMark
	for i, t := range h.tables() {
		m.nextIDs[i] = t.nextID
	}
	return m
}

func (h *held) discard(m heldMark) {
	for i, t := range h.tables() {
		t.nextID = m.nextIDs[i]
	}
	h.clear()
}

func (h *held) clear() {
	for _, t := range h.tables() {
		t.rows = t.rows[:0]
	}
	h.updates = h.updates[:0]
	clear(h.updatePos)
	h.owners = h.owners[:0]
	clear(h.ownerPos)
	clear(h.newLeadPos)
}

// hold holds a row for t, with the next id, and returns the id.
func (h *held) hold(t *heldTable, args []any) int64 {
	id := t.nextID
	t.nextID++
	t.rows = append(t.rows, append([]any{id}, args...))
	return id
}

func (h *held) holdLead(l *engine.Lead, args []any) {
	l.ID = h.hold(&h.leads, args)
	if h.newLeadPos == nil {
		h.newLeadPos = map[int64]int{}
	}
	h.newLeadPos[l.ID] = len(h.leads.rows) - 1
}

// heldNewLead replaces a held new lead by l, as it is now, and reports whether l was
// one.
func (h *held) heldNewLead(l *engine.Lead, args []any) bool {
	i, ok := h.newLeadPos[l.ID]
	if !ok {
		return false
	}
	h.leads.rows[i] = append([]any{l.ID}, args...)
	return true
}

func (h *held) holdUpdate(id int64, args []any) {
	row := append(append(make([]any, 0, len(args)+1), id), args...)
	if i, ok := h.ownerPos[id]; ok { // the whole update writes it too
		h.owners[i] = nil
		delete(h.ownerPos, id)
	}
	if i, ok := h.updatePos[id]; ok {
		h.updates[i] = row
		return
	}
	if h.updatePos == nil {
		h.updatePos = map[int64]int{}
	}
	h.updatePos[id] = len(h.updates)
	h.updates = append(h.updates, row)
}

// holdOwnerUpdate holds an owner's update (args are ownerArgs). A lead held whole –
// new, or updated whole – takes it into its row instead, so that a lead has one held
// row.
func (h *held) holdOwnerUpdate(id int64, args []any) {
	if i, ok := h.newLeadPos[id]; ok {
		for k, a := range args {
			h.leads.rows[i][leadOwnerInsert[k]] = a
		}
		return
	}
	if i, ok := h.updatePos[id]; ok {
		for k, a := range args {
			h.updates[i][leadOwnerUpdate[k]] = a
		}
		return
	}
	row := append(append(make([]any, 0, len(args)+1), id), args...)
	if i, ok := h.ownerPos[id]; ok {
		h.owners[i] = row
		return
	}
	if h.ownerPos == nil {
		h.ownerPos = map[int64]int{}
	}
	h.ownerPos[id] = len(h.owners)
	h.owners = append(h.owners, row)
}

// statements turns what is held into the statements that write it, and empties it.
func (h *held) statements() []queued {
	if h.empty() {
		return nil
	}
	var out []queued
	add := func(t *heldTable) {
		if len(t.rows) > 0 {
			out = append(out, queued{sql: insertStatements[t.name], args: columnsOf(t.rows, len(t.columns))})
		}
	}
	add(&h.leads)
	if len(h.updates) > 0 {
		out = append(out, queued{sql: leadUpdateStatement, args: columnsOf(h.updates, len(leadUpdateColumns)+1)})
	}
	if owners := slices.DeleteFunc(h.owners, func(r []any) bool { return r == nil }); len(owners) > 0 {
		out = append(out, queued{sql: leadOwnerUpdateStatement, args: columnsOf(owners, len(leadOwnerUpdateColumns)+1)})
	}
	for _, t := range []*heldTable{&h.events, &h.shares, &h.notifications, &h.outbox} {
		add(t)
	}
	h.clear()
	return out
}

// columnsOf turns rows into one array per column.
func columnsOf(rows [][]any, width int) []any {
	cols := make([]any, width)
	for c := range cols {
		col := make([]any, len(rows))
		for r, row := range rows {
			col[r] = row[c]
		}
		cols[c] = col
	}
	return cols
}

// insertStatements are each held table's INSERT from one array per column.
var insertStatements = func() map[string]string {
	m := map[string]string{}
	for _, t := range newHeld().tables() {
		arrays := make([]string, len(t.columns))
		for i, typ := range t.types {
			arrays[i] = fmt.Sprintf("$%d::%s[]", i+1, typ)
		}
		m[t.name] = "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") SELECT * FROM unnest(" +
			strings.Join(arrays, ", ") + ")"
	}
	return m
}()

// leadUpdateStatement updates leads from one array per column: the id, then
// leadUpdateColumns.
var leadUpdateStatement = func() string {
	arrays := []string{"$1::bigint[]"}
	sets := make([]string, len(leadUpdateColumns))
	names := []string{"id"}
	for i, c := range leadUpdateColumns {
		arrays = append(arrays, fmt.Sprintf("$%d::%s[]", i+2, leadUpdateTypes[i]))
		sets[i] = c + " = v." + c
		names = append(names, c)
	}
	return "UPDATE leads SET " + strings.Join(sets, ", ") + " FROM unnest(" + strings.Join(arrays, ", ") +
		") AS v(" + strings.Join(names, ", ") + ") WHERE leads.id = v.id"
}()

// leadOwnerUpdateStatement is leadUpdateStatement of leadOwnerUpdateColumns.
var leadOwnerUpdateStatement = func() string {
	arrays := []string{"$1::bigint[]"}
	sets := make([]string, len(leadOwnerUpdateColumns))
	names := []string{"id"}
	for i, c := range leadOwnerUpdateColumns {
		arrays = append(arrays, fmt.Sprintf("$%d::%s[]", i+2, leadOwnerTypes[i]))
		sets[i] = c + " = v." + c
		names = append(names, c)
	}
	return "UPDATE leads SET " + strings.Join(sets, ", ") + " FROM unnest(" + strings.Join(arrays, ", ") +
		") AS v(" + strings.Join(names, ", ") + ") WHERE leads.id = v.id"
}()
