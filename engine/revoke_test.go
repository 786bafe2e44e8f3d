package engine_test

import (
	"context"
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
