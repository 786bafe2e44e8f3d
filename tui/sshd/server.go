// Package sshd serves switchboard's console over SSH with wish. An agent logs in with a
// public key registered to it, as its handle, and gets its own console acting as that
// agent, with that agent's role; every session works on the one engine of the server,
// so what one session changes shows in all the others as it commits.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/ratelimiter"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// Defaults for the zero fields of Config.
const (
	DefaultIdleTimeout = time.Hour
	DefaultMaxTimeout  = 24 * time.Hour
	DefaultConnRate    = rate.Limit(1) // sessions per second per remote address, sustained
	DefaultConnBurst   = 30
	DefaultStopGrace   = 2 * time.Second
)

// stopWait is how long, after the grace period, shutdown waits for sessions to end
// before it closes their connections anyway.
const stopWait = 3 * time.Second

// Config tunes a Server.
type Config struct {
	// HostKey is the server's identity; see HostKey. Required.
	HostKey gossh.Signer
	// IdleTimeout closes a connection with no traffic in either direction for this long
	// (default DefaultIdleTimeout; negative: never). A console that receives live
	// updates is not idle.
	IdleTimeout time.Duration
	// MaxTimeout closes every connection this long after it opened, whatever it does
	// (default DefaultMaxTimeout; negative: never).
	MaxTimeout time.Duration
	// ConnRate and ConnBurst limit how fast one remote address may open sessions
	// (defaults DefaultConnRate and DefaultConnBurst).
	ConnRate  rate.Limit
	ConnBurst int
	// StopGrace is how long a session shows that it is being closed (server stopping,
	// access changed) before it ends, so that commands in flight finish and the person
	// reads why (default DefaultStopGrace).
	StopGrace time.Duration
	// Logger receives logins, refusals and session ends (default slog.Default()).
	Logger *slog.Logger
}

// Server is the SSH front of one engine. Create it with New, run it with Serve.
type Server struct {
	eng   *engine.Engine
	leads *leadmodel.Model
	cfg   Config
	log   *slog.Logger
	ssh   *ssh.Server

	mu       sync.Mutex
	live     map[*liveSession]struct{}
	stopping bool
	sessions sync.WaitGroup // one per registered console session
}

// New builds the server over the process's shared model of the leads (and its
// engine), which every session reads; it listens only when Serve is called.
func New(leads *leadmodel.Model, cfg Config) (*Server, error) {
	if leads == nil {
		return nil, errors.New("sshd: no lead model")
	}
	eng := leads.Engine()
	if cfg.HostKey == nil {
		return nil, errors.New("sshd: no host key (see sshd.HostKey)")
	}
	cfg.IdleTimeout = orDefault(cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.MaxTimeout = orDefault(cfg.MaxTimeout, DefaultMaxTimeout)
	cfg.StopGrace = orDefault(cfg.StopGrace, DefaultStopGrace)
	if cfg.ConnRate <= 0 {
		cfg.ConnRate = DefaultConnRate
	}
	if cfg.ConnBurst <= 0 {
		cfg.ConnBurst = DefaultConnBurst
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{eng: eng, leads: leads, cfg: cfg, log: cfg.Logger, live: map[*liveSession]struct{}{}}

	srv, err := wish.NewServer(
		func(srv *ssh.Server) error {
			srv.AddHostKey(cfg.HostKey)
			return nil
		},
		// Public keys only: with no password or keyboard-interactive handler the SSH
		// library never offers those methods, so such attempts are refused.
		wish.WithPublicKeyAuth(s.authorizeKey),
		wish.WithMaxTimeout(cfg.MaxTimeout),
		wish.WithVersion("switchboard"),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = 30 * time.Second
			if cfg.IdleTimeout > 0 {
				// Not srv.IdleTimeout: see idleConn.
				srv.ConnCallback = func(_ ssh.Context, c net.Conn) net.Conn { return newIdleConn(c, cfg.IdleTimeout) }
			}
			srv.ConnectionFailedCallback = func(conn net.Conn, err error) {
				// The keys refused during the handshake are logged one by one, with the
				// user name tried and their fingerprints (authorizeKey).
				s.log.Info("ssh connection refused", "remote", conn.RemoteAddr().String(), "err", err)
			}
			return nil
		},
		// wish runs the LAST middleware first: read this list from the bottom up.
		wish.WithMiddleware(
			bubbletea.MiddlewareWithProgramHandler(s.newProgram), // 7. runs the console until the session ends
			s.consoleSession(), // 6. builds this session's console; closes it and releases its subscription after
			requireTerminal(),  // 5. the console needs a PTY and takes no command
			s.identify(),       // 4. who: the agent the authenticating key belongs to
			ratelimiter.Middleware(ratelimiter.NewRateLimiter(cfg.ConnRate, cfg.ConnBurst, 4096)), // 3.
			s.clampTerminal(), // 2. every size the client asks for is clamped before anything sees it
			s.logSessions(),   // 1. every session, refused or not, is logged with its duration
		),
	)
	if err != nil {
		return nil, fmt.Errorf("sshd: %w", err)
	}
	s.ssh = srv
	return s, nil
}

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0 // the SSH library's "none"
	}
	return d
}

// Serve accepts SSH connections on ln until ctx is done, then stops gracefully: every
// open session shows that the server is stopping, new commands are refused, those in
// flight get StopGrace to finish, the consoles end, and the remaining connections are
// closed. It returns nil after such a stop, or the listener's error.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		s.watchAccess(watchCtx)
	}()
	defer func() { <-watched }()

	served := make(chan error, 1)
	go func() { served <- s.ssh.Serve(ln) }()
	select {
	case err := <-served:
		s.ssh.Close()
		return fmt.Errorf("ssh: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.stop()
	// The SSH server closes the listeners it tracks, but when ctx ended before its
	// Serve got going, it tracks ln only afterwards: close it here too.
	ln.Close()
	<-served
	return nil
}

// stop tells every session the server is stopping, waits for them to end, then closes
// every connection still open.
func (s *Server) stop() {
	s.mu.Lock()
	s.stopping = true
	live := make([]*liveSession, 0, len(s.live))
	for ls := range s.live {
		live = append(live, ls)
	}
	s.mu.Unlock()
	s.log.Info("ssh server stopping", "sessions", len(live))
	for _, ls := range live {
		s.end(ls, "the server is stopping")
	}

	ended := make(chan struct{})
	go func() {
		s.sessions.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(s.cfg.StopGrace + stopWait):
		s.log.Warn("ssh sessions still open after the grace period: closing their connections")
	}
	// Close rather than Shutdown: clients keep their connection open after their
	// session ends, and nothing more is to be said to them.
	if err := s.ssh.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		s.log.Warn("closing the ssh listener", "err", err)
	}
}

// Sessions counts the console sessions open now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// register adds a console session; it refuses when the server is stopping.
func (s *Server) register(ls *liveSession) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.live[ls] = struct{}{}
	s.sessions.Add(1)
	return true
}

func (s *Server) unregister(ls *liveSession) {
	s.mu.Lock()
	delete(s.live, ls)
	s.mu.Unlock()
	s.sessions.Done()
}
