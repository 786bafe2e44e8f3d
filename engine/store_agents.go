package engine

import "time"

// AgentReader reads the team: agents, their SSH keys and their daily counts.
type AgentReader interface {
	// Agent reads an agent by id, removed or not (history and notifications may name one).
	Agent(id int64) (Agent, error)
	AgentByHandle(handle string) (Agent, error) // an agent on the team
	AgentByKey(fingerprint string) (Agent, error)
	Agents() ([]Agent, error) // the team, by handle (byte order)
	// AutoAssigned is how many leads rules gave each agent on day ("2006-01-02").
	AutoAssigned(day string) (map[int64]int, error)
	Keys(agentID int64) ([]Key, error) // by id
}

// AgentWriter changes the team.
type AgentWriter interface {
	InsertAgent(a *Agent) error // sets a.ID
	// UpdateAgent writes an agent's settings, not its load (AddAgentLoad).
	UpdateAgent(a *Agent) error
	// RemoveAgent takes the agent off the team and deletes its keys and console
	// sessions; its away and schedule no longer fall due. (The engine takes it out of
	// teams and rules first.)
	RemoveAgent(id int64, at time.Time) error
	// AddAgentLoad adds openLeads (which may be negative) to the agent's open leads
	// and, when lastAssigned is not zero, sets its last assignment.
	AddAgentLoad(agentID int64, openLeads int, lastAssigned time.Time) error
	// AddAutoAssigned adds n to the leads rules gave the agent on day ("2006-01-02").
	AddAutoAssigned(agentID int64, day string, n int) error
	InsertKey(k *Key) error
	DeleteKey(id int64) error
}
