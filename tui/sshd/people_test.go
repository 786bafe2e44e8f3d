package sshd

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

// TestAutoAwayOverSSH: with auto_away at 2 s, an agent whose SSH session closes
// becomes away, and available again when it connects again; while its console is open
// it stays available, and a dispatcher's board shows it at a console.
func TestAutoAwayOverSSH(t *testing.T) {
	eng := newEngine(t)
	ctx := context.Background()
	bobKey := addAgent(t, eng, "bob", engine.RoleAgent)
	danaKey := addAgent(t, eng, "dana", engine.RoleDispatcher)
	if err := eng.SetSetting(ctx, engine.System(), engine.SettingAutoAway, "2s"); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, eng, Config{})
	presence := func(h string) engine.Agent {
		a, err := eng.Agent(ctx, engine.System(), h)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	dana := openTerm(t, login(t, ts.addr, "dana", danaKey), "dana", 120, 30)
	dana.waitText("Team")
	c := login(t, ts.addr, "bob", bobKey)
	bob := openTerm(t, c, "bob", 100, 30)
	bob.waitText("My leads")
	eventually(t, "bob's session to count", func() bool { return presence("bob").Sessions == 1 })
	// dana's board marks bob at a console (▪) when it reads the team again.
	dana.waitFor("bob marked at a console", func(s string) bool { return boardRow(s, "bob", "▪") })

	// Past the 2 s with the console open: still available (its row is kept alive for 30 s
	// at a time, and closing is what starts the count).
	eventually(t, "more than auto_away to pass", func() bool {
		return eng.Now().Sub(presence("bob").SeenAt) > 3e9
	})
	if a := presence("bob"); a.Presence != engine.Available {
		t.Fatalf("bob with his console open: %s", a.Presence)
	}

	bob.sess.Close()
	c.Close()
	eventually(t, "bob to be set away after his session closed", func() bool { return presence("bob").Presence == engine.Away })
	dana.waitFor("bob away on the board", func(s string) bool { return boardRow(s, "bob", "away") && !boardRow(s, "bob", "▪") })
	evs, err := eng.History(ctx, engine.System(), engine.HistoryQuery{Kind: string(engine.EvAgentPresence), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evs.Items[0]; ev.Agent != "bob" || ev.Actor != "system" || ev.Reason != "no console session for 2s" || ev.To != "away" {
		t.Fatalf("the away: %+v", ev)
	}

	again := openTerm(t, login(t, ts.addr, "bob", bobKey), "bob again", 100, 30)
	again.waitText("My leads")
	eventually(t, "bob to be available again", func() bool { return presence("bob").Presence == engine.Available })
	evs, err = eng.History(ctx, engine.System(), engine.HistoryQuery{Kind: string(engine.EvAgentPresence), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evs.Items[0]; ev.Agent != "bob" || ev.Actor != "system" || ev.Reason != "console session opened" || ev.To != "available" {
		t.Fatalf("the return: %+v", ev)
	}
	dana.waitFor("bob back on the board", func(s string) bool { return boardRow(s, "bob", "available") && boardRow(s, "bob", "▪") })
}

// boardRow reports whether the screen has a row for handle holding text.
func boardRow(screen, handle, text string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, " "+handle+" ") && strings.Contains(line, text) {
			return true
		}
	}
	return false
}
