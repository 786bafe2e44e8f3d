package sshd

import (
	"context"
	"fmt"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
)

// agentKey holds the logged-in engine.Agent in a session's context.
type agentKey struct{}

// authorizeKey is the handshake's public-key check. It asks the engine at every login,
// so a key added or removed with `switchboard agent key …` counts for the next login
// without a restart. The client may offer several keys: this says yes or no to each,
// and identify decides who the session is from the key that got in.
func (s *Server) authorizeKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, err := s.agentFor(ctx, ctx.User(), key); err != nil {
		// Every refusal, with what was tried: the user name is the client's text,
		// which the log handler quotes.
		s.log.Info("ssh key refused", "remote", ctx.RemoteAddr().String(), "user", ctx.User(),
			"key", key.Type(), "fingerprint", gossh.FingerprintSHA256(key), "reason", err)
		return false
	}
	return true
}

// agentFor finds the agent that key belongs to and checks that the SSH user name is
// that agent's handle: a key opens only its own agent's console.
func (s *Server) agentFor(ctx context.Context, user string, key ssh.PublicKey) (engine.Agent, error) {
	fp := gossh.FingerprintSHA256(key)
	a, err := s.eng.AgentForKey(ctx, fp)
	if err != nil {
		return engine.Agent{}, err
	}
	if a.Handle != user {
		return engine.Agent{}, fmt.Errorf("key %s belongs to %s, not to %q: log in as %s@…", fp, a.Handle, user, a.Handle)
	}
	return a, nil
}

// identify puts the agent of the key that authenticated the connection into the
// session's context. It looks the key up again rather than trusting the handshake,
// which may have been asked about other keys first.
func (s *Server) identify() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			key := sess.PublicKey()
			if key == nil {
				wish.Fatalln(sess, "switchboard: log in with an SSH key registered to your agent")
				return
			}
			a, err := s.agentFor(sess.Context(), sess.User(), key)
			if err != nil {
				s.log.Info("ssh session refused", "remote", sess.RemoteAddr().String(), "user", sess.User(),
					"fingerprint", gossh.FingerprintSHA256(key), "reason", err)
				wish.Fatalln(sess, "switchboard: "+err.Error())
				return
			}
			sess.Context().SetValue(agentKey{}, a)
			next(sess)
		}
	}
}

// agentOf is the agent identify found for the session.
func agentOf(sess ssh.Session) (engine.Agent, bool) {
	a, ok := sess.Context().Value(agentKey{}).(engine.Agent)
	return a, ok
}
