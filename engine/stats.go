package engine

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// This file is what the team learns (README, Stats): the figures of a window of time,
// as GET /v1/stats, `switchboard report` and the console's Stats pane show them.
//
// A window [since, until) counts three things, each by the time it happened:
//
//   - leads created in it: created, each source's created/assigned/contacted (of those
//     leads, how many had an owner and a first contact before until), and the time to
//     assign (creation to first owner);
//   - first contacts made in it: contacted, the time to first contact (from creation:
//     what the customer waited), each agent's contacted and time to first contact (from
//     its assignment: what the agent controls; the agent is the owner at first
//     contact), and SLAs met (first contact before a running SLA's deadline);
//   - history in it: assignments by rules (assigned_auto, each rule's assigned and
//     fairness) and by people (assigned_manual), each agent's assignments, SLAs
//     missed, and the rules each routing decision matched.
//
// queued_now and open_now are now, whatever the window. A figure with no data is null
// (a percentile of nothing, a share of no assignments); a count of nothing is 0.
// Percentiles interpolate between the two nearest values (PostgreSQL's
// percentile_cont): the p50 of 10 s and 20 s is 15 s.

// DefaultStatsWindow is the window stats cover when none is given.
const DefaultStatsWindow = 7 * 24 * time.Hour

// MaxStatsWindow bounds a window: a year and a day, what a yearly report needs. A
// window's cost is the history inside it, so a bound keeps one request's cost bounded.
const MaxStatsWindow = 366 * 24 * time.Hour

// StatsQuery asks for the stats of a window. A zero Until is now (the current
// millisecond included); a zero Since is Last before Until (DefaultStatsWindow when
// Last is 0).
type StatsQuery struct {
	Since, Until time.Time
	Last         time.Duration
}

// Stats are a window's figures, in the form of GET /v1/stats.
type Stats struct {
	Since              time.Time     `json:"since"`
	Until              time.Time     `json:"until"`
	Leads              LeadCounts    `json:"leads"`
	TimeToAssign       Percentiles   `json:"time_to_assign"`
	TimeToFirstContact Percentiles   `json:"time_to_first_contact"`
	SLA                SLACounts     `json:"sla"`
	Agents             []AgentStats  `json:"agents"`
	Sources            []SourceStats `json:"sources"`
	Rules              []RuleStats   `json:"rules"`
}

// LeadCounts are the window's lead counts, and the queue now.
type LeadCounts struct {
	Created        int `json:"created"`
	AssignedAuto   int `json:"assigned_auto"`
	AssignedManual int `json:"assigned_manual"`
	QueuedNow      int `json:"queued_now"`
	Contacted      int `json:"contacted"`
}

// Percentiles are the median and 90th percentile of durations, in seconds; nil when
// there was nothing to measure.
type Percentiles struct {
	P50 *float64 `json:"p50_s"`
	P90 *float64 `json:"p90_s"`
}

// SLACounts are the SLAs that ended in the window: met by a first contact in time, or
// missed.
type SLACounts struct {
	Met    int `json:"met"`
	Missed int `json:"missed"`
}

// AgentStats are one agent's figures.
type AgentStats struct {
	Agent                 string   `json:"agent"`
	Assigned              int      `json:"assigned"`
	Contacted             int      `json:"contacted"`
	TimeToFirstContactP50 *float64 `json:"time_to_first_contact_p50_s"`
	SLAMissed             int      `json:"sla_missed"`
	OpenNow               int      `json:"open_now"`
}

// SourceStats are the leads of one source created in the window: how many, how many
// got an owner and how many a first contact before the window's end.
type SourceStats struct {
	Source    string `json:"source"`
	Created   int    `json:"created"`
	Assigned  int    `json:"assigned"`
	Contacted int    `json:"contacted"`
}

// RuleStats are one rule's routing decisions in the window: how many matched it, how
// many leads it gave an owner, and for a round-robin rule how those were shared out.
type RuleStats struct {
	Rule     int64  `json:"rule"`
	Name     string `json:"name"`
	Matched  int    `json:"matched"`
	Assigned int    `json:"assigned"`
	// Fairness is nil for modes other than round robin.
	Fairness []Fairness `json:"fairness"`
}

// Fairness compares a round-robin recipient's share of its rule's assignments with its
// weight's share (per_round over the sum of per_round). A recipient that got leads but
// is no longer in the rule has an expected share of 0.
type Fairness struct {
	Agent         string   `json:"agent"`
	ExpectedShare float64  `json:"expected_share"`
	ActualShare   *float64 `json:"actual_share"` // nil when the rule assigned nothing
}

