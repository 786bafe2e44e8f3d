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
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
	"github.com/switchboard/switchboard/tui/leadmodel"
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
// how long, and how many open leads the queue holds before the sessions connect.
type loadSpec struct{ Sessions, Rate, Seconds, Prefill int }

func (l loadSpec) leads() int { return l.Rate * l.Seconds }

// loadEnv names the directory the server process works in; it is set only for it.
const loadEnv = "SWITCHBOARD_SSHD_LOAD_DIR"

// profileEnv names a file for the server process's CPU profile of the stream;
// heapEnv one for its heap profile with every session connected.
const (
	profileEnv = "SWITCHBOARD_SSHD_LOAD_PROFILE"
	heapEnv    = "SWITCHBOARD_SSHD_LOAD_HEAP"
)

// loadReport is what the server process says when the stream is over.
type loadReport struct {
	Commits     []int64 // unix nanoseconds at which the i-th lead's commit reached the hub
	RSSIdle     int64   // bytes resident with every session connected, before the stream
	RSSPeak     int64   // the process's peak resident set (VmHWM)
	HeapIdle    uint64  // Go heap in use, idle with every session connected
	HeapPeak    uint64  // the highest Go heap in use sampled during the stream
	Goroutines  int     // with every session connected, before the stream
	Subscribers int     // feeds of the shared lead model with every session connected
	CPUSeconds  float64 // the server process's user+system CPU time over the stream
	ModelLoad   float64 // seconds the lead model took to read the prefilled leads at start
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

// loadServer is the server process of a load benchmark and the client's ends of it.
type loadServer struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	addr    string
	signers []gossh.Signer
}

// startLoadServer starts the server process for spec, with one dispatcher and key per
// session, and waits until it listens (after its prefill).
func startLoadServer(b *testing.B, spec loadSpec) *loadServer {
	dir := b.TempDir()
	specJSON, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "spec.json"), specJSON, 0o600); err != nil {
		b.Fatal(err)
	}
	ls := &loadServer{signers: make([]gossh.Signer, spec.Sessions)}
	var authorized strings.Builder
	for i := range ls.signers {
		var line string
		ls.signers[i], line = newKey(b)
		fmt.Fprintf(&authorized, "%s %s\n", loadHandle(i), line)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys"), []byte(authorized.String()), 0o600); err != nil {
		b.Fatal(err)
	}

	ls.cmd = exec.Command(os.Args[0], "-test.run=^TestLoadServer$")
	ls.cmd.Env = append(os.Environ(), loadEnv+"="+dir)
	ls.cmd.Stderr = os.Stderr
	if ls.in, err = ls.cmd.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	fromServer, err := ls.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := ls.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ls.cmd.Process.Kill() })
	ls.out = bufio.NewReader(fromServer)
	ls.addr = readPrefixed(b, ls.out, "addr=")
	return ls
}

// report asks the server process for its report and waits for it to end.
func (ls *loadServer) report(b *testing.B) loadReport {
	fmt.Fprintln(ls.in, "report")
	var rep loadReport
	if err := json.Unmarshal([]byte(readPrefixed(b, ls.out, "report=")), &rep); err != nil {
		b.Fatal(err)
	}
	ls.in.Close()
	if err := ls.cmd.Wait(); err != nil {
		b.Fatalf("server process: %v", err)
	}
	return rep
}

func runLoad(b *testing.B, spec loadSpec) {
	ls := startLoadServer(b, spec)
	watchers := make([]*queueWatcher, spec.Sessions)
	for i := range watchers {
		c := login(b, ls.addr, loadHandle(i), ls.signers[i])
		watchers[i] = watchQueue(b, c, loadHandle(i), spec.Prefill)
	}
	for _, w := range watchers {
		w.waitCount(b, spec.Prefill)
	}

	fmt.Fprintln(ls.in, "stream")
	for _, w := range watchers {
		w.waitCount(b, spec.Prefill+spec.leads())
	}
	rep := ls.report(b)
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
	logServer(b, spec, rep)
}

func logServer(b *testing.B, spec loadSpec, rep loadReport) {
	b.Logf("server process: RSS %.1f MiB idle with %d sessions, %.1f MiB peak; Go heap %.1f MiB idle, %.1f MiB peak; %d goroutines, %d session feeds; CPU %.2f s user+system over the stream",
		float64(rep.RSSIdle)/(1<<20), spec.Sessions, float64(rep.RSSPeak)/(1<<20),
		float64(rep.HeapIdle)/(1<<20), float64(rep.HeapPeak)/(1<<20), rep.Goroutines, rep.Subscribers, rep.CPUSeconds)
}

// BenchmarkOpenConsoles opens dispatcher consoles all at once on a server whose queue
// holds open leads, and measures how long each takes to draw the full queue (from the
// moment they all start to connect), and the server's memory once they all show it.
// The brief's case is 50 consoles over 100 000 leads; the others show how memory grows
// with the leads and with the consoles.
//
//	go test -run '^$' -bench OpenConsoles -benchtime 1x ./tui/sshd/
//
// SWITCHBOARD_SSHD_LOAD_HEAP names a file for the server's heap profile once every
// console shows the queue (of the last case run).
func BenchmarkOpenConsoles(b *testing.B) {
	for _, spec := range []loadSpec{
		{Sessions: 50, Prefill: 100000},
		{Sessions: 10, Prefill: 100000},
		{Sessions: 50, Prefill: 10000},
	} {
		b.Run(fmt.Sprintf("sessions=%d/leads=%d", spec.Sessions, spec.Prefill), func(b *testing.B) {
			openConsoles(b, spec)
		})
	}
}

