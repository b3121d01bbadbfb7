package supakit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/supakit/supakit/auth"
)

type clientKey struct{}

// NewContext returns a context carrying c (see [FromContext]).
func NewContext(ctx context.Context, c *Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// FromContext returns the client the middleware put in the request
// context: a copy of the server's client acting as the request's user
// (see [Client.Middleware]).
func FromContext(ctx context.Context) (*Client, bool) {
	c, ok := ctx.Value(clientKey{}).(*Client)
	return c, ok && c != nil
}

type middlewareConfig struct {
	optional bool
	minAAL   auth.AAL
	onError  func(w http.ResponseWriter, r *http.Request, status int, code, message string)
}

// MiddlewareOption configures [Client.Middleware].
type MiddlewareOption func(*middlewareConfig)

// AllowAnonymous lets requests without an Authorization header through
// with the server's client (project key only) in the context and no
// claims. Requests with a bad token are still rejected.
func AllowAnonymous() MiddlewareOption {
	return func(c *middlewareConfig) { c.optional = true }
}

// RequireAAL rejects tokens below an assurance level with 403
// insufficient_aal, e.g. RequireAAL(auth.AAL2) for routes that need a
// second factor.
func RequireAAL(level auth.AAL) MiddlewareOption {
	return func(c *middlewareConfig) { c.minAAL = level }
}

// WithErrorResponder replaces the default 401 JSON answer.
func WithErrorResponder(fn func(w http.ResponseWriter, r *http.Request, status int, code, message string)) MiddlewareOption {
	return func(c *middlewareConfig) {
		if fn != nil {
			c.onError = fn
		}
	}
}

// Middleware returns HTTP middleware that verifies the request's bearer
// access token with v and, when it is valid, serves the request with
// c.WithAccessToken(token) in the context ([FromContext]) and the token's
// claims ([auth.ClaimsFromContext]), so repository, storage and function
// calls made for the request run under Row Level Security as that user.
//
// A missing, malformed, expired or otherwise invalid token is answered
// with 401 and a JSON body {"code":…,"message":…} (and a
// WWW-Authenticate header); a token below the level set by [RequireAAL]
// gets 403. The token never appears in the answer.
func (c *Client) Middleware(v *auth.Verifier, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	cfg := middlewareConfig{onError: writeAuthError}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if v == nil {
				cfg.onError(w, r, http.StatusInternalServerError, "verifier_missing", "no token verifier configured")
				return
			}
			if c == nil {
				cfg.onError(w, r, http.StatusInternalServerError, "client_missing", "no supakit client configured")
				return
			}
			h := r.Header.Get("Authorization")
			if h == "" {
				if cfg.optional {
					next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), c)))
					return
				}
				cfg.onError(w, r, http.StatusUnauthorized, "no_authorization", "this endpoint requires a bearer token")
				return
			}
			scheme, token, ok := strings.Cut(h, " ")
			token = strings.TrimSpace(token)
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				cfg.onError(w, r, http.StatusUnauthorized, "bad_jwt", "the Authorization header is not a bearer token")
				return
			}
			claims, err := v.Verify(r.Context(), token)
			if err != nil {
				code, msg := "bad_jwt", "invalid access token"
				switch {
				case errors.Is(err, auth.ErrTokenExpired):
					code, msg = "token_expired", "access token expired"
				case errors.Is(err, auth.ErrUnknownKey):
					msg = "access token signed by an unknown key"
				}
				cfg.onError(w, r, http.StatusUnauthorized, code, msg)
				return
			}
			if cfg.minAAL != "" && claims.AAL < cfg.minAAL {
				cfg.onError(w, r, http.StatusForbidden, "insufficient_aal", "this endpoint requires assurance level "+string(cfg.minAAL))
				return
			}
			ctx := NewContext(r.Context(), c.WithAccessToken(token))
			ctx = auth.ContextWithClaims(ctx, claims)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func writeAuthError(w http.ResponseWriter, _ *http.Request, status int, code, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message})
}
