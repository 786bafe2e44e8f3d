package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

func TestSSHService(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "team.db")
	eng := enginetest.Open(t, dbPath, storage.Options{}, engine.Options{TailInterval: -1})
	var logs bytes.Buffer
	env := &serveEnv{eng: eng, dsn: dbPath, dbPath: dbPath, sshAddr: "127.0.0.1:0", log: slog.New(slog.NewTextHandler(&logs, nil))}

	serve, err := sshService(env)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, hostKeyName)
	if _, err := os.Stat(keyPath); err != nil {
		t.Errorf("no host key beside the database: %v", err)
	}
	m := regexp.MustCompile(`ssh: listening" addr=(\S+) host_key=\S+ new_key=true fingerprint=SHA256:`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("start log %q; want the address, a new key and its fingerprint", logs.String())
	}
	addr := m[1]

	// The port is taken while the service runs: a second one says so and how to fix it.
	env2 := *env
	env2.sshAddr = addr
	if _, err := sshService(&env2); err == nil || !strings.Contains(err.Error(), "--ssh") {
		t.Errorf("second service on %s: %v; want an error naming --ssh", addr, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	banner := make([]byte, len("SSH-2.0-switchboard"))
	if _, err := io.ReadFull(conn, banner); err != nil || string(banner) != "SSH-2.0-switchboard" {
		t.Errorf("server greeting %q, %v; want SSH-2.0-switchboard", banner, err)
	}
	conn.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("service after its context ended: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the service did not stop")
	}

	// The key is kept across starts.
	logs.Reset()
	again, err := sshService(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := again(ctx); err != nil { // ctx is done: it stops at once, closing its listener
		t.Errorf("service started after its context ended: %v", err)
	}
	if !strings.Contains(logs.String(), "new_key=false") {
		t.Errorf("second start: %q; want the kept key", logs.String())
	}

	// --host-key wins over the default; --ssh "" turns the service off.
	env.ssh.hostKey = filepath.Join(dir, "elsewhere", "key")
	if got, err := env.ssh.hostKeyPath(dbPath); got != env.ssh.hostKey || err != nil {
		t.Errorf("host key path %s (%v); want --host-key %s", got, err, env.ssh.hostKey)
	}
	// A database that is no file keeps its default key in the user's data directory.
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	env.ssh.hostKey = ""
	want := filepath.Join(dir, "data", "switchboard", hostKeyName)
	if got, err := env.ssh.hostKeyPath("postgres://db.example.com/team"); got != want || err != nil {
		t.Errorf("host key path for PostgreSQL %s (%v); want %s", got, err, want)
	}
	env.sshAddr = ""
	if svc, err := sshService(env); svc != nil || err != nil {
		t.Errorf("--ssh '': service %v, error %v; want neither", svc != nil, err)
	}
}
