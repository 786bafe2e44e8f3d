package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Team settings live in one registry, settingDefs: every face (the API's
// GET/PATCH /v1/settings, the CLI's `setting`, the engine's own reads) learns from it
// which keys exist, what each holds, how a value is checked, what an unset one means
// and who may read it. A new setting is one more entry there, and nothing else.
//
// Values are stored as text: durations in their short form ("15m", "" = off), lists as
// a JSON array. An unset setting (never set, or unset) reads as its default; an empty
// value is a value ("" = off), so a setting whose default is on can be turned off.

// SettingKind is what a setting holds.
type SettingKind string

const (
	TextSetting     SettingKind = "text"     // one line of text
	URLSetting      SettingKind = "url"      // an absolute http(s) URL the server will call
	SecretSetting   SettingKind = "secret"   // made by switchboard; readers below ReadRole see only whether it is set
	DurationSetting SettingKind = "duration" // as R9 writes them: 90s, 15m, 4h, 7d, 2w; "" = off
	ListSetting     SettingKind = "list"     // a list of short texts
)

// SettingDef describes one setting.
type SettingDef struct {
	Key   string
	Kind  SettingKind
	About string // what it does, on one line, for people
	// Default is the value of an unset setting, as stored ("" = off or none); a list's
	// is DefaultList.
	Default     string
	DefaultList []string
	// MaxLen bounds a text, or each item of a list, in characters (0: MaxNameLen).
	MaxLen int
	// MaxItems bounds a list (0: 100).
	MaxItems int
	// Check, when set, checks a value (each item of a list) beyond what its kind checks;
	// its error is shown to people as it is.
	Check func(v string) error
	// ReadRole is the lowest role that may read the value; the others who may manage
	// settings see only whether it is set. Empty: whoever may manage settings.
	ReadRole Role
	// ReadOnly settings are made by switchboard; nobody sets them.
	ReadOnly bool
	// changed runs in the transaction that changed the setting, after the change.
	changed func(t *txn, value string) error
}

// Setting keys.
const (
	SettingCompany       = "company"        // "sent to you by NAME at COMPANY"
	SettingWebhookURL    = "webhook_url"    // the global webhook, sent every external notification
	SettingWebhookSecret = "webhook_secret" // its HMAC key
	SettingSLAManual     = "sla_manual"     // the SLA of a person's assignment (R14; "" = none)
	SettingHandoffAfter  = "handoff_after"  // how long away or offline before hand-off (R15; "" = never)
	SettingAutoAway      = "auto_away"      // how long without a console session before the system sets away (R18; "" = never)
)

// settingDefs is the registry, in the order people see the settings.
var settingDefs = []SettingDef{
	{Key: SettingCompany, Kind: TextSetting, MaxLen: MaxCompanyLen,
		About: `the team's company: e-mail says "sent to you by NAME at COMPANY"`},
	{Key: SettingWebhookURL, Kind: URLSetting, MaxLen: MaxURLLen,
		About:   "a webhook sent every e-mail-worthy notification, for a team chat channel",
		changed: makeWebhookSecret},
	{Key: SettingWebhookSecret, Kind: SecretSetting, ReadRole: RoleOwner, ReadOnly: true,
		About: "the HMAC key of X-Switchboard-Signature on the global webhook (made with webhook_url)"},
	{Key: SettingSLAManual, Kind: DurationSetting,
		About: "time to first contact of a lead a person assigns; then it is re-routed, passing over who missed"},
	{Key: SettingHandoffAfter, Kind: DurationSetting,
		About: "an agent away or offline this long loses its uncontacted open leads to the rules"},
	{Key: SettingStickyWindow, Kind: DurationSetting, Default: "90d",
		About: "a lead whose e-mail or phone matches an owned lead this recent goes back to that lead's owner (\"\" = off)"},
	{Key: SettingAutoAway, Kind: DurationSetting,
		About:   "an available or busy agent with no console session this long is set away, and back when one opens",
		changed: autoAwayChanged},
	{Key: SettingMailRecipients, Kind: ListSetting, MaxLen: MaxEmailLen, MaxItems: 50, Check: mailAddressCheck,
		About: "the addresses e-mail intake (serve --mail) takes mail for; others are refused at RCPT"},
	{Key: SettingMailKeywords, Kind: ListSetting, MaxLen: 100, DefaultList: DefaultMailKeywords, Check: keywordCheck,
		About: "words or phrases that make a message a lead (whole words, any case); other messages are mail.ignored"},
}

// SettingDefs lists every setting, in the order people see them.
func SettingDefs() []SettingDef { return slices.Clone(settingDefs) }

// SettingByKey is the setting called key; an unknown key is an invalid-input error
// that lists the settings.
func SettingByKey(key string) (SettingDef, error) {
	d, err := lookupSetting(key)
	if err != nil {
		return SettingDef{}, err
	}
	return *d, nil
}

func lookupSetting(key string) (*SettingDef, error) {
	for i := range settingDefs {
		if settingDefs[i].Key == key {
			return &settingDefs[i], nil
		}
	}
	keys := make([]string, len(settingDefs))
	for i, d := range settingDefs {
		keys[i] = d.Key
	}
	return nil, invalidf("key", "unknown setting %s: the settings are %s", short(key), strings.Join(keys, ", "))
}

// Setting is one setting as an actor reads it.
type Setting struct {
	SettingDef
	// Value is the value of a text, URL, duration or secret setting ("" = off or
	// none); a hidden secret's is "".
	Value string
	List  []string // a list's items
	// IsSet is true when the setting holds a value of its own rather than its default;
	// for a secret, that it exists.
	IsSet bool
	// Hidden is true when the reader may know only whether the secret is set.
	Hidden bool
}

// Duration is a duration setting's value (0: off).
func (s Setting) Duration() time.Duration {
	d, _ := parseStoredDuration(s.Value)
	return d
}

// Display writes the value as people read it: "15m", "off", "quote, pricing",
// "(set)"; an unset setting says "(default)".
func (s Setting) Display() string {
	var v string
	switch {
	case s.Kind == SecretSetting:
		v = "(not set)"
		if s.IsSet {
			v = "(set)"
		}
		return v
	case s.Kind == ListSetting:
		v = strings.Join(s.List, ", ")
		if len(s.List) == 0 {
			v = "none"
		}
	case s.Kind == DurationSetting && s.Value == "":
		v = "off"
	case s.Value == "":
		v = "none"
	default:
		v = s.Value
	}
	if !s.IsSet {
		v += " (default)"
	}
	return v
}

// SettingChange is one setting to change.
type SettingChange struct {
	Key string
	// Text is the value as people write it; a list's items are separated by commas or
	// line breaks ("quote, pricing, demo"). "" is a value: off, or empty.
	Text string
	// List, when not nil, gives a list's items one by one (JSON arrays); Text is then
	// ignored.
	List []string
	// Unset puts the setting back to its default.
	Unset bool
}

// readSetting reads one setting's stored value, or its default.
func readSetting(r Reader, d *SettingDef) (Setting, error) {
	s := Setting{SettingDef: *d}
	raw, err := r.Setting(d.Key)
	switch {
	case errors.Is(err, ErrNoRows):
		s.Value, s.List = d.Default, slices.Clone(d.DefaultList)
		return s, nil
	case err != nil:
		return Setting{}, fmt.Errorf("reading setting %s: %w", d.Key, err)
	}
	s.IsSet = true
	if d.Kind == SecretSetting && raw == "" {
		s.IsSet = false
	}
	if d.Kind == ListSetting {
		if err := json.Unmarshal([]byte(raw), &s.List); err != nil {
			return Setting{}, fmt.Errorf("reading setting %s: the stored list: %w", d.Key, err)
		}
		if s.List == nil {
			s.List = []string{}
		}
		return s, nil
	}
	s.Value = raw
	return s, nil
}

// seeAs hides a secret from a reader below its ReadRole.
func (s Setting) seeAs(actor Actor) Setting {
	if s.Kind == SecretSetting && s.ReadRole != "" && !actor.Role.AtLeast(s.ReadRole) {
		s.Value, s.Hidden = "", true
	}
	return s
}

// settingValue is what the engine itself reads of a setting (no permission: the
// engine reads its own settings).
func settingValue(r Reader, key string) (Setting, error) {
	d, err := lookupSetting(key)
	if err != nil {
		return Setting{}, err
	}
	return readSetting(r, d)
}

// Settings reads every setting, in the registry's order. Admins and owners read them;
// a secret's value only its ReadRole.
func (e *Engine) Settings(ctx context.Context, actor Actor) ([]Setting, error) {
	if err := actor.require(ActManageSettings); err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(settingDefs))
	err := e.read(ctx, func(r Reader) error {
		out = out[:0]
		for i := range settingDefs {
			s, err := readSetting(r, &settingDefs[i])
			if err != nil {
				return err
			}
			out = append(out, s.seeAs(actor))
		}
		return nil
	})
	return out, err
}

