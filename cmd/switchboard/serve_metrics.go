package main

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/switchboard/switchboard/engine/httpapi"
)

// metricsService serves Prometheus metrics (engine/metrics) at /metrics on --metrics,
// with no token: whoever reaches the address reads the team's figures, so it belongs
// on a private address.
func metricsService(env *serveEnv) (service, error) {
	if env.metrics == nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", env.metricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w (choose another address with --metrics)", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", env.metrics.Handler())
	srv := httpapi.NewServer(mux, env.log)
	env.log.Info("metrics: listening", "addr", ln.Addr().String(), "path", "/metrics")
	return func(ctx context.Context) error {
		if err := env.metrics.Attach(ctx, env.eng, env.sessions); err != nil {
			ln.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		return httpapi.Serve(ctx, srv, ln)
	}, nil
}
