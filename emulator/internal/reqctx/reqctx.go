// Package reqctx carries the identity of an emulator request (the role and
// JWT claims the gateway verified) from the gateway to the service handlers.
package reqctx

import (
	"context"
	"encoding/json"
)

// Identity is what the gateway learned from the request's JWT.
type Identity struct {
	// Role is the PostgreSQL role the request runs as: "anon",
	// "authenticated", "service_role" or any role named in the token.
	Role string
	// Claims is the verified JWT payload, as sent to
	// set_config('request.jwt.claims', ..., true).
	Claims json.RawMessage
	// Token is the raw bearer token (never logged).
	Token string
}

type key struct{}

// With returns a copy of ctx carrying id.
func With(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the identity stored in ctx, if any.
func From(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(key{}).(Identity)
	return id, ok
}