func openConsoles(b *testing.B, spec loadSpec) {
	for range b.N {
		ls := startLoadServer(b, spec)
		watchers := make([]*queueWatcher, spec.Sessions)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range watchers {
			wg.Go(func() {
				c := login(b, ls.addr, loadHandle(i), ls.signers[i])
				watchers[i] = watchQueue(b, c, loadHandle(i), spec.Prefill)
			})
		}
		wg.Wait()
		var drawn []time.Duration
		for _, w := range watchers {
			w.waitCount(b, spec.Prefill)
			w.mu.Lock()
			drawn = append(drawn, time.Duration(w.drawn-start.UnixNano()))
			w.mu.Unlock()
		}
		fmt.Fprintln(ls.in, "stream")
		rep := ls.report(b)
		slices.Sort(drawn)
		within := 0
		for _, d := range drawn {
			if d <= 2*time.Second {
				within++
			}
		}
		b.ReportMetric(ms(drawn[len(drawn)/2]), "p50-drawn-ms")
		b.ReportMetric(ms(drawn[len(drawn)-1]), "last-drawn-ms")
		b.ReportMetric(float64(rep.RSSIdle)/(1<<20), "server-RSS-MiB")
		b.Logf("%d consoles opened at once over %d open leads: first drew the queue after %v, median %v, last %v; %d within 2 s (the server's lead model read them in %.2f s at its start)",
			spec.Sessions, spec.Prefill, drawn[0].Round(time.Millisecond), drawn[len(drawn)/2].Round(time.Millisecond),
			drawn[len(drawn)-1].Round(time.Millisecond), within, rep.ModelLoad)
		logServer(b, spec, rep)
	}
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
	base   int // leads in the queue before the stream (the prefill)
	mu     sync.Mutex
	shown  int     // the highest count shown so far
	drawn  int64   // unix nanoseconds when the queue first showed base leads
	seen   []int64 // seen[k]: unix nanoseconds when streamed lead k+1 was first counted
	more   chan struct{}
}

// queueCount reads the queue's title, whose counts group thousands ("Queue 100 000 leads").
var queueCount = regexp.MustCompile(`Queue (\d{1,3}(?: \d{3})+|\d+) leads?`)

func watchQueue(b *testing.B, c *gossh.Client, name string, base int) *queueWatcher {
	b.Helper()
	w := &queueWatcher{screen: newScreen(100, 30), base: base, shown: -1, more: make(chan struct{}, 1)}
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
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], " ", ""))
	w.mu.Lock()
	if w.drawn == 0 && n >= w.base {
		w.drawn = now
	}
	for ; w.shown < n; w.shown++ {
		if w.shown >= w.base {
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
	deadline := time.After(2 * time.Minute)
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
			b.Fatalf("a session shows %d leads in the queue after two minutes; want %d:\n%s", shown, n, w.screen.String())
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
	st, err := storage.Open(context.Background(), filepath.Join(dir, "switchboard.db"), storage.Options{})
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
	for done := 0; done < spec.Prefill; {
		batch := make([]engine.NewLead, min(1000, spec.Prefill-done))
		for i := range batch {
			batch[i] = engine.NewLead{Name: fmt.Sprintf("Queued Lead %06d", done+i), Company: "Prefill Co", Source: "prefill", Tags: []string{"old"}}
		}
		if _, err := eng.CreateLeads(ctx, engine.System(), batch); err != nil {
			t.Fatal(err)
		}
		done += len(batch)
	}
	// A server starts on a database that already holds its leads: what creating them
	// here left behind is not the server's to count.
	debug.FreeOSMemory()
	hostKey, _, err := HostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	loadStart := time.Now()
	leads := leadmodel.New(eng, quiet)
	defer leads.Close()
	// A running server has read its leads long before consoles open: wait for it, and
	// say how long it took.
	feed := leads.Subscribe()
	for !leads.Snapshot().Loaded {
		<-feed.C
	}
	feed.Close()
	modelLoad := time.Since(loadStart)
	srv, err := New(leads, Config{HostKey: hostKey, Logger: quiet, ConnRate: rate.Inf, ConnBurst: spec.Sessions})
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
	rep.ModelLoad = modelLoad.Seconds()
	rep.RSSIdle, _ = procStatus("VmRSS")
	rep.HeapIdle = heapInUse()
	rep.Goroutines = runtime.NumGoroutine()
	rep.Subscribers = leads.Feeds()
	if path := os.Getenv(heapEnv); path != "" {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	cpuStart := cpuSeconds()

	// Stamp each lead's commit as the hub hands it out, as every console gets it.
	sub := eng.Subscribe(4*spec.leads() + 2)
	stamped := make(chan struct{})
	go func() {
		defer close(stamped)
		if spec.leads() == 0 {
			return
		}
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
	if spec.leads() > 0 {
		tick := time.NewTicker(time.Second / time.Duration(spec.Rate))
		for i := range spec.leads() {
			<-tick.C
			wg.Go(func() {
				if _, err := eng.CreateLead(ctx, engine.System(), engine.NewLead{Name: fmt.Sprintf("Load Lead %04d", i), Source: "load"}); err != nil {
					t.Errorf("lead %d: %v", i, err)
				}
			})
		}
		tick.Stop()
	}
	wg.Wait()
	<-stamped
	sub.Close()
	rep.CPUSeconds = cpuSeconds() - cpuStart

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

// cpuSeconds is the user and system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
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
