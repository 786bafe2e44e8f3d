//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/storage/postgres/pgtest"
)

// TestTwoNodes: two `serve` processes on one PostgreSQL database, 32 clients each
// posting to both in turn. While both run, and after one is killed with SIGKILL in the
// middle of the load (its clients going on with the other), every lead that got a 201
// is there once with the owner the 201 named, the weighted rotation runs unbroken over
// every lead in commit order, each lead is routed once, the surviving node goes on
// answering, and every routing notification reaches the webhook (the rows the killed
// node was sending are sent again when their lease runs out).
func TestTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	db := pgtest.NewDatabase(t)
	bin := switchboardBinary(t)
	var mu sync.Mutex
	received := map[string]bool{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		received[r.Header.Get("X-Switchboard-Event")] = true
		mu.Unlock()
	}))
	defer receiver.Close()
	token := crashSetup(t, db, receiver.URL)
	a, b := startServer(t, bin, db), startServer(t, bin, db)
	defer b.cmd.Process.Kill()

	// Both nodes up: 32 clients, eight leads each, alternating.
	both := postAlternately([]string{a.url, b.url}, token, "both", 32, 8, nil)
	if len(both.acked) != 32*8 || both.acks[0] == 0 || both.acks[1] == 0 {
		t.Fatalf("with both nodes up: %d of %d leads acknowledged (%d by a, %d by b)\n%s\n%s",
			len(both.acked), 32*8, both.acks[0], both.acks[1], a.logs, b.logs)
	}
	crashVerify(t, db, both.acked)

	// Kill a in the middle of the load; its clients go on with b.
	killed := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		a.cmd.Process.Signal(syscall.SIGKILL)
		a.cmd.Wait()
		close(killed)
	}()
	during := postAlternately([]string{a.url, b.url}, token, "kill", 32, 40, killed)
	<-killed
	if during.afterKill == 0 {
		t.Fatalf("b acknowledged nothing after a was killed\n%s", b.logs)
	}
	t.Logf("%d leads acknowledged with both up, %d around the kill (%d by b after it)", len(both.acked), len(during.acked), during.afterKill)
	for k, v := range both.acked {
		during.acked[k] = v
	}
	deadline := time.Now().Add(60 * time.Second)
	for pendingOutbox(t, db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications still pending 60s after the kill\n%s", pendingOutbox(t, db), b.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	crashVerify(t, db, during.acked)
	crashDelivered(t, db, &mu, received)
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Fatalf("b did not stop cleanly: %v\n%s", err, b.logs)
	}
}

// alternated is what postAlternately got.
type alternated struct {
	acked     map[string]ack
	acks      [2]int // 201s by node
	afterKill int    // 201s from the second node after killed closed
}

// postAlternately posts each client's leads to the nodes in turn, n leads a client;
// once killed is closed, a node that stops answering is left for the other.
func postAlternately(urls []string, token, prefix string, clients, n int, killed <-chan struct{}) alternated {
	out := alternated{acked: map[string]ack{}}
	var mu sync.Mutex
	var dead [2]atomic.Bool
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	isKilled := func() bool {
		select {
		case <-killed:
			return true
		default:
			return false
		}
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				node := (c + i) % 2
				if dead[node].Load() {
					node = 1 - node
				}
				ext := fmt.Sprintf("%s-%d-%d", prefix, c, i)
				body := fmt.Sprintf(`{"external_id":%q,"name":"Node %d-%d","source":"crash"}`, ext, c, i)
				req, _ := http.NewRequest(http.MethodPost, urls[node]+"/v1/leads", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				afterKill := isKilled()
				resp, err := client.Do(req)
				if err != nil {
					if killed == nil {
						return
					}
					dead[node].Store(true) // never acknowledged; the next lead goes to the other node
					continue
				}
				var got struct {
					ID    int64   `json:"id"`
					Owner *string `json:"owner"`
				}
				err = json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated || err != nil {
					continue
				}
				mu.Lock()
				out.acked[ext] = ack{id: got.ID, owner: *got.Owner}
				out.acks[node]++
				if afterKill && node == 1 {
					out.afterKill++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// TestNodesShareTheHostKey: nodes given one --host-key show SSH clients one server: the
// first creates the key, the second uses it, and a client sees the same host key at
// both.
func TestNodesShareTheHostKey(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	db := pgtest.NewDatabase(t)
	bin := switchboardBinary(t)
	crashSetup(t, db, "https://hooks.example.com/team")
	key := filepath.Join(t.TempDir(), "shared", "host_key")
	var seen []string
	for i := range 2 {
		addr := freeAddr(t)
		s := startServer(t, bin, db, "--ssh", addr, "--host-key", key)
		defer func() {
			s.cmd.Process.Signal(syscall.SIGTERM)
			s.cmd.Wait()
		}()
		var got gossh.PublicKey
		cfg := &gossh.ClientConfig{User: "ann", Timeout: 10 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { got = k; return nil }}
		if conn, err := gossh.Dial("tcp", addr, cfg); err == nil {
			conn.Close() // no key was offered: the login itself is refused below
		}
		if got == nil {
			t.Fatalf("node %d showed no host key\n%s", i, s.logs)
		}
		seen = append(seen, gossh.FingerprintSHA256(got))
		if want := fmt.Sprintf("new_key=%v", i == 0); !strings.Contains(s.logs.String(), want) {
			t.Errorf("node %d's log: want %s\n%s", i, want, s.logs)
		}
	}
	if seen[0] != seen[1] {
		t.Fatalf("the nodes show different host keys: %s and %s", seen[0], seen[1])
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
