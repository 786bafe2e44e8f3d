package engine

// TokenReader reads HTTP API tokens.
type TokenReader interface {
	Tokens() ([]Token, error)                      // all, revoked ones too, by id
	TokenByName(name string) (Token, error)        // the active one, or ErrNoRows
	TokensByPrefix(prefix string) ([]Token, error) // active ones, by id
}

// TokenWriter writes HTTP API tokens.
type TokenWriter interface {
	InsertToken(t *Token) error // sets t.ID
	UpdateToken(t *Token) error // writes RevokedAt
}
