//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// The crash test: `switchboard serve` runs as a child process while many clients post
// leads; it is killed with SIGKILL at a random moment and started again. Every lead
// that got a 201 must be there exactly once with the owner the 201 named, the
// round-robin sequence must go on without a skip or a repeat, and no notification may
// be missing from the outbox.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// switchboardBinary builds the command once per test binary.
func switchboardBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "switchboard")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// crashRotation is the rule's recipients and their leads per round.
var crashRotation = []struct {
	handle   string
	perRound int
}{{"ann", 2}, {"bob", 1}, {"cat", 1}}

// crashExpected is the owner of the n-th routed lead (0-based).
func crashExpected(n int) string {
	var seq []string
	for _, r := range crashRotation {
		for range r.perRound {
			seq = append(seq, r.handle)
		}
	}
	return seq[n%len(seq)]
}

// crashSetup makes the database: three available agents, a weighted round-robin rule,
// a global webhook (so every assignment writes an outbox row), an intake token.
func crashSetup(t *testing.T, path, webhook string) string {
	t.Helper()
	// The webhook receiver is an httptest server on 127.0.0.1: local webhooks are
	// allowed explicitly, here and in startServer.
	eng := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1, AllowLocalWebhooks: true})
	ctx, owner := context.Background(), engine.System()
	var recips []engine.RecipientSpec
	for _, r := range crashRotation {
		if _, err := eng.AddAgent(ctx, owner, engine.NewAgent{Handle: r.handle, Name: r.handle, Presence: engine.Available}); err != nil {
			t.Fatal(err)
		}
		recips = append(recips, engine.RecipientSpec{Agent: r.handle, PerRound: r.perRound})
	}
	if _, err := eng.CreateRule(ctx, owner, engine.RuleSpec{Name: "weighted", Mode: engine.RoundRobin, Recipients: recips}); err != nil {
		t.Fatal(err)
	}
	if err := eng.SetSetting(ctx, owner, engine.SettingWebhookURL, webhook); err != nil {
		t.Fatal(err)
	}
	_, secret, err := eng.CreateToken(ctx, owner, "crash", engine.RoleIntake)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// server is a running `switchboard serve` child.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *logBuffer
}

