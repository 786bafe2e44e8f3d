// Package demo fills an engine with a demo team, rules and history, and runs a lead
// simulator that keeps the console alive. Everything goes through engine commands, so
// the demo routes, records and notifies exactly as production does.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/switchboard/switchboard/engine"
)

// Team is the demo team: mixed presence and capacities, in several time zones. Three
// of them work to a schedule in their own zone (Shifts), set when the demo starts.
var Team = []engine.NewAgent{
	{Handle: "dana", Name: "Dana Reyes", Email: "dana@example.com", Role: engine.RoleDispatcher, Presence: engine.Available},
	{Handle: "alice", Name: "Alice Moreau", Email: "alice@example.com", Role: engine.RoleAgent, Presence: engine.Available, Capacity: 60, TZ: "Europe/Paris"},
	{Handle: "bob", Name: "Bob Okafor", Email: "bob@example.com", Role: engine.RoleAgent, Presence: engine.Available, Capacity: 45, TZ: "America/New_York"},
	{Handle: "carol", Name: "Carol Lindqvist", Email: "carol@example.com", Role: engine.RoleAgent, Presence: engine.Busy, Capacity: 40, TZ: "Europe/Stockholm"},
	{Handle: "dev", Name: "Dev Sharma", Email: "dev@example.com", Role: engine.RoleAgent, Presence: engine.Available, Capacity: 25, DailyCap: 40, TZ: "Asia/Kolkata"},
	{Handle: "erin", Name: "Erin Walsh", Email: "erin@example.com", Role: engine.RoleAgent, Presence: engine.Away, Capacity: 40},
	{Handle: "femi", Name: "Femi Adeyemi", Email: "femi@example.com", Role: engine.RoleAgent, Presence: engine.Available, Capacity: 70, TZ: "Africa/Lagos"},
	{Handle: "gus", Name: "Gus Tanaka", Email: "gus@example.com", Role: engine.RoleAgent, Presence: engine.Offline, Capacity: 30, TZ: "America/Chicago"},
}

// A Shift is a scheduled agent's working hours, relative to when the demo starts.
type Shift struct {
	Handle        string
	Began, EndsIn time.Duration // Began < 0: the shift starts that long after the demo
}

// Shifts are the demo's schedules. Fixed office hours ("mon-fri 09:00-17:00") would
// leave most of the team off on a weekend or at night and the queue filling up; hours
// around the moment the demo starts show the same thing whenever it runs: alice and dev
// on (dev's shift ends within the hour), bob off and coming on a few minutes in, when
// his schedule starts and drains the queue (R16).
var Shifts = []Shift{
	{Handle: "alice", Began: 4 * time.Hour, EndsIn: 6 * time.Hour},
	{Handle: "bob", Began: -5 * time.Minute, EndsIn: 8 * time.Hour},
	{Handle: "dev", Began: 8 * time.Hour, EndsIn: 45 * time.Minute},
}

// ScheduleAround is a daily schedule in zone tz for a shift that began s.Began before
// now and ends s.EndsIn after it, to the minute (begun rounded down, end rounded up).
func ScheduleAround(now time.Time, tz string, s Shift) (string, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return "", fmt.Errorf("zone %q: %w", tz, err)
	}
	start := now.Add(-s.Began).In(loc).Truncate(time.Minute)
	end := now.Add(s.EndsIn + time.Minute - 1).In(loc).Truncate(time.Minute)
	return fmt.Sprintf("mon-sun %s-%s", start.Format("15:04"), end.Format("15:04")), nil
}

// Teams are the demo's teams, by region; rules name them rather than their members.
var Teams = []struct {
	Name    string
	Members []string
}{
	{"emea", []string{"alice", "carol", "femi"}},
	{"amer", []string{"bob", "gus"}},
	{"apac", []string{"dev"}},
}

// AwayFor is how long erin, away when the demo starts, is away: she comes back by
// herself (R17).
const AwayFor = "2h"

