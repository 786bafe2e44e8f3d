package engine

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Mode is how a rule hands out leads.
type Mode string

const (
	RoundRobin  Mode = "round_robin"  // R6: weighted turns in a fixed order
	LoadBalance Mode = "load_balance" // R7: the least-loaded recipient
	Broadcast   Mode = "broadcast"    // R3: share with every recipient; never sets the owner
)

// Modes lists every mode.
var Modes = []Mode{RoundRobin, LoadBalance, Broadcast}

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", invalidf("mode", "unknown mode %s: use round_robin, load_balance or broadcast", short(s))
}

// SetsOwner reports whether rules of this mode assign an owner (R2).
func (m Mode) SetsOwner() bool { return m == RoundRobin || m == LoadBalance }

// Label is the mode as people read it.
func (m Mode) Label() string { return strings.ReplaceAll(string(m), "_", " ") }

// Recipient is one agent in a rule's rotation.
type Recipient struct {
	AgentID  int64
	Agent    string // handle
	PerRound int    // 1–10: consecutive leads per turn (R6)
}

// Rule routes the leads its condition matches.
type Rule struct {
	ID        int64
	Name      string
	Position  int // 1 = evaluated first
	Enabled   bool
	Condition string // expr-lang; "" matches every lead
	Mode      Mode
	// Recipients in rotation order. Empty means the whole team: every agent with the
	// agent role, alphabetical by handle, resolved when a lead is routed.
	Recipients []Recipient
	// Broadcast only: the access and duration of the shares it makes (0 = until revoked).
	ShareAccess   Access
	ShareDuration time.Duration
	// Owner rules only: the time its owner has for first contact (0 = no SLA), and what
	// happens when it passes (R14).
	SLA       time.Duration
	SLAAction SLAAction
	// Rotation state, saved in the same transaction as each assignment (R6, R7).
	TurnAgentID int64 // round robin: whose turn it is (0: the first recipient's)
	TurnGiven   int   // round robin: leads given in the current turn
	LastAgentID int64 // load balance: the recipient this rule assigned last
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RuleSpec is the input of CreateRule and UpdateRule.
type RuleSpec struct {
	Name          string
	Enabled       *bool // nil: enabled on create, unchanged on update
	Condition     string
	Mode          Mode
	Recipients    []RecipientSpec
	ShareAccess   Access
	ShareDuration time.Duration
	// SLA and SLAAction (default reroute) apply to owner rules only.
	SLA       time.Duration
	SLAAction SLAAction
}

// Spec is the rule's definition, to change a part of it and save it again.
func (r Rule) Spec() RuleSpec {
	on := r.Enabled
	s := RuleSpec{Name: r.Name, Enabled: &on, Condition: r.Condition, Mode: r.Mode,
		ShareAccess: r.ShareAccess, ShareDuration: r.ShareDuration, SLA: r.SLA, SLAAction: r.SLAAction}
	for _, rc := range r.Recipients {
		s.Recipients = append(s.Recipients, RecipientSpec{Agent: rc.Agent, PerRound: rc.PerRound})
	}
	return s
}

// RecipientSpec names a recipient by handle.
type RecipientSpec struct {
	Agent    string
	PerRound int // 0 means 1
}

// ParseRecipients reads recipients as people write them, in the CLI's --to and the
// console's rule editor alike: handles in rotation order, separated by commas or spaces,
// each with an optional number of consecutive leads per turn, "bob:2, carol". An empty
// string is no recipients (the rule then means the whole team). It checks the form; the
// rule's save checks the rest (limits, twice-listed handles, agents that exist).
func ParseRecipients(s string) ([]RecipientSpec, error) {
	var out []RecipientSpec
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		h, n, hasN := strings.Cut(t, ":")
		rs := RecipientSpec{Agent: h, PerRound: 1}
		if h == "" {
			return nil, invalidf("recipients", "recipient %q has no handle: write HANDLE or HANDLE:N, e.g. bob:2", t)
		}
		if hasN {
			v, err := strconv.Atoi(n)
			if err != nil || v < 1 || v > maxPerRound {
				return nil, invalidf("recipients", "recipient %q: the leads per turn after the colon are a number from 1 to %d, e.g. bob:2", t, maxPerRound)
			}
			rs.PerRound = v
		}
		out = append(out, rs)
	}
	return out, nil
}

// FormatRecipients writes recipients the way ParseRecipients reads them.
func FormatRecipients(rs []RecipientSpec) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Agent
		if r.PerRound > 1 {
			parts[i] += ":" + strconv.Itoa(r.PerRound)
		}
	}
	return strings.Join(parts, ", ")
}

// ParseSLA reads an owner rule's SLA as people write it, like a share's duration ("90s",
// "15m", "4h"); "" is none. Its errors name the field sla.
func ParseSLA(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return 0, invalidf("sla", "sla: %s (or empty: none)", strings.TrimPrefix(err.Error(), "duration "))
	}
	return d, nil
}

const (
	maxRecipients = 200
	maxPerRound   = 10
)

func (s *RuleSpec) normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.Condition = strings.TrimSpace(s.Condition)
	for i := range s.Recipients {
		s.Recipients[i].Agent = strings.TrimSpace(s.Recipients[i].Agent)
		if s.Recipients[i].PerRound == 0 {
			s.Recipients[i].PerRound = 1
		}
	}
	if s.Mode == Broadcast && s.ShareAccess == "" {
		s.ShareAccess = AccessRead
	}
	if s.Mode != Broadcast {
		s.ShareAccess, s.ShareDuration = "", 0
	}
	if s.SLAAction == "" {
		s.SLAAction = SLAReroute
	}
}

// validate checks everything but the condition and whether the agents exist.
func (s *RuleSpec) validate() error {
	if s.Name == "" {
		return invalidf("name", "a rule needs a name")
	}
	if err := checkText("name", s.Name, MaxNameLen); err != nil {
		return err
	}
	if _, err := ParseMode(string(s.Mode)); err != nil {
		return err
	}
	if err := checkConditionText(s.Condition); err != nil {
		return err
	}
	if len(s.Recipients) > maxRecipients {
		return invalidf("recipients", "a rule can have at most %d recipients", maxRecipients)
	}
	seen := map[string]bool{}
	for _, r := range s.Recipients {
		if r.Agent == "" {
			return invalidf("recipients", "a recipient needs an agent handle")
		}
		if seen[r.Agent] {
			return invalidf("recipients", "%s is listed twice: give it a larger per_round instead", r.Agent)
		}
		seen[r.Agent] = true
		if r.PerRound < 1 || r.PerRound > maxPerRound {
			return invalidf("recipients", "per_round for %s is %d: it must be between 1 and %d", r.Agent, r.PerRound, maxPerRound)
		}
	}
	if _, err := ParseSLAAction(string(s.SLAAction)); err != nil {
		return err
	}
	if s.SLA < 0 || s.SLA > maxShareDuration {
		return invalidf("sla", "an SLA is a positive duration of at most 10 years, like 90s, 15m or 4h (or empty: none)")
	}
	if s.Mode == Broadcast && s.SLA > 0 {
		return invalidf("sla", "a broadcast rule sets no owner, so it has no SLA: give the SLA to an owner rule")
	}
	if s.Mode == Broadcast {
		if s.ShareAccess != AccessRead && s.ShareAccess != AccessEdit {
			return invalidf("share_access", "share access %q: use read or edit", s.ShareAccess)
		}
		if s.ShareDuration < 0 || s.ShareDuration > maxShareDuration {
			return invalidf("share_duration", "share duration must be positive and at most 10 years (or empty: until revoked)")
		}
	}
	return nil
}