// logBuffer is a child's stderr, written by os/exec while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs serve on db with the HTTP API on a free port, no SSH unless extra
// says otherwise (later flags win), and waits until it answers.
func startServer(t *testing.T, bin, db string, extra ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{url: "http://" + addr, logs: &logBuffer{}}
	// A short notification timeout makes the lease on rows the killed server was sending
	// short too (twice the timeout plus 10s), so the test sees them delivered.
	args := append([]string{"serve", "--db", db, "--http", addr, "--ssh", "", "--notify-timeout", "1s", "--allow-local-webhooks"}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.logs
	// A test binary that dies or times out takes its servers with it.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.cmd.Wait()
			t.Fatalf("serve did not become healthy: %v\n%s", err, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ack is what a 201 promised.
type ack struct {
	id    int64
	owner string
}

// postLeads posts leads from clients goroutines until stop is closed or the server
// stops answering; it returns the acknowledged leads by external id.
func postLeads(url, token, prefix string, clients int, stop <-chan struct{}) map[string]ack {
	var mu sync.Mutex
	acked := map[string]ack{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ext := fmt.Sprintf("%s-%d-%d", prefix, c, i)
				// Each lead its own e-mail: a repeated one would be a returning lead, which
				// goes to its first owner instead of the rotation the check replays.
				body := fmt.Sprintf(`{"external_id":%q,"name":"Crash %d-%d","email":"%s@example.com","source":"crash"}`, ext, c, i, ext)
				req, _ := http.NewRequest(http.MethodPost, url+"/v1/leads", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone: this lead was never acknowledged
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
				owner := ""
				if got.Owner != nil {
					owner = *got.Owner
				}
				mu.Lock()
				acked[ext] = ack{id: got.ID, owner: owner}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return acked
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := switchboardBinary(t)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)
	// On every store (PostgreSQL skips itself without a server), all at once: each run
	// waits out a notification lease.
	for _, kind := range enginetest.Stores() {
		for range 3 {
			killAfter := time.Duration(150+rng.IntN(600)) * time.Millisecond
			t.Run(fmt.Sprintf("%s/kill-after-%s", kind.Name, killAfter), func(t *testing.T) {
				t.Parallel()
				crashRun(t, bin, kind.NewDatabase(t), killAfter)
			})
		}
	}
}

func crashRun(t *testing.T, bin, db string, killAfter time.Duration) {
	// The team's webhook receiver: which events reached it.
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

	// Round 1: post from 16 clients and kill the server while they are at it.
	srv := startServer(t, bin, db)
	stop := make(chan struct{})
	done := make(chan map[string]ack)
	go func() { done <- postLeads(srv.url, token, "before", 16, stop) }()
	time.Sleep(killAfter)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	acked := <-done
	if len(acked) == 0 {
		t.Fatalf("no lead was acknowledged in %s; server log:\n%s", killAfter, srv.logs)
	}

	// Round 2: start again on the same database and post some more, one client at a time
	// after a short burst, then stop it cleanly.
	srv = startServer(t, bin, db)
	stop = make(chan struct{})
	go func() { done <- postLeads(srv.url, token, "after", 4, stop) }()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	after := <-done
	// The restarted worker delivers what the crash left pending, including what the
	// killed server was sending when it died, once its lease has run out.
	deadline := time.Now().Add(60 * time.Second)
	for pendingOutbox(t, db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications still pending 60s after the restart\n%s", pendingOutbox(t, db), srv.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v\n%s", err, srv.logs)
	}
	for k, v := range after {
		acked[k] = v
	}
	t.Logf("%d leads acknowledged (%d after the restart)", len(acked), len(after))
	crashVerify(t, db, acked)

	crashDelivered(t, db, &mu, received)
}

// crashDelivered checks at least once delivery: every routing event reached the
// webhook.
func crashDelivered(t *testing.T, db string, mu *sync.Mutex, received map[string]bool) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	s := readTeam(t, db)
	for _, ev := range s.events {
		if ev.Kind != engine.EvLeadRouted || received[strconv.FormatInt(ev.ID, 10)] {
			continue
		}
		for _, o := range s.outbox {
			if o.EventID == ev.ID {
				t.Errorf("event #%d was never delivered to the webhook: outbox %s, %d attempts, next %s, %q",
					ev.ID, o.Status, o.Attempts, o.NextAttempt.Format(time.StampMilli), o.LastError)
			}
		}
	}
}

func pendingOutbox(t *testing.T, db string) int {
	t.Helper()
	var n int
	readDB(t, db, func(r engine.Reader) error {
		rows, err := r.OutboxItems(engine.OutboxFilter{Status: engine.OutboxPending})
		n = len(rows)
		return err
	})
	return n
}

// readDB runs fn on a snapshot of the database, opened beside whatever server has it
// open.
func readDB(t *testing.T, db string, fn func(r engine.Reader) error) {
	t.Helper()
	st, err := storage.Open(context.Background(), db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Read(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// teamState is what the checks read: every lead oldest first, all history oldest first,
// the outbox, and each event's console notifications.
type teamState struct {
	leads   []engine.Lead
	events  []engine.Event
	outbox  []engine.OutboxItem
	notices map[int64]int // console notifications by event id
}

func readTeam(t *testing.T, db string) teamState {
	t.Helper()
	s := teamState{notices: map[int64]int{}}
	readDB(t, db, func(r engine.Reader) (err error) {
		if s.leads, err = r.Leads(engine.LeadFilter{OldestFirst: true}); err != nil {
			return err
		}
		if s.events, err = r.Events(engine.EventFilter{Ascending: true}); err != nil {
			return err
		}
		if s.outbox, err = r.OutboxItems(engine.OutboxFilter{}); err != nil {
			return err
		}
		agents, err := r.Agents()
		if err != nil {
			return err
		}
		for _, a := range agents {
			notes, err := r.Notifications(a.ID, 1<<30)
			if err != nil {
				return err
			}
			for _, n := range notes {
				s.notices[n.EventID]++
			}
		}
		return nil
	})
	return s
}

// crashVerify checks the database against what the 201s promised.
func crashVerify(t *testing.T, db string, acked map[string]ack) {
	t.Helper()
	s := readTeam(t, db)

	// Every acknowledged lead, exactly once, with the owner its 201 named.
	byExt := map[string][]engine.Lead{}
	for _, l := range s.leads {
		if l.Source == "crash" {
			byExt[l.ExternalID] = append(byExt[l.ExternalID], l)
		}
	}
	for ext, a := range acked {
		ls := byExt[ext]
		if len(ls) != 1 || ls[0].ID != a.id || ls[0].Owner != a.owner {
			t.Errorf("lead %s: stored %+v; the 201 said id %d owner %q", ext, ls, a.id, a.owner)
		}
	}

	// The round-robin sequence over every stored lead, in commit (id) order, acknowledged
	// or not, goes on without a skip or a repeat across the crash.
	for n, l := range s.leads {
		if want := crashExpected(n); l.Owner != want {
			t.Errorf("lead #%d is the %d-th routed: owner %q, the rotation says %q", l.ID, n+1, l.Owner, want)
		}
	}
	if len(s.leads) < len(acked) {
		t.Errorf("%d leads stored, %d acknowledged", len(s.leads), len(acked))
	}

	// One owner per lead in history: exactly one lead.routed event each; and every
	// routing event has its console notification and its outbox row for the global
	// webhook.
	routed := map[int64]int{}
	webhooks := map[int64]int{}
	for _, o := range s.outbox {
		if o.Channel == engine.ChannelWebhook {
			webhooks[o.EventID]++
		}
	}
	var missingNote, missingOutbox int
	for _, ev := range s.events {
		if ev.Kind != engine.EvLeadRouted {
			continue
		}
		routed[ev.LeadID]++
		if s.notices[ev.ID] == 0 {
			missingNote++
		}
		if webhooks[ev.ID] != 1 {
			missingOutbox++
		}
	}
	for _, l := range s.leads {
		if routed[l.ID] != 1 {
			t.Errorf("lead #%d has %d lead.routed events, want 1", l.ID, routed[l.ID])
		}
	}
	if missingNote > 0 || missingOutbox > 0 {
		t.Errorf("routing events without their notification: %d in the console, %d in the outbox", missingNote, missingOutbox)
	}
}
