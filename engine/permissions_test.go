package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard/switchboard/engine"
	"github.com/switchboard/switchboard/engine/enginetest"
)

var allRoles = []engine.Role{engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher, engine.RoleAgent, engine.RoleIntake}

// allowed is the permission table of README "Roles" written out by hand, so that the
// table in actor.go is checked against the documented rule rather than against itself.
var allowed = map[engine.Action][]engine.Role{
	engine.ActCreateLead:     {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher, engine.RoleIntake},
	engine.ActViewAllLeads:   {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActAssign:         {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActEditAnyLead:    {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActShareAnyLead:   {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActSetAnyPresence: {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActViewTeam:       {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher, engine.RoleAgent},
	engine.ActViewRules:      {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActManageAgents:   {engine.RoleOwner, engine.RoleAdmin},
	engine.ActManageRules:    {engine.RoleOwner, engine.RoleAdmin},
	engine.ActManageTokens:   {engine.RoleOwner, engine.RoleAdmin},
	engine.ActManageSettings: {engine.RoleOwner, engine.RoleAdmin},
	engine.ActManageForms:    {engine.RoleOwner, engine.RoleAdmin},
	engine.ActViewAllHistory: {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
	engine.ActViewStats:      {engine.RoleOwner, engine.RoleAdmin, engine.RoleDispatcher},
}

func isAllowed(a engine.Action, r engine.Role) bool {
	for _, x := range allowed[a] {
		if x == r {
			return true
		}
	}
	return false
}

func TestRoleCan(t *testing.T) {
	if len(allowed) != 15 {
		t.Fatalf("the table covers %d actions; add the new ones", len(allowed))
	}
	for a := range allowed {
		for _, r := range allRoles {
			if got, want := r.Can(a), isAllowed(a, r); got != want {
				t.Errorf("%s can %s = %v, want %v", r, a, got, want)
			}
		}
	}
}

// permEnv is a team with one person of each role, plus "other", an agent whose leads,
// shares and settings the actor under test reaches for.
type permEnv struct {
	*fixture
	n int
}

func (p *permEnv) unique(prefix string) string { p.n++; return fmt.Sprintf("%s%d", prefix, p.n) }

// otherLead is a new lead owned by other.
func (p *permEnv) otherLead() engine.Lead {
	p.t.Helper()
	c := p.lead(engine.NewLead{Name: p.unique("lead")})
	mustAssign(p.t, p.fixture, []int64{c.Lead.ID}, "other")
	return p.get(c.Lead.ID)
}

func (p *permEnv) ruleID() int64 {
	return p.rule(rr(p.unique("rule"), "", to("other", 1))).ID
}

// errHidden stands for a list the engine answered, but without what the actor has no
// right to see: the command is refused by filtering rather than by an error.
var errHidden = &engine.Error{Kind: engine.KindForbidden, Msg: "filtered out"}

// command is one engine command and the action it needs. prep sets up what the
// command reaches for, as the system, and returns the attempt.
type command struct {
	name string
	act  engine.Action
	prep func(p *permEnv) func(a engine.Actor) error
}

var commands = []command{
	{"create a lead", engine.ActCreateLead, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.CreateLead(p.ctx, a, engine.NewLead{Name: "new"})
			return err
		}
	}},
	{"create leads in a batch", engine.ActCreateLead, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.CreateLeads(p.ctx, a, []engine.NewLead{{Name: "one"}, {Name: "two"}})
			return err
		}
	}},
	{"read another agent's lead", engine.ActViewAllLeads, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.Lead(p.ctx, a, id)
			return err
		}
	}},
	{"list every lead", engine.ActViewAllLeads, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			page, err := p.e.ListLeads(p.ctx, a, engine.LeadQuery{Limit: 1000})
			if err != nil {
				return err
			}
			for _, x := range page.Items {
				if x.ID == id {
					return nil
				}
			}
			return errHidden
		}
	}},
	{"count every lead", engine.ActViewAllLeads, func(p *permEnv) func(engine.Actor) error {
		p.otherLead()
		return func(a engine.Actor) error {
			n, err := p.e.CountLeads(p.ctx, a, engine.LeadQuery{Owner: "other"})
			if err == nil && n == 0 {
				return errHidden
			}
			return err
		}
	}},
	{"assign", engine.ActAssign, func(p *permEnv) func(engine.Actor) error {
		id := p.lead(engine.NewLead{Name: "queued"}).Lead.ID
		return func(a engine.Actor) error {
			_, err := p.e.Assign(p.ctx, a, []int64{id}, "other", "")
			return err
		}
	}},
	{"reassign", engine.ActAssign, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.Assign(p.ctx, a, []int64{id}, "third", "")
			return err
		}
	}},
	{"unassign", engine.ActAssign, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.Unassign(p.ctx, a, []int64{id}, "")
			return err
		}
	}},
	{"re-route", engine.ActAssign, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.Reroute(p.ctx, a, []int64{id})
			return err
		}
	}},
	{"edit another agent's lead", engine.ActEditAnyLead, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.UpdateLead(p.ctx, a, id, engine.LeadUpdate{Status: ptr(engine.StatusContacted)})
			return err
		}
	}},
	{"share another agent's lead", engine.ActShareAnyLead, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.Share(p.ctx, a, engine.NewShare{LeadID: id, Agent: "third"})
			return err
		}
	}},
	{"share other agents' leads in bulk", engine.ActShareAnyLead, func(p *permEnv) func(engine.Actor) error {
		ids := []int64{p.otherLead().ID, p.otherLead().ID}
		return func(a engine.Actor) error {
			_, err := p.e.ShareLeads(p.ctx, a, ids, "third", engine.AccessRead, 0, "")
			return err
		}
	}},
	{"mark contact with another agent's lead", engine.ActEditAnyLead, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			_, err := p.e.MarkContacted(p.ctx, a, []int64{id})
			return err
		}
	}},
	{"set the status of other agents' leads in bulk", engine.ActEditAnyLead, func(p *permEnv) func(engine.Actor) error {
		ids := []int64{p.otherLead().ID, p.otherLead().ID}
		return func(a engine.Actor) error {
			_, err := p.e.SetStatus(p.ctx, a, ids, engine.StatusQualified)
			return err
		}
	}},
	{"revoke a share of another agent's lead", engine.ActShareAnyLead, func(p *permEnv) func(engine.Actor) error {
		s, err := p.e.Share(p.ctx, p.owner, engine.NewShare{LeadID: p.otherLead().ID, Agent: "third"})
		if err != nil {
			p.t.Fatal(err)
		}
		return func(a engine.Actor) error {
			_, err := p.e.RevokeShare(p.ctx, a, s.ID)
			return err
		}
	}},
	{"set a teammate's presence", engine.ActSetAnyPresence, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.SetPresence(p.ctx, a, "other", engine.Away)
			return err
		}
	}},
	{"set a teammate away until a time", engine.ActSetAnyPresence, func(p *permEnv) func(engine.Actor) error {
		until := "2h"
		return func(a engine.Actor) error {
			_, err := p.e.UpdateAgent(p.ctx, a, "other", engine.AgentUpdate{AwayUntil: &until})
			return err
		}
	}},
	{"opt a teammate out of auto-away", engine.ActSetAnyPresence, func(p *permEnv) func(engine.Actor) error {
		off := false
		return func(a engine.Actor) error {
			_, err := p.e.UpdateAgent(p.ctx, a, "other", engine.AgentUpdate{AutoPresence: &off})
			return err
		}
	}},
	{"list the teams", engine.ActViewTeam, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Teams(p.ctx, a)
			return err
		}
	}},
	{"list the team", engine.ActViewTeam, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Agents(p.ctx, a)
			return err
		}
	}},
	{"read a teammate", engine.ActViewTeam, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Agent(p.ctx, a, "other")
			return err
		}
	}},
	{"list the rules", engine.ActViewRules, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Rules(p.ctx, a)
			return err
		}
	}},
	{"read a rule", engine.ActViewRules, func(p *permEnv) func(engine.Actor) error {
		id := p.ruleID()
		return func(a engine.Actor) error {
			_, err := p.e.Rule(p.ctx, a, id)
			return err
		}
	}},
	{"add an agent", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		h := p.unique("new")
		return func(a engine.Actor) error {
			_, err := p.e.AddAgent(p.ctx, a, engine.NewAgent{Handle: h, Name: "New"})
			return err
		}
	}},
	{"change an agent", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		c := p.n + 5
		p.n++
		return func(a engine.Actor) error {
			_, err := p.e.UpdateAgent(p.ctx, a, "other", engine.AgentUpdate{Capacity: &c})
			return err
		}
	}},
	{"set an agent's schedule", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		sched := fmt.Sprintf("mon-fri 09:00-17:%02d", p.n%60)
		p.n++
		return func(a engine.Actor) error {
			_, err := p.e.UpdateAgent(p.ctx, a, "other", engine.AgentUpdate{Schedule: &sched})
			return err
		}
	}},
	{"create a team", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("team")
		return func(a engine.Actor) error {
			_, err := p.e.CreateTeam(p.ctx, a, name, []string{"other"})
			return err
		}
	}},
	{"change a team", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("team")
		if _, err := p.e.CreateTeam(p.ctx, engine.System(), name, nil); err != nil {
			p.t.Fatal(err)
		}
		return func(a engine.Actor) error {
			_, err := p.e.SetTeam(p.ctx, a, name, []string{"other"})
			return err
		}
	}},
	{"remove a team", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("team")
		if _, err := p.e.CreateTeam(p.ctx, engine.System(), name, nil); err != nil {
			p.t.Fatal(err)
		}
		return func(a engine.Actor) error { return p.e.DeleteTeam(p.ctx, a, name) }
	}},
	{"remove an agent", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		h := p.unique("gone")
		p.agent(h)
		return func(a engine.Actor) error { return p.e.RemoveAgent(p.ctx, a, h) }
	}},
	{"add a teammate's key", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		h := p.unique("keyed")
		p.agent(h)
		return func(a engine.Actor) error {
			_, err := p.e.AddKey(p.ctx, a, h, testKey)
			return err
		}
	}},
	{"list a teammate's keys", engine.ActManageAgents, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Keys(p.ctx, a, "other")
			return err
		}
	}},
	{"create a rule", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("r")
		return func(a engine.Actor) error {
			_, err := p.e.CreateRule(p.ctx, a, rr(name, "", to("other", 1)))
			return err
		}
	}},
	{"give a rule an SLA", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		id := p.ruleID()
		return func(a engine.Actor) error {
			spec := rr(p.unique("sla"), "", to("other", 1))
			spec.SLA, spec.SLAAction = 15*time.Minute, engine.SLAUnassign
			_, err := p.e.UpdateRule(p.ctx, a, id, spec)
			return err
		}
	}},
	{"change a rule", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		id := p.ruleID()
		return func(a engine.Actor) error {
			_, err := p.e.UpdateRule(p.ctx, a, id, rr("changed", `source == "web"`, to("other", 1)))
			return err
		}
	}},
	{"move a rule", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		p.ruleID()
		id := p.ruleID()
		return func(a engine.Actor) error {
			_, err := p.e.MoveRule(p.ctx, a, id, 1)
			return err
		}
	}},
	{"disable a rule", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		id := p.ruleID()
		return func(a engine.Actor) error {
			_, err := p.e.SetRuleEnabled(p.ctx, a, id, false)
			return err
		}
	}},
	{"delete a rule", engine.ActManageRules, func(p *permEnv) func(engine.Actor) error {
		id := p.ruleID()
		return func(a engine.Actor) error { return p.e.DeleteRule(p.ctx, a, id) }
	}},
	{"create a token", engine.ActManageTokens, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("tok")
		return func(a engine.Actor) error {
			_, _, err := p.e.CreateToken(p.ctx, a, name, engine.RoleIntake)
			return err
		}
	}},
	{"list tokens", engine.ActManageTokens, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Tokens(p.ctx, a)
			return err
		}
	}},
	{"revoke a token", engine.ActManageTokens, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("tok")
		if _, _, err := p.e.CreateToken(p.ctx, p.owner, name, engine.RoleIntake); err != nil {
			p.t.Fatal(err)
		}
		return func(a engine.Actor) error {
			_, err := p.e.RevokeToken(p.ctx, a, name)
			return err
		}
	}},
	{"create a web form", engine.ActManageForms, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.CreateForm(p.ctx, a, engine.NewForm{Name: p.unique("form")})
			return err
		}
	}},
	{"list web forms", engine.ActManageForms, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Forms(p.ctx, a)
			return err
		}
	}},
	{"remove a web form", engine.ActManageForms, func(p *permEnv) func(engine.Actor) error {
		name := p.unique("form")
		if _, err := p.e.CreateForm(p.ctx, p.owner, engine.NewForm{Name: name}); err != nil {
			p.t.Fatal(err)
		}
		return func(a engine.Actor) error {
			_, err := p.e.DeleteForm(p.ctx, a, name)
			return err
		}
	}},
	{"change a setting", engine.ActManageSettings, func(p *permEnv) func(engine.Actor) error {
		v := p.unique("Acme ")
		return func(a engine.Actor) error { return p.e.SetSetting(p.ctx, a, engine.SettingCompany, v) }
	}},
	{"change settings at once", engine.ActManageSettings, func(p *permEnv) func(engine.Actor) error {
		v := p.unique("Acme ")
		return func(a engine.Actor) error {
			_, err := p.e.ChangeSettings(p.ctx, a, []engine.SettingChange{{Key: engine.SettingCompany, Text: v}})
			return err
		}
	}},
	{"set the manual SLA and the hand-off", engine.ActManageSettings, func(p *permEnv) func(engine.Actor) error {
		n := 0
		return func(a engine.Actor) error {
			n++
			_, err := p.e.ChangeSettings(p.ctx, a, []engine.SettingChange{
				{Key: engine.SettingSLAManual, Text: fmt.Sprintf("%dm", n)}, {Key: engine.SettingHandoffAfter, Text: "10m"}})
			return err
		}
	}},
	{"read every setting", engine.ActManageSettings, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Settings(p.ctx, a)
			return err
		}
	}},
	{"read a setting", engine.ActManageSettings, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Setting(p.ctx, a, engine.SettingCompany)
			return err
		}
	}},
	{"read all history", engine.ActViewAllHistory, func(p *permEnv) func(engine.Actor) error {
		id := p.otherLead().ID
		return func(a engine.Actor) error {
			page, err := p.e.History(p.ctx, a, engine.HistoryQuery{LeadID: id})
			if err == nil && len(page.Items) == 0 {
				return errHidden
			}
			return err
		}
	}},
	{"read the stats", engine.ActViewStats, func(p *permEnv) func(engine.Actor) error {
		return func(a engine.Actor) error {
			_, err := p.e.Stats(p.ctx, a, engine.StatsQuery{})
			return err
		}
	}},
}

