package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/ratelimit"
	"github.com/switchboard/switchboard/engine/textguard"
)

// Options tune the API.
type Options struct {
	// Logger gets one line per request and the internal errors (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock of the per-address limit on form submissions (default
	// time.Now); tests hold it still.
	Now func() time.Time
	// Observe, when set, hears of every request once it is answered (metrics): the
	// pattern that took it ("GET /v1/leads/{id}"; "" when none did), the status and
	// how long it took. It must be quick.
	Observe func(pattern string, status int, took time.Duration)
}

// API is the HTTP API v1 over one engine. It is an http.Handler.
type API struct {
	eng     *engine.Engine
	log     *slog.Logger
	mux     *http.ServeMux
	now     func() time.Time
	forms   *ratelimit.Limiter // form submissions per client address
	observe func(pattern string, status int, took time.Duration)
}

// New builds the API over eng.
func New(eng *engine.Engine, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &API{eng: eng, log: opts.Logger, mux: http.NewServeMux(), now: opts.Now,
		forms: ratelimit.New(ratelimit.PerMinute(FormRate), FormBurst, 0), observe: opts.Observe}
	a.mux.HandleFunc("GET /healthz", a.healthz)
	// A web form's page posts with the form's key, never a token.
	a.mux.HandleFunc("POST /v1/forms/{key}", a.submitForm)
	a.mux.HandleFunc("OPTIONS /v1/forms/{key}", a.preflightForm)
	for _, r := range []struct {
		pattern string
		h       handler
	}{
		{"POST /v1/leads", a.createLead},
		{"POST /v1/leads/batch", a.createLeads},
		{"GET /v1/leads", a.listLeads},
		{"GET /v1/leads/{id}", a.getLead},
		{"PATCH /v1/leads/{id}", a.updateLead},
		{"POST /v1/leads/assign", a.assign},
		{"POST /v1/leads/unassign", a.unassign},
		{"POST /v1/leads/route", a.route},
		{"POST /v1/leads/share", a.shareMany},
		{"POST /v1/leads/status", a.setStatus},
		{"POST /v1/leads/{id}/shares", a.share},
		{"DELETE /v1/shares/{id}", a.revokeShare},
		{"GET /v1/agents", a.listAgents},
		{"POST /v1/agents", a.addAgent},
		{"GET /v1/agents/{handle}", a.getAgent},
		{"PATCH /v1/agents/{handle}", a.updateAgent},
		{"GET /v1/teams", a.listTeams},
		{"POST /v1/teams", a.createTeam},
		{"GET /v1/teams/{name}", a.getTeam},
		{"PUT /v1/teams/{name}", a.putTeam},
		{"DELETE /v1/teams/{name}", a.deleteTeam},
		{"GET /v1/rules", a.listRules},
		{"POST /v1/rules", a.createRule},
		{"GET /v1/rules/{id}", a.getRule},
		{"PUT /v1/rules/{id}", a.updateRule},
		{"DELETE /v1/rules/{id}", a.deleteRule},
		{"POST /v1/rules/{id}/move", a.moveRule},
		{"POST /v1/rules/simulate", a.simulate},
		{"GET /v1/history", a.history},
		{"GET /v1/stats", a.stats},
		{"GET /v1/settings", a.getSettings},
		{"PATCH /v1/settings", a.patchSettings},
		{"GET /v1/forms", a.listForms},
		{"POST /v1/forms", a.createForm},
		{"DELETE /v1/forms/{name}", a.deleteForm},
	} {
		auth := a.eng.Authenticate
		if r.pattern == "POST /v1/leads" { // the token is checked in the lead's transaction
			auth = a.eng.AuthenticateIntake
		}
		a.mux.Handle(r.pattern, a.authed(auth, r.h))
	}
	return a
}

// handler is an endpoint: it runs as actor and returns an error to answer with a
// problem, or nil once it has written its answer.
type handler func(w http.ResponseWriter, r *http.Request, actor engine.Actor) error

// requestLog is what the access log line learns while a request runs.
type requestLog struct {
	http.ResponseWriter
	status int
	bytes  int
	actor  string
	err    error // an internal error, logged with the request
}

func (l *requestLog) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *requestLog) Write(b []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	n, err := l.ResponseWriter.Write(b)
	l.bytes += n
	return n, err
}

func (l *requestLog) Unwrap() http.ResponseWriter { return l.ResponseWriter }

type logKey struct{}

