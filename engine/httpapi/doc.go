// Package httpapi is switchboard's HTTP API v1 (README "HTTP API"): JSON in and out, bearer
// tokens, errors as application/problem+json. It is a thin layer: every request becomes
// one engine call made as the token's actor (api:NAME), and the engine decides what that
// actor may do.
package httpapi
