package sshd

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// rawTerm opens a console session that asks for a w×h terminal, whatever the numbers,
// while its client-side screen is sw×sh (a test cannot hold the grid a hostile client
// claims). Everything the server sends is also kept raw.
func rawTerm(t *testing.T, c *gossh.Client, w, h, sw, sh int) (*term, *lockedBytes) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	raw := &lockedBytes{}
	tm := &term{t: t, name: "client", sess: sess, screen: newScreen(sw, sh), stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatalf("pty %d×%d: %v", w, h, err)
	}
	sess.Stdout = io.MultiWriter(tm.screen, raw)
	sess.Stderr = tm.stderr
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.exited <- sess.Wait() }()
	t.Cleanup(func() { sess.Close() })
	return tm, raw
}

type lockedBytes struct{ lockedBuffer }

func (l *lockedBytes) Bytes() []byte { return []byte(l.String()) }

// heapAfterGC is the heap in use once the garbage is collected.
func heapAfterGC() uint64 {
	runtime.GC()
	return heapInUse()
}

// TestTerminalSizeIsClamped: a client asking for a terminal 4294967295 columns wide,
// then for a window change to 4294967295×4294967295, gets a console of at most 500×200;
// the server's heap grows by less than 50 MiB and it still serves new sessions. The
// same requests used to end the process with "out of memory".
func TestTerminalSizeIsClamped(t *testing.T) {
	eng := newEngine(t)
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	logs := &lockedBuffer{}
	ts := startServer(t, eng, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	before := heapAfterGC()

	tm, _ := rawTerm(t, login(t, ts.addr, "dana", key), 4294967295, 100, MaxColumns, MaxRows)
	tm.waitText("dana")
	if err := tm.sess.WindowChange(4294967295, 4294967295); err != nil {
		t.Fatal(err)
	}
	// Window changes reach the console in order: once it draws at 80×24, it has taken
	// the hostile one too.
	tm.resize(80, 24)
	tm.waitFor("the status bar on row 24 of an 80×24 screen", func(string) bool {
		return strings.Contains(tm.screen.Line(23), "q quit")
	})
	if grew := int64(heapAfterGC()) - int64(before); grew > 50<<20 {
		t.Fatalf("the heap grew by %d MiB for one hostile session; want less than 50", grew>>20)
	}
	if !strings.Contains(logs.String(), "ssh terminal size clamped") || !strings.Contains(logs.String(), "asked_width=4294967295") {
		t.Errorf("the clamp is not logged:\n%s", logs)
	}

	other := openTerm(t, login(t, ts.addr, "dana", key), "second", 80, 24)
	other.waitText("dana")
}

func TestClampSize(t *testing.T) {
	for _, tc := range []struct{ w, h, ww, wh int }{
		{80, 24, 80, 24}, {4294967295, 100, 500, 100}, {4294967295, 4294967295, 500, 200},
		{500, 200, 500, 200}, {501, 201, 500, 200}, {0, 0, 0, 0}, {-1, -5, 0, 0},
	} {
		if w, h := clampSize(tc.w, tc.h); w != tc.ww || h != tc.wh {
			t.Errorf("clampSize(%d, %d) = %d, %d; want %d, %d", tc.w, tc.h, w, h, tc.ww, tc.wh)
		}
	}
}

// foreignControl reports the first control character in out, the bytes a session
// sent, that is not part of an escape sequence of the renderer: CSI (ESC [ … final),
// OSC (ESC ] … BEL or ST), DCS/APC/PM/SOS strings, two-byte escapes (ESC 7, ESC =, …),
// and the C0 characters a renderer moves with (CR, LF, BS, TAB). A C1 control –
// U+0080–U+009F as UTF-8 – is never one of the renderer's: its sequences are 7-bit.
// It also returns the payloads of the OSC sequences, for a check of what they say.
func foreignControl(out []byte) (bad string, at int, oscs []string) {
	for i := 0; i < len(out); {
		c := out[i]
		if c == 0x1b && i+1 < len(out) {
			switch out[i+1] {
			case '[':
				j := i + 2
				for j < len(out) && (out[j] < 0x40 || out[j] > 0x7e) {
					j++
				}
				i = j + 1
				continue
			case ']', 'P', '_', '^', 'X':
				j := i + 2
				for j < len(out) && out[j] != 0x07 && !(out[j] == 0x1b && j+1 < len(out) && out[j+1] == '\\') {
					j++
				}
				if out[i+1] == ']' {
					oscs = append(oscs, string(out[i+2:min(j, len(out))]))
				}
				if j < len(out) && out[j] == 0x1b {
					j++
				}
				i = j + 1
				continue
			case '(', ')', '*', '+', '#':
				i += 3
				continue
			default:
				i += 2
				continue
			}
		}
		r, size := utf8.DecodeRune(out[i:])
		switch {
		case r == '\r' || r == '\n' || r == '\b' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return string(r), i, oscs
		}
		i += size
	}
	return "", -1, oscs
}

// TestHostileLeadNameReachesNoTerminal: a lead whose name carries a C1 CSI, an ESC OSC
// that sets the window title and a C1 OSC – planted in the database past the engine's
// checks – is on the screen of an SSH console, and the bytes the client receives hold no
// control character but the renderer's own, and no window title but switchboard's.
func TestHostileLeadNameReachesNoTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	eng := enginetest.Open(t, path, storage.Options{Synchronous: "NORMAL"}, engine.Options{TailInterval: -1})
	key := addAgent(t, eng, "dana", engine.RoleDispatcher)
	plantLead(t, path, "\u009b2J\x1b]0;pwned\x07Eve\u009d0;owned\u009c Hostile")
	ts := startServer(t, eng, Config{})

	tm, raw := rawTerm(t, login(t, ts.addr, "dana", key), 120, 30, 120, 30)
	tm.waitText("Hostile")
	tm.press("enter") // the lead's detail: its name in the title and the fields
	tm.waitText("Lead #1")
	tm.press("esc", "5") // the history pane: the lead.created event names the lead
	tm.waitText("lead.created")
	out := raw.Bytes()
	if bad, at, _ := foreignControl(out); at >= 0 {
		t.Fatalf("the client received %q at byte %d of %d:\n%q", bad, at, len(out), out[max(0, at-80):min(len(out), at+80)])
	}
	_, _, oscs := foreignControl(out)
	for _, o := range oscs {
		if strings.Contains(o, "pwned") || strings.Contains(o, "owned") {
			t.Fatalf("the lead's name set an OSC: %q", o)
		}
	}
	if !bytes.Contains(out, []byte("]0;pwned")) {
		t.Fatalf("the stripped name is not in the output:\n%q", out)
	}
}