// Rules are the demo's routing rules, in evaluation order.
var Rules = []engine.RuleSpec{
	{Name: "VIP heads-up", Condition: `"vip" in tags`, Mode: engine.Broadcast,
		Recipients: []engine.RecipientSpec{{Agent: "dana"}, {Agent: "femi"}}, ShareAccess: engine.AccessRead, ShareDuration: 48 * time.Hour},
	{Name: "Big budgets", Condition: `fields.budget >= 20000`, Mode: engine.RoundRobin,
		Recipients: []engine.RecipientSpec{{Agent: "alice", PerRound: 2}, {Agent: "femi"}}},
	{Name: "Social ads", Condition: `source in ["facebook", "tiktok"]`, Mode: engine.LoadBalance,
		Recipients: []engine.RecipientSpec{{Agent: "bob"}, {Agent: "carol"}, {Team: "apac"}}},
	// A short SLA, so that a newcomer sees a web lead escalate within minutes: nobody
	// calls it back in time (the simulator contacts only some), and it goes to the next
	// agent, passing over the one who missed.
	{Name: "Web round robin", Condition: `source == "web"`, Mode: engine.RoundRobin, SLA: 90 * time.Second,
		Recipients: []engine.RecipientSpec{{Team: "emea"}, {Team: "amer"}, {Agent: "erin"}}},
}

var (
	firstNames = []string{"Ava", "Liam", "Noor", "Mateo", "Yuki", "Zara", "Omar", "Ines", "Kofi", "Mila", "Jonas", "Priya", "Leo", "Sofia", "Ravi", "Elif", "Hugo", "Amara", "Nils", "Chen"}
	lastNames  = []string{"Garcia", "Novak", "Haddad", "Kim", "Silva", "Berg", "Mensah", "Rossi", "Dubois", "Patel", "Kowalski", "Ito", "Costa", "Nguyen", "Fischer", "Okoro"}
	companies  = []string{"Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Foods", "Hooli", "Vandelay Imports", "Soylent", "Cyberdyne", "Tyrell", "Wonka Retail", ""}
	sources    = []string{"web", "web", "facebook", "facebook", "tiktok", "api", "email", "phone", "csv"}
	tagPool    = []string{"vip", "b2b", "trial", "renewal", "urgent", "eu", "us"}
	cities     = []string{"Lisbon", "Berlin", "Austin", "Lagos", "Osaka", "Toronto", "Madrid"}
)

