package sshd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestHostKeyIsCreatedOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "ssh_host_ed25519_key")
	first, created, err := HostKey(path)
	if err != nil || !created {
		t.Fatalf("first HostKey: created=%v err=%v; want a new key", created, err)
	}
	if got := first.PublicKey().Type(); got != gossh.KeyAlgoED25519 {
		t.Errorf("key type %s; want ed25519", got)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("private key mode %04o; want 0600", perm)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if want := string(gossh.MarshalAuthorizedKey(first.PublicKey())); string(pub) != want {
		t.Errorf("%s.pub holds %q; want %q", path, pub, want)
	}

	again, created, err := HostKey(path)
	if err != nil || created {
		t.Fatalf("second HostKey: created=%v err=%v; want the same key read back", created, err)
	}
	if gossh.FingerprintSHA256(again.PublicKey()) != gossh.FingerprintSHA256(first.PublicKey()) {
		t.Error("the host key changed between two starts")
	}
}

func TestHostKeyRefusals(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "", 0o644, "readable by other users (mode 0644): run `chmod 600"},
		{"not a key", "hello\n", 0o600, "is not an SSH private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "host_key")
			if tt.content == "" {
				if _, _, err := HostKey(path); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := HostKey(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("HostKey: %v; want an error with %q", err, tt.want)
			}
		})
	}
}
