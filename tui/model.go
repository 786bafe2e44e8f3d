// Package tui is switchboard's console: one Bubble Tea model per session, acting as one
// engine actor. Every change goes through the engine; every change anyone makes comes
// back through the engine's hub and redraws the panes that show it.
package tui

import (
	"context"
	"sync"

	"github.com/switchboard/switchboard/engine"
)

// Options configure a console session. The zero value is usable.
type Options struct {
	Width, Height  int  // initial terminal size (resizes arrive as tea.WindowSizeMsg)
	DarkBackground bool // initial guess; a tea.BackgroundColorMsg updates it
}

// Model is the console of one session. *Model implements tea.Model.
type Model struct {
	eng   *engine.Engine
	actor engine.Actor

	// ctx bounds every engine call the session makes; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	sub    *engine.Subscription
	once   sync.Once

	width, height int
	dark          bool

	agents []engine.Agent
	queued int
	err    error
}

// New returns the console model for one session, acting as actor.
func New(eng *engine.Engine, actor engine.Actor, opts Options) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	return &Model{
		eng: eng, actor: actor,
		ctx: ctx, cancel: cancel,
		sub:   eng.Subscribe(64),
		width: opts.Width, height: opts.Height,
		dark: opts.DarkBackground,
	}
}

// Close releases the session's subscription and cancels its engine calls. The SSH
// server calls it on disconnect; it is safe to call more than once.
func (m *Model) Close() {
	m.once.Do(func() {
		m.cancel()
		m.sub.Close()
	})
}
