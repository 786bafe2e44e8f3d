package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by commands sent after Close.
var ErrClosed = errors.New("engine: closed")

// Options tune an Engine; the zero value is ready for production.
type Options struct {
	// Now is the clock (default time.Now); tests move it by hand.
	Now func() time.Time
	// Location is the time zone of the daily cap's calendar day and of a condition's
	// hour and weekday (default: the server's local zone).
	Location *time.Location
	// TailInterval is how often the engine looks for history written by another
	// process on the same database (default 200ms; negative: never). A store that
	// announces commits (CommitFeed: PostgreSQL) is also read at each announcement, so
	// the interval only bounds how late a lost announcement is made up for.
	TailInterval time.Duration
	// MaxBatch caps how many commands one transaction commits together (default 512).
	MaxBatch int
	// Logger receives background errors (default: slog.Default()).
	Logger *slog.Logger
	// AllowLocalWebhooks lets webhook URLs name loopback and link-local addresses
	// (127.0.0.1, localhost, 169.254.169.254): tests and one-machine setups only.
	AllowLocalWebhooks bool
	// Observe, when set, hears of every write transaction this engine commits, after
	// the commit (metrics). It runs on the writer: it must be quick and must not call
	// the engine.
	Observe func(Commit)
}

// Commit describes one committed write transaction, for Options.Observe.
type Commit struct {
	Commands int           // the commands it committed together (group commit)
	Took     time.Duration // from Begin to the end of Commit
	Events   []Event       // what they wrote, in order
}

// Engine runs switchboard's commands over a Store. It is safe for concurrent use.
//
// Writes go through one goroutine that gathers every command waiting at that moment
// into one transaction (group commit): each command runs inside its own savepoint, so a
// refused command is undone alone, and every caller gets its answer only after the
// transaction that holds its change has committed. Commands therefore commit, and
// route, in exactly the order the writer took them. Single lead creations next to each
// other in a batch run as one command, each answered as if it had run alone
// (intake.go).
type Engine struct {
	store Store
	now   func() time.Time
	loc   *time.Location
	log   *slog.Logger
	opts  Options
	hub   Hub
	conds conditionCache

	ops  chan *op
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	pubMu         sync.Mutex
	lastPublished int64 // the highest history id handed to the hub
	// ownHead is the newest history id this engine committed; heardHead the newest a
	// CommitFeed announced; heardUnknown that the feed may have missed some.
	ownHead, heardHead atomic.Int64
	heardUnknown       atomic.Bool
	heard              chan struct{}

	timers    []*timerKind
	timerWake chan struct{}
	sessions  sessionSet // the console sessions this engine keeps alive
	// seenTokens name the actors of tokens found active (AuthenticateIntake).
	seenTokens seenTokens

	// model is what routing reads, kept by the writer goroutine alone from one
	// transaction to the next while it is exact (routingmodel.go); nil until a command
	// needs it.
	model *routingModel
}

// op is one command waiting for the writer.
type op struct {
	ctx    context.Context
	fn     func(*txn) error
	err    error
	events []Event
	wake   bool // the command added or moved a timer's due time
	// routes marks lead creation: its rotations and counts are written once for the
	// whole transaction (pending.go) rather than at its end.
	routes bool
	// create is set for a single lead's creation (CreateLead), which the writer runs
	// together with the creations next to it in the batch (intake.go).
	create *leadCreation
	done   chan struct{}
}

