package sshd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

func TestLoginShowsTheAgentsConsole(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{})

	tm := openTerm(t, login(t, ts.addr, "dana", key), "dana", 80, 24)
	tm.waitText("dana")
	eventually(t, "one registered session", func() bool { return ts.Sessions() == 1 })

	tm.press("q")
	if code := tm.wait(); code != 0 {
		t.Errorf("quitting the console: exit status %d, want 0", code)
	}
}

func TestLoginsRefused(t *testing.T) {
	eng := newEngine(t)
	dana := addAgent(t, eng, "dana", engine.RoleDispatcher)
	removed := addAgent(t, eng, "rex", engine.RoleAgent)
	if err := eng.RemoveAgent(context.Background(), engine.System(), "rex"); err != nil {
		t.Fatal(err)
	}
	stranger, _ := newKey(t)
	ts := startServer(t, eng, Config{})

	tests := []struct {
		name string
		user string
		auth gossh.AuthMethod
	}{
		{"unknown key", "dana", gossh.PublicKeys(stranger)},
		{"key of another agent", "rex", gossh.PublicKeys(dana)},
		{"key of a removed agent", "rex", gossh.PublicKeys(removed)},
		{"unknown user name", "nobody", gossh.PublicKeys(dana)},
		{"password", "dana", gossh.Password("dana")},
		{"keyboard-interactive", "dana", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"dana"}, nil
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dial(ts.addr, tt.user, tt.auth)
			if err == nil {
				c.Close()
				t.Fatal("logged in; want the handshake refused")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("error %q; want an authentication refusal", err)
			}
		})
	}
	if n := ts.Sessions(); n != 0 {
		t.Errorf("%d console sessions after refused logins; want 0", n)
	}
}

func TestKeyChangesCountAtTheNextLogin(t *testing.T) {
	eng := newEngine(t)
	addAgent(t, eng, "abe", engine.RoleAgent)
	ts := startServer(t, eng, Config{})
	ctx := context.Background()

	second, line := newKey(t)
	if _, err := dial(ts.addr, "abe", gossh.PublicKeys(second)); err == nil {
		t.Fatal("an unregistered key got in")
	}
	k, err := eng.AddKey(ctx, engine.System(), "abe", line)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dial(ts.addr, "abe", gossh.PublicKeys(second))
	if err != nil {
		t.Fatalf("a key added while the server runs: %v", err)
	}
	c.Close()
	if err := eng.RemoveKey(ctx, engine.System(), "abe", k.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if c, err := dial(ts.addr, "abe", gossh.PublicKeys(second)); err == nil {
		c.Close()
		t.Fatal("a removed key still gets in")
	}
}

func TestSessionsWithoutTheConsoleAreTurnedAway(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{})
	c := login(t, ts.addr, "dana", key)

	tests := []struct {
		name    string
		pty     bool
		command string
		want    string
	}{
		{"no pty", false, "", "the console needs a terminal"},
		{"a command", true, "ls -l", `runs only the console, not commands (got "ls -l")`},
		{"a command without pty", false, "uptime", "runs only the console"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if tt.pty {
				if err := sess.RequestPty("xterm", 24, 80, nil); err != nil {
					t.Fatal(err)
				}
			}
			var out lockedBuffer
			sess.Stdout, sess.Stderr = &out, &out
			if tt.command == "" {
				err = sess.Shell()
				if err == nil {
					err = sess.Wait()
				}
			} else {
				err = sess.Run(tt.command)
			}
			var exit *gossh.ExitError
			if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
				t.Errorf("session ended with %v; want exit status 1", err)
			}
			got := out.String()
			if !strings.Contains(got, tt.want) || strings.Count(strings.TrimSpace(got), "\n") > 0 {
				t.Errorf("output %q; want one line with %q", got, tt.want)
			}
		})
	}
}

func TestSessionEndsWhenItsAccessChanges(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(eng *engine.Engine) error
		want   string
	}{
		{"role changed", func(eng *engine.Engine) error {
			r := engine.RoleAgent
			_, err := eng.UpdateAgent(ctx, engine.System(), "dana", engine.AgentUpdate{Role: &r})
			return err
		}, "your role changed to agent (was dispatcher): log in again"},
		{"agent removed", func(eng *engine.Engine) error {
			return eng.RemoveAgent(ctx, engine.System(), "dana")
		}, "your key or your agent was removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := newEngine(t)
			key := addAgent(t, eng, "dana", engine.RoleDispatcher)
			ts := startServer(t, eng, Config{StopGrace: 200 * time.Millisecond})
			tm := openTerm(t, login(t, ts.addr, "dana", key), "dana", 80, 24)
			tm.waitText("dana")

			if err := tt.change(eng); err != nil {
				t.Fatal(err)
			}
			tm.waitFor("the notice on the bottom row", func(string) bool {
				return strings.Contains(tm.screen.Line(23), tt.want)
			})
			if code := tm.wait(); code != 1 {
				t.Errorf("exit status %d; want 1", code)
			}
			if got := tm.stderr.String(); !strings.Contains(got, tt.want) {
				t.Errorf("stderr %q; want the reason", got)
			}
		})
	}
}

