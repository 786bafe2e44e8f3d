package engine

import "sync"

// Change is what subscribers of the Hub receive after a commit: the history events it
// wrote, in order. Resync means changes were dropped because the subscriber fell
// behind: reload everything shown.
type Change struct {
	Events []Event
	Resync bool
}

// Hub fans committed changes out to subscribers without ever blocking the writer.
type Hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscription is one subscriber's feed. Read C until it is closed.
type Subscription struct {
	C   <-chan Change
	ch  chan Change
	hub *Hub
}

// Subscribe returns a feed with room for buffer changes (at least 2).
func (h *Hub) Subscribe(buffer int) *Subscription {
	if buffer < 2 {
		buffer = 2
	}
	ch := make(chan Change, buffer)
	s := &Subscription{C: ch, ch: ch, hub: h}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*Subscription]struct{}{}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Close ends the subscription and closes C. It is safe to call twice.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if _, ok := s.hub.subs[s]; ok {
		delete(s.hub.subs, s)
		close(s.ch)
	}
}

// Subscribers counts the open subscriptions (for tests and metrics).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// publish hands c to every subscriber. A subscriber whose buffer is full loses what it
// has not read yet and gets a single Resync instead: everything it lost is already
// committed, so a reload shows it. The writer never waits.
func (h *Hub) publish(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- c:
			continue
		default:
		}
		// Full: we are the only sender, so after draining there is room.
		for drained := false; !drained; {
			select {
			case <-s.ch:
			default:
				drained = true
			}
		}
		s.ch <- Change{Resync: true}
	}
}
