package sshd

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// idleConn closes a connection that has carried no bytes either way for timeout.
//
// It stands in for the SSH library's own IdleTimeout, which moves the connection's
// deadline from its read loop while the handshake goroutine writes the same fields
// (a data race in charm.land/ssh v0.4.2 whenever an idle timeout is set). This one
// never touches deadlines, so the library's handshake and max timeouts still apply:
// reads and writes stamp the time, and a timer checks it.
type idleConn struct {
	net.Conn
	timeout time.Duration
	last    atomic.Int64 // unix nanoseconds of the last read or write
	mu      sync.Mutex
	timer   *time.Timer
	closed  bool
}

func newIdleConn(c net.Conn, timeout time.Duration) *idleConn {
	ic := &idleConn{Conn: c, timeout: timeout}
	ic.touch()
	ic.mu.Lock()
	ic.timer = time.AfterFunc(timeout, ic.check)
	ic.mu.Unlock()
	return ic
}

func (c *idleConn) touch() { c.last.Store(time.Now().UnixNano()) }

// check closes the connection if it has been idle for the timeout, else looks again
// when it could be.
func (c *idleConn) check() {
	idle := time.Since(time.Unix(0, c.last.Load()))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if idle < c.timeout {
		c.timer.Reset(c.timeout - idle)
		return
	}
	c.closed = true
	c.Conn.Close()
}

func (c *idleConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.touch()
	}
	return n, err
}

func (c *idleConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.touch()
	}
	return n, err
}

func (c *idleConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.timer.Stop()
	c.mu.Unlock()
	return c.Conn.Close()
}