// New starts an engine over store: it starts the writer, does the timers' work that fell
// due while no engine ran (shares that ended, SLAs that passed…), then starts the timer
// loop and the history tail (with the store's CommitFeed when it has one).
func New(store Store, opts Options) (*Engine, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.TailInterval == 0 {
		opts.TailInterval = 200 * time.Millisecond
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	clock := opts.Now
	e := &Engine{
		// The store keeps milliseconds: stamping in milliseconds makes what a command
		// answers equal to what is read back later.
		store: store, now: func() time.Time { return clock().Truncate(time.Millisecond) }, loc: opts.Location, log: opts.Logger, opts: opts,
		ops: make(chan *op), quit: make(chan struct{}), heard: make(chan struct{}, 1),
		timers: timerKinds(), timerWake: make(chan struct{}, 1),
	}
	var last int64
	if err := store.Read(context.Background(), func(r Reader) (err error) {
		last, err = r.LastEventID()
		return err
	}); err != nil {
		return nil, fmt.Errorf("engine: reading history: %w", err)
	}
	e.lastPublished = last

	e.wg.Add(1)
	go e.writer()
	if err := e.RunTimers(context.Background()); err != nil {
		e.Close()
		return nil, fmt.Errorf("engine: doing what fell due while stopped: %w", err)
	}
	e.wg.Add(2)
	go e.timerLoop()
	go e.sessionLoop()
	feed, hasFeed := store.(CommitFeed)
	if hasFeed {
		ctx, cancel := context.WithCancel(context.Background())
		e.wg.Add(2)
		go func() { defer e.wg.Done(); <-e.quit; cancel() }()
		go func() {
			defer e.wg.Done()
			if err := feed.WatchCommits(ctx, e.hear); err != nil {
				e.log.Error("engine: listening for other processes' commits", "err", err)
			}
		}()
	}
	if opts.TailInterval > 0 || hasFeed {
		e.wg.Add(1)
		go e.tailLoop()
	}
	return e, nil
}

// Close stops the engine after the commands in flight. It does not close the store.
func (e *Engine) Close() error {
	e.once.Do(func() { close(e.quit) })
	e.wg.Wait()
	return nil
}

// Subscribe feeds committed changes (see Hub). Close the subscription when done.
func (e *Engine) Subscribe(buffer int) *Subscription { return e.hub.Subscribe(buffer) }

// Hub exposes the engine's hub (for counting subscribers in tests).
func (e *Engine) Hub() *Hub { return &e.hub }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.now() }

// Location is the engine's time zone.
func (e *Engine) Location() *time.Location { return e.loc }

// day is the calendar day of t in the engine's zone: the daily cap's counter key.
func (e *Engine) day(t time.Time) string { return t.In(e.loc).Format("2006-01-02") }

// txn is one command's view of the write transaction.
type txn struct {
	Tx
	e      *Engine
	now    time.Time
	events []Event
	wake   bool
	// notices gathers a bulk command's notifications, one per agent (groupNotices).
	notices *noticeBatch
	// globalSent are the events the team's webhook has been sent this command: it hears
	// of each event once, however many agents are told.
	globalSent map[int64]bool
	slaManual  *time.Duration // the setting sla_manual, once read

	leadsSeen map[int64]leadLoad // leads as stored, by id (load.go)
	// external are the leads a batch's external ids name, read at once (nil: no lead);
	// returning what its leads may return to (returning.go).
	external  map[ExternalKey]*Lead
	returning *batchReturning

	// pending are the command's counters and rotations not yet written; batch the
	// transaction's, from the lead creations before it (pending.go).
	pending pendingWrites
	batch   *pendingWrites
	// undo undoes the command's changes to the routing model when it is refused;
	// loadedModel says the command read the model, which then goes with it.
	undo        undoLog
	loadedModel bool
	// tokensOK are the tokens found active in this step (checkToken), by hash.
	tokensOK map[string]bool
}

// record appends a history event.
func (t *txn) record(ev Event) (*Event, error) {
	ev.At = t.now
	if err := t.InsertEvent(&ev); err != nil {
		return nil, fmt.Errorf("recording %s: %w", ev.Kind, err)
	}
	t.events = append(t.events, ev)
	return &t.events[len(t.events)-1], nil
}

// write runs fn as one command: in the writer's current transaction, inside its own
// savepoint. It returns once the transaction has committed (or fn was refused).
func (e *Engine) write(ctx context.Context, fn func(*txn) error) error {
	return e.submit(&op{ctx: ctx, fn: fn, done: make(chan struct{})})
}

