package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

// cli runs switchboard on the database at db and returns the exit code and output.
func cli(t *testing.T, db string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"--db", db}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSettingCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "team.db")
	st, err := storage.Open(context.Background(), db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	steps := []struct {
		args       []string
		code       int
		out, inErr string // substrings of stdout and stderr
	}{
		{[]string{"setting", "get", "company"}, exitOK, "\n", ""},
		{[]string{"setting", "set", "company", "Acme Sales"}, exitOK, `Set company to "Acme Sales".`, ""},
		{[]string{"setting", "get", "company"}, exitOK, "Acme Sales\n", ""},
		{[]string{"setting", "set", "webhook_url", "ftp://example.com"}, exitUsage, "", "webhook"},
		{[]string{"setting", "set", "webhook_url", "https://hooks.example.com/T0/SECRET"}, exitOK, "switchboard setting get webhook_secret", ""},
		{[]string{"setting", "set", "webhook_secret", "mine"}, exitUsage, "", "cannot be set"},
		{[]string{"setting", "get", "colour"}, exitUsage, "", `unknown setting "colour": use company, webhook_url, webhook_secret`},
		{[]string{"setting", "set", "colour", "red"}, exitUsage, "", `unknown setting "colour": use company, webhook_url`},
		{[]string{"setting", "set", "company"}, exitUsage, "", "accepts 2 arg"},
		{[]string{"setting", "list"}, exitOK, "(set: switchboard setting get webhook_secret)", ""},
		{[]string{"setting", "set", "company", ""}, exitOK, "Cleared company.", ""},
		{[]string{"setting", "get", "company"}, exitOK, "\n", ""},
	}
	for _, s := range steps {
		code, out, errOut := cli(t, db, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.inErr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				s.args, code, out, errOut, s.code, s.out, s.inErr)
		}
	}

	// The secret is readable alone, for a receiver's configuration.
	_, secret, _ := cli(t, db, "setting", "get", "webhook_secret")
	if !regexp.MustCompile(`^[0-9a-f]{32,}\n$`).MatchString(secret) {
		t.Errorf("webhook_secret %q: want a hex key on its own line", secret)
	}
	// --format json is the API's settings object: every key, a secret only as set.
	code, out, _ := cli(t, db, "--format", "json", "setting", "list")
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &obj); code != exitOK || err != nil {
		t.Fatalf("setting list as JSON: exit %d, %v: %s", code, err, out)
	}
	for key, want := range map[string]string{
		"company": `""`, "webhook_url": `"https://hooks.example.com/T0/SECRET"`, "webhook_secret": `{"set":true}`,
	} {
		var compact bytes.Buffer
		json.Compact(&compact, obj[key])
		if got := compact.String(); got != want {
			t.Errorf("setting list: %s = %s, want %s", key, got, want)
		}
	}
	if len(obj) != len(engine.SettingDefs()) {
		t.Errorf("setting list has %d keys, the registry %d: %s", len(obj), len(engine.SettingDefs()), out)
	}
	_, out, _ = cli(t, db, "history", "--kind", "settings")
	if !strings.Contains(out, "company") {
		t.Errorf("history does not show the setting changes:\n%s", out)
	}
}
