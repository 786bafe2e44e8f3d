package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPConfig says how to reach the mail server that sends switchboard's e-mail: a local
// relay, or the team's mail provider's submission port.
type SMTPConfig struct {
	Addr string // host:port
	From string // the sender: "leads@example.com" or "Switchboard <leads@example.com>"
	// Username and Password turn on PLAIN authentication. net/smtp sends them only over
	// TLS or to localhost.
	Username string
	Password string
	// StartTLS requires the server to upgrade the connection with STARTTLS before
	// anything else is sent; a server that does not offer it is an error.
	StartTLS bool
	// TLSConfig is used for STARTTLS (default: verify the certificate for Addr's host).
	TLSConfig *tls.Config
	// LocalName is the name given in EHLO (default "localhost").
	LocalName string
}

// Mailer sends e-mail through one SMTP server, one connection per message.
type Mailer struct {
	cfg  SMTPConfig
	host string
	from *mail.Address
}

// NewMailer checks cfg and returns a mailer for it.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("SMTP server %q: give it as HOST:PORT, e.g. smtp.example.com:587", cfg.Addr)
	}
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("no sender address: give the address e-mail is sent from, e.g. leads@example.com")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("sender address %q: %w", cfg.From, err)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("SMTP authentication needs both a user name and a password")
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	return &Mailer{cfg: cfg, host: host, from: from}, nil
}

// From is the sender.
func (m *Mailer) From() *mail.Address { return m.from }

// Send delivers msg, a complete RFC 5322 message, to one recipient. ctx bounds the
// whole exchange.
func (m *Mailer) Send(ctx context.Context, to string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", m.cfg.Addr, err)
	}
	// net/smtp knows no context: a deadline on the connection bounds every read and
	// write, and cancelling ctx ends them at once.
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", m.cfg.Addr, err)
	}
	defer c.Close()
	if err := c.Hello(m.cfg.LocalName); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if m.cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("%s does not offer STARTTLS (run without --smtp-starttls only on a trusted network)", m.cfg.Addr)
		}
		tc := m.cfg.TLSConfig
		if tc == nil {
			tc = &tls.Config{ServerName: m.host}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if m.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("%s does not offer authentication (does it need --smtp-starttls?)", m.cfg.Addr)
		}
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
			return fmt.Errorf("authenticating as %s: %w", m.cfg.Username, err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM %s: %w", m.from.Address, err)
	}
	if err := c.Rcpt(to); err != nil {
		err = fmt.Errorf("RCPT TO %s: %w", to, err)
		// The server refused the address itself: retrying will not change its mind.
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return permanent(err)
		}
		return err
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	// The message is accepted once DATA ends; a failed QUIT changes nothing.
	c.Quit()
	return nil
}
