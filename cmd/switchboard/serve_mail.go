package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/spf13/pflag"

	"github.com/switchboard/switchboard/engine/mailintake"
)

// mailFlags are `switchboard serve`'s e-mail intake options.
type mailFlags struct {
	addr string // "" turns e-mail intake off
	lmtp bool
}

func (f *mailFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.addr, "mail", "", "take e-mail for the addresses in mail_recipients on this address (SMTP; off by default)")
	fs.BoolVar(&f.lmtp, "mail-lmtp", false, "speak LMTP on --mail instead of SMTP, behind an existing mail server")
}

// mailService is e-mail intake (engine/mailintake) on --mail.
func mailService(env *serveEnv) (service, error) {
	if env.mail.addr == "" {
		if env.mail.lmtp {
			return nil, usagef("--mail-lmtp needs --mail ADDR")
		}
		return nil, nil
	}
	ln, err := net.Listen("tcp", env.mail.addr)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	proto := "smtp"
	if env.mail.lmtp {
		proto = "lmtp"
	}
	recipients, err := env.eng.MailRecipients(context.Background())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("mail: %w", err)
	}
	if len(recipients) == 0 {
		env.log.Warn("mail: mail_recipients is empty: every message will be refused at RCPT (switchboard setting set mail_recipients sales@example.com)")
	}
	srv := mailintake.New(env.eng, mailintake.Options{LMTP: env.mail.lmtp, Logger: env.log})
	env.log.Info("mail: listening", "addr", ln.Addr().String(), "protocol", proto, "recipients", strings.Join(recipients, ","))
	return func(ctx context.Context) error { return srv.Serve(ctx, ln) }, nil
}
