package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/engine/schedule"
)

// Agents lists the team with each agent's load.
func (e *Engine) Agents(ctx context.Context, actor Actor) ([]Agent, error) {
	if err := actor.require(ActViewTeam); err != nil {
		return nil, err
	}
	var out []Agent
	err := e.read(ctx, func(r Reader) error {
		agents, err := r.Agents()
		if err != nil {
			return fmt.Errorf("listing agents: %w", err)
		}
		auto, err := r.AutoAssigned(e.day(e.now()))
		if err != nil {
			return fmt.Errorf("reading daily counts: %w", err)
		}
		for i := range agents {
			agents[i].AssignedToday = auto[agents[i].ID]
		}
		if err := e.fillPeople(r, agents); err != nil {
			return err
		}
		out = agents
		return nil
	})
	return out, err
}

// fillPeople sets what the engine's reads of the team add to the stored agents: the
// teams each is in and its live console sessions.
func (e *Engine) fillPeople(r Reader, agents []Agent) error {
	teams, err := r.Teams()
	if err != nil {
		return fmt.Errorf("reading teams: %w", err)
	}
	in := map[int64][]string{}
	for _, tm := range teams {
		for _, m := range tm.Members {
			if names := in[m.AgentID]; len(names) == 0 || names[len(names)-1] != tm.Name {
				in[m.AgentID] = append(names, tm.Name)
			}
		}
	}
	live, err := liveSessions(r, e.now())
	if err != nil {
		return err
	}
	for i := range agents {
		a := &agents[i]
		a.Teams, a.Sessions = strings.Join(in[a.ID], ","), live[a.ID]
	}
	return nil
}

// Agent reads one agent by handle. Anyone on the team may read any agent; an agent
// reading itself is always allowed.
func (e *Engine) Agent(ctx context.Context, actor Actor, handle string) (Agent, error) {
	var out Agent
	err := e.read(ctx, func(r Reader) error {
		a, err := loadAgent(r, handle)
		if err != nil {
			return err
		}
		if a.ID != actor.AgentID {
			if err := actor.require(ActViewTeam); err != nil {
				return err
			}
		}
		auto, err := r.AutoAssigned(e.day(e.now()))
		if err != nil {
			return fmt.Errorf("reading daily counts: %w", err)
		}
		a.AssignedToday = auto[a.ID]
		one := []Agent{a}
		if err := e.fillPeople(r, one); err != nil {
			return err
		}
		out = one[0]
		return nil
	})
	return out, err
}

// AgentForKey finds the agent a public key belongs to (fingerprint SHA256:…). It is how
// the SSH server logs people in, so it takes no actor.
func (e *Engine) AgentForKey(ctx context.Context, fingerprint string) (Agent, error) {
	var out Agent
	err := e.read(ctx, func(r Reader) error {
		a, err := r.AgentByKey(fingerprint)
		if errors.Is(err, ErrNoRows) {
			return notFoundf("no agent has the key %s", fingerprint)
		}
		out = a
		return err
	})
	return out, err
}

// canManage checks that actor may change agent a (and give it role r): admins and up
// manage agents, but nobody manages or creates someone above itself.
func canManage(actor Actor, a *Agent, r Role) error {
	if err := actor.require(ActManageAgents); err != nil {
		return err
	}
	if a != nil && !actor.Role.AtLeast(a.Role) {
		return forbiddenf("%s cannot change %s: %s is %s, above %s", actor.Name, a.Handle, a.Handle, a.Role, actor.Role)
	}
	if r != "" && !actor.Role.AtLeast(r) {
		return forbiddenf("%s cannot give the %s role: it is above its own (%s)", actor.Name, r, actor.Role)
	}
	return nil
}

