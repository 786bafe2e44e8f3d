package main

import (
	"log/slog"
	"os"
	"time"

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
	timeout      time.Duration
	allowLocal   bool // --allow-local-webhooks, a flag of every command
}

func (f *notifyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.smtpAddr, "smtp-addr", "", "SMTP server for e-mail notifications, HOST:PORT (none: e-mail waits, webhooks still go out)")
	fs.StringVar(&f.smtpFrom, "smtp-from", "", `sender of e-mail notifications, e.g. "Switchboard <leads@example.com>"`)
	fs.StringVar(&f.smtpUser, "smtp-user", "", "SMTP user name (PLAIN authentication; needs --smtp-starttls unless the server is localhost)")
	fs.StringVar(&f.smtpPassword, "smtp-password", "", "SMTP password (default: $"+smtpPasswordEnv+")")
	fs.BoolVar(&f.smtpStartTLS, "smtp-starttls", false, "require STARTTLS before authenticating and sending")
	fs.DurationVar(&f.timeout, "notify-timeout", 10*time.Second, "how long one e-mail or webhook attempt may take before it is retried")
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

// notifyService is serve's notification worker (engine/notify): it delivers the outbox,
// e-mail and webhooks, until serve stops. It runs whenever serve serves anything:
// webhooks need no flags. It logs how e-mail goes out, so that a missing SMTP server is
// noticed at start rather than when nobody got a message.
func notifyService(env *serveEnv) (service, error) {
	if env.httpAddr == "" && env.sshAddr == "" {
		return nil, nil // serve refuses to run with nothing to serve
	}
	var observe func(engine.Channel, notify.Outcome)
	if env.metrics != nil {
		observe = env.metrics.ObserveDelivery
	}
	return env.notify.service(env.eng, env.log, observe)
}

// service checks the flags and returns the worker for eng's outbox.
func (f *notifyFlags) service(eng *engine.Engine, logger *slog.Logger, observe func(engine.Channel, notify.Outcome)) (service, error) {
	m, err := f.mailer()
	if err != nil {
		return nil, err
	}
	if f.timeout <= 0 {
		return nil, usagef("--notify-timeout must be positive, e.g. 10s")
	}
	if m == nil {
		logger.Warn("notifications: webhooks only; e-mail waits until serve runs with --smtp-addr and --smtp-from")
	} else {
		logger.Info("notifications: e-mail", "smtp", f.smtpAddr, "from", m.From().Address, "starttls", f.smtpStartTLS, "user", f.smtpUser)
	}
	if f.allowLocal {
		logger.Warn("notifications: webhooks may reach loopback and link-local addresses (--allow-local-webhooks)")
	}
	w := notify.New(eng, notify.Options{Mailer: m, Timeout: f.timeout, Logger: logger, AllowLocalTargets: f.allowLocal, Observe: observe})
	return w.Run, nil
}