// writeRouting is write for lead creation: the command's rotations and counts are
// written once for the transaction. The command may change leads, history,
// notifications and shares, not the team, the rules or the settings.
func (e *Engine) writeRouting(ctx context.Context, fn func(*txn) error) error {
	return e.submit(&op{ctx: ctx, fn: fn, routes: true, done: make(chan struct{})})
}

func (e *Engine) submit(o *op) error {
	ctx := o.ctx
	select {
	case e.ops <- o:
	case <-ctx.Done():
		return ctx.Err()
	case <-e.quit:
		return ErrClosed
	}
	// Once taken, the command's fate is decided by the writer: wait for it, so that the
	// caller never reports failure for a change that committed.
	<-o.done
	return o.err
}

// read runs fn on a read snapshot.
func (e *Engine) read(ctx context.Context, fn func(Reader) error) error {
	return e.store.Read(ctx, fn)
}

func (e *Engine) writer() {
	defer e.wg.Done()
	for {
		select {
		case <-e.quit:
			return
		case first := <-e.ops:
			batch := []*op{first}
		gather:
			for len(batch) < e.opts.MaxBatch {
				select {
				case o := <-e.ops:
					batch = append(batch, o)
				default:
					break gather
				}
			}
			e.commit(batch)
		}
	}
}

// commit runs a batch of commands in one transaction and answers each.
//
// Each command runs in its own savepoint (step), but for a run of single lead creations
// next to each other in the batch, which run together as one command (intake.go).
func (e *Engine) commit(batch []*op) {
	defer func() {
		for _, o := range batch {
			close(o.done)
		}
	}()
	if e.commitBatch(batch, true) {
		for _, o := range batch {
			o.err, o.events, o.wake = nil, nil, false
		}
		e.commitBatch(batch, false)
	}
}

// commitBatch is commit, merging runs of lead creations when merge is set. It reports
// that the batch must run again without merging: its first command, merged creations
// run without a savepoint, failed, and the transaction was rolled back.
func (e *Engine) commitBatch(batch []*op, merge bool) (again bool) {
	fail := func(err error) {
		for _, o := range batch {
			if o.err == nil {
				o.err = err
			}
		}
	}
	began := time.Now()
	tx, err := e.store.Begin(context.Background())
	if err != nil {
		fail(fmt.Errorf("starting transaction: %w", err))
		return false
	}
	if !tx.Unchanged() { // another process or node committed: the model may be stale
		e.model = nil
	}
	abort := func(err error) {
		tx.Rollback()
		e.model = nil
		fail(err)
	}
	var pending pendingWrites // what the lead creations so far left to write
	for rest := batch; len(rest) > 0; {
		n := 1
		if merge {
			n = max(creationRun(rest), 1)
		}
		var fatal error
		if n > 1 {
			fatal = e.runCreations(tx, rest[:n], &pending, len(rest) == len(batch))
		} else {
			fatal = e.runOp(tx, rest[0], &pending, len(batch) == 1)
		}
		if errors.Is(fatal, errRunAlone) {
			tx.Rollback()
			e.model = nil
			return true
		}
		if fatal != nil {
			abort(fatal)
			return false
		}
		rest = rest[n:]
	}
	ran := 0
	for _, o := range batch {
		if o.err == nil {
			ran++
		}
	}
	if ran == 0 {
		tx.Rollback()
		return false
	}
	if err := pending.flush(tx); err != nil {
		abort(fmt.Errorf("writing counts and rotations: %w", err))
		for _, o := range batch {
			o.events = nil
		}
		return false
	}
	if err := tx.Commit(); err != nil {
		e.model = nil
		fail(fmt.Errorf("commit: %w", err))
		for _, o := range batch {
			o.events = nil
		}
		return false
	}
	took := time.Since(began)
	var events []Event
	wake := false
	for _, o := range batch {
		if o.err == nil {
			events = append(events, o.events...)
			wake = wake || o.wake
		}
	}
	if e.opts.Observe != nil {
		e.opts.Observe(Commit{Commands: ran, Took: took, Events: events})
	}
	if len(events) > 0 {
		e.ownHead.Store(events[len(events)-1].ID)
	}
	e.publishCommitted(events)
	if wake {
		e.wakeTimers()
	}
	return false
}

