package engine

import "fmt"

// Role is what an actor may do. The human roles are ordered owner > admin > dispatcher >
// agent; intake is the role of an API token that may only create leads.
type Role string

const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleDispatcher Role = "dispatcher"
	RoleAgent      Role = "agent"
	RoleIntake     Role = "intake"
)

// AgentRoles are the roles an agent can hold, highest first.
var AgentRoles = []Role{RoleOwner, RoleAdmin, RoleDispatcher, RoleAgent}

// rank orders roles; intake ranks below agent and only gets what the table grants it.
func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleDispatcher:
		return 2
	case RoleAgent:
		return 1
	default:
		return 0
	}
}

// AtLeast reports whether r is r2 or higher in the owner > admin > dispatcher > agent order.
func (r Role) AtLeast(r2 Role) bool { return r.rank() >= r2.rank() && r.rank() > 0 }

// ParseRole checks a role name given by a person.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleOwner, RoleAdmin, RoleDispatcher, RoleAgent:
		return r, nil
	}
	return "", invalidf("role", "unknown role %s: use owner, admin, dispatcher or agent", short(s))
}

// Action is something an actor may be allowed to do.
type Action int

const (
	ActCreateLead     Action = iota // create (and so route) leads
	ActViewAllLeads                 // see every lead, not only owned or shared ones
	ActAssign                       // assign, reassign, unassign, re-route
	ActEditAnyLead                  // change status or fields of any lead
	ActShareAnyLead                 // share any lead; revoke any share
	ActSetAnyPresence               // set a teammate's presence
	ActViewTeam                     // list agents and their load
	ActViewRules                    // read the routing rules
	ActManageAgents                 // add, change, remove agents and their keys
	ActManageRules                  // create, change, move, enable, delete rules
	ActManageTokens                 // API tokens
	ActManageSettings               // company name, webhooks, time zone
	ActManageForms                  // web forms: create, list (with their keys), remove
	ActViewAllHistory               // every history event
	ActViewStats                    // the team's stats
	actionCount
)

var actionNames = [actionCount]string{
	ActCreateLead:     "create leads",
	ActViewAllLeads:   "see every lead",
	ActAssign:         "assign leads",
	ActEditAnyLead:    "edit any lead",
	ActShareAnyLead:   "share any lead",
	ActSetAnyPresence: "set a teammate's presence",
	ActViewTeam:       "see the team",
	ActViewRules:      "see the rules",
	ActManageAgents:   "manage agents",
	ActManageRules:    "edit rules",
	ActManageTokens:   "manage API tokens",
	ActManageSettings: "change settings",
	ActManageForms:    "manage web forms",
	ActViewAllHistory: "see all history",
	ActViewStats:      "see the team's stats",
}

func (a Action) String() string { return actionNames[a] }

// minRole is the permission table (README "Roles"): the lowest human role allowed each
// action. Intake tokens are handled separately: they may only create leads.
var minRole = [actionCount]Role{
	ActCreateLead:     RoleDispatcher,
	ActViewAllLeads:   RoleDispatcher,
	ActAssign:         RoleDispatcher,
	ActEditAnyLead:    RoleDispatcher,
	ActShareAnyLead:   RoleDispatcher,
	ActSetAnyPresence: RoleDispatcher,
	ActViewTeam:       RoleAgent,
	ActViewRules:      RoleDispatcher,
	ActManageAgents:   RoleAdmin,
	ActManageRules:    RoleAdmin,
	ActManageTokens:   RoleAdmin,
	ActManageSettings: RoleAdmin,
	ActManageForms:    RoleAdmin,
	ActViewAllHistory: RoleDispatcher,
	ActViewStats:      RoleDispatcher,
}

// Can reports whether role r may perform action a.
func (r Role) Can(a Action) bool {
	if r == RoleIntake {
		return a == ActCreateLead
	}
	return r.AtLeast(minRole[a])
}

// Actor is who performs a command. Name is what history records: an agent's handle,
// "api:<token>", "import:<file>", "rule:<id>" or "system".
type Actor struct {
	Name    string
	Role    Role
	AgentID int64 // set when the actor is an agent
	// check is the token that still has to be found active, inside the transaction of
	// the lead creation it acts for (AuthenticateIntake); nil for any other actor.
	check *tokenCheck
}

// AsAgent is the actor for a person logged in as agent a.
func AsAgent(a Agent) Actor { return Actor{Name: a.Handle, Role: a.Role, AgentID: a.ID} }

// System acts for switchboard itself (share expiry, the demo simulator, tests).
func System() Actor { return Actor{Name: "system", Role: RoleOwner} }

// AsAPI is the actor for an HTTP API token.
func AsAPI(token string, r Role) Actor { return Actor{Name: "api:" + token, Role: r} }

// AsForm is the actor for a submission of the web form called name: it may create
// leads and nothing else, like an intake token.
func AsForm(name string) Actor { return Actor{Name: "form:" + name, Role: RoleIntake} }

// AsImport is the actor for a CSV import run by an operator.
func AsImport(file string) Actor { return Actor{Name: "import:" + file, Role: RoleOwner} }

func (a Actor) String() string { return a.Name }

// IsAgent reports whether the actor is a person with an agent record.
func (a Actor) IsAgent() bool { return a.AgentID != 0 }

func (a Actor) require(act Action) error {
	if a.Role.Can(act) {
		return nil
	}
	if a.Role == RoleIntake {
		return forbiddenf("%s: an intake token may only create leads", a.Name)
	}
	return forbiddenf("%s cannot %s: it needs the %s role (it has %s)", a.Name, act, minRole[act], roleName(a.Role))
}

func roleName(r Role) string {
	if r == "" {
		return "no role"
	}
	return string(r)
}

func ruleActor(id int64) string { return fmt.Sprintf("rule:%d", id) }
