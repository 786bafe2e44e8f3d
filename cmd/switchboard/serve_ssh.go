package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/spf13/pflag"
	gossh "golang.org/x/crypto/ssh"

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

// sshService is the console over SSH (tui/sshd) on --ssh. It binds here, not in the
// service, so that a port in use or a bad host key stops serve before anything runs,
// and it logs the host key's fingerprint for people to check at their first login.
func sshService(env *serveEnv) (service, error) {
	if env.sshAddr == "" {
		return nil, nil
	}
	keyPath := env.ssh.hostKeyPath(env.dbPath)
	key, created, err := sshd.HostKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	srv, err := sshd.New(env.eng, sshd.Config{HostKey: key, Logger: env.log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", env.sshAddr)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w (choose another address with --ssh, or --ssh '' for no SSH)", err)
	}
	env.log.Info("ssh: listening", "addr", ln.Addr().String(), "host_key", keyPath, "new_key", created,
		"fingerprint", gossh.FingerprintSHA256(key.PublicKey()))
	return func(ctx context.Context) error { return srv.Serve(ctx, ln) }, nil
}