// AddAgent adds a member to the team. A new agent is offline (it takes no leads) unless
// a presence is given.
func (e *Engine) AddAgent(ctx context.Context, actor Actor, in NewAgent) (Agent, error) {
	in.Handle = strings.TrimSpace(in.Handle)
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
	if in.Role == "" {
		in.Role = RoleAgent
	}
	if in.Presence == "" {
		in.Presence = Offline
	}
	if err := canManage(actor, nil, in.Role); err != nil {
		return Agent{}, err
	}
	if err := ValidHandle(in.Handle); err != nil {
		return Agent{}, err
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return Agent{}, err
	}
	if _, err := ParsePresence(string(in.Presence)); err != nil {
		return Agent{}, err
	}
	if err := validateAgentFields(in.Name, in.Email, in.Capacity, in.DailyCap, in.WebhookURL); err != nil {
		return Agent{}, err
	}
	if err := e.checkWebhookTarget("webhook_url", in.WebhookURL); err != nil {
		return Agent{}, err
	}
	tz, sched, err := checkWhen(in.TZ, in.Schedule)
	if err != nil {
		return Agent{}, err
	}
	a := Agent{
		Handle: in.Handle, Name: in.Name, Email: in.Email, Role: in.Role, Presence: in.Presence,
		Capacity: in.Capacity, DailyCap: in.DailyCap, EmailNotify: in.EmailNotify, WebhookURL: in.WebhookURL,
		TZ: tz, Schedule: sched, AutoPresence: in.AutoPresence == nil || *in.AutoPresence,
	}
	if a.WebhookURL != "" {
		a.WebhookSecret = newSecret()
	}
	err = e.write(ctx, func(t *txn) error {
		if _, err := t.AgentByHandle(a.Handle); err == nil {
			return conflictf("an agent with handle %q exists already", a.Handle)
		} else if !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("reading agent: %w", err)
		}
		a.CreatedAt, a.SeenAt = t.now, t.now
		if absent(a.Presence) {
			a.AwaySince = t.now
		}
		if a.ScheduleNextAt = a.nextScheduleStart(t.now, t.e.loc); !a.ScheduleNextAt.IsZero() {
			t.wake = true
		}
		if err := t.InsertAgent(&a); err != nil {
			return fmt.Errorf("storing agent: %w", err)
		}
		if _, err := t.record(Event{Kind: EvAgentAdded, Actor: actor.Name, Agent: a.Handle, To: string(a.Role), Reason: a.Name}); err != nil {
			return err
		}
		if a.Presence == Available && a.OnSchedule(t.now, t.e.loc) {
			// An agent that arrives available is an agent becoming available (R10): a
			// rule for the whole team may now have someone for the waiting leads.
			return t.drain([]int64{a.ID})
		}
		return nil
	})
	return a, err
}

// checkWhen checks an agent's zone and schedule, and returns them as stored: the zone
// as given, the schedule in its canonical form.
func checkWhen(tz, sched string) (string, string, error) {
	tz = strings.TrimSpace(tz)
	if err := checkText("tz", tz, 64); err != nil {
		return "", "", err
	}
	if tz != "" {
		if _, err := schedule.Zone(tz); err != nil {
			return "", "", invalidf("tz", "tz: %v", err)
		}
	}
	if err := checkText("schedule", sched, schedule.MaxLen); err != nil {
		return "", "", err
	}
	s, err := schedule.Parse(sched)
	if err != nil {
		return "", "", invalidf("schedule", "%v", err)
	}
	return tz, s.String(), nil
}

// SetPresence sets an agent's presence: its own, or, for dispatchers, anyone's.
func (e *Engine) SetPresence(ctx context.Context, actor Actor, handle string, p Presence) (Agent, error) {
	return e.UpdateAgent(ctx, actor, handle, AgentUpdate{Presence: &p})
}

// UpdateAgent changes an agent. Presence follows SetPresence's permissions; every other
// field needs an admin. An agent that may take leads again pulls waiting leads from the
// queue (R10).
func (e *Engine) UpdateAgent(ctx context.Context, actor Actor, handle string, u AgentUpdate) (Agent, error) {
	if u.WebhookURL != nil {
		if err := e.checkWebhookTarget("webhook_url", strings.TrimSpace(*u.WebhookURL)); err != nil {
			return Agent{}, err
		}
	}
	var out Agent
	err := e.write(ctx, func(t *txn) error {
		a, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		// Presence, an away's end and whether the system may set presence are the agent's
		// own, or a dispatcher's for anyone; the rest is an admin's.
		onlyPresence := u == AgentUpdate{Presence: u.Presence, AwayUntil: u.AwayUntil, AutoPresence: u.AutoPresence}
		if onlyPresence && (u.Presence != nil || u.AwayUntil != nil || u.AutoPresence != nil) {
			if a.ID != actor.AgentID {
				if err := actor.require(ActSetAnyPresence); err != nil {
					return forbiddenf("%s cannot set %s's presence: agents set only their own", actor.Name, a.Handle)
				}
			}
		} else {
			var newRole Role
			if u.Role != nil {
				newRole = *u.Role
			}
			if err := canManage(actor, &a, newRole); err != nil {
				return err
			}
		}
		before := a
		if err := applyAgentUpdate(&a, u); err != nil {
			return err
		}
		if err := t.applyWhen(&a, u); err != nil {
			return err
		}
		// R15 counts from when the agent left; coming back clears it.
		switch {
		case absent(a.Presence) && !absent(before.Presence):
			a.AwaySince, t.wake = t.now, true
		case !absent(a.Presence):
			a.AwaySince = time.Time{}
		}
		if before.Role == RoleOwner && a.Role != RoleOwner {
			if err := t.keepAnOwner(a.ID); err != nil {
				return err
			}
		}
		if err := t.UpdateAgent(&a); err != nil {
			return fmt.Errorf("updating agent: %w", err)
		}
		for _, c := range agentChanges(before, a) {
			c.Actor, c.Agent = actor.Name, a.Handle
			if _, err := t.record(c); err != nil {
				return err
			}
		}
		out = a
		onNow := a.OnSchedule(t.now, t.e.loc)
		roomGrew := (a.Presence == Available && before.Presence != Available) ||
			(onNow && !before.OnSchedule(t.now, t.e.loc)) ||
			grew(before.Capacity, a.Capacity) || grew(before.DailyCap, a.DailyCap)
		if roomGrew && onNow {
			return t.drain([]int64{a.ID})
		}
		return nil
	})
	return out, err
}

