package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/tui"
	"github.com/switchboard/switchboard/tui/leadmodel"
)

// consoleRun opens the local console on the database, acting as --as or as the owner.
func (a *app) consoleRun(as *string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if err := a.needTerminal(); err != nil {
			return err
		}
		s, err := a.openEngine(false, engine.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		actor, err := localActor(ctx(cmd), s.eng, *as)
		if err != nil {
			return err
		}
		return a.runConsole(ctx(cmd), s.eng, actor, "")
	}
}

// localActor is who the local console acts as: the agent named by --as, else the
// database's owner (its first owner-role agent, or the owner role itself when the team
// has none yet).
func localActor(c context.Context, eng *engine.Engine, as string) (engine.Actor, error) {
	if as != "" {
		ag, err := eng.Agent(c, engine.System(), as)
		if err != nil {
			return engine.Actor{}, fmt.Errorf("--as %s: %w", as, err)
		}
		return engine.AsAgent(ag), nil
	}
	agents, err := eng.Agents(c, engine.System())
	if err != nil {
		return engine.Actor{}, fmt.Errorf("reading the team: %w", err)
	}
	for _, ag := range agents {
		if ag.Role == engine.RoleOwner {
			return engine.AsAgent(ag), nil
		}
	}
	return engine.Actor{Name: "owner", Role: engine.RoleOwner}, nil
}

// needTerminal refuses, in one line and before anything else happens, to start the
// console without a terminal on both ends: piped or redirected, Bubble Tea would write
// its escape codes into a file and wait for keys that never come.
func (a *app) needTerminal() error {
	in, inOK := a.stdin.(*os.File)
	out, outOK := a.screen.(*os.File)
	if !inOK || !outOK || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return usagef("the console needs a terminal on its input and output: run it from an interactive terminal (for scripts, see switchboard --help)")
	}
	return nil
}

// runConsole runs the console on this terminal until the person quits; notice is shown
// on its status bar when it opens.
func (a *app) runConsole(c context.Context, eng *engine.Engine, actor engine.Actor, notice string) error {
	// The console's own model of the leads; its read failures show in the console,
	// not as log lines over it.
	leads := leadmodel.New(eng, slog.New(slog.DiscardHandler))
	defer leads.Close()
	// A local console counts as the agent's session, as an SSH one does (auto_away). A
	// session the database refuses leaves the console working; the agent just does not
	// count as present.
	sess, err := eng.OpenSession(c, actor, "local")
	if err != nil {
		notice = strings.TrimSpace(notice + " (this console does not count as present: " + err.Error() + ")")
	}
	defer sess.Close(context.WithoutCancel(c))
	m := tui.New(leads, actor, tui.Options{DarkBackground: true, Notice: notice})
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(c), tea.WithInput(a.stdin), tea.WithOutput(a.screen))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
