package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/spf13/pflag"
	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui/sshd"
)

// hostKeyName is the SSH host key's file name, in the database's directory unless
// --host-key says otherwise: a server's identity stays with its data, whichever
// directory --db points at.
const hostKeyName = "ssh_host_ed25519_key"

// sshFlags are `switchboard serve`'s SSH options besides --ssh.
type sshFlags struct {
	hostKey string
}

func (f *sshFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.hostKey, "host-key", "", "SSH host key file, created (ed25519, mode 0600) if missing (default: "+hostKeyName+" beside the database)")
}

// hostKeyPath is --host-key, or the default beside the database file.
func (f *sshFlags) hostKeyPath(dbPath string) string {
	if f.hostKey != "" {
		return f.hostKey
	}
	return filepath.Join(filepath.Dir(dbPath), hostKeyName)
}

// sshService listens on addr and returns the service that serves the console over SSH
// on eng until its context ends. It listens here, not in the service, so that a port in
// use or a bad host key stops `serve` before anything runs. It says on out where it
// listens and the host key's fingerprint, for people to check on their first login.
func (f *sshFlags) sshService(eng *engine.Engine, addr, dbPath string, out io.Writer, logger *slog.Logger) (func(context.Context) error, error) {
	keyPath := f.hostKeyPath(dbPath)
	key, created, err := sshd.HostKey(keyPath)
	if err != nil {
		return nil, err
	}
	srv, err := sshd.New(eng, sshd.Config{HostKey: key, Logger: logger})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w (choose another port with --ssh, or --ssh \"\" to serve no SSH)", err)
	}
	made := ""
	if created {
		made = ", new"
	}
	fmt.Fprintf(out, "ssh: listening on %s (host key %s%s, %s)\n", ln.Addr(), keyPath, made, gossh.FingerprintSHA256(key.PublicKey()))
	return func(ctx context.Context) error { return srv.Serve(ctx, ln) }, nil
}