// applyWhen applies the part of an update that R16–R18 decide: zone and schedule (and
// when the schedule next starts), an away until a time, and whether the system may set
// the presence. A presence set by a person clears an away-until and any away the system
// set (the person chose); setting available or busy counts as being seen.
func (t *txn) applyWhen(a *Agent, u AgentUpdate) error {
	if u.TZ != nil || u.Schedule != nil {
		tz, sched := a.TZ, a.Schedule
		if u.TZ != nil {
			tz = *u.TZ
		}
		if u.Schedule != nil {
			sched = *u.Schedule
		}
		var err error
		if a.TZ, a.Schedule, err = checkWhen(tz, sched); err != nil {
			return err
		}
		a.ScheduleNextAt, t.wake = a.nextScheduleStart(t.now, t.e.loc), true
	}
	if u.AutoPresence != nil {
		a.AutoPresence = *u.AutoPresence
		if !a.AutoPresence {
			a.AutoAwayFrom = ""
		}
	}
	if u.Presence != nil {
		a.AwayUntil, a.AutoAwayFrom = time.Time{}, ""
		if a.Presence == Available || a.Presence == Busy {
			a.SeenAt = t.now
		}
	}
	if u.AwayUntil != nil {
		if err := checkText("away_until", *u.AwayUntil, 100); err != nil {
			return err
		}
		if strings.TrimSpace(*u.AwayUntil) == "" {
			a.AwayUntil = time.Time{}
			return nil
		}
		if u.Presence != nil && *u.Presence != Away {
			return invalidf("away_until", "away_until sets the presence away: give presence away, or no presence")
		}
		until, err := ParseWhen(*u.AwayUntil, t.now, a.Zone(t.e.loc))
		if err != nil {
			return err
		}
		a.Presence, a.AwayUntil, a.AutoAwayFrom, t.wake = Away, until, "", true
	}
	return nil
}

// absent reports whether presence p counts as gone for hand-off (R15): away or offline.
func absent(p Presence) bool { return p == Away || p == Offline }

// grew reports whether a limit (0 = none) became looser.
func grew(before, after int) bool {
	return before != 0 && (after == 0 || after > before)
}

func applyAgentUpdate(a *Agent, u AgentUpdate) error {
	if u.Name != nil {
		a.Name = strings.TrimSpace(*u.Name)
	}
	if u.Email != nil {
		a.Email = strings.TrimSpace(*u.Email)
	}
	if u.Role != nil {
		if _, err := ParseRole(string(*u.Role)); err != nil {
			return err
		}
		a.Role = *u.Role
	}
	if u.Presence != nil {
		if _, err := ParsePresence(string(*u.Presence)); err != nil {
			return err
		}
		a.Presence = *u.Presence
	}
	if u.Capacity != nil {
		a.Capacity = *u.Capacity
	}
	if u.DailyCap != nil {
		a.DailyCap = *u.DailyCap
	}
	if u.EmailNotify != nil {
		a.EmailNotify = *u.EmailNotify
	}
	if u.WebhookURL != nil {
		url := strings.TrimSpace(*u.WebhookURL)
		if url != "" && url != a.WebhookURL {
			a.WebhookSecret = newSecret()
		}
		if url == "" {
			a.WebhookSecret = ""
		}
		a.WebhookURL = url
	}
	if a.EmailNotify && a.Email == "" {
		return invalidf("email_notify", "%s has no e-mail address: set one before turning e-mail notifications on", a.Handle)
	}
	return validateAgentFields(a.Name, a.Email, a.Capacity, a.DailyCap, a.WebhookURL)
}

