package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Console sessions (R18). Each process keeps the rows of the sessions it holds open
// alive: every sessionBeat it moves their expiry to sessionTTL from then, in one write
// for all of them. A session that closes deletes its row and marks its agent seen; a
// session whose process died is not kept alive and stops counting sessionTTL after its
// last beat, which auto-away then counts from.
const (
	sessionTTL  = 30 * time.Second
	sessionBeat = 10 * time.Second
)

// ConsoleSession is a console session this process holds open. Close it when the
// console ends.
type ConsoleSession struct {
	e    *Engine
	id   int64
	once sync.Once
}

// sessionSet is the sessions this engine keeps alive.
type sessionSet struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (s *sessionSet) add(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[int64]bool{}
	}
	s.ids[id] = true
}

func (s *sessionSet) remove(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id)
}

func (s *sessionSet) list() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, 0, len(s.ids))
	for id := range s.ids {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// OpenSession counts a console session of actor's agent (SSH or local; via says which,
// for people reading the rows) until Close. If the system had set the agent away for
// want of a session, it gets back the presence it had (R18). An actor that is no agent
// of the team (the local console as the database's owner) opens none: the session is
// nil, and closing nil is allowed.
func (e *Engine) OpenSession(ctx context.Context, actor Actor, via string) (*ConsoleSession, error) {
	if actor.AgentID == 0 {
		return nil, nil
	}
	if err := checkText("via", via, MaxNameLen); err != nil {
		return nil, err
	}
	var id int64
	err := e.write(ctx, func(t *txn) error {
		a, err := t.Agent(actor.AgentID)
		if errors.Is(err, ErrNoRows) {
			return notFoundf("agent #%d does not exist", actor.AgentID)
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", actor.Name, err)
		}
		s := Session{AgentID: a.ID, Via: via, OpenedAt: t.now, ExpiresAt: t.now.Add(sessionTTL)}
		if err := t.InsertSession(&s); err != nil {
			return fmt.Errorf("storing the session: %w", err)
		}
		id = s.ID
		if err := t.dropExpiredSessions(&a); err != nil {
			return err
		}
		a.SeenAt, t.wake = t.now, true
		back := a.AutoAwayFrom
		if back == "" || a.Presence != Away || !a.AutoPresence {
			return t.UpdateAgent(&a)
		}
		a.Presence, a.AutoAwayFrom, a.AwaySince = back, "", time.Time{}
		if err := t.UpdateAgent(&a); err != nil {
			return fmt.Errorf("updating %s: %w", a.Handle, err)
		}
		if _, err := t.record(Event{Kind: EvAgentPresence, Actor: "system", Agent: a.Handle,
			From: string(Away), To: string(back), Reason: "console session opened"}); err != nil {
			return err
		}
		if back == Available {
			return t.drain([]int64{a.ID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.sessions.add(id)
	return &ConsoleSession{e: e, id: id}, nil
}

// dropExpiredSessions deletes agent a's session rows that have expired, keeping the
// latest expiry as when it was last seen (a.SeenAt; the caller writes a).
func (t *txn) dropExpiredSessions(a *Agent) error {
	all, err := t.Sessions()
	if err != nil {
		return fmt.Errorf("reading console sessions: %w", err)
	}
	var dead []int64
	for _, s := range all {
		if s.AgentID != a.ID || s.Live(t.now) {
			continue
		}
		dead = append(dead, s.ID)
		if s.ExpiresAt.After(a.SeenAt) {
			a.SeenAt = s.ExpiresAt
		}
	}
	if err := t.DeleteSessions(dead); err != nil {
		return fmt.Errorf("dropping expired sessions: %w", err)
	}
	return nil
}

// Close ends the session: it no longer counts, and auto-away counts from now. A
// session whose close cannot be written (the engine is closing) stops counting when it
// expires.
func (s *ConsoleSession) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	var err error
	s.once.Do(func() {
		s.e.sessions.remove(s.id)
		err = s.e.write(ctx, func(t *txn) error {
			all, err := t.Sessions()
			if err != nil {
				return fmt.Errorf("reading console sessions: %w", err)
			}
			for _, row := range all {
				if row.ID != s.id {
					continue
				}
				if err := t.DeleteSessions([]int64{row.ID}); err != nil {
					return fmt.Errorf("dropping the session: %w", err)
				}
				a, err := t.Agent(row.AgentID)
				if err != nil {
					return fmt.Errorf("reading the session's agent: %w", err)
				}
				a.SeenAt, t.wake = t.now, true
				return t.UpdateAgent(&a)
			}
			return nil // expired and dropped already
		})
		if errors.Is(err, ErrClosed) {
			err = nil
		}
	})
	return err
}

// KeepSessionsAlive moves the expiry of every session this engine holds open to
// sessionTTL from now. The engine does it by itself every sessionBeat; callers need it
// only to force it (tests with a hand-moved clock).
func (e *Engine) KeepSessionsAlive(ctx context.Context) error {
	ids := e.sessions.list()
	if len(ids) == 0 {
		return nil
	}
	return e.write(ctx, func(t *txn) error {
		return t.TouchSessions(ids, t.now.Add(sessionTTL))
	})
}

// sessionLoop keeps this engine's sessions alive until the engine closes.
func (e *Engine) sessionLoop() {
	defer e.wg.Done()
	tick := time.NewTicker(sessionBeat)
	defer tick.Stop()
	for {
		select {
		case <-e.quit:
			return
		case <-tick.C:
			if err := e.KeepSessionsAlive(context.Background()); err != nil && !errors.Is(err, ErrClosed) {
				e.log.Error("engine: keeping console sessions alive", "err", err)
			}
		}
	}
}

// liveSessions counts each agent's live console sessions at now.
func liveSessions(r Reader, now time.Time) (map[int64]int, error) {
	all, err := r.Sessions()
	if err != nil {
		return nil, fmt.Errorf("reading console sessions: %w", err)
	}
	out := map[int64]int{}
	for _, s := range all {
		if s.Live(now) {
			out[s.AgentID]++
		}
	}
	return out, nil
}