// Setting reads one setting.
func (e *Engine) Setting(ctx context.Context, actor Actor, key string) (Setting, error) {
	if err := actor.require(ActManageSettings); err != nil {
		return Setting{}, err
	}
	d, err := lookupSetting(key)
	if err != nil {
		return Setting{}, err
	}
	var out Setting
	err = e.read(ctx, func(r Reader) (err error) {
		out, err = readSetting(r, d)
		return err
	})
	return out.seeAs(actor), err
}

// SetSetting changes one setting, given as people write it ("" = off or none).
func (e *Engine) SetSetting(ctx context.Context, actor Actor, key, value string) error {
	_, err := e.ChangeSettings(ctx, actor, []SettingChange{{Key: key, Text: value}})
	return err
}

// UnsetSetting puts one setting back to its default.
func (e *Engine) UnsetSetting(ctx context.Context, actor Actor, key string) error {
	_, err := e.ChangeSettings(ctx, actor, []SettingChange{{Key: key, Unset: true}})
	return err
}

// ChangeSettings changes settings, all or nothing: one bad value changes none. Each
// setting whose value changes is one settings.changed event (before → after, as
// Display writes them, so a secret's value never reaches history). It answers every
// setting as the actor now reads it.
func (e *Engine) ChangeSettings(ctx context.Context, actor Actor, changes []SettingChange) ([]Setting, error) {
	if err := actor.require(ActManageSettings); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, invalidf("", "no settings given: name at least one")
	}
	type planned struct {
		def   *SettingDef
		value string // as stored
		unset bool
	}
	plan := make([]planned, 0, len(changes))
	seen := map[string]bool{}
	for _, c := range changes {
		d, err := lookupSetting(c.Key)
		if err != nil {
			return nil, err
		}
		if seen[d.Key] {
			return nil, invalidf(d.Key, "%s is given twice", d.Key)
		}
		seen[d.Key] = true
		if d.ReadOnly {
			return nil, invalidf(d.Key, "%s cannot be set: switchboard makes it", d.Key)
		}
		p := planned{def: d, unset: c.Unset}
		if !c.Unset {
			if p.value, err = e.checkSetting(d, c); err != nil {
				return nil, err
			}
		}
		plan = append(plan, p)
	}
	var out []Setting
	err := e.write(ctx, func(t *txn) error {
		for _, p := range plan {
			before, err := readSetting(t, p.def)
			if err != nil {
				return err
			}
			if p.unset {
				err = t.UnsetSetting(p.def.Key)
			} else {
				err = t.SetSetting(p.def.Key, p.value)
			}
			if err != nil {
				return fmt.Errorf("storing setting %s: %w", p.def.Key, err)
			}
			after, err := readSetting(t, p.def)
			if err != nil {
				return err
			}
			if before.Display() == after.Display() {
				continue
			}
			if p.def.changed != nil {
				if err := p.def.changed(t, after.Value); err != nil {
					return err
				}
			}
			if _, err := t.record(Event{Kind: EvSetting, Actor: actor.Name, From: before.Display(), To: after.Display(), Reason: p.def.Key}); err != nil {
				return err
			}
			t.wake = true // a setting may move when timers fall due (handoff_after…)
		}
		out = out[:0]
		for i := range settingDefs {
			s, err := readSetting(t, &settingDefs[i])
			if err != nil {
				return err
			}
			out = append(out, s.seeAs(actor))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSetting checks a change to setting d and returns the value to store.
func (e *Engine) checkSetting(d *SettingDef, c SettingChange) (string, error) {
	maxLen := d.MaxLen
	if maxLen == 0 {
		maxLen = MaxNameLen
	}
	if d.Kind != ListSetting {
		if c.List != nil {
			return "", invalidf(d.Key, "%s takes one value, not a list", d.Key)
		}
		v := strings.TrimSpace(c.Text)
		switch d.Kind {
		case DurationSetting:
			if len(v) > MaxDurationLen {
				return "", invalidf(d.Key, "%s is longer than %d characters: write a duration like 90s, 15m, 4h or 7d", d.Key, MaxDurationLen)
			}
			if err := checkText(d.Key, v, MaxDurationLen); err != nil {
				return "", err
			}
			if v == "" {
				return "", nil
			}
			dur, err := ParseDuration(v)
			if err != nil {
				return "", invalidf(d.Key, "%s: %s (or \"\" for off)", d.Key, strings.TrimPrefix(err.Error(), "duration "))
			}
			v = FormatDuration(dur)
		case URLSetting:
			if err := checkURL(d.Key, v, maxLen); err != nil {
				return "", err
			}
			if err := e.checkWebhookTarget(d.Key, v); err != nil {
				return "", err
			}
		default:
			if err := checkText(d.Key, v, maxLen); err != nil {
				return "", err
			}
		}
		if d.Check != nil && v != "" {
			if err := d.Check(v); err != nil {
				return "", invalidf(d.Key, "%s: %v", d.Key, err)
			}
		}
		return v, nil
	}
	items := c.List
	if items == nil {
		items = strings.FieldsFunc(c.Text, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	}
	maxItems := d.MaxItems
	if maxItems == 0 {
		maxItems = 100
	}
	if len(items) > maxItems {
		return "", invalidf(d.Key, "%s holds at most %d items (got %d)", d.Key, maxItems, len(items))
	}
	list := make([]string, 0, len(items))
	for _, it := range items {
		// Controls first: some (U+0085) are spaces that the squeeze below would hide.
		if err := checkText(d.Key, it, len(it)); err != nil {
			return "", err
		}
		it = strings.Join(strings.FieldsFunc(it, unicode.IsSpace), " ")
		if err := checkText(d.Key, it, maxLen); err != nil {
			return "", err
		}
		if it == "" || slices.Contains(list, it) {
			continue
		}
		if d.Check != nil {
			if err := d.Check(it); err != nil {
				return "", invalidf(d.Key, "%s: %s: %v", d.Key, short(it), err)
			}
		}
		list = append(list, it)
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", d.Key, err)
	}
	return string(b), nil
}

// checkURL accepts "" (none) or an absolute http(s) URL of at most max characters.
func checkURL(field, s string, max int) error {
	if s == "" {
		return nil
	}
	if err := checkText(field, s, max); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidf(field, "%s: %s must be an absolute http:// or https:// URL", field, short(s))
	}
	return nil
}

// parseStoredDuration reads a duration as the registry stores it ("" = 0: off).
func parseStoredDuration(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	return ParseDuration(v)
}

// settingDuration is the engine's read of a duration setting (0: off).
func settingDuration(r Reader, key string) (time.Duration, error) {
	s, err := settingValue(r, key)
	if err != nil {
		return 0, err
	}
	d, err := parseStoredDuration(s.Value)
	if err != nil {
		return 0, fmt.Errorf("setting %s holds %q: %w", key, s.Value, err)
	}
	return d, nil
}

// autoAwayChanged counts every agent's time without a session from now when auto_away
// is turned on or changed: an agent nobody expected to be at a console before is given
// the whole time, rather than set away the moment the setting is saved.
func autoAwayChanged(t *txn, value string) error {
	if value == "" {
		return nil
	}
	agents, err := t.Agents()
	if err != nil {
		return fmt.Errorf("reading the team: %w", err)
	}
	for i := range agents {
		if a := &agents[i]; a.SeenAt.Before(t.now) {
			a.SeenAt = t.now
			if err := t.UpdateAgent(a); err != nil {
				return fmt.Errorf("updating %s: %w", a.Handle, err)
			}
		}
	}
	return nil
}

// makeWebhookSecret gives the global webhook its signing secret when it gets a URL and
// has none.
func makeWebhookSecret(t *txn, url string) error {
	if url == "" {
		return nil
	}
	if s, err := t.Setting(SettingWebhookSecret); errors.Is(err, ErrNoRows) || s == "" {
		if err := t.SetSetting(SettingWebhookSecret, newSecret()); err != nil {
			return fmt.Errorf("storing webhook secret: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("reading webhook secret: %w", err)
	}
	return nil
}