// runOp runs one command of the batch in its own savepoint – or none when it is alone
// in the batch (bareStep) – and notes its outcome on o. The error it returns is the
// transaction's, which can no longer commit.
func (e *Engine) runOp(tx WriteTx, o *op, pending *pendingWrites, alone bool) error {
	if err := o.ctx.Err(); err != nil {
		o.err = err
		return nil
	}
	now := e.now()
	if err := e.ready(tx, now, o.routes, pending); err != nil {
		return err
	}
	step := e.step
	if alone {
		step = e.bareStep
	}
	t, err, fatal := step(tx, now, pending, o.fn, !o.routes)
	if fatal != nil {
		return fatal
	}
	if err != nil {
		o.err = err
		return nil
	}
	o.events, o.wake = t.events, t.wake
	return nil
}

// ready prepares the transaction for a command at now: other commands than lead
// creation read the store as it is, so the lead creations' counts and rotations are
// written first; so they are when the day changed, whose counts start from the store.
func (e *Engine) ready(tx WriteTx, now time.Time, routes bool, pending *pendingWrites) error {
	newDay := e.model != nil && e.model.day != e.day(now)
	if routes && !newDay {
		return nil
	}
	if err := pending.flush(tx); err != nil {
		return fmt.Errorf("writing counts and rotations: %w", err)
	}
	if newDay {
		e.model = nil
	}
	return nil
}

// step runs fn as one command at now, inside its own savepoint. err is the command's:
// it was refused, or the store failed to write its changes, and it is undone alone
// (with what it changed in the routing model); on success its pending writes join the
// transaction's. fatal is the transaction's, which can no longer commit.
func (e *Engine) step(tx WriteTx, now time.Time, pending *pendingWrites, fn func(*txn) error, flush bool) (t *txn, err, fatal error) {
	if err := tx.Savepoint(); err != nil {
		return nil, nil, fmt.Errorf("savepoint: %w", err)
	}
	t = &txn{Tx: tx, e: e, now: now, batch: pending}
	err = runCommand(t, fn, flush)
	if err == nil {
		// A store may hold a command's writes back until the release, and report
		// their failure there: then the command failed, alone.
		if err = tx.ReleaseSavepoint(); err == nil {
			pending.merge(&t.pending)
			return t, nil, nil
		}
		err = fmt.Errorf("storing the change: %w", err)
	}
	e.undoModel(t)
	if rerr := tx.RollbackToSavepoint(); rerr != nil {
		return t, err, fmt.Errorf("rolling back a refused command: %w", rerr)
	}
	if rerr := tx.ReleaseSavepoint(); rerr != nil {
		return t, err, fmt.Errorf("releasing savepoint: %w", rerr)
	}
	return t, err, nil
}

// bareStep is step for the first command of a transaction, without a savepoint of its
// own: there is nothing before it to keep, and a savepoint would copy every page its
// rows change (SQLite) – a bulk command's 10 000 leads and events. The empty savepoint
// after it makes the store write what it held back, so that a failure to write is still
// the command's. A command that fails here cannot be undone alone: the transaction must
// be rolled back, which commitBatch does when no command ran (the command was alone) or
// when merged creations fail (errRunAlone).
func (e *Engine) bareStep(tx WriteTx, now time.Time, pending *pendingWrites, fn func(*txn) error, flush bool) (t *txn, err, fatal error) {
	t = &txn{Tx: tx, e: e, now: now, batch: pending}
	err = runCommand(t, fn, flush)
	if err == nil {
		if err = tx.Savepoint(); err == nil {
			err = tx.ReleaseSavepoint()
		}
		if err == nil {
			pending.merge(&t.pending)
			return t, nil, nil
		}
		err = fmt.Errorf("storing the change: %w", err)
	}
	e.undoModel(t)
	return t, err, nil
}

