package sshd

import (
	"sync"

	"charm.land/ssh"
	"charm.land/wish/v2"
)

// The terminal size a client asks for sizes the console's frame and the renderer's
// buffer of cells: a pty-req of 4294967295 columns, or a window-change to
// 4294967295×4294967295, made the server allocate until it ran out of memory, and
// 1000×1000 cost 300 MB a session. No terminal a person reads is larger than this.
const (
	MaxColumns = 500
	MaxRows    = 200
)

// clampTerminal hands every later middleware – and so Bubble Tea, its renderer and the
// console – a session whose terminal is at most MaxColumns×MaxRows: the size of the
// pty-req and of every window-change is clamped before anyone sees it. A clamped
// request is logged once per session.
func (s *Server) clampTerminal() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			next(&clampedSession{Session: sess, srv: s})
		}
	}
}

// clampedSession is an ssh.Session whose Pty reports a clamped size.
type clampedSession struct {
	ssh.Session
	srv *Server

	once    sync.Once
	windows chan ssh.Window // the client's window changes, clamped
	logged  sync.Once
}

// Pty is the client's terminal, clamped, and the channel of its window changes,
// clamped as they arrive.
func (c *clampedSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	pty, changes, ok := c.Session.Pty()
	pty.Window = c.clamp(pty.Window)
	if changes == nil {
		return pty, nil, ok
	}
	c.once.Do(func() {
		c.windows = make(chan ssh.Window, 1)
		go func() {
			// Ends when the session's requests end and the library closes changes.
			defer close(c.windows)
			for w := range changes {
				c.windows <- c.clamp(w)
			}
		}()
	})
	return pty, c.windows, ok
}

func (c *clampedSession) clamp(w ssh.Window) ssh.Window {
	cw, ch := clampSize(w.Width, w.Height)
	if cw != w.Width || ch != w.Height {
		c.logged.Do(func() {
			c.srv.log.Warn("ssh terminal size clamped", "user", c.User(), "remote", c.RemoteAddr().String(),
				"asked_width", w.Width, "asked_height", w.Height, "width", cw, "height", ch)
		})
		// The pixel sizes go with the cells the client asked for: drop them.
		w.WidthPixels, w.HeightPixels = 0, 0
	}
	w.Width, w.Height = cw, ch
	return w
}

// clampSize bounds a terminal size to MaxColumns×MaxRows; negative sizes become 0
// (unknown, which the console treats as its default size).
func clampSize(width, height int) (int, int) {
	return min(max(width, 0), MaxColumns), min(max(height, 0), MaxRows)
}