// testKey is a public key for AddKey.
const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbtB5+EWw1Vy2T4mo9Db4kbG7ErEdnzwoYJJbomCpJ6 one@test"

// TestPermissions runs every command as every role: allowed exactly where the permission
// table says, refused with a Forbidden error otherwise, and a refusal changes nothing.
func TestPermissions(t *testing.T) { eachStore(t, testPermissions) }

func testPermissions(t *testing.T, kind enginetest.Store) {
	for _, role := range allRoles {
		t.Run(string(role), func(t *testing.T) {
			f := newFixture(t, kind)
			p := &permEnv{fixture: f}
			people := map[engine.Role]engine.Agent{
				engine.RoleOwner:      f.agent("boss", withRole(engine.RoleOwner)),
				engine.RoleAdmin:      f.agent("adm", withRole(engine.RoleAdmin)),
				engine.RoleDispatcher: f.agent("disp", withRole(engine.RoleDispatcher)),
				engine.RoleAgent:      f.agent("me"),
			}
			f.agent("other")
			f.agent("third")
			actor := engine.AsAPI("intake", engine.RoleIntake)
			if a, ok := people[role]; ok {
				actor = engine.AsAgent(a)
			}
			for _, c := range commands {
				attempt := c.prep(p)
				before := len(f.events(0))
				err := attempt(actor)
				if isAllowed(c.act, role) {
					if err != nil {
						t.Errorf("%s: %s should be allowed: %v", role, c.name, err)
					}
					continue
				}
				if engine.KindOf(err) != engine.KindForbidden {
					t.Errorf("%s: %s should be forbidden, got %v", role, c.name, err)
				}
				if after := len(f.events(0)); after != before {
					t.Errorf("%s: refused %s wrote %d history events", role, c.name, after-before)
				}
			}
		})
	}
}

