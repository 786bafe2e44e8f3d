package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// FillForReturning stores n leads for the returning-lead benchmark, in transactions of
// 10 000: each owned by one of ten agents, with its own e-mail (lead{i}@example.com)
// and phone (+1 555 {i}), created over the 180 days before at, so that half fall
// outside a 90-day window.
func FillForReturning(tb testing.TB, s engine.Store, n int) {
	tb.Helper()
	var owners []int64
	write := func(fn func(tx engine.WriteTx) error) { writeOrFail(tb, s, fn) }
	write(func(tx engine.WriteTx) error {
		for i := range 10 {
			a := engine.Agent{Handle: fmt.Sprintf("agent%d", i), Name: "A", Role: engine.RoleAgent, Presence: engine.Available, CreatedAt: at}
			if err := tx.InsertAgent(&a); err != nil {
				return err
			}
			owners = append(owners, a.ID)
		}
		return nil
	})
	span := 180 * 24 * time.Hour
	for start := 0; start < n; start += 10000 {
		write(func(tx engine.WriteTx) error {
			for i := start; i < min(start+10000, n); i++ {
				created := at.Add(-span + span/time.Duration(n)*time.Duration(i)) // i·span overflows
				l := engine.Lead{Name: "L", Email: fmt.Sprintf("lead%d@example.com", i), Phone: fmt.Sprintf("+1 555 %07d", i),
					Source: "web", Status: engine.StatusAssigned, OwnerID: owners[i%len(owners)],
					Tags: []string{}, Fields: map[string]any{}, CreatedAt: created, UpdatedAt: created, AssignedAt: created}
				if err := tx.InsertLead(&l); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// BenchReturning times one returning-lead lookup (e-mail and phone, as a new lead
// makes it) on a store filled by FillForReturning with n leads, with a 90-day window:
// keys of leads inside the window, outside it, and of nobody, in turn.
func BenchReturning(b *testing.B, s engine.Store, n int) {
	since := at.Add(-90 * 24 * time.Hour)
	keys := make([][2]string, 0, 300)
	for k := range 100 {
		inside := n - 1 - k*(n/200)
		outside := k * (n / 200)
		keys = append(keys,
			[2]string{engine.EmailKey(fmt.Sprintf("lead%d@example.com", inside)), engine.PhoneKey(fmt.Sprintf("+1 555 %07d", inside))},
			[2]string{engine.EmailKey(fmt.Sprintf("lead%d@example.com", outside)), engine.PhoneKey(fmt.Sprintf("+1 555 %07d", outside))},
			[2]string{fmt.Sprintf("nobody%d@example.com", k), fmt.Sprintf("+4420%07d", k)})
	}
	for i := 0; b.Loop(); i++ {
		k := keys[i%len(keys)]
		err := s.Read(ctx, func(r engine.Reader) error {
			_, err := r.ReturningLead(k[0], k[1], since)
			if err != nil && err != engine.ErrNoRows {
				return err
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// writeOrFail runs fn in one write transaction of s and commits it, failing the test or
// benchmark on any error: the fills write their rows straight through the store.
func writeOrFail(tb testing.TB, s engine.Store, fn func(tx engine.WriteTx) error) {
	tb.Helper()
	tx, err := s.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}
