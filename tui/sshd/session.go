package sshd

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui"
)

// liveSession is one console served over SSH. Its fields after model are guarded by
// Server.mu.
type liveSession struct {
	agent       engine.Agent
	fingerprint string
	model       *sessionModel

	program *tea.Program // set once the program exists
	ending  string       // why the server is ending the session; "" while it is not
}

// liveKey holds the *liveSession in a session's context, for newProgram.
type liveKey struct{}

// consoleSession builds the session's console as its agent, registers it (so that
// shutdown and access changes can reach it) and, once the console has ended, closes it,
// releasing its hub subscription.
func (s *Server) consoleSession() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			agent, ok := agentOf(sess)
			if !ok {
				wish.Fatalln(sess, "switchboard: not logged in")
				return
			}
			pty, _, _ := sess.Pty()
			console := tui.New(s.leads, engine.AsAgent(agent), tui.Options{
				Width: pty.Window.Width, Height: pty.Window.Height,
				DarkBackground: true, // most terminals; the console asks the terminal and adapts
			})
			ls := &liveSession{
				agent:       agent,
				fingerprint: gossh.FingerprintSHA256(sess.PublicKey()),
				model:       newSessionModel(console, s.cfg.StopGrace, pty.Window.Width, pty.Window.Height),
			}
			if !s.register(ls) {
				console.Close()
				wish.Fatalln(sess, "switchboard: the server is stopping; connect again in a moment")
				return
			}
			defer s.unregister(ls)
			defer console.Close()
			// The session counts as the agent's presence at a console (auto_away), in
			// every process on the database, until it ends.
			presence, err := s.eng.OpenSession(sess.Context(), engine.AsAgent(agent), "ssh "+sess.RemoteAddr().String())
			if err != nil {
				s.log.Warn("ssh session not counted as present", "handle", agent.Handle, "err", err)
			}
			defer presence.Close(context.WithoutCancel(sess.Context()))

			sess.Context().SetValue(liveKey{}, ls)
			next(sess)

			s.mu.Lock()
			why := ls.ending
			s.mu.Unlock()
			if why != "" {
				wish.Errorf(sess, "switchboard: %s; your session has ended.\r\n", why)
				_ = sess.Exit(1)
			}
		}
	}
}

// newProgram is the Bubble Tea program of a console session (wish's ProgramHandler).
// It returns nil, ending the session, when the server began ending it in the meantime.
func (s *Server) newProgram(sess ssh.Session) *tea.Program {
	ls, ok := sess.Context().Value(liveKey{}).(*liveSession)
	if !ok {
		return nil
	}
	opts := append(bubbletea.MakeOptions(sess), tea.WithoutSignalHandler())
	p := tea.NewProgram(ls.model, opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ls.ending != "" {
		return nil
	}
	ls.program = p
	return p
}

// end closes a session from the server's side: its console shows why for StopGrace
// (taking no new keys), then quits. Safe to call more than once.
func (s *Server) end(ls *liveSession, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ls.ending != "" {
		return
	}
	ls.ending = why
	if p := ls.program; p != nil {
		// Send blocks until the program's loop takes the message, or it has ended.
		go p.Send(stopMsg{why: why})
	}
}

// requireTerminal turns away sessions the console cannot serve, with a line that says
// what to do instead: no PTY (`ssh host cmd`, scripts), or a command.
func requireTerminal() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			if cmd := sess.RawCommand(); cmd != "" {
				wish.Fatalf(sess, "switchboard: the SSH server runs only the console, not commands (got %q): connect without a command, and use the switchboard CLI for scripts\r\n", cmd)
				return
			}
			if _, _, ok := sess.Pty(); !ok {
				wish.Fatalln(sess, "switchboard: the console needs a terminal: connect with plain `ssh` (or `ssh -t`) from an interactive shell")
				return
			}
			next(sess)
		}
	}
}

// logSessions logs each session's start and end with the agent handle and address.
// (wish's logging middleware writes to charm's logger; the rest of switchboard logs
// with slog.)
func (s *Server) logSessions() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			start := time.Now()
			pty, _, _ := sess.Pty()
			remote := sess.RemoteAddr().String()
			s.log.Info("ssh session", "user", sess.User(), "remote", remote, "term", pty.Term,
				"width", pty.Window.Width, "height", pty.Window.Height, "client", sess.Context().ClientVersion())
			next(sess)
			s.log.Info("ssh session ended", "user", sess.User(), "remote", remote,
				"duration", time.Since(start).Round(time.Millisecond))
		}
	}
}

// stopMsg tells a session's program that the server is ending it, and why.
type stopMsg struct{ why string }

// sessionModel wraps a console for the server's needs: it shows the reason on the
// bottom line when the server ends the session, and stops passing keys on then so that
// no new command starts while those in flight finish.
type sessionModel struct {
	console       tea.Model
	grace         time.Duration
	width, height int
	notice        string
}

func newSessionModel(console tea.Model, grace time.Duration, width, height int) *sessionModel {
	return &sessionModel{console: console, grace: grace, width: width, height: height}
}

func (m *sessionModel) Init() tea.Cmd { return m.console.Init() }

func (m *sessionModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case stopMsg:
		if m.notice != "" {
			return m, nil
		}
		m.notice = msg.why
		return m, tea.Tick(m.grace, func(time.Time) tea.Msg { return tea.Quit() })
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyPressMsg, tea.KeyReleaseMsg, tea.PasteMsg, tea.MouseMsg:
		if m.notice != "" {
			return m, nil
		}
	}
	next, cmd := m.console.Update(msg)
	m.console = next
	return m, cmd
}

var noticeStyle = lipgloss.NewStyle().Reverse(true).Bold(true)

func (m *sessionModel) View() tea.View {
	v := m.console.View()
	if m.notice == "" {
		return v
	}
	text := fmt.Sprintf(" switchboard: %s, closing this session… ", m.notice)
	v.Content = withBottomLine(v.Content, m.width, m.height, noticeStyle.Render(fitWidth(text, m.width)))
	return v
}

// withBottomLine puts line on the last row of a screen of height rows.
func withBottomLine(content string, width, height int, line string) string {
	lines := strings.Split(content, "\n")
	if height <= 0 {
		height = len(lines) + 1
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	lines[height-1] = line
	return strings.Join(lines, "\n")
}

// fitWidth pads or cuts s to exactly width cells (width <= 0: as is).
func fitWidth(s string, width int) string {
	if width <= 0 {
		return s
	}
	s = ansi.Truncate(s, width, "…")
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}