// agentChanges is one history event per changed field.
func agentChanges(b, a Agent) []Event {
	var out []Event
	add := func(field, from, to string) {
		if from != to {
			kind := EvAgentChanged
			if field == "presence" {
				kind = EvAgentPresence
			}
			out = append(out, Event{Kind: kind, From: from, To: to, Reason: field})
		}
	}
	limit := func(n int) string {
		if n == 0 {
			return "none"
		}
		return strconv.Itoa(n)
	}
	add("presence", string(b.Presence), string(a.Presence))
	add("name", b.Name, a.Name)
	add("email", b.Email, a.Email)
	add("role", string(b.Role), string(a.Role))
	add("capacity", limit(b.Capacity), limit(a.Capacity))
	add("daily_cap", limit(b.DailyCap), limit(a.DailyCap))
	add("email_notify", strconv.FormatBool(b.EmailNotify), strconv.FormatBool(a.EmailNotify))
	add("webhook_url", b.WebhookURL, a.WebhookURL)
	add("tz", b.TZ, a.TZ)
	add("schedule", b.Schedule, a.Schedule)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	add("away_until", when(b.AwayUntil), when(a.AwayUntil))
	add("auto_presence", strconv.FormatBool(b.AutoPresence), strconv.FormatBool(a.AutoPresence))
	return out
}

// keepAnOwner refuses a change that would leave the team without an owner.
func (t *txn) keepAnOwner(leaving int64) error {
	agents, err := t.Agents()
	if err != nil {
		return fmt.Errorf("listing agents: %w", err)
	}
	for _, a := range agents {
		if a.Role == RoleOwner && a.ID != leaving {
			return nil
		}
	}
	return conflictf("that would leave the team without an owner: make someone else owner first")
}

// RemoveAgent takes an agent off the team: its open leads go back to the queue (waiting
// for a person), its shares are revoked, its keys stop working, and it leaves every
// rule's rotation. Its history stays.
func (e *Engine) RemoveAgent(ctx context.Context, actor Actor, handle string) error {
	return e.write(ctx, func(t *txn) error {
		a, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		if err := canManage(actor, &a, ""); err != nil {
			return err
		}
		if a.Role == RoleOwner {
			if err := t.keepAnOwner(a.ID); err != nil {
				return err
			}
		}
		leads, err := t.Leads(LeadFilter{OwnerID: a.ID, Open: true, OldestFirst: true})
		if err != nil {
			return fmt.Errorf("reading %s's leads: %w", a.Handle, err)
		}
		for i := range leads {
			if err := t.setOwner(actor, &leads[i], nil, a.Handle+" left the team"); err != nil {
				return err
			}
		}
		shares, err := t.ActiveSharesOf(a.ID, t.now)
		if err != nil {
			return fmt.Errorf("reading %s's shares: %w", a.Handle, err)
		}
		for i := range shares {
			s := &shares[i]
			s.Status, s.EndedAt = ShareRevoked, t.now
			if err := t.UpdateShare(s); err != nil {
				return fmt.Errorf("revoking share #%d: %w", s.ID, err)
			}
			if _, err := t.record(Event{Kind: EvShareRevoked, Actor: actor.Name, LeadID: s.LeadID, Agent: a.Handle, From: string(s.Access), Reason: "agent removed"}); err != nil {
				return err
			}
		}
		if err := t.leaveTeams(actor, a); err != nil {
			return err
		}
		rules, err := t.Rules()
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		m, err := t.routing()
		if err != nil {
			return err
		}
		wholeTeam := make([]Recipient, len(m.agentsAZ))
		for i, x := range m.agentsAZ {
			wholeTeam[i] = Recipient{AgentID: x.ID, Agent: x.Handle, PerRound: 1}
		}
		for i := range rules {
			r := &rules[i]
			if len(r.Recipients) == 0 { // the whole team: the rotation moves on past a
				if r.TurnAgentID == a.ID || r.LastAgentID == a.ID {
					remapRotation(r, wholeTeam, without(wholeTeam, a.ID))
					if err := t.SaveRuleState(r); err != nil {
						return fmt.Errorf("saving rotation of rule #%d: %w", r.ID, err)
					}
				}
				continue
			}
			if !r.hasRecipient(a.ID) {
				continue
			}
			keep := without(r.Recipients, a.ID)
			remapRotation(r, r.Recipients, keep)
			r.Recipients = keep
			r.UpdatedAt = t.now
			if err := t.UpdateRule(r); err != nil {
				return fmt.Errorf("taking %s out of rule #%d: %w", a.Handle, r.ID, err)
			}
			if _, err := t.record(Event{Kind: EvRuleChanged, Actor: actor.Name, RuleID: r.ID, Agent: a.Handle, Reason: a.Handle + " left the team"}); err != nil {
				return err
			}
		}
		if err := t.RemoveAgent(a.ID, t.now); err != nil {
			return fmt.Errorf("removing agent: %w", err)
		}
		_, err = t.record(Event{Kind: EvAgentRemoved, Actor: actor.Name, Agent: a.Handle, From: string(a.Role)})
		return err
	})
}

