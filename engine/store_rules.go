package engine

// RuleReader reads the routing rules.
type RuleReader interface {
	Rules() ([]Rule, error) // by position, then id
	Rule(id int64) (Rule, error)
}

// RuleWriter changes the routing rules and their rotations.
type RuleWriter interface {
	InsertRule(r *Rule) error // sets r.ID; writes recipients too
	UpdateRule(r *Rule) error // writes recipients and rotation state too
	// SaveRuleState writes only the rotation: the hot path of every assignment.
	SaveRuleState(r *Rule) error
	DeleteRule(id int64) error
	SetRulePositions(ids []int64) error // ids in their new order, positions 1…n
}
