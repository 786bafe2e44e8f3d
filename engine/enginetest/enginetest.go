// Package enginetest starts engines on real SQLite files, for the tests of the packages
// built on the engine (the HTTP API, the console, the SSH server, the CLI).
package enginetest

import (
	"path/filepath"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

// Open starts an engine on the SQLite file at path, creating it; an empty path is a
// new file in the test's temp dir. The engine and the store are closed when the test
// ends.
func Open(tb testing.TB, path string, so storage.Options, eo engine.Options) *engine.Engine {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "switchboard.db")
	}
	st, err := storage.Open(path, so)
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	eng, err := engine.New(st, eo)
	if err != nil {
		st.Close()
		tb.Fatalf("starting the engine: %v", err)
	}
	tb.Cleanup(func() {
		eng.Close()
		st.Close()
	})
	return eng
}
