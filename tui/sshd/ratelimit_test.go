package sshd

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/switchboard/switchboard/engine"
)

// A flood of sessions from one address is cut off after the burst: the sessions past
// it are refused before any console starts.
func TestSessionFloodIsLimited(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{ConnRate: rate.Every(time.Hour), ConnBurst: 2})
	c := login(t, ts.addr, "dana", key)

	var refused int
	for i := range 5 {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out lockedBuffer
		sess.Stdout, sess.Stderr = &out, &out
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		sess.Wait() // every one ends: without a PTY or refused
		sess.Close()
		got := out.String()
		switch {
		case strings.Contains(got, "rate limit exceeded"):
			refused++
			if i < 2 {
				t.Errorf("session %d of the burst of 2 was refused: %q", i+1, got)
			}
		case i >= 2:
			t.Errorf("session %d past the burst got in: %q", i+1, got)
		}
	}
	if refused != 3 {
		t.Errorf("%d of 5 sessions refused; want 3 past a burst of 2", refused)
	}
}
