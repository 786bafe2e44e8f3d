package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/storage"
)

// Exit codes, as README "CLI" documents them: 0 success, 1 the command failed, 2 it was used wrongly.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// app holds what every command shares: where the database is, how to print, and the
// process's streams (tests swap them for buffers).
type app struct {
	dbPath string
	format string // table or json
	stdin  io.Reader
	// allowLocalWebhooks lets webhook URLs name the machine itself or its link.
	allowLocalWebhooks bool
	// stdout and stderr strip control characters from what commands print (see
	// textWriter); term is stderr as it is, for the progress bar's own escapes, and
	// screen stdout as it is, for the console.
	stdout io.Writer
	stderr io.Writer
	term   io.Writer
	screen io.Writer
}

// usageError marks a command line that cannot be run as written (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run executes the command line and returns the process's exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: newTextWriter(stdout), stderr: newTextWriter(stderr), term: stderr, screen: stdout}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(a.stderr, "switchboard:", err)
	if hint := hintFor(err); hint != "" {
		fmt.Fprintln(a.stderr, "switchboard:", hint)
	}
	var u usageError
	if errors.As(err, &u) || errors.Is(err, errFlag) {
		return exitUsage
	}
	return exitFail
}

// hintFor says which command lists the names an engine refusal could not find. The
// engine's messages name no command (the console shows them too); the CLI adds its own.
func hintFor(err error) string {
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Kind != engine.KindNotFound {
		return ""
	}
	switch ee.Field {
	case "agent":
		return "see the team with `switchboard agent list`"
	case "key":
		return "see an agent's keys with `switchboard agent key list HANDLE`"
	case "token":
		return "see the tokens with `switchboard token list`"
	case "form":
		return "see the forms with `switchboard form list`"
	}
	return ""
}

// errFlag wraps cobra's flag parsing errors so they exit with the usage code.
var errFlag = errors.New("bad flag")

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "switchboard",
		Short:         "A lead dispatcher that lives in the terminal",
		Long:          "switchboard routes sales leads to agents by rules and gives team leads a keyboard-driven console.\nRun without a command, it opens the console on the local database.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w: %w", errFlag, err)
	})
	root.PersistentFlags().StringVar(&a.dbPath, "db", "", "database: a SQLite file, or a postgres:// URL (default: $SWITCHBOARD_DB, or switchboard.db in the user's data directory)")
	root.PersistentFlags().StringVar(&a.format, "format", "table", "output format: table, json or csv")
	root.PersistentFlags().BoolVar(&a.allowLocalWebhooks, "allow-local-webhooks", false, "let webhooks target loopback and link-local addresses (127.0.0.1, localhost, 169.254.x.x): tests and one-machine setups only")
	var as string
	root.Flags().StringVar(&as, "as", "", "open the console as this agent (default: the database's owner)")
	root.RunE = a.consoleRun(&as)

	// Every command of the CLI, in the order `--help` lists them.
	root.AddCommand(
		a.initCmd(),
		a.serveCmd(),
		a.agentCmd(),
		a.teamCmd(),
		a.leadCmd(),
		a.importCmd(),
		a.ruleCmd(),
		a.tokenCmd(),
		a.formCmd(),
		a.settingCmd(),
		a.historyCmd(),
		a.reportCmd(),
		a.migrateCmd(),
		a.loadtestCmd(),
		a.demoCmd(),
		a.versionCmd(),
	)
	return root
}

// databasePath resolves --db, then $SWITCHBOARD_DB, then the user's data directory. It
// may be a URL (see storage.KindOf).
func (a *app) databasePath() (string, error) {
	if a.dbPath != "" {
		return a.dbPath, nil
	}
	if p := os.Getenv("SWITCHBOARD_DB"); p != "" {
		return p, nil
	}
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "switchboard.db"), nil
}

// dataDir is switchboard's directory in the user's data directory
// ($XDG_DATA_HOME/switchboard, else ~/.local/share/switchboard), created on demand.
func dataDir() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w (use --db)", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	dir := filepath.Join(base, "switchboard")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the data directory: %w", err)
	}
	return dir, nil
}

// session is an open engine on the database, for one command.
type session struct {
	dsn   string // --db as given
	path  string // --db for people: a URL's password hidden
	store engine.Store
	eng   *engine.Engine
}

func (s *session) Close() error {
	return errors.Join(s.eng.Close(), s.store.Close())
}

// openEngine opens the database (creating it when create is set; otherwise a missing
// file is an error that says to run init) and starts an engine on it.
func (a *app) openEngine(create bool, opts engine.Options) (*session, error) {
	dsn, err := a.databasePath()
	if err != nil {
		return nil, err
	}
	kind, err := storage.KindOf(dsn)
	if err != nil {
		return nil, usageError{err}
	}
	path := storage.Redact(dsn)
	if kind == storage.SQLite && !create {
		if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: run `switchboard init` first, or point --db at one", path)
		}
	}
	st, err := storage.Open(context.Background(), dsn, storage.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	opts.AllowLocalWebhooks = opts.AllowLocalWebhooks || a.allowLocalWebhooks
	eng, err := engine.New(st, opts)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("starting the engine on %s: %w", path, err)
	}
	return &session{dsn: dsn, path: path, store: st, eng: eng}, nil
}

// ctx is the context commands run in.
func ctx(cmd *cobra.Command) context.Context {
	if c := cmd.Context(); c != nil {
		return c
	}
	return context.Background()
}
