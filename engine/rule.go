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

// Recipient is one agent, or one team, in a rule's rotation (R19: a team stands for
// its members, in the team's order, each with the team's PerRound, as they are when a
// lead is routed). Exactly one of AgentID and TeamID is set.
type Recipient struct {
	AgentID  int64
	Agent    string // handle
	TeamID   int64
	Team     string // name
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
		s.Recipients = append(s.Recipients, RecipientSpec{Agent: rc.Agent, Team: rc.Team, PerRound: rc.PerRound})
	}
	return s
}

// RecipientSpec names a recipient: an agent by handle, or a team by name (R19).
type RecipientSpec struct {
	Agent    string
	Team     string
	PerRound int // 0 means 1
}

// String writes the recipient as ParseRecipients reads it: "bob", "bob:2",
// "team:emea", "team:emea:2".
func (r RecipientSpec) String() string {
	s := r.Agent
	if r.Team != "" {
		s = "team:" + r.Team
	}
	if r.PerRound > 1 {
		s += ":" + strconv.Itoa(r.PerRound)
	}
	return s
}

// ParseRecipients is the one reader of recipients as people write them, in the CLI's
// --to, the console's rule editor and the API's recipient lists alike: in rotation
// order, separated by commas or spaces, each an agent's handle or "team:NAME" (R19),
// with an optional number of consecutive leads per turn after a colon: "bob:2, carol,
// team:emea:2". An empty string is no recipients (the rule then means the whole team).
// It checks the form; the rule's save checks the rest (limits, twice-listed
// recipients, agents and teams that exist).
func ParseRecipients(s string) ([]RecipientSpec, error) {
	var out []RecipientSpec
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		rs, err := parseRecipient(t)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}

// parseRecipient reads one recipient. "team:2" is the agent called team, two leads a
// turn: a team's name is never a number.
func parseRecipient(t string) (RecipientSpec, error) {
	parts := strings.Split(t, ":")
	rs := RecipientSpec{PerRound: 1}
	count := ""
	switch {
	case len(parts) >= 2 && parts[0] == "team" && !isNumber(parts[1]):
		if len(parts) > 3 {
			return rs, invalidf("recipients", "recipient %q: write team:NAME or team:NAME:N, e.g. team:emea:2", t)
		}
		rs.Team = parts[1]
		if len(parts) == 3 {
			count = parts[2]
		}
	case len(parts) > 2:
		return rs, invalidf("recipients", "recipient %q: write HANDLE, HANDLE:N, team:NAME or team:NAME:N, e.g. bob:2", t)
	default:
		rs.Agent = parts[0]
		if len(parts) == 2 {
			count = parts[1]
		}
	}
	if rs.Agent == "" && rs.Team == "" {
		return rs, invalidf("recipients", "recipient %q has no handle: write HANDLE or HANDLE:N, e.g. bob:2", t)
	}
	if len(parts) > 1 && (rs.Agent != "" || len(parts) == 3) {
		v, err := strconv.Atoi(count)
		if err != nil || v < 1 || v > maxPerRound {
			return rs, invalidf("recipients", "recipient %q: the leads per turn after the colon are a number from 1 to %d, e.g. bob:2", t, maxPerRound)
		}
		rs.PerRound = v
	}
	return rs, nil
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// FormatRecipients writes recipients the way ParseRecipients reads them.
func FormatRecipients(rs []RecipientSpec) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
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
		s.Recipients[i].Team = strings.TrimSpace(s.Recipients[i].Team)
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
		if (r.Agent == "") == (r.Team == "") {
			return invalidf("recipients", "a recipient is an agent's handle or a team's name, one of the two")
		}
		name := r.Agent
		if r.Team != "" {
			name = "team:" + r.Team
		}
		if seen[name] {
			return invalidf("recipients", "%s is listed twice: give it a larger per_round instead", short(name))
		}
		seen[name] = true
		if r.PerRound < 1 || r.PerRound > maxPerRound {
			return invalidf("recipients", "per_round for %s is %d: it must be between 1 and %d", short(name), r.PerRound, maxPerRound)
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
