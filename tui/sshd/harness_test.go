package sshd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// waitLimit bounds every wait of these tests. It is a deadline for a failure message,
// not a speed assertion: the shared 2-core machine can be slow.
const waitLimit = 15 * time.Second

// newEngine is an engine on a real SQLite file in a temp dir.
func newEngine(t testing.TB) *engine.Engine {
	t.Helper()
	return enginetest.Open(t, "", storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
}

// newKey is a fresh ed25519 key: its signer for the client and its authorized_keys line.
func newKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " test@host"
}

// addAgent adds an available agent with a registered key and returns the key.
func addAgent(t testing.TB, eng *engine.Engine, handle string, role engine.Role) gossh.Signer {
	t.Helper()
	ctx := context.Background()
	if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{
		Handle: handle, Name: strings.ToUpper(handle[:1]) + handle[1:], Role: role, Presence: engine.Available,
	}); err != nil {
		t.Fatalf("add agent %s: %v", handle, err)
	}
	signer, line := newKey(t)
	if _, err := eng.AddKey(ctx, engine.System(), handle, line); err != nil {
		t.Fatalf("add key to %s: %v", handle, err)
	}
	return signer
}

// testServer is a Server on 127.0.0.1:0.
type testServer struct {
	*Server
	addr   string
	cancel context.CancelFunc
	done   chan error
}

func startServer(t testing.TB, eng *engine.Engine, cfg Config) *testServer {
	t.Helper()
	if cfg.HostKey == nil {
		key, _, err := HostKey(filepath.Join(t.TempDir(), "host_key"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.HostKey = key
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 300 * time.Millisecond
	}
	leads := leadmodel.New(eng, cfg.Logger)
	t.Cleanup(leads.Close)
	srv, err := New(leads, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: srv, addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop cancels the server's context and waits for Serve to return.
func (ts *testServer) stop(t testing.TB) {
	t.Helper()
	ts.cancel()
	select {
	case err, ok := <-ts.done:
		if ok && err != nil {
			t.Errorf("Serve: %v", err)
		}
		close(ts.done)
	case <-time.After(waitLimit):
		t.Errorf("Serve did not return %v after its context ended", waitLimit)
	}
}

// dial connects as user with the given auth methods.
func dial(addr, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         waitLimit,
	})
}

func login(t testing.TB, addr, user string, key gossh.Signer) *gossh.Client {
	t.Helper()
	c, err := dial(addr, user, gossh.PublicKeys(key))
	if err != nil {
		t.Fatalf("login as %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// term is one console session seen from the client: its screen and its keyboard.
type term struct {
	t      testing.TB
	name   string
	sess   *gossh.Session
	stdin  io.WriteCloser
	screen *screen
	stderr *lockedBuffer
	exited chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openTerm starts the console in a w×h PTY on client c.
func openTerm(t testing.TB, c *gossh.Client, name string, w, h int) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("%s: new session: %v", name, err)
	}
	tm := &term{t: t, name: name, sess: sess, screen: newScreen(w, h), stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatalf("%s: pty: %v", name, err)
	}
	sess.Stdout = tm.screen
	sess.Stderr = tm.stderr
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatalf("%s: shell: %v", name, err)
	}
	go func() { tm.exited <- sess.Wait() }()
	t.Cleanup(func() { sess.Close() })
	return tm
}

// waitFor polls the screen until ok holds, failing the test with the screen after
// waitLimit.
func (tm *term) waitFor(what string, ok func(screen string) bool) {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		s := tm.screen.String()
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s: waited %v for %s; the screen:\n%s\nstderr: %q", tm.name, waitLimit, what, s, tm.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitText waits for text to be on the screen.
func (tm *term) waitText(text string) {
	tm.t.Helper()
	tm.waitFor(fmt.Sprintf("%q on the screen", text), func(s string) bool { return strings.Contains(s, text) })
}

// press types keys: runes as they are, plus a few names ("enter", "esc", "down", "up").
func (tm *term) press(keys ...string) {
	tm.t.Helper()
	names := map[string]string{"enter": "\r", "esc": "\x1b", "down": "\x1b[B", "up": "\x1b[A", "tab": "\t", "space": " "}
	for _, k := range keys {
		if seq, ok := names[k]; ok {
			k = seq
		}
		if _, err := io.WriteString(tm.stdin, k); err != nil {
			tm.t.Fatalf("%s: typing %q: %v", tm.name, k, err)
		}
	}
}

// resize changes the window, as a terminal emulator does when its window is dragged.
func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.screen.resize(w, h)
	if err := tm.sess.WindowChange(h, w); err != nil {
		tm.t.Fatalf("%s: window change: %v", tm.name, err)
	}
}

// wait waits for the session to end and returns its exit status.
func (tm *term) wait() int {
	tm.t.Helper()
	select {
	case err := <-tm.exited:
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		default:
			tm.t.Fatalf("%s: session ended without an exit status: %v", tm.name, err)
		}
	case <-time.After(waitLimit):
		tm.t.Fatalf("%s: session still open after %v; the screen:\n%s", tm.name, waitLimit, tm.screen.String())
	}
	return -1
}

// eventually polls cond until it holds or fails the test after waitLimit.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", waitLimit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
