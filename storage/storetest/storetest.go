// Package storetest is the contract of engine.Store: one suite that every store passes
// (storage/sqlite always, storage/postgres when a server is at hand), with the same
// fixtures and the same answers – ordering, paging, time precision, the visibility
// rule, what "open" means, every count, and each assumption the engine's Store
// documentation makes (one writer at a time, commit-ordered event ids, millisecond
// UTC times, ErrNoRows, consistent snapshots).
//
// Where a store restates one of the engine's rules in its query language for speed (who
// may see a lead or an event, which leads are open), the suite runs the engine's Go
// rule and the store's query on the same rows and compares them.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// Reopener is a store that can be opened a second time on the same database, as another
// process (or node) would open it. Every store implements it: the suite needs two
// handles to show that writers serialise across processes.
type Reopener interface {
	Reopen() (engine.Store, error)
}

// Run runs the suite. open opens a store on a new, empty database, each call a new one;
// the suite closes what it opens.
func Run(t *testing.T, open func(t *testing.T) engine.Store) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			c.run(&env{t: t, s: s})
		})
	}
}

// cases are the suite's tests, each on a new database.
var cases = []struct {
	name string
	run  func(e *env)
}{
	{"RoundTrip", testRoundTrip},
	{"TimesAreMillisecondsInUTC", testTimes},
	{"NoRows", testNoRows},
	{"Agents", testAgents},
	{"Rules", testRules},
	{"LeadOrderAndPaging", testLeadPaging},
	{"LeadFilters", testLeadFilters},
	{"OpenMeansStatusOpen", testOpen},
	{"LeadVisibility", testLeadVisibility},
	{"EventVisibility", testEventVisibility},
	{"EventOrderAndFilters", testEvents},
	{"Shares", testShares},
	{"SLADeadlines", testSLADeadlines},
	{"HandoffIsHandoffDue", testHandoff},
	{"AgentWhen", testAgentWhen},
	{"Sessions", testSessions},
	{"Teams", testTeams},
	{"NotificationsAndOutbox", testNotifications},
	{"Tokens", testTokens},
	{"Settings", testSettings},
	{"Forms", testForms},
	{"ReturningLead", testReturningLead},
	{"Counts", testCounts},
	{"StatsAreStatsFactsOf", testStats},
	{"StatsPercentiles", testStatsPercentiles},
	{"CreatedEvery", testCreatedEvery},
	{"Arrivals", testArrivals},
	{"Uniqueness", testUniqueness},
	{"Savepoints", testSavepoints},
	{"FailedWriteIsTheCommands", testFailedWriteIsTheCommands},
	{"EventIDsAfterRollback", testEventIDsAfterRollback},
	{"ReadIsASnapshot", testSnapshot},
	{"OneWriterAcrossProcesses", testOneWriter},
	{"EventIDsFollowCommits", testEventIDsFollowCommits},
	{"UnchangedTellsOfOtherWriters", testUnchanged},
	{"IDsAcrossWriters", testIDsAcrossWriters},
	{"LeadsByExternalID", testLeadsByExternalID},
	{"LeadOwners", testLeadOwners},
}

// at is the fixtures' clock: a Monday, 10:00 UTC.
var at = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// env is one test's store.
type env struct {
	t *testing.T
	s engine.Store
}

var ctx = context.Background()

// write runs fn in one committed write transaction.
func (e *env) write(fn func(tx engine.WriteTx) error) {
	e.t.Helper()
	tx, err := e.s.Begin(ctx)
	if err != nil {
		e.t.Fatalf("begin: %v", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		e.t.Fatalf("write: %v", err)
	}
	if err := tx.Commit(); err != nil {
		e.t.Fatalf("commit: %v", err)
	}
}

// read runs fn on a snapshot and fails the test on error.
func read[T any](e *env, fn func(r engine.Reader) (T, error)) T {
	e.t.Helper()
	out, err := tryRead(e, fn)
	if err != nil {
		e.t.Fatalf("read: %v", err)
	}
	return out
}

func tryRead[T any](e *env, fn func(r engine.Reader) (T, error)) (T, error) {
	var out T
	err := e.s.Read(ctx, func(r engine.Reader) (err error) {
		out, err = fn(r)
		return err
	})
	return out, err
}

// agent adds an available agent with role agent.
func (e *env) agent(handle string) engine.Agent {
	e.t.Helper()
	a := engine.Agent{Handle: handle, Name: "Agent " + handle, Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
	e.write(func(tx engine.WriteTx) error { return tx.InsertAgent(&a) })
	return a
}

// lead stores l as given, filling what a lead must have.
func (e *env) lead(l engine.Lead) engine.Lead {
	e.t.Helper()
	e.write(func(tx engine.WriteTx) error { return insertLead(tx, &l) })
	return l
}

func insertLead(tx engine.Tx, l *engine.Lead) error {
	if l.Name == "" && l.Email == "" && l.Phone == "" {
		l.Name = "Lead"
	}
	if l.Source == "" {
		l.Source = "web"
	}
	if l.Status == "" {
		l.Status = engine.StatusNew
		if l.OwnerID != 0 {
			l.Status = engine.StatusAssigned
		}
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = at
	}
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = l.CreatedAt
	}
	if l.Tags == nil {
		l.Tags = []string{}
	}
	if l.Fields == nil {
		l.Fields = map[string]any{}
	}
	return tx.InsertLead(l)
}

// event appends ev (at the fixtures' clock unless set).
func (e *env) event(ev engine.Event) engine.Event {
	e.t.Helper()
	if ev.At.IsZero() {
		ev.At = at
	}
	if ev.Actor == "" {
		ev.Actor = "system"
	}
	e.write(func(tx engine.WriteTx) error { return tx.InsertEvent(&ev) })
	return ev
}

func (e *env) share(s engine.Share) engine.Share {
	e.t.Helper()
	if s.Access == "" {
		s.Access = engine.AccessRead
	}
	if s.Status == "" {
		s.Status = engine.ShareActive
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = at
	}
	if s.CreatedBy == "" {
		s.CreatedBy, s.Via = "system", "test"
	}
	e.write(func(tx engine.WriteTx) error { return tx.InsertShare(&s) })
	return s
}

// mustNoRows fails unless err is ErrNoRows.
func mustNoRows(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, engine.ErrNoRows) {
		t.Errorf("%s: %v, want ErrNoRows", what, err)
	}
}

func ids[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, len(items))
	for i, x := range items {
		out[i] = id(x)
	}
	return out
}

func leadIDs(ls []engine.Lead) []int64   { return ids(ls, func(l engine.Lead) int64 { return l.ID }) }
func eventIDs(es []engine.Event) []int64 { return ids(es, func(e engine.Event) int64 { return e.ID }) }
