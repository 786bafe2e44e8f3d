package engine

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/switchboard/switchboard/engine/netguard"
)

// Presence says whether an agent takes automatic assignments: only available agents do.
type Presence string

const (
	Available Presence = "available"
	Busy      Presence = "busy"
	Away      Presence = "away"
	Offline   Presence = "offline"
)

// Presences lists every presence.
var Presences = []Presence{Available, Busy, Away, Offline}

// ParsePresence checks a presence name.
func ParsePresence(s string) (Presence, error) {
	for _, p := range Presences {
		if string(p) == s {
			return p, nil
		}
	}
	return "", invalidf("presence", "unknown presence %s: use available, busy, away or offline", short(s))
}

// Agent is a member of the sales team.
type Agent struct {
	ID       int64
	Handle   string // unique; the SSH user name
	Name     string
	Email    string
	Role     Role
	Presence Presence
	Capacity int // max open leads; 0 = no limit
	DailyCap int // max automatic assignments per day; 0 = no limit
	// Notification settings.
	EmailNotify   bool
	WebhookURL    string
	WebhookSecret string
	// AwaySince is when the agent last went away or offline from available or busy;
	// zero while it is available or busy. Hand-off (R15) counts from it.
	AwaySince time.Time
	// When people work (R16–R18, people.go).
	TZ       string // IANA zone of its schedule; "" = the server's
	Schedule string // canonical (schedule.Parse); "" = always
	// ScheduleNextAt is the next time its schedule starts (zero: no schedule); the
	// schedule timer drains the queue for it then (R10).
	ScheduleNextAt time.Time
	AwayUntil      time.Time // its away ends by itself then (R17); zero: not set
	// AutoPresence lets the system set it away when it has no console session and back
	// when one opens (R18); true unless the agent opted out.
	AutoPresence bool
	// AutoAwayFrom is the presence it had when the system set it away; "" when the
	// system did not (a person's away is never undone by a session).
	AutoAwayFrom Presence
	// SeenAt is when it was last known to be at a console (a session closed, or its
	// last one expired) or set itself available or busy: auto-away counts from it.
	SeenAt time.Time
	// Sessions is how many console sessions it has open now, in every process; filled
	// by the engine's reads of the team.
	Sessions int
	// Teams are the names of the teams it is in, in name order, separated by commas
	// (a team's name holds none): a text keeps Agent comparable. Filled by the
	// engine's reads of the team; TeamList splits it.
	Teams string
	// Load, kept by the engine.
	OpenLeads      int
	AssignedToday  int // automatic assignments today (the daily cap's counter)
	LastAssignedAt time.Time
	CreatedAt      time.Time
}

// TeamList is the names of the teams the agent is in.
func (a Agent) TeamList() []string {
	if a.Teams == "" {
		return []string{}
	}
	return strings.Split(a.Teams, ",")
}

// InTeam reports whether the agent is in the team called name.
func (a Agent) InTeam(name string) bool {
	for _, t := range a.TeamList() {
		if t == name {
			return true
		}
	}
	return false
}

// NewAgent is the input of AddAgent.
type NewAgent struct {
	Handle      string
	Name        string
	Email       string
	Role        Role // default agent
	Presence    Presence
	Capacity    int
	DailyCap    int
	EmailNotify bool
	WebhookURL  string
	TZ          string
	Schedule    string
	// AutoPresence nil means true.
	AutoPresence *bool
}

// AgentUpdate changes an agent; nil fields are left alone.
type AgentUpdate struct {
	Name        *string
	Email       *string
	Role        *Role
	Presence    *Presence
	Capacity    *int
	DailyCap    *int
	EmailNotify *bool
	WebhookURL  *string
	TZ          *string // "" = the server's zone
	Schedule    *string // "" = always
	// AwayUntil sets the agent away until then (R17), written as ParseWhen reads it in
	// the agent's zone ("2h", "tomorrow 09:00", "2026-12-24", RFC 3339); "" clears it,
	// leaving the presence as it is. Any change of Presence clears it too.
	AwayUntil    *string
	AutoPresence *bool
}

var handlePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,31}$`)

// ValidHandle reports whether h can be an agent's handle (and so an SSH user name).
func ValidHandle(h string) error {
	if !handlePattern.MatchString(h) {
		return invalidf("handle", "handle %q must be 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter", h)
	}
	return nil
}

func validateAgentFields(name, email string, capacity, dailyCap int, webhook string) error {
	if strings.TrimSpace(name) == "" {
		return invalidf("name", "an agent needs a name")
	}
	if err := checkText("name", name, MaxNameLen); err != nil {
		return err
	}
	if err := checkText("email", email, MaxEmailLen); err != nil {
		return err
	}
	if email != "" && !strings.Contains(email, "@") {
		return invalidf("email", "email %s is not an e-mail address", short(email))
	}
	if capacity < 0 || capacity > 100000 {
		return invalidf("capacity", "capacity must be between 0 (no limit) and 100000")
	}
	if dailyCap < 0 || dailyCap > 100000 {
		return invalidf("daily_cap", "daily cap must be between 0 (no limit) and 100000")
	}
	return ValidWebhookURL(webhook)
}

// ValidWebhookURL accepts "" (none) or an absolute http(s) URL.
func ValidWebhookURL(s string) error { return checkURL("webhook_url", s, MaxURLLen) }

// checkWebhookTarget refuses a webhook URL whose host is the server's own machine or
// link (127.0.0.1, localhost, 169.254.169.254…) unless the engine allows local webhooks.
// Names that resolve there are refused by the notification worker when it connects.
func (e *Engine) checkWebhookTarget(field, raw string) error {
	if raw == "" || e.opts.AllowLocalWebhooks {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil // ValidWebhookURL has said why
	}
	if err := netguard.CheckHost(u.Hostname()); err != nil {
		return invalidf(field, "webhook URL %s: %v: webhooks may not reach the server's own machine or link (serve --allow-local-webhooks allows it, for tests)", short(raw), err)
	}
	return nil
}

// Key is an SSH public key registered to an agent.
type Key struct {
	ID          int64
	AgentID     int64
	Fingerprint string // SHA256:…
	PublicKey   string // authorized_keys format, without comment
	Comment     string
	CreatedAt   time.Time
}

// ParseKey reads one authorized_keys line ("ssh-ed25519 AAAA… comment"). The comment is
// shown to people, so it is checked like any other text.
func ParseKey(line string) (Key, error) {
	line = strings.TrimSpace(line)
	if len(line) > MaxKeyLineLen {
		return Key{}, invalidf("key", "the key line is %d bytes long; the limit is %d: give one public key", len(line), MaxKeyLineLen)
	}
	// One line: a line break would hide what follows it from the parser.
	if err := checkText("key", line, MaxKeyLineLen); err != nil {
		return Key{}, err
	}
	pk, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return Key{}, invalidf("key", "not an SSH public key (expected a line like \"ssh-ed25519 AAAA… you@host\"): %v", err)
	}
	if err := checkText("comment", comment, MaxKeyCommentLen); err != nil {
		return Key{}, err
	}
	return Key{
		Fingerprint: ssh.FingerprintSHA256(pk),
		PublicKey:   strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))),
		Comment:     comment,
	}, nil
}

// Cautions are the reasons to think twice before a person gives agent a n more leads by
// hand at now, which ignores eligibility (R5): the agent is away or offline, off its
// schedule (R16; def is the server's zone), or it is at or would go over its capacity.
// Faces ask once before going ahead. This is the one place that decides them: a new
// reason not to hand an agent leads belongs here.
func (a Agent) Cautions(n int, now time.Time, def *time.Location) []string {
	var out []string
	if a.Presence == Away || a.Presence == Offline {
		why := string(a.Presence)
		if a.Presence == Away && !a.AwayUntil.IsZero() {
			why += " until " + a.When(a.AwayUntil, now, def)
		}
		out = append(out, why)
	}
	if !a.OnSchedule(now, def) {
		why := ReasonOffSchedule
		if at, ok := a.ScheduleChange(now, def); ok {
			why += " until " + a.When(at, now, def)
		}
		out = append(out, why)
	}
	if a.Capacity > 0 {
		switch {
		case a.OpenLeads >= a.Capacity:
			out = append(out, "at capacity ("+itoa(a.OpenLeads)+"/"+itoa(a.Capacity)+")")
		case a.OpenLeads+n > a.Capacity:
			out = append(out, "over capacity with these ("+itoa(a.OpenLeads+n)+"/"+itoa(a.Capacity)+")")
		}
	}
	return out
}