func TestResizeIsFollowed(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{StopGrace: time.Minute})
	tm := openTerm(t, login(t, ts.addr, "dana", key), "dana", 80, 24)
	tm.waitText("dana")

	tm.waitFor("the status bar on the bottom row", func(string) bool {
		return strings.Contains(tm.screen.Line(23), "q quit")
	})

	tm.resize(120, 40)
	tm.waitFor("the status bar on the new bottom row, past the old right edge", func(string) bool {
		line := tm.screen.Line(39)
		return strings.HasSuffix(line, "q quit") && len([]rune(line)) > 100 && !strings.Contains(tm.screen.Line(23), "q quit")
	})
	// The server draws its notice on the bottom row across the full width, so the
	// notice shows the size the program has. The order of the resize and the notice
	// does not matter: the notice stays up for StopGrace, redrawn at every size.
	// A reason longer than any screen: the notice is cut to the window's new width.
	why := "resize check " + strings.Repeat("x", 200)
	ts.mu.Lock()
	for ls := range ts.live {
		go ts.end(ls, why)
	}
	ts.mu.Unlock()
	tm.waitFor("a notice 120 cells wide on row 40", func(string) bool {
		line := tm.screen.Line(39)
		return strings.HasPrefix(line, " switchboard: resize check") && strings.HasSuffix(line, "…") && len([]rune(line)) == 120
	})
}

func TestShutdownTellsSessionsAndEndsThem(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{StopGrace: 500 * time.Millisecond})
	tm := openTerm(t, login(t, ts.addr, "dana", key), "dana", 80, 24)
	tm.waitText("dana")

	ts.cancel()
	tm.waitFor("the stopping notice", func(string) bool {
		return strings.Contains(tm.screen.Line(23), "the server is stopping")
	})
	if code := tm.wait(); code != 1 {
		t.Errorf("exit status %d; want 1", code)
	}
	if got := tm.stderr.String(); !strings.Contains(got, "the server is stopping; your session has ended") {
		t.Errorf("stderr %q; want the reason", got)
	}
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
		ts.done <- nil // for the cleanup's stop
	case <-time.After(waitLimit):
		t.Fatal("Serve did not return")
	}
	if _, err := dial(ts.addr, "dana", gossh.PublicKeys(key)); err == nil {
		t.Error("a stopped server accepts logins")
	}
}

func TestClosedSessionsLeaveNothingBehind(t *testing.T) {
	eng := newEngine(t)
	keys := map[string]gossh.Signer{
		"dana": addAgent(t, eng, "dana", engine.RoleDispatcher),
		"abe":  addAgent(t, eng, "abe", engine.RoleAgent),
		"ola":  addAgent(t, eng, "ola", engine.RoleOwner),
	}
	ts := startServer(t, eng, Config{})
	// Warm up once, so lazily started runtime and library goroutines count in the baseline.
	warm := login(t, ts.addr, "dana", keys["dana"])
	openTerm(t, warm, "warm-up", 80, 24).waitText("dana")
	warm.Close()
	eventually(t, "the warm-up session to end", func() bool { return ts.Sessions() == 0 })

	goroutines, feeds, hubSubs := settledGoroutines(), ts.leads.Feeds(), eng.Hub().Subscribers()
	var clients []*gossh.Client
	for handle, key := range keys {
		c := login(t, ts.addr, handle, key)
		openTerm(t, c, handle, 80, 24).waitText(handle)
		clients = append(clients, c)
	}
	// Sessions read the process's one model of the leads: each adds a feed of it, and
	// none subscribes to the engine's hub.
	if got := ts.leads.Feeds(); got != feeds+len(keys) {
		t.Errorf("%d feeds of the lead model with %d sessions open; want %d", got, len(keys), feeds+len(keys))
	}
	if got := eng.Hub().Subscribers(); got != hubSubs {
		t.Errorf("%d hub subscribers with %d sessions open; want %d, as before they opened", got, len(keys), hubSubs)
	}
	for _, c := range clients {
		c.Close() // hang up without quitting the console
	}
	eventually(t, "every session to end", func() bool { return ts.Sessions() == 0 })
	eventually(t, "the feeds to be released", func() bool { return ts.leads.Feeds() == feeds })
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after the sessions closed; %d before:\n%s", runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settledGoroutines is the goroutine count once it has stopped falling.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	ts := startServer(t, eng, Config{IdleTimeout: 200 * time.Millisecond})
	c := login(t, ts.addr, "dana", key)
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }()
	select {
	case <-closed:
	case <-time.After(waitLimit):
		t.Fatalf("a connection silent for %v is still open", waitLimit)
	}
}

func TestServeStoppedBeforeItStarts(t *testing.T) {
	eng := newEngine(t)
	key, _, err := HostKey(t.TempDir() + "/host_key")
	if err != nil {
		t.Fatal(err)
	}
	leads := leadmodel.New(eng, slog.New(slog.DiscardHandler))
	defer leads.Close()
	srv, err := New(leads, Config{HostKey: key, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Serve with an ended context did not return")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("the listener is still open")
	}
}
