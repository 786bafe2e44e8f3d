package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

func TestTokenLifecycle(t *testing.T) { eachStore(t, testTokenLifecycle) }

func testTokenLifecycle(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	tok, secret, err := f.e.CreateToken(f.ctx, f.owner, "zapier", engine.RoleIntake)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !strings.HasPrefix(secret, "sb_") || len(secret) != 46 || !strings.HasPrefix(secret, tok.Prefix) {
		t.Fatalf("secret %q (prefix %q) is not sb_ and 43 random characters", secret, tok.Prefix)
	}
	if strings.Contains(string(tok.Hash), secret) {
		t.Fatal("the token's hash holds its secret")
	}

	actor, ok, err := f.e.Authenticate(f.ctx, secret)
	if err != nil || !ok {
		t.Fatalf("authenticate: ok=%v err=%v", ok, err)
	}
	if actor.Name != "api:zapier" || actor.Role != engine.RoleIntake {
		t.Fatalf("actor = %+v, want api:zapier with role intake", actor)
	}
	// One character off: the last one changed (to one it is not).
	last := "A"
	if strings.HasSuffix(secret, last) {
		last = "B"
	}
	for _, bad := range []string{"", "sb_", "Bearer " + secret, secret + "x", secret[:len(secret)-1] + last, strings.ToUpper(secret)} {
		if _, ok, err := f.e.Authenticate(f.ctx, bad); ok || err != nil {
			t.Errorf("authenticate(%q): ok=%v err=%v, want refused", bad, ok, err)
		}
	}

	if _, _, err := f.e.CreateToken(f.ctx, f.owner, "zapier", engine.RoleAdmin); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("second token named zapier: err = %v, want conflict", err)
	}
	if _, err := f.e.RevokeToken(f.ctx, f.owner, "zapier"); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, ok, _ := f.e.Authenticate(f.ctx, secret); ok {
		t.Fatal("a revoked token still authenticates")
	}
	if _, err := f.e.RevokeToken(f.ctx, f.owner, "zapier"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("revoking twice: err = %v, want not found", err)
	}
	// The name is free again once revoked.
	if _, _, err := f.e.CreateToken(f.ctx, f.owner, "zapier", engine.RoleAdmin); err != nil {
		t.Fatalf("reusing a revoked name: %v", err)
	}
	list, err := f.e.Tokens(f.ctx, f.owner)
	if err != nil || len(list) != 2 || list[0].Active() || !list[1].Active() {
		t.Fatalf("tokens = %+v, %v; want the revoked one, then the active one", list, err)
	}

	page, err := f.e.History(f.ctx, f.owner, engine.HistoryQuery{Kind: "token"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range page.Items {
		kinds = append(kinds, string(ev.Kind))
	}
	if got := strings.Join(kinds, " "); got != "token.created token.revoked token.created" {
		t.Errorf("history = %s", got)
	}
}

func TestTokenRefusals(t *testing.T) { eachStore(t, testTokenRefusals) }

func testTokenRefusals(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	disp := engine.AsAgent(f.agent("dana", withRole(engine.RoleDispatcher)))
	cases := []struct {
		name  string
		actor engine.Actor
		tname string
		role  engine.Role
		want  error
	}{
		{"dispatcher", disp, "web", engine.RoleIntake, engine.ErrForbidden},
		{"intake token", engine.AsAPI("web", engine.RoleIntake), "web2", engine.RoleIntake, engine.ErrForbidden},
		{"bad name", f.owner, "Web Form", engine.RoleIntake, engine.ErrInvalid},
		{"owner role", f.owner, "web", engine.RoleOwner, engine.ErrInvalid},
		{"no role", f.owner, "web", "", engine.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := f.e.CreateToken(f.ctx, c.actor, c.tname, c.role); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if list, _ := f.e.Tokens(f.ctx, f.owner); len(list) != 0 {
		t.Fatalf("refused creations left %d tokens", len(list))
	}
}
