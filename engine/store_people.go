package engine

import "time"

// PeopleReader reads what decides when people work (R16–R19): the agents whose away or
// schedule falls due, console sessions, and teams.
type PeopleReader interface {
	// NextAwayUntil is the earliest AwayUntil of an agent on the team, if any.
	NextAwayUntil() (time.Time, bool, error)
	// AwayUntilDue lists at most limit agents on the team whose AwayUntil is at or
	// before now, earliest first.
	AwayUntilDue(now time.Time, limit int) ([]Agent, error)
	// NextScheduleStart is the earliest ScheduleNextAt of an agent on the team, if any.
	NextScheduleStart() (time.Time, bool, error)
	// ScheduleStartDue lists at most limit agents on the team whose ScheduleNextAt is at
	// or before now, earliest first.
	ScheduleStartDue(now time.Time, limit int) ([]Agent, error)
	// Sessions lists every console session row, open or expired, by id.
	Sessions() ([]Session, error)
	// Teams lists the teams by name (byte order), each with its members in order;
	// members are agents on the team (a removed agent is no member).
	Teams() ([]Team, error)
	TeamByName(name string) (Team, error)
}

// PeopleWriter changes console sessions and teams.
type PeopleWriter interface {
	InsertSession(s *Session) error // sets s.ID
	// TouchSessions moves the expiry of the sessions given (those that exist) to
	// expiresAt.
	TouchSessions(ids []int64, expiresAt time.Time) error
	DeleteSessions(ids []int64) error
	InsertTeam(t *Team) error // sets t.ID
	// UpdateTeam writes a team's name, members (in order) and UpdatedAt.
	UpdateTeam(t *Team) error
	DeleteTeam(id int64) error
}