// Keys lists an agent's SSH keys: its own, or anyone's for admins.
func (e *Engine) Keys(ctx context.Context, actor Actor, handle string) ([]Key, error) {
	var out []Key
	err := e.read(ctx, func(r Reader) error {
		a, err := loadAgent(r, handle)
		if err != nil {
			return err
		}
		if a.ID != actor.AgentID {
			if err := actor.require(ActManageAgents); err != nil {
				return err
			}
		}
		out, err = r.Keys(a.ID)
		return err
	})
	return out, err
}

// AddKey registers an SSH public key (an authorized_keys line) to an agent. It works
// for the next login; no restart.
func (e *Engine) AddKey(ctx context.Context, actor Actor, handle, line string) (Key, error) {
	k, err := ParseKey(line)
	if err != nil {
		return Key{}, err
	}
	err = e.write(ctx, func(t *txn) error {
		a, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		if a.ID != actor.AgentID {
			if err := canManage(actor, &a, ""); err != nil {
				return err
			}
		}
		if owner, err := t.AgentByKey(k.Fingerprint); err == nil {
			return conflictf("key %s is registered to %s already", k.Fingerprint, owner.Handle)
		} else if !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("reading keys: %w", err)
		}
		k.AgentID, k.CreatedAt = a.ID, t.now
		if err := t.InsertKey(&k); err != nil {
			return fmt.Errorf("storing key: %w", err)
		}
		_, err = t.record(Event{Kind: EvAgentKeyAdded, Actor: actor.Name, Agent: a.Handle, To: k.Fingerprint, Reason: k.Comment})
		return err
	})
	return k, err
}

// RemoveKey removes one of an agent's keys, named by fingerprint (or a unique prefix of
// it, or its id).
func (e *Engine) RemoveKey(ctx context.Context, actor Actor, handle, which string) error {
	return e.write(ctx, func(t *txn) error {
		a, err := loadAgent(t, handle)
		if err != nil {
			return err
		}
		if a.ID != actor.AgentID {
			if err := canManage(actor, &a, ""); err != nil {
				return err
			}
		}
		keys, err := t.Keys(a.ID)
		if err != nil {
			return fmt.Errorf("reading keys: %w", err)
		}
		var match []Key
		for _, k := range keys {
			if strconv.FormatInt(k.ID, 10) == which || k.Fingerprint == which ||
				(len(which) >= 8 && strings.HasPrefix(k.Fingerprint, which)) {
				match = append(match, k)
			}
		}
		switch len(match) {
		case 0:
			return notFoundIn("key", "%s has no key %q", a.Handle, which)
		case 1:
		default:
			return invalidf("key", "%q names %d of %s's keys: give the whole fingerprint", which, len(match), a.Handle)
		}
		if err := t.DeleteKey(match[0].ID); err != nil {
			return fmt.Errorf("removing key: %w", err)
		}
		_, err = t.record(Event{Kind: EvAgentKeyRemoved, Actor: actor.Name, Agent: a.Handle, From: match[0].Fingerprint})
		return err
	})
}

func newSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// without is rs less the agent agentID listed directly (teams stay).
func without(rs []Recipient, agentID int64) []Recipient {
	out := make([]Recipient, 0, len(rs))
	for _, rc := range rs {
		if rc.TeamID != 0 || rc.AgentID != agentID {
			out = append(out, rc)
		}
	}
	return out
}

// leaveTeams takes agent a out of every team it is in, moving on the rotations of the
// rules that name those teams.
func (t *txn) leaveTeams(actor Actor, a Agent) error {
	teams, err := t.Teams()
	if err != nil {
		return fmt.Errorf("reading teams: %w", err)
	}
	var before, after []Team
	for _, tm := range teams {
		keep := make([]TeamMember, 0, len(tm.Members))
		for _, m := range tm.Members {
			if m.AgentID != a.ID {
				keep = append(keep, m)
			}
		}
		if len(keep) == len(tm.Members) {
			continue
		}
		before = append(before, tm)
		tm.Members, tm.UpdatedAt = keep, t.now
		after = append(after, tm)
	}
	if len(after) == 0 {
		return nil
	}
	return t.changeTeams(actor, before, after, ": "+a.Handle+" left the team")
}
