// Package engine is switchboard's domain: leads, agents, rules, shares, routing,
// permissions, history and the notification outbox.
//
// Every state change is a command on *Engine that takes an Actor, checks the actor's
// permission, and runs in ONE store transaction that writes the new state, its history
// events and its outbox rows together. After the transaction commits the engine
// publishes the events on its Hub. The package knows no SQL and no terminal: it talks to
// storage through the Store interface, and the console, the SSH server, the HTTP API and
// the CLI all talk to it.
//
// Routing follows the rules R1–R12 listed in README ("Routing"); routing.go is written
// to be read side by side with them. It is a pure function, decide, over a routing
// model (routingmodel.go): the team with each agent's load and assignments today, the
// rules with their rotations, the active shares of the agents broadcast rules share
// with. The writer keeps the model in memory from one transaction to the next while no
// other process has committed (WriteTx.Unchanged), so routing a lead reads nothing
// from the store; the same function routes over a team held in memory, for
// simulations. Who is eligible (eligibility), who a rule's recipients are (recipients)
// and what runs before the owner rules (preSteps) are each decided in one place there.
// The counters and rotations routing changes are written once per command, or once per
// transaction for lead creation (pending.go). The one pre-step today is R20: a new lead
// that returns (its e-mail or phone matches a recent owned lead, returning.go) goes back
// to that lead's owner when the owner can take it.
//
// Doors. Every way a lead comes in – the API, CSV, the CLI, a web form (forms.go: a
// public fk_ key that may only create leads), e-mail (mail.go: what a decoded message
// becomes; engine/mailintake speaks SMTP) – ends in the one lead creation command, so
// routing, history, notifications and idempotency are the same for all of them.
//
// Timers. Work that falls due at a time kept in rows – a share's end, an SLA deadline,
// a hand-off – is a timer kind (timer.go): a next function that reads when its earliest
// row is due, and a fire function that, inside a write transaction, selects the rows
// due at that moment and changes them. One loop per engine sleeps until the earliest
// due time of every kind (at most five seconds), fires the kinds that are due, and is
// woken when a command moves a due time (txn.wake) or another process commits. Because
// fire selects inside the transaction, which holds the database's one write lock, each
// due row changes once however many engines (processes, nodes) run its timer; and
// because New fires every kind once before it returns, work that fell due while no
// engine ran is done at start. A new kind of due work is one more entry in timerKinds.
//
// Settings. Team settings are one registry (settings.go, settingDefs): key, kind (text,
// URL, secret, duration, list), default, checks and who may read the value. The API's
// /v1/settings, the CLI's `setting` and the engine's own reads all follow it; a new
// setting is one more entry. Every change is a settings.changed event per key, with the
// value before and after as people read them (a secret only as set or not).
package engine
