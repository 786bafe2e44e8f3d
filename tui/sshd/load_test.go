package sshd

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

// The load test: dispatchers watch the queue over SSH while leads stream in at a steady
// rate. The server runs in a process of its own
// (this test binary again, as TestLoadServer) so that the memory it reports is the
// server's alone; the SSH clients run here and read every session's screen through the
// virtual terminal. For each lead and each session it measures the time from the
// lead's commit (stamped by a hub subscriber in the server process) to the first
// screen of that session whose queue count includes the lead.
//
//	go test -run '^$' -bench LiveUpdates -benchtime 1x ./tui/sshd/
//
// To see where the server spends its time, name a file in SWITCHBOARD_SSHD_LOAD_PROFILE:
// the server process writes a CPU profile of the stream there (of the last case run).
//
//	SWITCHBOARD_SSHD_LOAD_PROFILE=/tmp/sshd.pprof go test -run '^$' -bench 'LiveUpdates/sessions=50/rate=200' -benchtime 1x ./tui/sshd/
//	go tool pprof -top /tmp/sshd.pprof
//
// The brief's case is 50 sessions at 200 leads per second; the lighter cases show how
// the time grows with the number of sessions and with the rate.
var loadCases = []loadSpec{
	{Sessions: 50, Rate: 200, Seconds: 5},
	{Sessions: 10, Rate: 200, Seconds: 5},
	{Sessions: 50, Rate: 20, Seconds: 10},
}

// loadSpec is one load: how many sessions watch, how many leads per second arrive, for
// how long.
type loadSpec struct{ Sessions, Rate, Seconds int }

func (l loadSpec) leads() int { return l.Rate * l.Seconds }

// loadEnv names the directory the server process works in; it is set only for it.
const loadEnv = "SWITCHBOARD_SSHD_LOAD_DIR"

// profileEnv names a file for the server process's CPU profile of the stream.
const profileEnv = "SWITCHBOARD_SSHD_LOAD_PROFILE"

// loadReport is what the server process says when the stream is over.
type loadReport struct {
	Commits     []int64 // unix nanoseconds at which the i-th lead's commit reached the hub
	RSSIdle     int64   // bytes resident with every session connected, before the stream
	RSSPeak     int64   // the process's peak resident set (VmHWM)
	HeapIdle    uint64  // Go heap in use, idle with every session connected
	HeapPeak    uint64  // the highest Go heap in use sampled during the stream
	Goroutines  int     // with every session connected, before the stream
	Subscribers int     // hub subscriptions with every session connected
}

func BenchmarkLiveUpdates(b *testing.B) {
	for _, spec := range loadCases {
		b.Run(fmt.Sprintf("sessions=%d/rate=%d", spec.Sessions, spec.Rate), func(b *testing.B) {
			for range b.N {
				runLoad(b, spec)
			}
		})
	}
}

