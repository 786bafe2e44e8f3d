// Package mailintake is switchboard's e-mail door (R22): an SMTP server (or LMTP, behind
// an existing mail server) that takes mail for the addresses in the mail_recipients
// setting and hands each message, decoded, to engine.ReceiveMail, which makes it a lead
// or records it as ignored.
//
// What it refuses, with the standard SMTP codes, and why:
//   - a recipient not in mail_recipients: 550 5.1.1 at RCPT, before any data;
//   - a message over 1 MiB: 552 5.3.4 at DATA (SIZE is advertised, so a client that
//     reads it does not even send one);
//   - a header or text holding a control character (after MIME decoding), a From that
//     is no address, a message that cannot be read or in a charset it does not know:
//     554 5.6.0 with the reason – nothing is stored, the sender's server bounces it;
//   - more than 10 messages a minute (bursts of 20) from one client address over SMTP,
//     or from one envelope sender over LMTP (where every message comes from the one mail
//     server in front): 450 4.7.1 at MAIL, which senders retry later;
//   - more than MaxConnections connections at once: 421 4.7.0 at connect.
//
// A message it accepts gets 250 whether it made a lead, repeated one (the same
// Message-ID: nothing changes) or was ignored: the sender learns nothing of the team's
// leads. Failures of switchboard itself are 451 4.3.0, which senders retry.
package mailintake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/ratelimit"
)

// Limits of the door.
const (
	MaxMessageBytes = 1 << 20 // the largest message taken, headers included
	MaxRecipients   = 50      // recipients of one message
	MaxConnections  = 100     // connections at once
	// Rate and Burst bound the messages one client address (SMTP) or one envelope
	// sender (LMTP) may send: 10 a minute, bursts of 20.
	Rate  = 10
	Burst = 20
	// ShutdownGrace is how long Serve lets the messages in flight finish once asked to
	// stop.
	ShutdownGrace = 10 * time.Second
)

// Options tune the server.
type Options struct {
	LMTP   bool         // speak LMTP (RFC 2033) instead of SMTP
	Domain string       // the name in the greeting (default: the host name)
	Logger *slog.Logger // one line per message (default slog.Default())
	// Now is the rate limit's clock (default time.Now); tests hold it still.
	Now func() time.Time
	// Timeout bounds each read and write on a connection (default one minute).
	Timeout time.Duration
}

// Server is the e-mail door over one engine.
type Server struct {
	eng     *engine.Engine
	opts    Options
	log     *slog.Logger
	limiter *ratelimit.Limiter
	smtp    *smtp.Server
}

// New builds the server; Serve runs it.
func New(eng *engine.Engine, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.Domain == "" {
		opts.Domain, _ = os.Hostname()
		if opts.Domain == "" {
			opts.Domain = "switchboard"
		}
	}
	s := &Server{eng: eng, opts: opts, log: opts.Logger, limiter: ratelimit.New(ratelimit.PerMinute(Rate), Burst, 0)}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.LMTP = opts.LMTP
	srv.Domain = opts.Domain
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = opts.Timeout, opts.Timeout
	srv.ErrorLog = logAdapter{opts.Logger}
	s.smtp = srv
	return s
}

// Serve takes mail on ln until ctx is done, then stops taking connections, lets the
// messages in flight finish (up to ShutdownGrace) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.smtp.Serve(&capListener{Listener: ln, slots: make(chan struct{}, MaxConnections)}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("mail: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	err := s.smtp.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.smtp.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, smtp.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("mail: stopping: %w", err)
	}
	return nil
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
}

// session is one client's conversation: the envelope of the message it is sending.
type session struct {
	s      *Server
	remote string
	from   string
	rcpts  []string
}

func (ss *session) Reset()        { ss.from, ss.rcpts = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	key := ratelimit.Key(ss.remote)
	if ss.s.opts.LMTP {
		key = "sender:" + strings.ToLower(from)
	}
	if ok, wait := ss.s.limiter.Allow(key, ss.s.opts.Now()); !ok {
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
			Message: fmt.Sprintf("Too many messages: at most %d a minute, bursts of %d; try again in %ds", Rate, Burst, int(math.Ceil(wait.Seconds())))}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ok, err := ss.s.eng.MailRecipientAllowed(context.Background(), to)
	if err != nil {
		ss.s.log.Error("mail: reading mail_recipients", "err", err)
		return tempFailure
	}
	if !ok {
		ss.s.log.Info("mail: recipient refused", "remote", ss.remote, "from", ss.from, "to", to)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// tempFailure is switchboard failing, not the message: the sender tries again.
var tempFailure = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "switchboard cannot take the message now; try again later"}

// Data takes one message for every recipient: one message is one lead, whoever of the
// team's addresses it was sent to.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // the data reader's own error: 552 for a message over the size
	}
	return ss.deliver(raw)
}

// LMTPData is Data with a status per recipient, all the same: the message is one lead.
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := ss.Data(r)
	for _, rc := range ss.rcpts {
		status.SetStatus(rc, err)
	}
	return err
}

func (ss *session) deliver(raw []byte) error {
	attrs := []any{"remote", ss.remote, "envelope_from", ss.from, "to", ss.rcpts[0], "bytes", len(raw)}
	m, err := Decode(raw, ss.from)
	if err != nil {
		ss.s.log.Info("mail: refused", append(attrs, "reason", err)...)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: oneLine(err.Error())}
	}
	m.Recipient = ss.rcpts[0]
	res, err := ss.s.eng.ReceiveMail(context.Background(), m)
	switch kind := engine.KindOf(err); {
	case err == nil:
	case kind == engine.KindInvalid:
		ss.s.log.Info("mail: refused", append(attrs, "reason", err)...)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: oneLine(err.Error())}
	case kind == engine.KindForbidden: // mail_recipients changed since RCPT
		ss.s.log.Info("mail: refused", append(attrs, "reason", err)...)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	default:
		ss.s.log.Error("mail: taking a message", append(attrs, "err", err)...)
		return tempFailure
	}
	switch {
	case res.Ignored != "":
		ss.s.log.Info("mail: ignored", append(attrs, "reason", res.Ignored)...)
	case res.Duplicate:
		ss.s.log.Info("mail: a redelivery", append(attrs, "lead", res.Lead.ID)...)
	default:
		ss.s.log.Info("mail: lead", append(attrs, "lead", res.Lead.ID, "owner", res.Lead.Owner)...)
	}
	return nil
}

// oneLine keeps a reply on one line of printable ASCII: SMTP replies are lines, and the
// sender's server copies them into the bounce a person reads.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case b.Len() >= 400:
			b.WriteString("...")
			return b.String()
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// capListener turns away connections past its slots with 421 before the SMTP server
// sees them, so that a flood of idle connections costs a bounded number of goroutines.
type capListener struct {
	net.Listener
	slots chan struct{}
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
			// Told and closed off the accepting goroutine: a client that does not read
			// must not hold up the next connection.
			go func() {
				c.SetWriteDeadline(time.Now().Add(time.Second))
				io.WriteString(c, "421 4.7.0 Too many connections; try again later\r\n")
				c.Close()
			}()
		}
	}
}

type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// logAdapter gives go-smtp's own errors (a connection that fails mid-way) to the log.
type logAdapter struct{ log *slog.Logger }

func (l logAdapter) Printf(format string, v ...any) {
	l.log.Warn("mail: " + strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (l logAdapter) Println(v ...any) { l.log.Warn("mail: " + strings.TrimSpace(fmt.Sprintln(v...))) }
