package sqlite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard/switchboard/engine"
)

// A write transaction holds back the rows a command inserts into the tables that grow
// with every lead – leads, history, shares, notifications, the outbox – and the leads it
// updates, and writes them together, as one multi-row statement per table and size,
// when the command's savepoint is released or a statement needs them (any read of those
// tables, any other write). A routed lead is then four rows in four statements shared
// with the rest of its command instead of a statement each: the statements' own cost
// (binding, running the program, the driver) was most of a routed lead's. A bulk
// reassign of 10 000 leads is twenty statements.
//
// The transaction hands out the ids itself, as SQLite would (the largest plus one, read
// once per table), so that a held row has its id at once; a savepoint rolled back gives
// them back. A failed held write fails the release of the command's savepoint at the
// latest, so it is still that command's failure. The SQL savepoint itself is only
// opened before the command's first statement that writes: a command that only reads,
// or is refused before it writes, costs none.
//
// Reads of the team, the rules and the settings, which are never held, write nothing
// first.

// heldTable is one table's held inserts.
type heldTable struct {
	name    string
	columns []string
	rows    [][]any
	nextID  int64 // 0: not read yet
}

// chunkSizes are the row counts of the multi-row statements, largest first: a few shapes,
// each prepared once, cover any number of rows. Powers of two write n rows in at most
// one statement per bit of n: a group commit of 11 single-lead creations is three
// statements per table, not five.
var chunkSizes = []int{256, 128, 64, 32, 16, 8, 4, 2, 1}

// held is what a write transaction holds back.
type held struct {
	leads, events, shares, notifications, outbox heldTable
	// updates are the held lead updates, in order, at most one per lead.
	updates   []heldUpdate
	updatePos map[int64]int // lead id → index in updates
	// newLeadPos finds a held new lead's row, for an update before it is written.
	newLeadPos map[int64]int // lead id → index in leads.rows
}

func newHeld() *held {
	return &held{
		leads:         heldTable{name: "leads", columns: leadInsertColumns},
		events:        heldTable{name: "events", columns: eventInsertColumns},
		shares:        heldTable{name: "shares", columns: shareInsertColumns},
		notifications: heldTable{name: "notifications", columns: notificationInsertColumns},
		outbox:        heldTable{name: "outbox", columns: outboxInsertColumns},
	}
}

// tables are the held tables in the order their rows are written: a row's references
// (a share's lead, a notification's event) are written before it.
func (h *held) tables() []*heldTable {
	return []*heldTable{&h.leads, &h.events, &h.shares, &h.notifications, &h.outbox}
}

func (h *held) empty() bool {
	for _, t := range h.tables() {
		if len(t.rows) > 0 {
			return false
		}
	}
	return len(h.updates) == 0
}