// Lead makes a plausible random lead.
func Lead(r *rand.Rand) engine.NewLead {
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	company := companies[r.IntN(len(companies))]
	var tags []string
	for _, t := range tagPool {
		if r.IntN(9) == 0 {
			tags = append(tags, t)
		}
	}
	return engine.NewLead{
		Name:    first + " " + last,
		Email:   fmt.Sprintf("%s.%s%d@example.com", lower(first), lower(last), r.IntN(100)),
		Company: company,
		Source:  sources[r.IntN(len(sources))],
		Tags:    tags,
		Fields:  map[string]any{"budget": (r.IntN(30) + 1) * 1000, "city": cities[r.IntN(len(cities))]},
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Clock is the demo engine's clock. The engine stamps every change with its own
// clock, so to seed leads that arrived over the past hours the demo runs its engine on
// a clock it can hold back while seeding, then lets catch up with the wall clock.
type Clock struct {
	mu     sync.Mutex
	behind time.Duration
}

// Now is the wall clock, less what the clock is held back by.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(-c.behind)
}

func (c *Clock) holdBack(d time.Duration) {
	c.mu.Lock()
	c.behind = d
	c.mu.Unlock()
}

// Seed adds the team, the rules and history leads of history to an empty engine,
// acting as actor (an owner). With a clock (the engine's), the leads arrive spread
// over the past span, oldest first; the clock is back on the wall clock after.
func Seed(ctx context.Context, eng *engine.Engine, actor engine.Actor, history int, r *rand.Rand, clock *Clock, span time.Duration) error {
	if clock != nil {
		clock.holdBack(span)
		defer clock.holdBack(0)
	}
	for _, a := range Team {
		for _, s := range Shifts {
			if s.Handle != a.Handle {
				continue
			}
			sched, err := ScheduleAround(time.Now(), a.TZ, s)
			if err != nil {
				return fmt.Errorf("scheduling %s: %w", a.Handle, err)
			}
			a.Schedule = sched
		}
		if _, err := eng.AddAgent(ctx, actor, a); err != nil {
			return fmt.Errorf("adding %s: %w", a.Handle, err)
		}
	}
	for _, tm := range Teams {
		if _, err := eng.CreateTeam(ctx, actor, tm.Name, tm.Members); err != nil {
			return fmt.Errorf("adding team %s: %w", tm.Name, err)
		}
	}
	// The rules start without their SLAs: the leads of the past hours would all have
	// missed them. The SLAs begin once the history is there.
	var withSLA []engine.Rule
	for _, s := range Rules {
		sla := s.SLA
		s.SLA = 0
		r, err := eng.CreateRule(ctx, actor, s)
		if err != nil {
			return fmt.Errorf("adding rule %q: %w", s.Name, err)
		}
		if sla > 0 {
			r.SLA = sla
			withSLA = append(withSLA, r)
		}
	}
	// In chunks, each a little later than the one before.
	const chunks = 40
	var created []engine.Created
	for c := 0; c < chunks && len(created) < history; c++ {
		n := (history - len(created)) / (chunks - c)
		if n == 0 {
			continue
		}
		if clock != nil {
			clock.holdBack(span - span*time.Duration(c)/chunks)
		}
		leads := make([]engine.NewLead, n)
		for i := range leads {
			leads[i] = Lead(r)
		}
		out, err := eng.CreateLeads(ctx, actor, leads)
		if err != nil {
			return fmt.Errorf("adding demo leads: %w", err)
		}
		created = append(created, out...)
	}
	// Work some of them, so the history has contacts, wins and losses.
	for i, c := range created {
		if c.Err != nil || c.Lead.Owner == "" || i%2 != 0 {
			continue
		}
		st := []engine.Status{engine.StatusContacted, engine.StatusQualified, engine.StatusWon, engine.StatusLost}[r.IntN(4)]
		if _, err := eng.UpdateLead(ctx, actor, c.Lead.ID, engine.LeadUpdate{Status: &st}); err != nil {
			return fmt.Errorf("working lead #%d: %w", c.Lead.ID, err)
		}
	}
	if clock != nil {
		clock.holdBack(0)
	}
	for _, r := range withSLA {
		if _, err := eng.UpdateRule(ctx, actor, r.ID, r.Spec()); err != nil {
			return fmt.Errorf("giving rule %q its SLA: %w", r.Name, err)
		}
	}
	away := AwayFor
	if _, err := eng.UpdateAgent(ctx, actor, "erin", engine.AgentUpdate{AwayUntil: &away}); err != nil {
		return fmt.Errorf("setting erin away for %s: %w", AwayFor, err)
	}
	return nil
}

// Simulate posts a new lead every interval (jittered), now and then flips an agent's
// presence, and has agents make first contact with the leads under an SLA – but not
// with the first one, nor with about a third of the others, which escalate – acting as
// actor, until ctx ends. Refusals are reported to onErr and the simulation goes on.
func Simulate(ctx context.Context, eng *engine.Engine, actor engine.Actor, interval time.Duration, r *rand.Rand, onErr func(error)) {
	presences := []engine.Presence{engine.Available, engine.Available, engine.Busy, engine.Away}
	callers := &callers{fate: map[assignment]bool{}}
	t := time.NewTimer(interval)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := eng.CreateLead(ctx, actor, Lead(r)); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		if err := callers.call(ctx, eng, actor, r); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		if n%15 == 14 {
			a := Team[1+r.IntN(len(Team)-1)]
			if _, err := eng.SetPresence(ctx, actor, a.Handle, presences[r.IntN(len(presences))]); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
		t.Reset(interval/2 + time.Duration(r.Int64N(int64(interval))))
	}
}

// callers are the demo's agents calling their leads back. Each assignment under an
// SLA gets a fate when first seen: the very first is never called back, so that a
// newcomer sees an escalation within a couple of minutes; of the others, one in three
// is not. The rest are called back after 15 seconds or more, one per turn.
type callers struct {
	fate  map[assignment]bool // whether the assignment will be called back
	first bool                // the first assignment has been seen
}

type assignment struct {
	lead int64
	at   time.Time
}

// call makes first contact with one lead due to be called back, if there is one.
func (c *callers) call(ctx context.Context, eng *engine.Engine, actor engine.Actor, r *rand.Rand) error {
	page, err := eng.ListLeads(ctx, actor, engine.LeadQuery{Open: true, Limit: 500})
	if err != nil {
		return err
	}
	now := eng.Now()
	running := map[assignment]bool{}
	var due []int64
	for _, l := range page.Items {
		if l.SLADueAt.IsZero() {
			continue
		}
		a := assignment{l.ID, l.AssignedAt}
		fate, seen := c.fate[a]
		if !seen {
			fate = c.first && r.IntN(3) != 0
			c.first = true
		}
		running[a] = fate
		if fate && now.Sub(l.AssignedAt) >= 15*time.Second {
			due = append(due, l.ID)
		}
	}
	c.fate = running // forget assignments that ended
	if len(due) == 0 {
		return nil
	}
	_, err = eng.MarkContacted(ctx, actor, []int64{due[r.IntN(len(due))]})
	return err
}
