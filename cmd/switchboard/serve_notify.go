package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/pflag"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/notify"
)

// smtpPasswordEnv is where the SMTP password may come from instead of a flag, which
// any user of the machine can read in the process list.
const smtpPasswordEnv = "SWITCHBOARD_SMTP_PASSWORD"

// notifyFlags are `switchboard serve`'s options for e-mail notifications. Webhooks need
// none: each agent's URL, and the global one, are settings in the database.
type notifyFlags struct {
	smtpAddr     string
	smtpFrom     string
	smtpUser     string
	smtpPassword string
	smtpStartTLS bool
}

func (f *notifyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.smtpAddr, "smtp-addr", "", "SMTP server for e-mail notifications, HOST:PORT (none: e-mail waits, webhooks still go out)")
	fs.StringVar(&f.smtpFrom, "smtp-from", "", `sender of e-mail notifications, e.g. "Switchboard <leads@example.com>"`)
	fs.StringVar(&f.smtpUser, "smtp-user", "", "SMTP user name (PLAIN authentication; needs --smtp-starttls unless the server is localhost)")
	fs.StringVar(&f.smtpPassword, "smtp-password", "", "SMTP password (default: $"+smtpPasswordEnv+")")
	fs.BoolVar(&f.smtpStartTLS, "smtp-starttls", false, "require STARTTLS before authenticating and sending")
}

// mailer checks the flags: nil when no SMTP server is given.
func (f *notifyFlags) mailer() (*notify.Mailer, error) {
	password := f.smtpPassword
	if password == "" {
		password = os.Getenv(smtpPasswordEnv)
	}
	if f.smtpAddr == "" {
		if f.smtpFrom != "" || f.smtpUser != "" || f.smtpStartTLS {
			return nil, usagef("--smtp-from, --smtp-user and --smtp-starttls need --smtp-addr HOST:PORT")
		}
		return nil, nil
	}
	m, err := notify.NewMailer(notify.SMTPConfig{
		Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser, Password: password, StartTLS: f.smtpStartTLS,
	})
	if err != nil {
		return nil, usagef("e-mail notifications: %w (see --smtp-addr, --smtp-from, --smtp-user, $%s)", err, smtpPasswordEnv)
	}
	return m, nil
}

// notifyService checks the flags and returns the service that delivers eng's
// notification outbox (e-mail and webhooks) until its context ends. It says on out how
// e-mail goes out, so that a missing SMTP server is noticed at start, not a day later.
func (f *notifyFlags) notifyService(eng *engine.Engine, out io.Writer, logger *slog.Logger) (func(context.Context) error, error) {
	m, err := f.mailer()
	if err != nil {
		return nil, err
	}
	if m == nil {
		fmt.Fprintln(out, "notifications: webhooks only; e-mail waits until serve runs with --smtp-addr and --smtp-from")
	} else {
		how := ""
		if f.smtpStartTLS {
			how = ", STARTTLS"
		}
		if f.smtpUser != "" {
			how += ", as " + f.smtpUser
		}
		fmt.Fprintf(out, "notifications: e-mail via %s from %s%s; webhooks\n", f.smtpAddr, m.From().Address, how)
	}
	w := notify.New(eng, notify.Options{Mailer: m, Logger: logger})
	return w.Run, nil
}