// plantLead writes a lead named name, with its history, straight into the database at
// path, as a database written before the engine's checks may hold.
func plantLead(t *testing.T, path, name string) {
	t.Helper()
	st := enginetest.OpenStore(t, path, storage.Options{})
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	l := engine.Lead{Name: name, Company: "\x1b[31mAcme", Source: "web", Status: engine.StatusNew,
		Fields: map[string]any{"\x1b]0;k\x07": "\u009bv"}, Waiting: engine.WaitingNoRule, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertLead(&l); err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertEvent(&engine.Event{Kind: engine.EvLeadCreated, At: now, Actor: "api:form", LeadID: l.ID, To: name}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// TestRefusalsAreLogged: a refused key is logged with the remote address, the user
// name the client tried and the key's fingerprint.
func TestRefusalsAreLogged(t *testing.T) {
	eng := newEngine(t)
	addAgent(t, eng, "dana", engine.RoleDispatcher)
	stranger, _ := newKey(t)
	logs := &lockedBuffer{}
	ts := startServer(t, eng, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if c, err := dial(ts.addr, "dana\x1b[2J", gossh.PublicKeys(stranger)); err == nil {
		c.Close()
		t.Fatal("a stranger's key logged in")
	}
	eventually(t, "the refusal in the log", func() bool { return strings.Contains(logs.String(), "ssh key refused") })
	line := logs.String()
	for _, want := range []string{"remote=127.0.0.1:", `user="dana\x1b[2J"`, "fingerprint=" + gossh.FingerprintSHA256(stranger.PublicKey())} {
		if !strings.Contains(line, want) {
			t.Errorf("the log lacks %q:\n%s", want, line)
		}
	}
	if strings.Contains(line, "\x1b") {
		t.Errorf("the log holds the client's ESC raw:\n%q", line)
	}
}
