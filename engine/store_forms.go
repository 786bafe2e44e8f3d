package engine

import "time"

// FormReader reads web forms.
type FormReader interface {
	Forms() ([]Form, error)                      // the forms in use, by name (byte order)
	FormByName(name string) (Form, error)        // the form in use called name, or ErrNoRows
	FormsByPrefix(prefix string) ([]Form, error) // the forms in use whose key has this prefix, by id
}

// FormWriter writes web forms. A form is never deleted, only taken out of use, so that
// history can still name it.
type FormWriter interface {
	InsertForm(f *Form) error // sets f.ID
	// RemoveForm takes the form out of use: its key stops working, its name is free.
	RemoveForm(id int64, at time.Time) error
	// AddFormDropped adds one to the submissions the form's honeypot dropped.
	AddFormDropped(id int64) error
}
