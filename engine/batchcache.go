package engine

import (
	"errors"
	"fmt"
	"time"
)

// routingCache keeps what routing reads for every lead – the team with today's counts,
// the rules with their rotation state, the global webhook – across the lead creations
// of one transaction, so that a group commit of 500 leads reads them once instead of
// 500 times (they were a third of a routed lead's cost).
//
// It is sound because nothing else writes inside the transaction (BEGIN IMMEDIATE), and
// because lead creation keeps it current: rotation state is updated in the cached rules
// in place, and applyRouting counts an assignment into the cached owner. Every other
// command, and any command that fails (its savepoint is rolled back, the cache is not),
// drops it.
type routingCache struct {
	day     string // the calendar day the team's counts are for
	team    *team
	rules   []Rule
	loaded  bool // rules loaded
	webhook *string
	sticky  *time.Duration // sticky_window
}

// rules are the routing rules in order, from the cache when there is one.
func (t *txn) rules() ([]Rule, error) {
	if c := t.cache; c != nil && c.loaded {
		return c.rules, nil
	}
	rules, err := t.Rules()
	if err != nil {
		return nil, fmt.Errorf("loading rules: %w", err)
	}
	if c := t.cache; c != nil {
		c.rules, c.loaded = rules, true
	}
	return rules, nil
}

// globalWebhook is the team's global webhook URL ("" when unset).
func (t *txn) globalWebhook() (string, error) {
	if c := t.cache; c != nil && c.webhook != nil {
		return *c.webhook, nil
	}
	url, err := t.Setting(SettingWebhookURL)
	if err != nil && !errors.Is(err, ErrNoRows) {
		return "", fmt.Errorf("reading the global webhook: %w", err)
	}
	if c := t.cache; c != nil {
		c.webhook = &url
	}
	return url, nil
}
