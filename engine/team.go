package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Team is a named, ordered list of agents (R19). A rule recipient may be a team: it
// stands for the members as they are when a lead is routed.
type Team struct {
	ID        int64
	Name      string
	Members   []TeamMember // in order
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TeamMember is one agent of a team.
type TeamMember struct {
	AgentID int64
	Handle  string
}

// Handles are the members' handles, in order.
func (t Team) Handles() []string {
	out := make([]string, len(t.Members))
	for i, m := range t.Members {
		out[i] = m.Handle
	}
	return out
}

// Session is one open console (SSH or local) of an agent, in any process on the
// database (R18). Its process moves ExpiresAt forward while it is open; a session whose
// process died stops counting when it expires.
type Session struct {
	ID        int64
	AgentID   int64
	Via       string // "ssh 203.0.113.7", "local"
	OpenedAt  time.Time
	ExpiresAt time.Time
}

// Live reports whether the session counts at now.
func (s Session) Live(now time.Time) bool { return s.ExpiresAt.After(now) }

// Team events: Reason is the team's name; From and To its members before and after,
// as "ana, bob".
const (
	EvTeamCreated EventKind = "team.created"
	EvTeamChanged EventKind = "team.changed"
	EvTeamDeleted EventKind = "team.deleted"
)

// maxTeamMembers bounds a team, as maxRecipients bounds a rule.
const maxTeamMembers = maxRecipients

// ValidTeamName reports whether n can be a team's name: what a handle may be, so that
// "team:emea" in a rule's recipients reads one way only.
func ValidTeamName(n string) error {
	if err := checkText("name", n, MaxNameLen); err != nil {
		return err
	}
	if !handlePattern.MatchString(n) {
		return invalidf("name", "team name %s must be 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter", short(n))
	}
	return nil
}

// Teams lists the teams by name, each with its members in order.
func (e *Engine) Teams(ctx context.Context, actor Actor) ([]Team, error) {
	if err := actor.require(ActViewTeam); err != nil {
		return nil, err
	}
	var out []Team
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = r.Teams()
		return err
	})
	return out, err
}

// Team reads one team.
func (e *Engine) Team(ctx context.Context, actor Actor, name string) (Team, error) {
	if err := actor.require(ActViewTeam); err != nil {
		return Team{}, err
	}
	var out Team
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = loadTeamNamed(r, name)
		return err
	})
	return out, err
}

func loadTeamNamed(r Reader, name string) (Team, error) {
	tm, err := r.TeamByName(name)
	if errors.Is(err, ErrNoRows) {
		return Team{}, notFoundIn("team", "team %s does not exist", short(name))
	}
	if err != nil {
		return Team{}, fmt.Errorf("reading team %s: %w", short(name), err)
	}
	return tm, nil
}

// teamMembers checks members (handles, in order) and resolves them to agents.
func teamMembers(r Reader, members []string) ([]TeamMember, error) {
	if len(members) > maxTeamMembers {
		return nil, invalidf("members", "a team has at most %d members", maxTeamMembers)
	}
	out := make([]TeamMember, 0, len(members))
	seen := map[string]bool{}
	for _, h := range members {
		h = strings.TrimSpace(h)
		if seen[h] {
			return nil, invalidf("members", "%s is listed twice", short(h))
		}
		seen[h] = true
		a, err := loadAgent(r, h)
		if err != nil {
			return nil, err
		}
		out = append(out, TeamMember{AgentID: a.ID, Handle: a.Handle})
	}
	return out, nil
}

// CreateTeam makes a team of members (handles, in order).
func (e *Engine) CreateTeam(ctx context.Context, actor Actor, name string, members []string) (Team, error) {
	if err := actor.require(ActManageAgents); err != nil {
		return Team{}, err
	}
	name = strings.TrimSpace(name)
	if err := ValidTeamName(name); err != nil {
		return Team{}, err
	}
	var out Team
	err := e.write(ctx, func(t *txn) error {
		if _, err := t.TeamByName(name); err == nil {
			return conflictf("a team called %s exists already", name)
		} else if !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("reading teams: %w", err)
		}
		ms, err := teamMembers(t, members)
		if err != nil {
			return err
		}
		tm := Team{Name: name, Members: ms, CreatedAt: t.now, UpdatedAt: t.now}
		if err := t.InsertTeam(&tm); err != nil {
			return fmt.Errorf("storing team %s: %w", name, err)
		}
		if _, err := t.record(Event{Kind: EvTeamCreated, Actor: actor.Name, To: strings.Join(tm.Handles(), ", "), Reason: name}); err != nil {
			return err
		}
		out = tm
		return nil
	})
	return out, err
}

