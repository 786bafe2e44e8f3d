package tui

import (
	"context"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
	"github.com/switchboard/switchboard/storage"
)

// hostileName is what a web form might post: a C1 CSI that clears the screen, an ESC
// OSC that sets the window title, and a name.
const hostileName = "\u009b2J\x1b]0;pwned\x07Eve \u009d0;t\u009c"

// plantHostileLead writes a lead and its history straight into the database at path,
// past the engine's checks, as a database written before them (or by hand) may hold.
func plantHostileLead(t *testing.T, path string) {
	t.Helper()
	st, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	l := engine.Lead{
		Name: hostileName, Company: "\x1b[31mAcme\x1b[0m", Source: "web\u0085", Tags: []string{"v\x1bip"},
		Fields: map[string]any{"\x1b]0;key\x07": "\u009bvalue\x7f"}, Status: engine.StatusNew,
		Waiting: engine.WaitingNoRule, WaitReason: "no rule\x1b[2J matched", CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.InsertLead(&l); err != nil {
		t.Fatal(err)
	}
	ev := engine.Event{Kind: engine.EvLeadCreated, At: now, Actor: "api:form\x1b[5m", LeadID: l.ID, To: hostileName, Reason: "source web\u009b"}
	if err := tx.InsertEvent(&ev); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// foreignControl reports the first control character in frame that is not part of an
// escape sequence the console draws itself (CSI, which styles use) or a line break.
func foreignControl(frame string) (rune, int, bool) {
	for i := 0; i < len(frame); {
		c := frame[i]
		if c == 0x1b && i+1 < len(frame) && frame[i+1] == '[' {
			j := i + 2
			for j < len(frame) && (frame[j] < 0x40 || frame[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(frame[i:])
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			return r, i, true
		}
		i += size
	}
	return 0, 0, false
}

// TestHostileTextIsStripped: a lead whose name, company, tags, field and history carry
// ESC and C1 sequences is drawn – in the queue, the live strip and the lead's detail –
// without a single control character of its own.
func TestHostileTextIsStripped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	eng := enginetest.Open(t, path, storage.Options{}, engine.Options{TailInterval: -1})
	plantHostileLead(t, path)
	c, _ := startConsole(t, eng, engine.System(), 120, 40)
	waitScreen(t, c, "Queue 1 lead", "2J]0;pwnedEve 0;t")
	c.Send(press("enter"))
	waitScreen(t, c, "Lead #1", "key=value")
	m := finish(t, c)
	frame := m.render()
	if r, at, found := foreignControl(frame); found {
		t.Fatalf("the detail frame holds U+%04X at byte %d:\n%q", r, at, frame)
	}
	m.update(closeLeadMsg{})
	frame = m.render()
	if r, at, found := foreignControl(frame); found {
		t.Fatalf("the dashboard frame holds U+%04X at byte %d:\n%q", r, at, frame)
	}
}