// StatsFacts are what a store counts for a window (StatsReader); the engine adds the
// team and the rules as they are now to make Stats. Lists hold only what has a figure,
// agents by handle, sources by name, rules by id.
type StatsFacts struct {
	Created        int // leads created in the window
	Contacted      int // first contacts in the window
	SLAMet         int // of those, before a running SLA's deadline
	AssignedAuto   int // lead.routed in the window
	AssignedManual int // lead.assigned and lead.reassigned in the window
	SLAMissed      int // lead.sla_missed in the window
	// TimeToAssign: leads created in the window and assigned before its end, from
	// creation to first owner. TimeToFirstContact: first contacts in the window, from
	// creation.
	TimeToAssign, TimeToFirstContact Spread
	Agents                           []AgentFacts
	Sources                          []SourceStats
	Rules                            []RuleFacts
}

// AgentFacts are one agent's counts (by handle, as history names agents).
type AgentFacts struct {
	Agent     string
	Assigned  int // lead.routed, lead.assigned and lead.reassigned to it
	Contacted int // first contacts in the window while it owned the lead
	SLAMissed int
	// TimeToFirstContact: its first contacts, from its assignment of the lead.
	TimeToFirstContact Spread
}

// RuleFacts are one rule's counts.
type RuleFacts struct {
	Rule     int64
	Matched  int            // routing decisions whose rules matched it (Event.MatchedRules)
	Assigned int            // lead.routed by it
	Agents   map[string]int // lead.routed by it, by agent; nil when none
}

// Spread is the median and 90th percentile of N durations (zero when N is 0).
type Spread struct {
	N        int
	P50, P90 time.Duration
}

// PercentileRanks are the positions (0-based, in ascending order of value) of the
// values the percentiles of n values are made of: the p50's two neighbours, then the
// p90's. Stores restate them in SQL to fetch only those values.
func PercentileRanks(n int) [4]int {
	return [4]int{(n - 1) / 2, n / 2, (n - 1) * 9 / 10, ((n-1)*9 + 9) / 10}
}

// SpreadOf makes the percentiles of n values from the values at PercentileRanks(n):
// at(rank) is the value at that rank. The p-th percentile is at position (n-1)·p,
// interpolated linearly between its neighbours.
func SpreadOf(n int, at func(rank int) time.Duration) Spread {
	if n <= 0 {
		return Spread{}
	}
	r := PercentileRanks(n)
	lerp := func(lo, hi time.Duration, num, den int) time.Duration {
		return lo + (hi-lo)*time.Duration(num)/time.Duration(den)
	}
	return Spread{N: n,
		P50: lerp(at(r[0]), at(r[1]), (n-1)%2, 2),
		P90: lerp(at(r[2]), at(r[3]), (n-1)*9%10, 10)}
}

// spreadOfValues is SpreadOf over every value.
func spreadOfValues(vs []time.Duration) Spread {
	slices.Sort(vs)
	return SpreadOf(len(vs), func(i int) time.Duration { return vs[i] })
}

// MatchedRules are the rules whose conditions matched the lead in a routing decision
// (lead.routed, lead.queued): those its routing lists, or, in history written before
// routing listed them, the rule that set the owner.
func (e Event) MatchedRules() []int64 {
	if e.Kind != EvLeadRouted && e.Kind != EvLeadQueued {
		return nil
	}
	if e.Routing != nil && len(e.Routing.Matched) > 0 {
		return e.Routing.Matched
	}
	if e.Kind == EvLeadRouted && e.RuleID != 0 {
		return []int64{e.RuleID}
	}
	return nil
}