// undoModel takes back what a refused command changed in the routing model: its
// changes, or the whole model when the command read it.
func (e *Engine) undoModel(t *txn) {
	if t.loadedModel {
		e.model = nil
	} else {
		t.undo.undo()
	}
}

// runCommand runs fn, then writes the counters and rotations it changed when flush is
// set (else the transaction writes them), turning a panic into an error so that one
// bad command cannot take the writer (and every other caller) down.
func runCommand(t *txn, fn func(*txn) error, flush bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("engine: command panicked: %v\n%s", r, debug.Stack())
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if !flush {
		return nil
	}
	return t.pending.flush(t.Tx)
}

// publishCommitted hands a commit's events to the hub. History ids increase in commit
// order across processes, so a gap before our first id means another process committed
// in between: publish its events first.
func (e *Engine) publishCommitted(events []Event) {
	if len(events) == 0 {
		return
	}
	e.pubMu.Lock()
	defer e.pubMu.Unlock()
	if events[0].ID > e.lastPublished+1 {
		e.publishForeignLocked(events[0].ID - 1)
	}
	// The tail may have read our commit before we got the lock: skip what it published.
	for len(events) > 0 && events[0].ID <= e.lastPublished {
		events = events[1:]
	}
	if len(events) == 0 {
		return
	}
	e.hub.publish(Change{Events: events})
	e.lastPublished = events[len(events)-1].ID
}

// publishForeignLocked publishes history written by other processes, up to id upTo
// (0: all). pubMu must be held.
func (e *Engine) publishForeignLocked(upTo int64) {
	const page = 1000
	for {
		var evs []Event
		err := e.read(context.Background(), func(r Reader) (err error) {
			evs, err = r.Events(EventFilter{Ascending: true, AfterID: e.lastPublished, Limit: page})
			return err
		})
		if err != nil {
			e.log.Error("engine: tailing history", "err", err)
			return
		}
		if upTo > 0 {
			for i, ev := range evs {
				if ev.ID > upTo {
					evs = evs[:i]
					break
				}
			}
		}
		if len(evs) == 0 {
			return
		}
		e.hub.publish(Change{Events: evs})
		e.lastPublished = evs[len(evs)-1].ID
		// Another process may have added or moved a due time (a share, an SLA, a
		// presence): the timers look again.
		e.wakeTimers()
		if len(evs) < page {
			return
		}
	}
}

// tailLoop picks up history that other processes wrote to the same database: the CLI
// importing while serve runs, other nodes on PostgreSQL. It reads history when a store's
// CommitFeed announces a commit, and every TailInterval whatever it heard, so that a
// missed announcement costs latency, never an event.
func (e *Engine) tailLoop() {
	defer e.wg.Done()
	var tick <-chan time.Time
	if e.opts.TailInterval > 0 {
		t := time.NewTicker(e.opts.TailInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-e.quit:
			return
		case <-tick:
			e.catchUp(0)
		case <-e.heard:
			head := e.heardHead.Load()
			if e.heardUnknown.Swap(false) {
				head = 0
			}
			e.catchUp(head)
		}
	}
}

// hear is the CommitFeed's callback: head is a commit's newest event id, 0 when
// commits may have gone by unheard.
func (e *Engine) hear(head int64) {
	if head == 0 {
		e.heardUnknown.Store(true)
	}
	for {
		old := e.heardHead.Load()
		if head <= old || e.heardHead.CompareAndSwap(old, head) {
			break
		}
	}
	select {
	case e.heard <- struct{}{}:
	default:
	}
}

// catchUp publishes what other processes committed, up to head at least (0: whatever
// there is). A head this engine has published, or one at or below its own last commit
// (whose publishing fills any gap below it), needs no read.
func (e *Engine) catchUp(head int64) {
	e.pubMu.Lock()
	defer e.pubMu.Unlock()
	if head > 0 && (head <= e.lastPublished || head <= e.ownHead.Load()) {
		return
	}
	e.publishForeignLocked(0)
}
