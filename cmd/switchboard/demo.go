package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/demo"
	"github.com/switchboard/switchboard/storage"
)

func (a *app) demoCmd() *cobra.Command {
	var (
		history  int
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the console on a throwaway database with a demo team and live leads",
		Long: "demo makes a database in a temporary directory, adds a team of eight, four rules and a few\n" +
			"hundred leads, then keeps posting new leads while the console runs. Quitting removes it all.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.needTerminal(); err != nil {
				return err
			}
			if interval <= 0 {
				return usagef("--every must be positive")
			}
			dir, err := os.MkdirTemp("", "switchboard-demo-")
			if err != nil {
				return fmt.Errorf("making the demo directory: %w", err)
			}
			defer os.RemoveAll(dir)
			st, err := storage.Open(ctx(cmd), filepath.Join(dir, "demo.db"), storage.Options{})
			if err != nil {
				return fmt.Errorf("opening the demo database: %w", err)
			}
			defer st.Close()
			// The console owns the terminal: background errors go nowhere visible.
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			clock := &demo.Clock{}
			eng, err := engine.New(st, engine.Options{Logger: quiet, Now: clock.Now})
			if err != nil {
				return fmt.Errorf("starting the demo engine: %w", err)
			}
			defer eng.Close()
			// Closing the terminal or a kill must still remove the database.
			c, stopSignals := signal.NotifyContext(ctx(cmd), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stopSignals()
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
			if err := demo.Seed(c, eng, engine.System(), history, r, clock, 3*time.Hour); err != nil {
				return err
			}
			simCtx, stop := context.WithCancel(c)
			done := make(chan struct{})
			go func() {
				defer close(done)
				demo.Simulate(simCtx, eng, engine.System(), interval, r, func(error) {})
			}()
			defer func() { stop(); <-done }()
			actor, err := localActor(c, eng, "")
			if err != nil {
				return err
			}
			return a.runConsole(c, eng, actor)
		},
	}
	cmd.Flags().IntVar(&history, "leads", 300, "leads to start with")
	cmd.Flags().DurationVar(&interval, "every", 1500*time.Millisecond, "about how often a new lead arrives")
	return cmd
}