// StatsFactsOf counts a window over every lead and event: the definition that stores'
// queries restate. handle names an agent by id (the owner at first contact).
func StatsFactsOf(w StatsWindow, leads []Lead, events []Event, handle func(agentID int64) string) StatsFacts {
	var t StatsTally
	var tta, ttfc []time.Duration
	agentTTFC := map[string][]time.Duration{}
	sources := map[string]*SourceStats{}
	before := func(at time.Time) bool { return !at.IsZero() && at.Before(w.Until) }
	for _, l := range leads {
		if w.In(l.CreatedAt) {
			s := sources[l.Source]
			if s == nil {
				s = &SourceStats{Source: l.Source}
				sources[l.Source] = s
			}
			s.Created++
			if before(l.FirstAssignedAt) {
				s.Assigned++
				tta = append(tta, l.FirstAssignedAt.Sub(l.CreatedAt))
			}
			if before(l.FirstContactAt) {
				s.Contacted++
			}
		}
		if w.In(l.FirstContactAt) {
			met := 0
			if l.SLAMet {
				met = 1
			}
			t.Contacts(1, met)
			ttfc = append(ttfc, l.FirstContactAt.Sub(l.CreatedAt))
			if l.ContactOwnerID != 0 {
				h := handle(l.ContactOwnerID)
				agentTTFC[h] = append(agentTTFC[h], l.FirstContactAt.Sub(l.ContactAssignedAt))
			}
		}
	}
	for _, s := range sources {
		t.Source(*s)
	}
	for h, vs := range agentTTFC {
		t.AgentContacts(h, spreadOfValues(vs))
	}
	for _, ev := range events {
		if w.In(ev.At) {
			t.Events(ev, 1)
		}
	}
	t.TimeToAssign(spreadOfValues(tta))
	t.TimeToFirstContact(spreadOfValues(ttfc))
	return t.Facts()
}

// StatsTally puts StatsFacts together from counts, in whatever order they come: a
// store feeds it the groups its queries count, StatsFactsOf one row at a time. What
// counts where is decided here, once. The zero value is ready.
type StatsTally struct {
	f       StatsFacts
	agents  map[string]*AgentFacts
	rules   map[int64]*RuleFacts
	sources map[string]*SourceStats
}

func (t *StatsTally) agent(h string) *AgentFacts {
	if t.agents == nil {
		t.agents = map[string]*AgentFacts{}
	}
	if t.agents[h] == nil {
		t.agents[h] = &AgentFacts{Agent: h}
	}
	return t.agents[h]
}

func (t *StatsTally) rule(id int64) *RuleFacts {
	if t.rules == nil {
		t.rules = map[int64]*RuleFacts{}
	}
	if t.rules[id] == nil {
		t.rules[id] = &RuleFacts{Rule: id}
	}
	return t.rules[id]
}

// Events counts n events in the window like ev: its kind, agent, rule and the rules it
// matched are what count.
func (t *StatsTally) Events(ev Event, n int) {
	switch ev.Kind {
	case EvLeadRouted:
		t.f.AssignedAuto += n
		t.agent(ev.Agent).Assigned += n
		if ev.RuleID == 0 {
			break // a returning lead back to its owner (R20): no rule set it
		}
		r := t.rule(ev.RuleID)
		r.Assigned += n
		if r.Agents == nil {
			r.Agents = map[string]int{}
		}
		r.Agents[ev.Agent] += n
	case EvLeadAssigned, EvLeadReassigned:
		t.f.AssignedManual += n
		t.agent(ev.Agent).Assigned += n
	case EvLeadSLAMissed:
		t.f.SLAMissed += n
		t.agent(ev.Agent).SLAMissed += n
	}
	for _, id := range ev.MatchedRules() {
		t.rule(id).Matched += n
	}
}

// Source counts leads of one source created in the window.
func (t *StatsTally) Source(s SourceStats) {
	if t.sources == nil {
		t.sources = map[string]*SourceStats{}
	}
	cur := t.sources[s.Source]
	if cur == nil {
		cur = &SourceStats{Source: s.Source}
		t.sources[s.Source] = cur
	}
	cur.Created += s.Created
	cur.Assigned += s.Assigned
	cur.Contacted += s.Contacted
	t.f.Created += s.Created
}

// Contacts counts n first contacts in the window, met of them before a running SLA's
// deadline.
func (t *StatsTally) Contacts(n, met int) {
	t.f.Contacted += n
	t.f.SLAMet += met
}

// AgentContacts is an agent's first contacts in the window: how many (s.N) and how
// long after its assignment.
func (t *StatsTally) AgentContacts(agent string, s Spread) {
	a := t.agent(agent)
	a.Contacted = s.N
	a.TimeToFirstContact = s
}

// TimeToAssign and TimeToFirstContact set the window's spreads.
func (t *StatsTally) TimeToAssign(s Spread)       { t.f.TimeToAssign = s }
func (t *StatsTally) TimeToFirstContact(s Spread) { t.f.TimeToFirstContact = s }

