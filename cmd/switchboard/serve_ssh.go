package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/spf13/pflag"
	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/tui/leadmodel"
	"github.com/switchboard/switchboard/tui/sshd"
)

// hostKeyName is the SSH host key's file name, in the database's directory unless
// --host-key says otherwise: a server's identity stays with its data, whichever
// directory --db points at. A database that is not a file (PostgreSQL) has no
// directory: the key is then in the user's data directory, and nodes that serve one
// team behind a load balancer share one key with --host-key.
const hostKeyName = "ssh_host_ed25519_key"

// sshFlags are `switchboard serve`'s SSH options besides --ssh.
type sshFlags struct {
	hostKey string
}

func (f *sshFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.hostKey, "host-key", "", "SSH host key file, created (ed25519, mode 0600) if missing; nodes on one PostgreSQL database share one (default: "+hostKeyName+" beside a SQLite database, else in the user's data directory)")
}

// hostKeyPath is --host-key, or the default for the database dsn.
func (f *sshFlags) hostKeyPath(dsn string) (string, error) {
	if f.hostKey != "" {
		return f.hostKey, nil
	}
	if kind, err := storage.KindOf(dsn); err == nil && kind == storage.SQLite {
		return filepath.Join(filepath.Dir(dsn), hostKeyName), nil
	}
	dir, err := dataDir()
	if err != nil {
		return "", fmt.Errorf("ssh: no place for the host key: %w (or give --host-key)", err)
	}
	return filepath.Join(dir, hostKeyName), nil
}

// sshService is the console over SSH (tui/sshd) on --ssh. It binds here, not in the
// service, so that a port in use or a bad host key stops serve before anything runs,
// and it logs the host key's fingerprint for people to check at their first login.
func sshService(env *serveEnv) (service, error) {
	if env.sshAddr == "" {
		return nil, nil
	}
	keyPath, err := env.ssh.hostKeyPath(env.dsn)
	if err != nil {
		return nil, err
	}
	key, created, err := sshd.HostKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	// One model of the leads for every session of this process.
	leads := leadmodel.New(env.eng, env.log)
	srv, err := sshd.New(leads, sshd.Config{HostKey: key, Logger: env.log})
	if err != nil {
		leads.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", env.sshAddr)
	if err != nil {
		leads.Close()
		return nil, fmt.Errorf("ssh: %w (choose another address with --ssh, or --ssh '' for no SSH)", err)
	}
	env.sessions = srv.Sessions
	env.log.Info("ssh: listening", "addr", ln.Addr().String(), "host_key", keyPath, "new_key", created,
		"fingerprint", gossh.FingerprintSHA256(key.PublicKey()))
	return func(ctx context.Context) error {
		defer leads.Close()
		return srv.Serve(ctx, ln)
	}, nil
}
