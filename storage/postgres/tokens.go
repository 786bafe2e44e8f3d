package postgres

import (
	"time"

	"github.com/switchboard/switchboard/engine"
)

const tokenColumns = `id, name, role, prefix, hash, created_at, created_by, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (engine.Token, error) {
	var (
		t       engine.Token
		created time.Time
		revoked *time.Time
	)
	err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Prefix, &t.Hash, &created, &t.CreatedBy, &revoked)
	t.CreatedAt, t.RevokedAt = created.UTC(), fromNullTS(revoked)
	return t, err
}

func (q *q) tokens(where string, args ...any) ([]engine.Token, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT `+tokenColumns+` FROM tokens `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Tokens lists every token, revoked ones included, oldest first.
func (q *q) Tokens() ([]engine.Token, error) { return q.tokens(`ORDER BY id`) }

// TokenByName is the active token called name.
func (q *q) TokenByName(name string) (engine.Token, error) {
	t, err := scanToken(q.unheld().QueryRow(q.ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE name = $1 AND revoked_at IS NULL`, name))
	return t, one(err)
}

// TokensByPrefix lists the active tokens that start with prefix.
func (q *q) TokensByPrefix(prefix string) ([]engine.Token, error) {
	return q.tokens(`WHERE prefix = $1 AND revoked_at IS NULL ORDER BY id`, prefix)
}

func (q *q) InsertToken(t *engine.Token) error {
	id, err := q.insert(`INSERT INTO tokens (name, role, prefix, hash, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6)`,
		t.Name, string(t.Role), t.Prefix, t.Hash, ts(t.CreatedAt), t.CreatedBy)
	if err != nil {
		return err
	}
	t.ID = id
	return nil
}

// UpdateToken writes the one thing about a token that changes: its revocation.
func (q *q) UpdateToken(t *engine.Token) error {
	return q.exec(`UPDATE tokens SET revoked_at = $1 WHERE id = $2`, nullTS(t.RevokedAt), t.ID)
}
