package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

func TestSSHService(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "team.db")
	st, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := engine.New(st, engine.Options{TailInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	var f sshFlags
	var out bytes.Buffer
	serve, err := f.sshService(eng, "127.0.0.1:0", dbPath, &out, quiet)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, hostKeyName)
	if _, err := os.Stat(keyPath); err != nil {
		t.Errorf("no host key beside the database: %v", err)
	}
	if got := out.String(); !strings.Contains(got, "ssh: listening on 127.0.0.1:") || !strings.Contains(got, ", new, SHA256:") {
		t.Errorf("start line %q; want the address and the new key's fingerprint", got)
	}
	addr := strings.Fields(out.String())[3]

	// The port is taken while the service runs: a second one says so and how to fix it.
	if _, err := f.sshService(eng, addr, dbPath, io.Discard, quiet); err == nil || !strings.Contains(err.Error(), "--ssh") {
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

	// --host-key wins over the default, and the key is kept across starts.
	f.hostKey = filepath.Join(dir, "elsewhere", "key")
	if got := f.hostKeyPath(dbPath); got != f.hostKey {
		t.Errorf("host key path %s; want --host-key %s", got, f.hostKey)
	}
	f.hostKey = ""
	out.Reset()
	again, err := f.sshService(eng, "127.0.0.1:0", dbPath, &out, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := again(ctx); err != nil { // ctx is done: it stops at once, closing its listener
		t.Errorf("service started after its context ended: %v", err)
	}
	if strings.Contains(out.String(), ", new,") {
		t.Errorf("second start made a new host key: %q", out.String())
	}
}
