package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/engine"
)

const formColumns = `id, name, source, key, prefix, redirect, origins, dropped, created_at, created_by, deleted_at`

func scanForm(row interface{ Scan(...any) error }) (engine.Form, error) {
	var (
		f       engine.Form
		origins []byte
		created time.Time
		deleted *time.Time
	)
	err := row.Scan(&f.ID, &f.Name, &f.Source, &f.Key, &f.Prefix, &f.Redirect, &origins, &f.Dropped, &created, &f.CreatedBy, &deleted)
	if err != nil {
		return f, err
	}
	f.CreatedAt, f.DeletedAt = created.UTC(), fromNullTS(deleted)
	if err := json.Unmarshal(origins, &f.Origins); err != nil {
		return f, fmt.Errorf("form %s: origins: %w", f.Name, err)
	}
	return f, nil
}

func (q *q) forms(where string, args ...any) ([]engine.Form, error) {
	rows, err := q.unheld().Query(q.ctx, `SELECT `+formColumns+` FROM forms `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engine.Form
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Forms lists the forms in use, by name.
func (q *q) Forms() ([]engine.Form, error) {
	return q.forms(`WHERE deleted_at IS NULL ORDER BY name`)
}

// FormByName is the form in use called name.
func (q *q) FormByName(name string) (engine.Form, error) {
	f, err := scanForm(q.unheld().QueryRow(q.ctx,
		`SELECT `+formColumns+` FROM forms WHERE name = $1 AND deleted_at IS NULL`, name))
	return f, one(err)
}

// FormsByPrefix lists the forms in use whose key starts with prefix.
func (q *q) FormsByPrefix(prefix string) ([]engine.Form, error) {
	return q.forms(`WHERE prefix = $1 AND deleted_at IS NULL ORDER BY id`, prefix)
}

func (q *q) InsertForm(f *engine.Form) error {
	origins, err := json.Marshal(f.Origins)
	if err != nil {
		return fmt.Errorf("encoding origins: %w", err)
	}
	if f.Origins == nil {
		origins = []byte("[]")
	}
	id, err := q.insert(`INSERT INTO forms (name, source, key, prefix, redirect, origins, dropped, created_at, created_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, f.Name, f.Source, f.Key, f.Prefix, f.Redirect, string(origins), f.Dropped, ts(f.CreatedAt), f.CreatedBy)
	if err != nil {
		return err
	}
	f.ID = id
	return nil
}

func (q *q) RemoveForm(id int64, at time.Time) error {
	return q.exec(`UPDATE forms SET deleted_at = $1 WHERE id = $2`, ts(at), id)
}

func (q *q) AddFormDropped(id int64) error {
	return q.exec(`UPDATE forms SET dropped = dropped + 1 WHERE id = $1`, id)
}
