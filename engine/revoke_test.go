package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// A revocation is in force as soon as RevokeToken returns, for a token that has been
// working until then.
func TestRevokedTokenIsRefusedAtOnce(t *testing.T) {
	eachStore(t, testRevokedTokenIsRefusedAtOnce)
}

func testRevokedTokenIsRefusedAtOnce(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	_, secret, err := f.e.CreateToken(f.ctx, f.owner, "forms", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if a, ok, err := f.e.Authenticate(f.ctx, secret); err != nil || !ok || a.Name != "api:forms" {
			t.Fatalf("Authenticate = %v, %v, %v", a, ok, err)
		}
	}
	if _, err := f.e.RevokeToken(f.ctx, f.owner, "forms"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.e.Authenticate(f.ctx, secret); err != nil || ok {
		t.Fatalf("a revoked token authenticated (ok %v, err %v)", ok, err)
	}
}

// A revocation made by another process on the same database (the CLI while serve
// runs) is refused by this engine from the moment it commits: the server's engine does
// not tail history here, so nothing but the store can have told it.
func TestTokenRevokedByAnotherProcess(t *testing.T) { eachStore(t, testTokenRevokedByAnotherProcess) }

func testTokenRevokedByAnotherProcess(t *testing.T, kind enginetest.Store) {
	ctx := context.Background()
	path := kind.NewDatabase(t)
	server := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	cli := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	_, secret, err := cli.CreateToken(ctx, engine.System(), "forms", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, ok, err := server.Authenticate(ctx, secret); !ok || err != nil {
			t.Fatalf("Authenticate = %v, %v", ok, err)
		}
	}
	if _, err := cli.RevokeToken(ctx, engine.System(), "forms"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := server.Authenticate(ctx, secret); ok {
		t.Fatal("the server accepts a token another process has revoked")
	}
}

// Secrets that cannot be a token are refused without a store read.
func TestAuthenticateRefusesMalformedSecrets(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	for _, s := range []string{"", "sb_", "Bearer x", "sb_" + strings.Repeat("A", 10_000), "\x00\x1b"} {
		if _, ok, err := f.e.Authenticate(f.ctx, s); ok || err != nil {
			t.Errorf("Authenticate(%.20q) = %v, %v", s, ok, err)
		}
	}
}

// A lead creation's token is checked in its write transaction (AuthenticateIntake):
// a token revoked by another process is refused there, alone in the group commit it
// shares with other creations, and read again at the next request.
func TestIntakeTokenRevokedByAnotherProcess(t *testing.T) {
	eachStore(t, testIntakeTokenRevokedByAnotherProcess)
}

func testIntakeTokenRevokedByAnotherProcess(t *testing.T, kind enginetest.Store) {
	ctx := context.Background()
	path := kind.NewDatabase(t)
	server := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	cli := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	_, kept, err := cli.CreateToken(ctx, engine.System(), "kept", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	_, gone, err := cli.CreateToken(ctx, engine.System(), "gone", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	actor := func(secret string) engine.Actor {
		t.Helper()
		a, ok, err := server.AuthenticateIntake(ctx, secret)
		if !ok || err != nil {
			t.Fatalf("AuthenticateIntake = %v, %v", ok, err)
		}
		return a
	}
	actor(kept) // read: now known
	actor(gone)
	keptActor, goneActor := actor(kept), actor(gone) // known: checked in the write
	if _, err := server.CreateLead(ctx, goneActor, engine.NewLead{Name: "before"}); err != nil {
		t.Fatalf("a lead by a working token: %v", err)
	}
	if _, err := cli.RevokeToken(ctx, engine.System(), "gone"); err != nil {
		t.Fatal(err)
	}
	// The server's engine still knows the token: the creation is refused in the write,
	// alone among the creations it is taken with.
	release := engine.HoldWriter(server)
	errs := make([]error, 3)
	done := make(chan struct{})
	for i, a := range []engine.Actor{keptActor, goneActor, keptActor} {
		go func() {
			_, errs[i] = server.CreateLead(ctx, a, engine.NewLead{Name: fmt.Sprintf("L%d", i)})
			done <- struct{}{}
		}()
		engine.WaitQueued(server, i+1)
	}
	release()
	for range 3 {
		<-done
	}
	if errs[0] != nil || !errors.Is(errs[1], engine.ErrTokenRevoked) || errs[2] != nil {
		t.Fatalf("creations by a working, a revoked and a working token: %v", errs)
	}
	n, err := server.CountLeads(ctx, engine.System(), engine.LeadQuery{})
	if err != nil || n != 3 {
		t.Fatalf("%d leads (%v), want 3: the revoked token's made none", n, err)
	}
	if err := server.CheckToken(ctx, goneActor); !errors.Is(err, engine.ErrTokenRevoked) {
		t.Fatalf("CheckToken of a revoked token = %v", err)
	}
	if _, ok, _ := server.AuthenticateIntake(ctx, gone); ok { // forgotten: read again
		t.Fatal("AuthenticateIntake accepts a token another process has revoked")
	}
}