// SetTeam replaces a team's members (handles, in order). Rules that name the team need
// no edit: each routes to the members as they are. Each rule's rotation keeps its place
// (R6): the turn stays with its holder if still a recipient, else passes to the next
// one; a new member waits until the rotation reaches it.
func (e *Engine) SetTeam(ctx context.Context, actor Actor, name string, members []string) (Team, error) {
	if err := actor.require(ActManageAgents); err != nil {
		return Team{}, err
	}
	var out Team
	err := e.write(ctx, func(t *txn) error {
		tm, err := loadTeamNamed(t, name)
		if err != nil {
			return err
		}
		ms, err := teamMembers(t, members)
		if err != nil {
			return err
		}
		before := tm
		tm.Members, tm.UpdatedAt = ms, t.now
		if err := t.changeTeams(actor, []Team{before}, []Team{tm}, ""); err != nil {
			return err
		}
		out = tm
		return nil
	})
	return out, err
}

// changeTeams writes teams whose members changed (before and after, in the same
// order), one team.changed event each, and moves on the rotation of every rule that
// names one of them (remapRotation), as an edit of the rule's recipients would.
func (t *txn) changeTeams(actor Actor, before, after []Team, why string) error {
	teams, err := t.Teams()
	if err != nil {
		return fmt.Errorf("reading teams: %w", err)
	}
	old := teamIndexOf(teams)
	next := teamIndexOf(teams)
	for i, tm := range after {
		next[tm.ID] = tm.Members
		if err := t.UpdateTeam(&after[i]); err != nil {
			return fmt.Errorf("updating team %s: %w", tm.Name, err)
		}
		if _, err := t.record(Event{Kind: EvTeamChanged, Actor: actor.Name, From: strings.Join(before[i].Handles(), ", "),
			To: strings.Join(tm.Handles(), ", "), Reason: tm.Name + why}); err != nil {
			return err
		}
	}
	rules, err := t.Rules()
	if err != nil {
		return fmt.Errorf("reading rules: %w", err)
	}
	for i := range rules {
		r := &rules[i]
		if !r.namesTeam(next) {
			continue
		}
		was := rotationOf(r)
		remapRotation(r, r.expand(old), r.expand(next))
		if rotationOf(r) == was {
			continue
		}
		if err := t.SaveRuleState(r); err != nil {
			return fmt.Errorf("saving the rotation of rule #%d: %w", r.ID, err)
		}
	}
	return nil
}

// DeleteTeam removes a team that no rule names; one in use is refused (409), naming
// the rules.
func (e *Engine) DeleteTeam(ctx context.Context, actor Actor, name string) error {
	if err := actor.require(ActManageAgents); err != nil {
		return err
	}
	return e.write(ctx, func(t *txn) error {
		tm, err := loadTeamNamed(t, name)
		if err != nil {
			return err
		}
		rules, err := t.Rules()
		if err != nil {
			return fmt.Errorf("reading rules: %w", err)
		}
		var using []string
		for _, r := range rules {
			for _, rc := range r.Recipients {
				if rc.TeamID == tm.ID {
					using = append(using, fmt.Sprintf("#%d %q", r.ID, r.Name))
					break
				}
			}
		}
		if len(using) > 0 {
			return conflictf("team %s is a recipient of rule %s: take it out of %s first", tm.Name,
				strings.Join(using, ", rule "), map[bool]string{true: "that rule", false: "those rules"}[len(using) == 1])
		}
		if err := t.DeleteTeam(tm.ID); err != nil {
			return fmt.Errorf("deleting team %s: %w", tm.Name, err)
		}
		_, err = t.record(Event{Kind: EvTeamDeleted, Actor: actor.Name, From: strings.Join(tm.Handles(), ", "), Reason: tm.Name})
		return err
	})
}

// teamIndex is the members of each team, by team id.
type teamIndex map[int64][]TeamMember

func teamIndexOf(teams []Team) teamIndex {
	out := make(teamIndex, len(teams))
	for _, tm := range teams {
		out[tm.ID] = tm.Members
	}
	return out
}

// namesTeam reports whether the rule has a team among its recipients that teams holds.
func (r *Rule) namesTeam(teams teamIndex) bool {
	for _, rc := range r.Recipients {
		if _, ok := teams[rc.TeamID]; ok && rc.TeamID != 0 {
			return true
		}
	}
	return false
}

// expand is the one expansion of a rule's recipients into agents (R19), in rotation
// order: each agent as listed, each team as its members in the team's order with the
// team's per_round; an agent listed twice – directly and through a team, or in two
// teams – counts once, at its first place. A rule that names nobody expands to nothing
// here: routing gives it the whole team.
func (r *Rule) expand(teams teamIndex) []Recipient {
	out := make([]Recipient, 0, len(r.Recipients))
	seen := make(map[int64]bool, len(r.Recipients))
	add := func(rc Recipient) {
		if !seen[rc.AgentID] {
			seen[rc.AgentID] = true
			out = append(out, rc)
		}
	}
	for _, rc := range r.Recipients {
		if rc.TeamID == 0 {
			add(rc)
			continue
		}
		for _, m := range teams[rc.TeamID] {
			add(Recipient{AgentID: m.AgentID, Agent: m.Handle, PerRound: rc.PerRound})
		}
	}
	return out
}