// TestAgentWorksOnItsOwn: an agent reads, updates and shares its own leads and sets
// its own presence; it cannot assign, read another agent's lead, or edit rules.
func TestAgentWorksOnItsOwn(t *testing.T) { eachStore(t, testAgentWorksOnItsOwn) }

func testAgentWorksOnItsOwn(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	me := engine.AsAgent(f.agent("me"))
	f.agent("other")
	f.rule(rr("main", "", to("me", 1), to("other", 1)))
	mine := f.lead(engine.NewLead{Name: "mine"}).Lead
	theirs := f.lead(engine.NewLead{Name: "theirs"}).Lead
	if mine.Owner != "me" || theirs.Owner != "other" {
		t.Fatalf("owners %s %s", mine.Owner, theirs.Owner)
	}

	if d, err := f.e.Lead(f.ctx, me, mine.ID); err != nil || d.Access != engine.AccessEdit {
		t.Fatalf("read own lead: %v %v", d.Access, err)
	}
	if _, err := f.e.UpdateLead(f.ctx, me, mine.ID, engine.LeadUpdate{Status: ptr(engine.StatusContacted)}); err != nil {
		t.Fatalf("update own lead: %v", err)
	}
	if _, err := f.e.Share(f.ctx, me, engine.NewShare{LeadID: mine.ID, Agent: "other", Duration: 3600e9}); err != nil {
		t.Fatalf("share own lead: %v", err)
	}
	if _, err := f.e.SetPresence(f.ctx, me, "me", engine.Away); err != nil {
		t.Fatalf("own presence: %v", err)
	}
	if a, err := f.e.Agent(f.ctx, me, "me"); err != nil || a.Presence != engine.Away {
		t.Fatalf("read self: %+v %v", a, err)
	}

	before := len(f.events(0))
	_, err := f.e.Lead(f.ctx, me, theirs.ID)
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.Assign(f.ctx, me, []int64{theirs.ID}, "me", "")
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.Assign(f.ctx, me, []int64{mine.ID}, "other", "") // not even its own
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.CreateRule(f.ctx, me, rr("mine", "", to("me", 1)))
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.UpdateLead(f.ctx, me, theirs.ID, engine.LeadUpdate{Status: ptr(engine.StatusLost)})
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.SetPresence(f.ctx, me, "other", engine.Away)
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.UpdateAgent(f.ctx, me, "me", engine.AgentUpdate{Capacity: ptr(100)})
	mustKind(t, err, engine.KindForbidden)
	if after := len(f.events(0)); after != before {
		t.Fatalf("refused commands wrote %d events", after-before)
	}
	if l := f.get(theirs.ID); l.Owner != "other" || l.Status != engine.StatusAssigned {
		t.Fatalf("their lead changed: %+v", l)
	}
	// Its history is what touches it: not the other agent's lead.
	page, err := f.e.History(f.ctx, me, engine.HistoryQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range page.Items {
		if ev.LeadID == theirs.ID {
			t.Fatalf("agent sees history of another agent's lead: %+v", ev)
		}
	}
}

// TestWhoMarksContact: first contact (R13) is marked by anyone with edit access to the
// lead – its owner, an agent holding an edit share, a dispatcher – and by nobody else.
func TestWhoMarksContact(t *testing.T) { eachStore(t, testWhoMarksContact) }

func testWhoMarksContact(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	me := engine.AsAgent(f.agent("me"))
	editor := engine.AsAgent(f.agent("editor", withPresence(engine.Away)))
	reader := engine.AsAgent(f.agent("reader", withPresence(engine.Away)))
	stranger := engine.AsAgent(f.agent("stranger", withPresence(engine.Away)))
	dana := engine.AsAgent(f.agent("dana", withRole(engine.RoleDispatcher)))
	f.rule(rr("main", "", to("me", 1)))
	lead := func() int64 {
		l := f.lead(engine.NewLead{Name: "L"}).Lead
		for _, s := range []engine.NewShare{{LeadID: l.ID, Agent: "editor", Access: engine.AccessEdit}, {LeadID: l.ID, Agent: "reader"}} {
			if _, err := f.e.Share(f.ctx, f.owner, s); err != nil {
				t.Fatal(err)
			}
		}
		return l.ID
	}
	for _, c := range []struct {
		name  string
		actor engine.Actor
		ok    bool
	}{{"owner", me, true}, {"edit share", editor, true}, {"dispatcher", dana, true}, {"read share", reader, false}, {"stranger", stranger, false}} {
		id := lead()
		_, err := f.e.SetStatus(f.ctx, c.actor, []int64{id}, engine.StatusContacted)
		if got := f.get(id); c.ok != (err == nil) || c.ok == got.FirstContactAt.IsZero() {
			t.Errorf("%s marks contact: %v; first contact %v", c.name, err, got.FirstContactAt)
		}
	}
}

// TestNobodyManagesAbove: an admin manages agents, but not an owner, and cannot make
// anyone owner; the last owner cannot be demoted.
func TestNobodyManagesAbove(t *testing.T) { eachStore(t, testNobodyManagesAbove) }

func testNobodyManagesAbove(t *testing.T, kind enginetest.Store) {
	f := newFixture(t, kind)
	boss := f.agent("boss", withRole(engine.RoleOwner))
	adm := engine.AsAgent(f.agent("adm", withRole(engine.RoleAdmin)))
	f.agent("x")
	_, err := f.e.UpdateAgent(f.ctx, adm, "boss", engine.AgentUpdate{Capacity: ptr(3)})
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.UpdateAgent(f.ctx, adm, "x", engine.AgentUpdate{Role: ptr(engine.RoleOwner)})
	mustKind(t, err, engine.KindForbidden)
	_, err = f.e.AddAgent(f.ctx, adm, engine.NewAgent{Handle: "boss2", Name: "B", Role: engine.RoleOwner})
	mustKind(t, err, engine.KindForbidden)
	mustKind(t, f.e.RemoveAgent(f.ctx, adm, "boss"), engine.KindForbidden)
	if _, err := f.e.UpdateAgent(f.ctx, adm, "x", engine.AgentUpdate{Role: ptr(engine.RoleDispatcher)}); err != nil {
		t.Fatalf("admin promotes to dispatcher: %v", err)
	}
	_, err = f.e.UpdateAgent(f.ctx, engine.AsAgent(boss), "boss", engine.AgentUpdate{Role: ptr(engine.RoleAdmin)})
	mustKind(t, err, engine.KindConflict)
	// A dispatcher sets a teammate's presence, even an owner's.
	disp := engine.AsAgent(f.agentNamed("x"))
	if _, err := f.e.SetPresence(f.ctx, disp, "boss", engine.Away); err != nil {
		t.Fatalf("dispatcher sets presence: %v", err)
	}
}
