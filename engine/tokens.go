package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Token is an HTTP API credential. The secret itself is shown once, when it is made;
// only its SHA-256 hash is kept.
type Token struct {
	ID   int64
	Name string // unique among active tokens; history records its actions as api:NAME
	Role Role   // RoleIntake (create leads only) or RoleAdmin
	// Prefix is the token's first characters. It is not secret: it finds the token's
	// row without a lookup on the secret, and tells people which token is which.
	Prefix    string
	Hash      []byte // SHA-256 of the whole token
	CreatedAt time.Time
	CreatedBy string
	RevokedAt time.Time // zero while the token works
}

// Active reports whether the token still authenticates.
func (t Token) Active() bool { return t.RevokedAt.IsZero() }

// MarshalJSON writes the token without its hash.
func (t Token) MarshalJSON() ([]byte, error) {
	status := "active"
	if !t.Active() {
		status = "revoked"
	}
	return json.Marshal(struct {
		Name      string     `json:"name"`
		Role      Role       `json:"role"`
		Prefix    string     `json:"prefix"`
		Status    string     `json:"status"`
		CreatedAt time.Time  `json:"created_at"`
		CreatedBy string     `json:"created_by"`
		RevokedAt *time.Time `json:"revoked_at"`
	}{t.Name, t.Role, t.Prefix, status, t.CreatedAt.UTC(), t.CreatedBy, timePtr(t.RevokedAt)})
}

// tokenScheme starts every token, so that people (and secret scanners) recognise one.
const tokenScheme = "sb_"

// tokenPrefixLen is how much of a token is stored in the clear: the scheme and 8 of
// its 43 random characters (48 of 256 bits).
const tokenPrefixLen = len(tokenScheme) + 8

// maxTokenLen bounds what Authenticate hashes: a token is 46 characters.
const maxTokenLen = 256

// ParseTokenRole checks the role of a new token: intake or admin.
func ParseTokenRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleIntake, RoleAdmin:
		return r, nil
	}
	return "", invalidf("role", "unknown token role %s: use intake (may only create leads) or admin", short(s))
}