func runLoad(b *testing.B, spec loadSpec) {
	dir := b.TempDir()
	specJSON, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "spec.json"), specJSON, 0o600); err != nil {
		b.Fatal(err)
	}
	signers := make([]gossh.Signer, spec.Sessions)
	var authorized strings.Builder
	for i := range signers {
		var line string
		signers[i], line = newKey(b)
		fmt.Fprintf(&authorized, "%s %s\n", loadHandle(i), line)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys"), []byte(authorized.String()), 0o600); err != nil {
		b.Fatal(err)
	}

	server := exec.Command(os.Args[0], "-test.run=^TestLoadServer$")
	server.Env = append(os.Environ(), loadEnv+"="+dir)
	server.Stderr = os.Stderr
	toServer, err := server.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	fromServer, err := server.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := server.Start(); err != nil {
		b.Fatal(err)
	}
	defer server.Process.Kill()
	out := bufio.NewReader(fromServer)
	addr := readPrefixed(b, out, "addr=")

	watchers := make([]*queueWatcher, spec.Sessions)
	for i := range watchers {
		c := login(b, addr, loadHandle(i), signers[i])
		watchers[i] = watchQueue(b, c, loadHandle(i))
	}
	for _, w := range watchers {
		w.waitCount(b, 0)
	}

	fmt.Fprintln(toServer, "stream")
	for _, w := range watchers {
		w.waitCount(b, spec.leads())
	}
	fmt.Fprintln(toServer, "report")
	var rep loadReport
	if err := json.Unmarshal([]byte(readPrefixed(b, out, "report=")), &rep); err != nil {
		b.Fatal(err)
	}
	toServer.Close()
	if err := server.Wait(); err != nil {
		b.Fatalf("server process: %v", err)
	}
	if len(rep.Commits) != spec.leads() {
		b.Fatalf("the server stamped %d commits; want %d", len(rep.Commits), spec.leads())
	}

	var lat []time.Duration
	for _, w := range watchers {
		for k, seen := range w.seenAt() {
			lat = append(lat, time.Duration(seen-rep.Commits[k]))
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	b.ReportMetric(ms(pct(0.50)), "p50-ms")
	b.ReportMetric(ms(pct(0.99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(rep.RSSPeak)/(1<<20), "server-peak-RSS-MiB")
	b.Logf("%d sessions, %d leads at %d/s: %d updates; commit→screen p50 %v, p90 %v, p99 %v, max %v",
		spec.Sessions, spec.leads(), spec.Rate, len(lat), pct(0.5).Round(time.Millisecond), pct(0.9).Round(time.Millisecond),
		pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	b.Logf("server process: RSS %.1f MiB idle with %d sessions, %.1f MiB peak; Go heap %.1f MiB idle, %.1f MiB peak; %d goroutines, %d hub subscribers",
		float64(rep.RSSIdle)/(1<<20), spec.Sessions, float64(rep.RSSPeak)/(1<<20),
		float64(rep.HeapIdle)/(1<<20), float64(rep.HeapPeak)/(1<<20), rep.Goroutines, rep.Subscribers)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadHandle(i int) string { return fmt.Sprintf("d%02d", i) }

func readPrefixed(b *testing.B, r *bufio.Reader, prefix string) string {
	b.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			b.Fatalf("server process: %v", err)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return v
		}
	}
}

// queueWatcher is one dispatcher's session: after every chunk of output it reads the
// queue count off its screen and notes when each count was first shown.
type queueWatcher struct {
	screen *screen
	mu     sync.Mutex
	shown  int     // the highest count shown so far
	seen   []int64 // seen[k]: unix nanoseconds when lead k+1 was first counted
	more   chan struct{}
}

var queueCount = regexp.MustCompile(`Queue (\d+) leads?`)

func watchQueue(b *testing.B, c *gossh.Client, name string) *queueWatcher {
	b.Helper()
	w := &queueWatcher{screen: newScreen(100, 30), shown: -1, more: make(chan struct{}, 1)}
	sess, err := c.NewSession()
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, nil); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	sess.Stdout = w
	sess.Stderr = io.Discard
	if _, err := sess.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	b.Cleanup(func() { sess.Close() })
	return w
}

func (w *queueWatcher) Write(p []byte) (int, error) {
	w.screen.Write(p)
	now := time.Now().UnixNano()
	m := queueCount.FindStringSubmatch(w.screen.Line(1))
	if m == nil {
		return len(p), nil
	}
	n, _ := strconv.Atoi(m[1])
	w.mu.Lock()
	for ; w.shown < n; w.shown++ {
		if w.shown >= 0 {
			w.seen = append(w.seen, now)
		}
	}
	w.mu.Unlock()
	select {
	case w.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *queueWatcher) waitCount(b *testing.B, n int) {
	b.Helper()
	deadline := time.After(time.Minute)
	for {
		w.mu.Lock()
		shown := w.shown
		w.mu.Unlock()
		if shown >= n {
			return
		}
		select {
		case <-w.more:
		case <-deadline:
			b.Fatalf("a session shows %d leads in the queue after a minute; want %d:\n%s", shown, n, w.screen.String())
		}
	}
}

func (w *queueWatcher) seenAt() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.seen)
}

// TestLoadServer is the server process of BenchmarkLiveUpdates; it does nothing in a
// normal test run.
func TestLoadServer(t *testing.T) {
	dir := os.Getenv(loadEnv)
	if dir == "" {
		t.Skip("the server process of BenchmarkLiveUpdates")
	}
	st, err := storage.Open(filepath.Join(dir, "switchboard.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	quiet := slog.New(slog.DiscardHandler)
	eng, err := engine.New(st, engine.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx := context.Background()
	var spec loadSpec
	if data, err := os.ReadFile(filepath.Join(dir, "spec.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	keys, err := os.ReadFile(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(keys)), "\n") {
		handle, key, _ := strings.Cut(line, " ")
		if _, err := eng.AddAgent(ctx, engine.System(), engine.NewAgent{Handle: handle, Name: handle, Role: engine.RoleDispatcher, Presence: engine.Available}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.AddKey(ctx, engine.System(), handle, key); err != nil {
			t.Fatal(err)
		}
	}
	hostKey, _, err := HostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(eng, Config{HostKey: hostKey, Logger: quiet, ConnRate: rate.Inf, ConnBurst: spec.Sessions})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	fmt.Printf("addr=%s\n", ln.Addr())

	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "stream" {
		t.Fatalf("want \"stream\" on stdin, got %q", in.Text())
	}
	var rep loadReport
	rep.RSSIdle, _ = procStatus("VmRSS")
	rep.HeapIdle = heapInUse()
	rep.Goroutines = runtime.NumGoroutine()
	rep.Subscribers = eng.Hub().Subscribers()

	// Stamp each lead's commit as the hub hands it out, as every console gets it.
	sub := eng.Subscribe(4 * spec.leads())
	stamped := make(chan struct{})
	go func() {
		defer close(stamped)
		for c := range sub.C {
			now := time.Now().UnixNano()
			for _, ev := range c.Events {
				if ev.Kind == engine.EvLeadCreated {
					rep.Commits = append(rep.Commits, now)
				}
			}
			if len(rep.Commits) == spec.leads() {
				return
			}
		}
	}()
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sampling:
				return
			case <-tick.C:
				rep.HeapPeak = max(rep.HeapPeak, heapInUse())
			}
		}
	}()
	if path := os.Getenv(profileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	// Open loop: a lead every 1/Rate seconds, whatever the commits cost.
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(spec.Rate))
	for i := range spec.leads() {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: fmt.Sprintf("Load Lead %04d", i), Source: "load"}); err != nil {
				t.Errorf("lead %d: %v", i, err)
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	<-stamped
	sub.Close()

	if !in.Scan() || in.Text() != "report" {
		t.Fatalf("want \"report\" on stdin, got %q", in.Text())
	}
	close(sampling)
	<-sampled
	rep.RSSPeak, _ = procStatus("VmHWM")
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("report=%s\n", data)
	in.Scan() // until the benchmark closes stdin
	stop()
	if err := <-served; err != nil {
		t.Error(err)
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// procStatus reads a "kB" line of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
