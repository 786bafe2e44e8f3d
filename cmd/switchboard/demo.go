package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/demo"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/storage"
)

func (a *app) demoCmd() *cobra.Command {
	var (
		history  int
		interval time.Duration
		httpAddr string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the console on a throwaway database with a demo team and live leads",
		Long: "demo makes a database in a temporary directory, adds a team of eight, four rules and a few\n" +
			"hundred leads, then keeps posting new leads while the console runs. It also serves the HTTP\n" +
			"API and a contact page whose web form posts leads (its address is printed at start and shown\n" +
			"in the console). Quitting removes it all.",
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
			notice := ""
			if httpAddr != "" {
				url, stopHTTP, err := serveDemoForm(c, eng, httpAddr, quiet)
				if err != nil {
					return err
				}
				defer stopHTTP()
				notice = "Web form: " + url
				fmt.Fprintf(a.stderr, "switchboard demo: a contact page whose form posts leads to this demo: %s\n", url)
			}
			actor, err := localActor(c, eng, "")
			if err != nil {
				return err
			}
			return a.runConsole(c, eng, actor, notice)
		},
	}
	cmd.Flags().IntVar(&history, "leads", 300, "leads to start with")
	cmd.Flags().DurationVar(&interval, "every", 1500*time.Millisecond, "about how often a new lead arrives")
	cmd.Flags().StringVar(&httpAddr, "http", "127.0.0.1:8080", "where to serve the HTTP API and the demo's contact page (a free port if this one is taken; empty: none)")
	return cmd
}

// serveDemoForm serves the HTTP API on addr (or, when addr is taken, on a free port of
// the same host) with a contact page at / whose form posts to a web form "demo" made
// for it, and returns the page's URL. stop ends the server.
func serveDemoForm(c context.Context, eng *engine.Engine, addr string, log *slog.Logger) (pageURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		host, _, splitErr := net.SplitHostPort(addr)
		if splitErr != nil {
			return "", nil, usagef("--http %s: %v", addr, splitErr)
		}
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return "", nil, fmt.Errorf("demo: serving the web form: %w", err)
		}
	}
	base := "http://" + ln.Addr().String()
	origins := []string{base}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		origins = append(origins, fmt.Sprintf("http://localhost:%d", tcp.Port))
	}
	form, err := eng.CreateForm(c, engine.System(), engine.NewForm{Name: "demo", Source: "web", Origins: origins})
	if err != nil {
		ln.Close()
		return "", nil, fmt.Errorf("demo: creating the web form: %w", err)
	}
	page := httpapi.FormPage(base, form)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	mux.Handle("/", httpapi.New(eng, httpapi.Options{Logger: log}))
	srv := httpapi.NewServer(mux, log)
	ctx, cancel := context.WithCancel(c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		httpapi.Serve(ctx, srv, ln)
	}()
	return base + "/", func() { cancel(); <-done }, nil
}
