package sshd

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard/switchboard/engine"
)

// watchAccess ends the sessions whose login no longer holds: a console acts with the
// role its agent had at login, so when an agent is removed, loses the key it logged in
// with, or changes role, its open sessions close with the reason and it logs in again
// as what it is now. It runs until ctx is done.
func (s *Server) watchAccess(ctx context.Context) {
	sub := s.eng.Subscribe(64)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case c, ok := <-sub.C:
			if !ok {
				return
			}
			if c.Resync {
				s.recheck(ctx, nil)
				continue
			}
			handles := map[string]bool{}
			for _, ev := range c.Events {
				switch ev.Kind {
				case engine.EvAgentRemoved, engine.EvAgentChanged, engine.EvAgentKeyRemoved:
					handles[ev.Agent] = true
				}
			}
			if len(handles) > 0 {
				s.recheck(ctx, handles)
			}
		}
	}
}

// recheck looks up again the logins of the sessions of the given agents (nil: all).
func (s *Server) recheck(ctx context.Context, handles map[string]bool) {
	s.mu.Lock()
	var check []*liveSession
	for ls := range s.live {
		if handles == nil || handles[ls.agent.Handle] {
			check = append(check, ls)
		}
	}
	s.mu.Unlock()
	for _, ls := range check {
		why, err := s.lostAccess(ctx, ls)
		if err != nil {
			s.log.Warn("ssh: checking a session's access", "user", ls.agent.Handle, "err", err)
			continue
		}
		if why != "" {
			s.log.Info("ssh session ended: access changed", "user", ls.agent.Handle, "reason", why)
			s.end(ls, why)
		}
	}
}

// lostAccess says why a session's login no longer holds, or "" when it does.
func (s *Server) lostAccess(ctx context.Context, ls *liveSession) (string, error) {
	a, err := s.eng.AgentForKey(ctx, ls.fingerprint)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return "your key or your agent was removed", nil
	case err != nil:
		return "", err
	case a.ID != ls.agent.ID:
		return "your key now belongs to another agent", nil
	case a.Role != ls.agent.Role:
		return fmt.Sprintf("your role changed to %s (was %s): log in again", a.Role, ls.agent.Role), nil
	}
	return "", nil
}