// Facts are the counts so far, in the order StatsFacts documents.
func (t *StatsTally) Facts() StatsFacts {
	f := t.f
	f.Agents, f.Sources, f.Rules = nil, nil, nil
	for _, a := range t.agents {
		f.Agents = append(f.Agents, *a)
	}
	slices.SortFunc(f.Agents, func(a, b AgentFacts) int { return cmp.Compare(a.Agent, b.Agent) })
	for _, s := range t.sources {
		f.Sources = append(f.Sources, *s)
	}
	slices.SortFunc(f.Sources, func(a, b SourceStats) int { return cmp.Compare(a.Source, b.Source) })
	for _, r := range t.rules {
		f.Rules = append(f.Rules, *r)
	}
	slices.SortFunc(f.Rules, func(a, b RuleFacts) int { return cmp.Compare(a.Rule, b.Rule) })
	return f
}

// Stats are the team's figures for a window. Dispatchers and up, and admin tokens,
// may read them.
func (e *Engine) Stats(ctx context.Context, actor Actor, q StatsQuery) (Stats, error) {
	a, err := e.activity(ctx, actor, q, 0)
	return a.Stats, err
}

// Activity is a window's stats and the leads created in each hour of it, read on one
// snapshot: what the console's Stats pane draws.
type Activity struct {
	Stats   Stats
	PerHour []int // leads created in each hour from Stats.Since, the last one cut at Until
	// Rotation is, for each agent the round-robin rules gave leads or weight, how many
	// leads they gave it in the window and its fair share of them: the sum over the
	// rules of its expected share times the rule's assignments. By handle.
	Rotation []RotationShare
}

// RotationShare is one agent's leads from round-robin rules against its fair share.
type RotationShare struct {
	Agent string
	Got   int
	Fair  float64
}

// Activity reads a window's stats and its leads per hour, as Stats may be read.
func (e *Engine) Activity(ctx context.Context, actor Actor, q StatsQuery) (Activity, error) {
	return e.activity(ctx, actor, q, time.Hour)
}

