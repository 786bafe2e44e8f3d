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
// Routing follows DESIGN.md §4 (rules R1–R12); routing.go is written to be read
// side by side with it.
package engine
