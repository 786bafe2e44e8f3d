package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// A token that authenticated is remembered, but a revocation is in force as soon as
// RevokeToken returns.
func TestRevokedTokenIsRefusedAtOnceDespiteTheCache(t *testing.T) {
	eachStore(t, testRevokedTokenIsRefusedAtOnceDespiteTheCache)
}

func testRevokedTokenIsRefusedAtOnceDespiteTheCache(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	_, secret, err := f.e.CreateToken(f.ctx, f.owner, "forms", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from the cache
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

// A revocation made by another process (the CLI while serve runs) reaches this
// engine's cache through the history it tails.
func TestTokenRevokedByAnotherProcess(t *testing.T) { eachStore(t, testTokenRevokedByAnotherProcess) }

func testTokenRevokedByAnotherProcess(t *testing.T, kind enginetest.Store) {
	ctx := context.Background()
	path := kind.NewDatabase(t)
	server := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: 10 * time.Millisecond})
	cli := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	_, secret, err := cli.CreateToken(ctx, engine.System(), "forms", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := server.Authenticate(ctx, secret); !ok || err != nil {
		t.Fatalf("Authenticate = %v, %v", ok, err)
	}
	sub := server.Subscribe(16)
	defer sub.Close()
	if _, err := cli.RevokeToken(ctx, engine.System(), "forms"); err != nil {
		t.Fatal(err)
	}
	// Once the server has seen the revocation, its cache must not answer for the token.
	timeout := time.After(30 * time.Second)
	for seen := false; !seen; {
		select {
		case ch := <-sub.C:
			for _, ev := range ch.Events {
				seen = seen || ev.Kind == engine.EvTokenRevoked
			}
		case <-timeout:
			t.Fatal("the revocation never reached the server's hub")
		}
	}
	if _, ok, _ := server.Authenticate(ctx, secret); ok {
		t.Fatal("the server still accepts a token another process revoked")
	}
}