// ValidTokenName reports whether name can name a token: the same shape as a handle,
// because history writes it as api:NAME.
func ValidTokenName(name string) error {
	if !handlePattern.MatchString(name) {
		return invalidf("name", "token name %q must be 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter", name)
	}
	return nil
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return tokenScheme + base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken makes an API token and returns it with its secret, which is not stored
// and cannot be shown again.
func (e *Engine) CreateToken(ctx context.Context, actor Actor, name string, role Role) (Token, string, error) {
	if err := actor.require(ActManageTokens); err != nil {
		return Token{}, "", err
	}
	name = strings.TrimSpace(name)
	if err := ValidTokenName(name); err != nil {
		return Token{}, "", err
	}
	if _, err := ParseTokenRole(string(role)); err != nil {
		return Token{}, "", err
	}
	secret := newToken()
	tok := Token{Name: name, Role: role, Prefix: secret[:tokenPrefixLen], Hash: hashToken(secret), CreatedBy: actor.Name}
	err := e.write(ctx, func(t *txn) error {
		if _, err := t.TokenByName(name); err == nil {
			return conflictf("a token named %q exists already: revoke it first or pick another name", name)
		} else if !errors.Is(err, ErrNoRows) {
			return fmt.Errorf("reading tokens: %w", err)
		}
		tok.CreatedAt = t.now
		if err := t.InsertToken(&tok); err != nil {
			return fmt.Errorf("storing token: %w", err)
		}
		_, err := t.record(Event{Kind: EvTokenCreated, Actor: actor.Name, To: name, Reason: string(role)})
		return err
	})
	if err != nil {
		return Token{}, "", err
	}
	return tok, secret, nil
}

// Tokens lists every token, revoked ones included, oldest first.
func (e *Engine) Tokens(ctx context.Context, actor Actor) ([]Token, error) {
	if err := actor.require(ActManageTokens); err != nil {
		return nil, err
	}
	var out []Token
	err := e.read(ctx, func(r Reader) (err error) {
		out, err = r.Tokens()
		return err
	})
	return out, err
}

// RevokeToken stops the active token called name from working, at once.
func (e *Engine) RevokeToken(ctx context.Context, actor Actor, name string) (Token, error) {
	if err := actor.require(ActManageTokens); err != nil {
		return Token{}, err
	}
	name = strings.TrimSpace(name)
	var out Token
	err := e.write(ctx, func(t *txn) error {
		tok, err := t.TokenByName(name)
		if errors.Is(err, ErrNoRows) {
			return notFoundIn("token", "no active token is named %q", name)
		}
		if err != nil {
			return fmt.Errorf("reading tokens: %w", err)
		}
		tok.RevokedAt = t.now
		if err := t.UpdateToken(&tok); err != nil {
			return fmt.Errorf("revoking token: %w", err)
		}
		out = tok
		_, err = t.record(Event{Kind: EvTokenRevoked, Actor: actor.Name, From: name, Reason: string(tok.Role)})
		return err
	})
	return out, err
}

// Authenticate finds the active token whose secret this is and returns the actor it
// acts as. ok is false for an unknown, malformed or revoked token; err is set only when
// the store fails. It takes no actor: it is how the HTTP API learns who is calling.
//
// It reads the store on every call (one indexed lookup by the token's prefix), never a
// cache: a revocation committed by any process – `switchboard token revoke` while serve
// runs – is in force for the next request, before the revoking command has returned.
// The read costs about 15 µs; a cache trusted for even a second let a revoked token
// through for that second. AuthenticateIntake moves the read of the busiest request,
// a new lead, into its write transaction.
func (e *Engine) Authenticate(ctx context.Context, secret string) (actor Actor, ok bool, err error) {
	if !strings.HasPrefix(secret, tokenScheme) || len(secret) <= tokenPrefixLen || len(secret) > maxTokenLen {
		return Actor{}, false, nil
	}
	h := hashToken(secret)
	var candidates []Token
	err = e.read(ctx, func(r Reader) (err error) {
		candidates, err = r.TokensByPrefix(secret[:tokenPrefixLen])
		return err
	})
	if err != nil {
		return Actor{}, false, fmt.Errorf("reading tokens: %w", err)
	}
	for _, c := range candidates {
		if subtle.ConstantTimeCompare(h, c.Hash) == 1 {
			a := AsAPI(c.Name, c.Role)
			e.seenTokens.put(h, a)
			return a, true, nil
		}
	}
	return Actor{}, false, nil
}

// ErrTokenRevoked refuses a lead creation whose token, checked in its transaction
// (AuthenticateIntake), is no longer active.
var ErrTokenRevoked = errors.New("the token is unknown or revoked")

// AuthenticateIntake is Authenticate for a request that only creates one lead (POST
// /v1/leads). A token this engine has found active before is not read again now: the
// actor carries it, and CreateLead checks it inside its write transaction, which sees
// every revocation committed before it began, as a read now would – the transaction
// begins after the request came. It refuses the lead with ErrTokenRevoked when the
// token is no longer active. The creations of one group commit read each token once,
// instead of once a request on the read pool. The actor is for CreateLead (and
// CheckToken) only: no other command checks the token.
func (e *Engine) AuthenticateIntake(ctx context.Context, secret string) (actor Actor, ok bool, err error) {
	if !strings.HasPrefix(secret, tokenScheme) || len(secret) <= tokenPrefixLen || len(secret) > maxTokenLen {
		return Actor{}, false, nil
	}
	h := hashToken(secret)
	if a, ok := e.seenTokens.get(h); ok {
		a.check = &tokenCheck{prefix: secret[:tokenPrefixLen], hash: h}
		return a, true, nil
	}
	return e.Authenticate(ctx, secret)
}

// CheckToken reads, now, whether the token an actor from AuthenticateIntake carries is
// still active (ErrTokenRevoked if not); any other actor passes. It is for a request
// refused before it reaches the writer (a body that is not a lead): a revoked token
// is told so first, as Authenticate would have.
func (e *Engine) CheckToken(ctx context.Context, actor Actor) error {
	if actor.check == nil {
		return nil
	}
	return e.read(ctx, func(r Reader) error { return actor.check.verify(r, &e.seenTokens) })
}

// tokenCheck is a token to find active before the command it authorizes.
type tokenCheck struct {
	prefix string
	hash   []byte
}

// verify reads the token; one no longer active is forgotten, so that its next request
// is refused at once.
func (c *tokenCheck) verify(r Reader, seen *seenTokens) error {
	candidates, err := r.TokensByPrefix(c.prefix)
	if err != nil {
		return fmt.Errorf("reading tokens: %w", err)
	}
	for _, t := range candidates {
		if subtle.ConstantTimeCompare(c.hash, t.Hash) == 1 {
			return nil
		}
	}
	seen.forget(c.hash)
	return ErrTokenRevoked
}

// checkToken is tokenCheck.verify for the actor of a command, in its transaction, once
// per token and transaction step.
func (t *txn) checkToken(actor Actor) error {
	c := actor.check
	if c == nil || t.tokensOK[string(c.hash)] {
		return nil
	}
	if err := c.verify(t, &t.e.seenTokens); err != nil {
		return err
	}
	if t.tokensOK == nil {
		t.tokensOK = map[string]bool{}
	}
	t.tokensOK[string(c.hash)] = true
	return nil
}

// seenTokens are the tokens Authenticate found active, by hash: never trusted alone,
// only to name the actor whose token a write checks (AuthenticateIntake).
type seenTokens struct {
	mu sync.Mutex
	m  map[string]Actor
}

// maxSeenTokens bounds seenTokens; past it, it starts again from empty.
const maxSeenTokens = 1024

func (s *seenTokens) get(h []byte) (Actor, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[string(h)]
	return a, ok
}

func (s *seenTokens) put(h []byte, a Actor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSeenTokens {
		s.m = map[string]Actor{}
	}
	s.m[string(h)] = a
}

func (s *seenTokens) forget(h []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, string(h))
}