// ServeHTTP logs one line per request, turns a panic into a 500, and answers
// unknown paths and methods with problems like every other error.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rl := &requestLog{ResponseWriter: w}
	_, pattern := a.mux.Handler(r)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rl.err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rl.status == 0 {
				writeProblem(rl, problemf(http.StatusInternalServerError, "internal error: the server log has the details"))
			}
		}
		took := time.Since(start)
		if a.observe != nil {
			a.observe(pattern, rl.status, took)
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rl.status, "bytes", rl.bytes,
			"ms", float64(took.Microseconds()) / 1000, "remote", r.RemoteAddr}
		if rl.actor != "" {
			attrs = append(attrs, "actor", rl.actor)
		}
		if rl.err != nil {
			a.log.Error("http", append(attrs, "err", rl.err)...)
			return
		}
		a.log.Info("http", attrs...)
	}()
	r = r.WithContext(context.WithValue(r.Context(), logKey{}, rl))
	limit := int64(MaxBody)
	if pattern == "POST /v1/leads/batch" {
		limit = MaxBatchBody
	}
	r.Body = http.MaxBytesReader(rl, r.Body, limit)
	if pattern == "" {
		a.unmatched(rl, r)
		return
	}
	a.mux.ServeHTTP(rl, r)
}

// unmatched answers a request no pattern takes: 405 with Allow when the path exists
// for other methods, else 404.
func (a *API) unmatched(w http.ResponseWriter, r *http.Request) {
	probe := &headerProbe{header: http.Header{}}
	a.mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		writeProblem(w, problemf(http.StatusMethodNotAllowed, "%s is not allowed on %s: use %s", r.Method, r.URL.Path, allow))
		return
	}
	writeProblem(w, problemf(http.StatusNotFound, "no endpoint at %s %s: the API lives under /v1 (see README, HTTP API)", r.Method, r.URL.Path))
}

// headerProbe records the answer the mux's own not-found and not-allowed handlers give.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }

// authed checks the bearer token and runs h as the token's actor.
// authed runs h as the actor whose token the request sends, found by auth.
func (a *API) authed(auth authenticator, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rl, _ := r.Context().Value(logKey{}).(*requestLog)
		err := func() error {
			actor, err := authenticate(r, auth)
			if err != nil {
				return err
			}
			if rl != nil {
				rl.actor = actor.Name
			}
			return h(w, r, actor)
		}()
		if err == nil {
			return
		}
		p, internal := toProblem(err)
		if internal && rl != nil {
			rl.err = err
		}
		writeProblem(w, p)
	})
}

// unknownToken answers a token that is not one, or no longer.
func unknownToken() *problem {
	return problemf(http.StatusUnauthorized, "the token is unknown or revoked: ask an admin for a new one")
}

// authenticator is Engine.Authenticate or Engine.AuthenticateIntake.
type authenticator func(ctx context.Context, secret string) (engine.Actor, bool, error)

func authenticate(r *http.Request, auth authenticator) (engine.Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return engine.Actor{}, problemf(http.StatusUnauthorized, "no token: send the header Authorization: Bearer TOKEN (an admin makes tokens with `switchboard token create`)")
	}
	scheme, secret, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return engine.Actor{}, problemf(http.StatusUnauthorized, "the Authorization header must be Bearer TOKEN")
	}
	actor, ok, err := auth(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return engine.Actor{}, err
	}
	if !ok {
		return engine.Actor{}, unknownToken()
	}
	return actor, nil
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the answer: %w", err)
	}
	writeEncoded(w, status, b)
	return nil
}

// writeEncoded sends b, JSON as json.Marshal wrote it, as the answer. Marshalling it
// again as a json.RawMessage would only check and compact it a second time, on the path
// every new lead takes.
func writeEncoded(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A failed write means the client went away: there is nobody left to tell. The
	// answer often ends up on a terminal (curl): DEL and C1 go as \u escapes.
	w.Write(append(textguard.EscapeJSON(b), '\n'))
}

// NewServer is an http.Server for h with timeouts that keep a slow or stalled client
// from holding a connection: headers within 5s, the whole request within 30s, the
// answer within 60s, an idle keep-alive connection for 2 minutes.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.Default()
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// ShutdownGrace is how long Serve waits for requests in flight once asked to stop.
const ShutdownGrace = 10 * time.Second

// Serve answers requests on ln until ctx is done, then stops accepting, lets the
// requests in flight finish (up to ShutdownGrace) and returns. The answers net/http
// gives by itself (431 for headers over the limit, 400 for a request it cannot parse)
// are problem+json too.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(problemListener{ln}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("http: stopping: %w", err)
	}
	return nil
}