// activity reads the stats of a window and, with a step, the leads created per step.
func (e *Engine) activity(ctx context.Context, actor Actor, q StatsQuery, step time.Duration) (Activity, error) {
	if err := actor.require(ActViewStats); err != nil {
		return Activity{}, err
	}
	w, err := e.statsWindow(q)
	if err != nil {
		return Activity{}, err
	}
	var (
		facts   StatsFacts
		team    []Agent
		rules   []Rule
		teams   []Team
		queued  int
		perStep []int
	)
	err = e.read(ctx, func(r Reader) (err error) {
		if facts, err = r.StatsFacts(w); err != nil {
			return fmt.Errorf("counting the stats: %w", err)
		}
		if team, err = r.Agents(); err != nil {
			return fmt.Errorf("reading the team: %w", err)
		}
		if rules, err = r.Rules(); err != nil {
			return fmt.Errorf("reading the rules: %w", err)
		}
		if teams, err = r.Teams(); err != nil {
			return fmt.Errorf("reading the teams: %w", err)
		}
		if queued, err = r.CountLeads(LeadFilter{Unassigned: true, Open: true}); err != nil {
			return fmt.Errorf("counting the queue: %w", err)
		}
		if step > 0 {
			if perStep, err = r.CreatedEvery(w, step); err != nil {
				return fmt.Errorf("counting leads per hour: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Activity{}, err
	}
	idx := teamIndexOf(teams)
	st := makeStats(w, facts, team, rules, idx, queued)
	return Activity{Stats: st, PerHour: perStep, Rotation: rotationShares(facts, rules, idx, team)}, nil
}

// rotationShares adds up, per agent, what the round-robin rules gave it and its fair
// share, from the exact weights rather than the rounded shares of fairness.
func rotationShares(f StatsFacts, rules []Rule, teams teamIndex, team []Agent) []RotationShare {
	facts := map[int64]RuleFacts{}
	for _, rf := range f.Rules {
		facts[rf.Rule] = rf
	}
	var agentsAZ []string
	for _, a := range team {
		if a.Role == RoleAgent {
			agentsAZ = append(agentsAZ, a.Handle)
		}
	}
	by := map[string]*RotationShare{}
	for _, r := range rules {
		if r.Mode != RoundRobin {
			continue
		}
		rf := facts[r.ID]
		ws, total := rotationWeights(r, rf, teams, agentsAZ)
		for _, w := range ws {
			rs := by[w.agent]
			if rs == nil {
				rs = &RotationShare{Agent: w.agent}
				by[w.agent] = rs
			}
			rs.Got += rf.Agents[w.agent]
			if total > 0 {
				rs.Fair += float64(w.n) / float64(total) * float64(rf.Assigned)
			}
		}
	}
	out := make([]RotationShare, 0, len(by))
	for _, rs := range by {
		out = append(out, *rs)
	}
	slices.SortFunc(out, func(a, b RotationShare) int { return cmp.Compare(a.Agent, b.Agent) })
	return out
}

// statsWindow checks a query and fills its defaults.
func (e *Engine) statsWindow(q StatsQuery) (StatsWindow, error) {
	w := StatsWindow{Since: q.Since.UTC().Truncate(time.Millisecond), Until: q.Until.UTC().Truncate(time.Millisecond)}
	if q.Until.IsZero() {
		// Now, this millisecond included: what happened just before the question (in
		// the same millisecond, as times are kept) is in the answer.
		w.Until = e.now().UTC().Add(time.Millisecond)
	}
	if q.Since.IsZero() {
		last := q.Last
		if last <= 0 {
			last = DefaultStatsWindow
		}
		w.Since = w.Until.Add(-last)
	}
	if !w.Since.Before(w.Until) {
		return w, invalidf("since", "since (%s) must come before until (%s)", w.Since.Format(time.RFC3339), w.Until.Format(time.RFC3339))
	}
	if w.Until.Sub(w.Since) > MaxStatsWindow {
		return w, invalidf("since", "since is %d days before until: a window of stats is at most 366 days, ask for a shorter one", int(w.Until.Sub(w.Since).Hours()/24))
	}
	return w, nil
}

// makeStats puts a window's facts together with the team and the rules as they are
// now.
func makeStats(w StatsWindow, f StatsFacts, team []Agent, rules []Rule, teams teamIndex, queued int) Stats {
	s := Stats{
		Since: w.Since, Until: w.Until,
		Leads: LeadCounts{Created: f.Created, AssignedAuto: f.AssignedAuto, AssignedManual: f.AssignedManual,
			QueuedNow: queued, Contacted: f.Contacted},
		TimeToAssign:       percentiles(f.TimeToAssign),
		TimeToFirstContact: percentiles(f.TimeToFirstContact),
		SLA:                SLACounts{Met: f.SLAMet, Missed: f.SLAMissed},
		Sources:            f.Sources,
	}
	if s.Sources == nil {
		s.Sources = []SourceStats{}
	}

	// Agents: everyone with the agent role, and anyone else with a figure.
	byHandle := map[string]*AgentStats{}
	open := map[string]int{}
	var handles []string
	add := func(h string) *AgentStats {
		if byHandle[h] == nil {
			byHandle[h] = &AgentStats{Agent: h, OpenNow: open[h]}
			handles = append(handles, h)
		}
		return byHandle[h]
	}
	for _, a := range team {
		open[a.Handle] = a.OpenLeads
	}
	for _, a := range team {
		if a.Role == RoleAgent || a.OpenLeads > 0 {
			add(a.Handle)
		}
	}
	for _, af := range f.Agents {
		as := add(af.Agent)
		as.Assigned, as.Contacted, as.SLAMissed = af.Assigned, af.Contacted, af.SLAMissed
		if af.TimeToFirstContact.N > 0 {
			as.TimeToFirstContactP50 = seconds(af.TimeToFirstContact.P50)
		}
	}
	slices.Sort(handles)
	s.Agents = make([]AgentStats, len(handles))
	for i, h := range handles {
		s.Agents[i] = *byHandle[h]
	}

	// Rules: as they are now, in position order.
	facts := map[int64]RuleFacts{}
	for _, rf := range f.Rules {
		facts[rf.Rule] = rf
	}
	var agentsAZ []string // the recipients of a rule that names none
	for _, a := range team {
		if a.Role == RoleAgent {
			agentsAZ = append(agentsAZ, a.Handle)
		}
	}
	s.Rules = make([]RuleStats, len(rules))
	for i, r := range rules {
		rf := facts[r.ID]
		rs := RuleStats{Rule: r.ID, Name: r.Name, Matched: rf.Matched, Assigned: rf.Assigned}
		if r.Mode == RoundRobin {
			rs.Fairness = fairness(r, rf, teams, agentsAZ)
		}
		s.Rules[i] = rs
	}
	return s
}

// fairness is each round-robin recipient's expected and actual share of the rule's
// assignments (rotationWeights).
func fairness(r Rule, rf RuleFacts, teams teamIndex, agentsAZ []string) []Fairness {
	ws, total := rotationWeights(r, rf, teams, agentsAZ)
	out := make([]Fairness, len(ws))
	for i, w := range ws {
		out[i] = Fairness{Agent: w.agent}
		if total > 0 {
			out[i].ExpectedShare = round3(float64(w.n) / float64(total))
		}
		if rf.Assigned > 0 {
			v := round3(float64(rf.Agents[w.agent]) / float64(rf.Assigned))
			out[i].ActualShare = &v
		}
	}
	return out
}

// weight is a round-robin recipient's per_round.
type weight struct {
	agent string
	n     int
}

// rotationWeights are a round-robin rule's recipients with their weights, in rotation
// order – as routing's one expansion makes them (Rule.expand): each team as its
// members, with the team's weight; the whole team's agents, alphabetically, each 1,
// when it names nobody – then whoever else the rule gave leads to in the window
// (removed from it since) with 0, by handle; and the sum of the weights.
func rotationWeights(r Rule, rf RuleFacts, teams teamIndex, agentsAZ []string) (ws []weight, total int) {
	if len(r.Recipients) == 0 {
		for _, h := range agentsAZ {
			ws = append(ws, weight{h, 1})
		}
	}
	for _, rc := range r.expand(teams) {
		ws = append(ws, weight{rc.Agent, rc.PerRound})
	}
	listed := map[string]bool{}
	for _, w := range ws {
		total += w.n
		listed[w.agent] = true
	}
	var others []string
	for h := range rf.Agents {
		if !listed[h] {
			others = append(others, h)
		}
	}
	slices.Sort(others)
	for _, h := range others {
		ws = append(ws, weight{h, 0})
	}
	return ws, total
}

func percentiles(s Spread) Percentiles {
	if s.N == 0 {
		return Percentiles{}
	}
	return Percentiles{P50: seconds(s.P50), P90: seconds(s.P90)}
}

// seconds writes a duration in seconds, to the millisecond.
func seconds(d time.Duration) *float64 {
	v := round3(d.Seconds())
	return &v
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// SecondsText writes a figure in seconds for people, in its two largest units ("45s",
// "26m48s", "3h12m", "2d3h"; under a second in milliseconds, "12ms"); "-" for no data.
func SecondsText(s *float64) string {
	if s == nil {
		return "-"
	}
	v := *s
	switch {
	case v < 0.0005:
		return "0s"
	case v < 1:
		return fmt.Sprintf("%.0fms", v*1000)
	case v < 60:
		if v == math.Trunc(v) || v >= 10 {
			return fmt.Sprintf("%.0fs", v)
		}
		return fmt.Sprintf("%.1fs", v)
	}
	n := int64(math.Round(v))
	two := func(a int64, ua string, b int64, ub string) string {
		if b == 0 {
			return fmt.Sprintf("%d%s", a, ua)
		}
		return fmt.Sprintf("%d%s%d%s", a, ua, b, ub)
	}
	switch {
	case n < 3600:
		return two(n/60, "m", n%60, "s")
	case n < 86400:
		return two(n/3600, "h", n%3600/60, "m")
	}
	return two(n/86400, "d", n%86400/3600, "h")
}

// Backlog is what waits now: open leads without an owner, and notifications still to
// deliver.
type Backlog struct {
	Queue  int
	Outbox int
}

// Backlog reads what waits now, on one snapshot (metrics read it at every scrape).
func (e *Engine) Backlog(ctx context.Context, actor Actor) (Backlog, error) {
	if err := actor.require(ActViewStats); err != nil {
		return Backlog{}, err
	}
	var b Backlog
	err := e.read(ctx, func(r Reader) (err error) {
		if b.Queue, err = r.CountLeads(LeadFilter{Unassigned: true, Open: true}); err != nil {
			return fmt.Errorf("counting the queue: %w", err)
		}
		if b.Outbox, err = r.PendingOutbox(); err != nil {
			return fmt.Errorf("counting the outbox: %w", err)
		}
		return nil
	})
	return b, err
}

// CreatedSource is the source of the lead a lead.created event records ("" for any
// other event): the event's reason names it.
func (e Event) CreatedSource() string {
	if e.Kind != EvLeadCreated {
		return ""
	}
	return strings.TrimPrefix(e.Reason, createdReasonPrefix)
}
