package engine

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// CreateForm makes a web form and its key (R21).
func (e *Engine) CreateForm(ctx context.Context, actor Actor, in NewForm) (Form, error) {
	if err := actor.require(ActManageForms); err != nil {
		return Form{}, err
	}
	if err := in.normalize(); err != nil {
		return Form{}, err
	}
	if err := in.validate(); err != nil {
		return Form{}, err
	}
	key := newFormKey()
	f := Form{Name: in.Name, Source: in.Source, Key: key, Prefix: key[:formKeyPrefixLen],
		Redirect: in.Redirect, Origins: in.Origins, CreatedBy: actor.Name}
	if f.Origins == nil {
		f.Origins = []string{}
	}
	err := e.write(ctx, func(t *txn) error {
		if _, err := t.FormByName(f.Name); err == nil {
			return conflictf("a form named %q exists already: remove it first or pick another name", f.Name)
		} else if !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("reading forms: %w", err)
		}
		f.CreatedAt = t.now
		if err := t.InsertForm(&f); err != nil {
			return fmt.Errorf("storing form: %w", err)
		}
		_, err := t.record(Event{Kind: EvFormCreated, Actor: actor.Name, To: f.Name, Reason: "source " + f.Source})
		return err
	})
	if err != nil {
		return Form{}, err
	}
	return f, nil
}

// Forms lists the forms in use, by name, with their keys.
func (e *Engine) Forms(ctx context.Context, actor Actor) ([]Form, error) {
	if err := actor.require(ActManageForms); err != nil {
		return nil, err
	}
	var out []Form
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = r.Forms()
		return err
	})
	return out, err
}

// DeleteForm takes the form called name out of use: its key stops working at once, on
// every server on the database (each submission looks its key up).
func (e *Engine) DeleteForm(ctx context.Context, actor Actor, name string) (Form, error) {
	if err := actor.require(ActManageForms); err != nil {
		return Form{}, err
	}
	name = strings.TrimSpace(name)
	var out Form
	err := e.write(ctx, func(t *txn) error {
		f, err := t.FormByName(name)
		if errors.Is(err, ErrNoRows) {
			return notFoundIn("form", "no form is named %s", short(name))
		}
		if err != nil {
			return fmt.Errorf("reading forms: %w", err)
		}
		if err := t.RemoveForm(f.ID, t.now); err != nil {
			return fmt.Errorf("removing form: %w", err)
		}
		f.DeletedAt = t.now
		out = f
		_, err = t.record(Event{Kind: EvFormDeleted, Actor: actor.Name, From: f.Name, Reason: "source " + f.Source})
		return err
	})
	return out, err
}

// formByKey finds the form in use whose key this is: by the key's prefix, then a
// constant-time comparison of the whole key.
func formByKey(r Reader, key string) (Form, bool, error) {
	if !strings.HasPrefix(key, formKeyScheme) || len(key) <= formKeyPrefixLen || len(key) > maxFormKeyLen {
		return Form{}, false, nil
	}
	candidates, err := r.FormsByPrefix(key[:formKeyPrefixLen])
	if err != nil {
		return Form{}, false, fmt.Errorf("reading forms: %w", err)
	}
	for _, f := range candidates {
		if subtle.ConstantTimeCompare([]byte(key), []byte(f.Key)) == 1 {
			return f, true, nil
		}
	}
	return Form{}, false, nil
}

// FormByKey finds the form in use whose key this is; ok is false for an unknown,
// malformed or removed key. It takes no actor: it is how the HTTP API learns which form
// a page posts to, before it reads the body.
func (e *Engine) FormByKey(ctx context.Context, key string) (f Form, ok bool, err error) {
	err = e.read(ctx, func(r Reader) error {
		f, ok, err = formByKey(r, key)
		return err
	})
	return f, ok, err
}

// SubmitForm takes a web form's submission (R21): it becomes a lead with the form's
// source, created and routed by the same command as every other lead, as form:NAME. A
// submission whose honeypot is filled in is dropped: the form counts it and nothing else
// is stored. A key that is not a form's in use is refused as not found.
func (e *Engine) SubmitForm(ctx context.Context, key string, values []FormValue) (FormResult, error) {
	var res FormResult
	err := e.writeRouting(ctx, func(t *txn) error {
		f, ok, err := formByKey(t, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFoundIn("form", "no form has this key: it may have been removed")
		}
		in, honeypot, err := formLead(f.Source, values)
		if err != nil {
			return err
		}
		if honeypot {
			res = FormResult{Dropped: true}
			if err := t.AddFormDropped(f.ID); err != nil {
				return fmt.Errorf("counting a dropped submission: %w", err)
			}
			return nil
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		if in.Fields != nil {
			in.Fields = normalizeFieldValues(in.Fields)
		}
		c, err := t.createLead(AsForm(f.Name), &in)
		if err != nil {
			return err
		}
		res = FormResult{Lead: c.Lead}
		return nil
	})
	return res, err
}