// heldUpdate is a lead's update: its id, then leadUpdateColumns; and the values of
// indexGroups it writes. An owner's update writes only leadOwnerUpdate of the row.
type heldUpdate struct {
	row []any
	indexed
	owner bool
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

// discard drops every held row and gives back the ids handed out since m.
func (h *held) discard(m heldMark) {
	for i, t := range h.tables() {
		t.rows = nil
		t.nextID = m.nextIDs[i]
	}
	h.clearWritten()
}

// clearWritten forgets the held rows once written (or discarded).
func (h *held) clearWritten() {
	for _, t := range h.tables() {
		t.rows = t.rows[:0]
	}
	h.updates = h.updates[:0]
	clear(h.updatePos)
	clear(h.newLeadPos)
}

// id hands out the next id of table t.
func (w *writeTx) id(t *heldTable) (int64, error) {
	if t.nextID == 0 {
		var max int64
		if err := w.unheld().QueryRowContext(w.ctx, `SELECT coalesce(max(id), 0) FROM `+t.name).Scan(&max); err != nil {
			return 0, fmt.Errorf("reading the last id of %s: %w", t.name, err)
		}
		t.nextID = max + 1
	}
	id := t.nextID
	t.nextID++
	return id, nil
}

// hold holds a row for t (its id first) and returns the id.
func (w *writeTx) hold(t *heldTable, args []any) (int64, error) {
	id, err := w.id(t)
	if err != nil {
		return 0, err
	}
	t.rows = append(t.rows, append([]any{id}, args...))
	return id, nil
}

func (w *writeTx) holdLead(l *engine.Lead, args []any) error {
	id, err := w.hold(&w.held.leads, args)
	if err != nil {
		return err
	}
	l.ID = id
	w.leadsRead[id] = leadRead{identityOf(l), indexedOf(l)}
	if w.held.newLeadPos == nil {
		w.held.newLeadPos = map[int64]int{}
	}
	w.held.newLeadPos[id] = len(w.held.leads.rows) - 1
	return nil
}

// heldNewLead replaces a held new lead by l, as it is now, and reports whether l was
// one.
func (w *writeTx) heldNewLead(l *engine.Lead, args []any) bool {
	i, ok := w.held.newLeadPos[l.ID]
	if !ok {
		return false
	}
	w.held.leads.rows[i] = append([]any{l.ID}, args...)
	w.leadsRead[l.ID] = leadRead{identityOf(l), indexedOf(l)}
	return true
}

// holdUpdate holds a lead's update (args are its leadUpdateColumns, x its values of
// indexGroups); a later one of the same lead replaces it.
func (w *writeTx) holdUpdate(id int64, args []any, x indexed) {
	row := append(append(make([]any, 0, len(args)+1), id), args...)
	u := heldUpdate{row: row, indexed: x}
	if i, ok := w.held.updatePos[id]; ok {
		w.held.updates[i] = u
		return
	}
	if w.held.updatePos == nil {
		w.held.updatePos = map[int64]int{}
	}
	w.held.updatePos[id] = len(w.held.updates)
	w.held.updates = append(w.held.updates, u)
}

// holdOwnerUpdate holds what UpdateLeadOwner writes of l (args are its
// leadUpdateColumns, only leadOwnerUpdate of them known). A lead held whole – new, or
// updated whole – takes it into its row instead, so that a lead has one held row.
func (w *writeTx) holdOwnerUpdate(l *engine.Lead, args []any) {
	h := w.held
	if i, ok := h.newLeadPos[l.ID]; ok {
		row := h.leads.rows[i]
		for k, c := range leadOwnerUpdate {
			row[leadOwnerInsert[k]] = args[c]
		}
		read := w.leadsRead[l.ID]
		read.indexed = withOwner(read.indexed, l)
		w.leadsRead[l.ID] = read
		return
	}
	if i, ok := h.updatePos[l.ID]; ok && !h.updates[i].owner {
		u := &h.updates[i]
		for _, c := range leadOwnerUpdate {
			u.row[c+1] = args[c]
		}
		u.indexed = withOwner(u.indexed, l)
		return
	}
	x := withOwner(w.leadsRead[l.ID].indexed, l)
	w.holdUpdate(l.ID, args, x)
	h.updates[h.updatePos[l.ID]].owner = true
}

// writeHeld writes what is held, inside the command's savepoint.
func (w *writeTx) writeHeld() error {
	h := w.held
	if h.empty() {
		return nil
	}
	if err := w.openSavepoint(); err != nil {
		return err
	}
	if err := w.writeRows(&h.leads); err != nil {
		return err
	}
	if err := w.writeUpdates(); err != nil {
		return err
	}
	for _, t := range []*heldTable{&h.events, &h.shares, &h.notifications, &h.outbox} {
		if err := w.writeRows(t); err != nil {
			return err
		}
	}
	h.clearWritten()
	return nil
}

func (w *writeTx) writeRows(t *heldTable) error {
	rows := t.rows
	for len(rows) > 0 {
		n := chunkFor(len(rows))
		args := make([]any, 0, n*len(t.columns))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := w.unheld().ExecContext(w.ctx, insertStatement(t.name, n), args...); err != nil {
			return fmt.Errorf("writing %d rows of %s: %w", n, t.name, err)
		}
		rows = rows[n:]
	}
	return nil
}

// writeUpdates writes the held updates, each statement setting the indexGroups some of
// its rows change from what the database has (leadsRead), and then notes the rows as
// written.
func (w *writeTx) writeUpdates() error {
	rows := w.held.updates
	for len(rows) > 0 {
		// A statement writes rows of one kind: whole updates, or owners' updates.
		owner, run := rows[0].owner, 1
		for run < len(rows) && rows[run].owner == owner {
			run++
		}
		n := chunkFor(run)
		var groups uint8
		for _, u := range rows[:n] {
			read, ok := w.leadsRead[u.row[0].(int64)]
			if !ok {
				groups = allGroups
				break
			}
			groups |= groupsChanged(read.indexed, u.indexed)
		}
		cols, stmt := updateColumnsFor(groups), leadUpdateStatement(groups, n)
		if owner {
			cols, stmt = ownerUpdateColumns[groups], statements[fmt.Sprintf("update owners %d %d", groups, n)]
		}
		args := make([]any, 0, n*(len(cols)+1))
		for _, u := range rows[:n] {
			args = append(args, u.row[0])
			for _, c := range cols {
				args = append(args, u.row[c+1])
			}
		}
		if _, err := w.unheld().ExecContext(w.ctx, stmt, args...); err != nil {
			return fmt.Errorf("updating %d leads: %w", n, err)
		}
		for _, u := range rows[:n] {
			id := u.row[0].(int64)
			if read, ok := w.leadsRead[id]; ok {
				read.indexed = u.indexed
				w.leadsRead[id] = read
			}
		}
		rows = rows[n:]
	}
	return nil
}

// updateColumnsFor are the positions in leadUpdateColumns that an update of groups
// sets: those in no group, and those of groups.
func updateColumnsFor(groups uint8) []int {
	return updateColumns[groups]
}

var updateColumns = func() [allGroups + 1][]int {
	var out [allGroups + 1][]int
	for g := range out {
		for i := range leadUpdateColumns {
			in := true
			for k, ig := range indexGroups {
				if i >= ig.from && i < ig.to && g&(1<<k) == 0 {
					in = false
				}
			}
			if in {
				out[g] = append(out[g], i)
			}
		}
	}
	return out
}()

// ownerUpdateColumns are updateColumns of an owner's update: those of leadOwnerUpdate.
var ownerUpdateColumns = func() [allGroups + 1][]int {
	var out [allGroups + 1][]int
	for g, cols := range updateColumns {
		for _, c := range cols {
			if slices.Contains(leadOwnerUpdate, c) {
				out[g] = append(out[g], c)
			}
		}
	}
	return out
}()

func chunkFor(n int) int {
	for _, c := range chunkSizes {
		if n >= c {
			return c
		}
	}
	return 1
}

// statements are the multi-row statements' texts, by table and size, made once.
var statements = func() map[string]string {
	m := map[string]string{}
	for _, t := range newHeld().tables() {
		for _, n := range chunkSizes {
			row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.columns)), ",") + ")"
			m[fmt.Sprintf("insert %s %d", t.name, n)] = "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") +
				") VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
		}
	}
	for _, kind := range []struct {
		name    string
		columns [allGroups + 1][]int
	}{{"leads", updateColumns}, {"owners", ownerUpdateColumns}} {
		for g, cols := range kind.columns {
			sets := make([]string, len(cols))
			for i, c := range cols {
				sets[i] = fmt.Sprintf("%s = v.column%d", leadUpdateColumns[c], i+2)
			}
			row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)+1), ",") + ")"
			for _, n := range chunkSizes {
				m[fmt.Sprintf("update %s %d %d", kind.name, g, n)] = "UPDATE leads SET " + strings.Join(sets, ", ") +
					" FROM (VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + ") AS v WHERE leads.id = v.column1"
			}
		}
	}
	return m
}()

func insertStatement(table string, n int) string {
	return statements[fmt.Sprintf("insert %s %d", table, n)]
}

// leadUpdateStatement updates n leads from a list of values, each row the lead's id and
// then the columns updateColumnsFor(groups).
func leadUpdateStatement(groups uint8, n int) string {
	return statements[fmt.Sprintf("update leads %d %d", groups, n)]
}
