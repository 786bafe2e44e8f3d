package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/httpapi"
	"github.com/switchboard/switchboard/engine/metrics"
)

// serveEnv is what every service of `switchboard serve` shares: one engine on one
// database, the listen addresses, the log.
type serveEnv struct {
	eng      *engine.Engine
	dsn      string // the database, as --db gives it
	dbPath   string // the database, for the log (a URL's password hidden)
	httpAddr string // "" turns the HTTP API off
	sshAddr  string // "" turns the SSH server off
	notify   notifyFlags
	ssh      sshFlags
	mail     mailFlags
	log      *slog.Logger
	// metricsAddr is --metrics ("" turns metrics off); metrics, when on, hears the
	// engine, the HTTP API and the notification worker, and sessions counts the
	// console sessions (nil without SSH).
	metricsAddr string
	metrics     *metrics.Metrics
	sessions    func() int
}

// service is one long-running part of serve. It runs until ctx is done, then stops
// cleanly (finishing what is in flight) and returns nil; an error stops serve.
type service func(ctx context.Context) error

// startService prepares a service: it binds its listener (so that a port in use fails
// serve at once) and returns the service to run, or nil when it is turned off.
type startService func(env *serveEnv) (service, error)

// services are the parts of serve, started in this order. Each lives in its own file;
// adding one is adding it here.
var services = []startService{
	notifyService, // first: its flags are checked before any port is bound
	httpService,
	sshService,
	mailService,
	metricsService, // last: it reads what the others started (the SSH sessions)
}

func (a *app) serveCmd() *cobra.Command {
	env := &serveEnv{}
	cmd := &cobra.Command{
		Use:   "serve [--http ADDR] [--ssh ADDR] [--mail ADDR [--mail-lmtp]]",
		Short: "Serve the console over SSH and the HTTP API, on one engine",
		Long: "serve runs switchboard for the team: the console over SSH, the HTTP API, the\n" +
			"notification worker and, with --mail, e-mail intake, all on one engine over the database.\n" +
			"An empty address turns that listener off. SIGINT or SIGTERM stops it cleanly: requests in\n" +
			"flight finish first.",
		Example: "  switchboard serve\n  switchboard serve --http 127.0.0.1:8080 --ssh ''\n  switchboard serve --mail :2525",
		Args:    usageArgs(cobra.NoArgs),
		RunE: a.checked(func(cmd *cobra.Command, _ []string) error {
			c, stop := signal.NotifyContext(ctx(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return a.serve(c, env)
		}),
	}
	cmd.Flags().StringVar(&env.httpAddr, "http", ":8080", "HTTP API address (empty: no HTTP)")
	cmd.Flags().StringVar(&env.sshAddr, "ssh", ":23234", "SSH console address (empty: no SSH)")
	cmd.Flags().StringVar(&env.metricsAddr, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics, with no token: bind it to a private address (empty: no metrics)")
	env.notify.register(cmd.Flags())
	env.ssh.register(cmd.Flags())
	env.mail.register(cmd.Flags())
	return cmd
}

// serve starts every service on one engine and runs them until ctx is done or one
// fails; then it stops them all and closes the engine and the database.
func (a *app) serve(c context.Context, env *serveEnv) error {
	env.log = slog.New(slog.NewTextHandler(a.stderr, nil))
	var opts engine.Options
	if env.metricsAddr != "" {
		env.metrics = metrics.New(env.log)
		opts.Observe = env.metrics.ObserveCommit
	}
	s, err := a.openEngine(false, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	env.eng, env.dsn, env.dbPath = s.eng, s.dsn, s.path
	env.notify.allowLocal = a.allowLocalWebhooks

	var run []service
	for _, start := range services {
		svc, err := start(env)
		if err != nil {
			return err
		}
		if svc != nil {
			run = append(run, svc)
		}
	}
	if len(run) == 0 {
		return usagef("nothing to serve: --http and --ssh are both empty, and there is no --mail")
	}
	c, cancel := context.WithCancel(c)
	defer cancel()
	errs := make([]error, len(run))
	var wg sync.WaitGroup
	for i, svc := range run {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = svc(c); errs[i] != nil {
				cancel() // one part failing stops them all
			}
		}()
	}
	env.log.Info("serving", "db", env.dbPath)
	wg.Wait()
	env.log.Info("stopped")
	return errors.Join(errs...)
}

// httpService is the HTTP API (engine/httpapi) on --http.
func httpService(env *serveEnv) (service, error) {
	if env.httpAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", env.httpAddr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	opts := httpapi.Options{Logger: env.log}
	if env.metrics != nil {
		opts.Observe = env.metrics.ObserveRequest
	}
	srv := httpapi.NewServer(httpapi.New(env.eng, opts), env.log)
	env.log.Info("http: listening", "addr", ln.Addr().String())
	return func(ctx context.Context) error { return httpapi.Serve(ctx, srv, ln) }, nil
}
