package storageapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// serviceIdentity runs the work Storage does "as superuser" (bucket
// lookups, public and signed reads) as service_role, which bypasses RLS.
var serviceIdentity = reqctx.Identity{Role: "service_role", Claims: json.RawMessage(`{"role":"service_role"}`)}

// identity returns who the request acts as. Storage ignores apikey and
// requires "Authorization: Bearer <jwt>". When the gateway already verified
// the bearer (reqctx), its identity is used; otherwise the token is
// verified here with the configured secret, and failures are reported in
// Storage's words.
func (h *Handler) identity(r *http.Request) (reqctx.Identity, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return reqctx.Identity{}, errInvalidRequest("headers must have required property 'authorization'")
	}
	token := authz
	if len(authz) > 7 && strings.EqualFold(authz[:7], "bearer ") {
		token = strings.TrimSpace(authz[7:])
	}
	// The gateway verified the bearer (or the JWT a new-format key stands
	// for) and put the identity in the context.
	if id, ok := reqctx.From(r.Context()); ok && id.Role != "" && id.Token != "" {
		return id, nil
	}
	payload, err := h.verifyJWT(token)
	if err != nil {
		return reqctx.Identity{}, errAccessDenied(err.Error())
	}
	var c struct {
		Role string `json:"role"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return reqctx.Identity{}, errAccessDenied("JWT Claims Set must be a top-level JSON object")
	}
	role := c.Role
	if role == "" {
		role = "anon"
	}
	return reqctx.Identity{Role: role, Claims: payload, Token: token}, nil
}

// jwtError carries the message Storage (jose) gives for a rejected token.
type jwtError struct{ msg string }

func (e *jwtError) Error() string { return e.msg }

// verifyJWT checks an HS256 token against the secret and the clock and
// returns its payload.
func (h *Handler) verifyJWT(token string) (json.RawMessage, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, &jwtError{"Invalid Compact JWS"}
	}
	_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return h.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithTimeFunc(h.now),
	)
	if err != nil {
		switch {
		case errors.Is(err, jwt.ErrTokenMalformed):
			return nil, &jwtError{"JWS Protected Header is invalid"}
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			if strings.Contains(err.Error(), "signing method") {
				return nil, &jwtError{`"alg" (Algorithm) Header Parameter value not allowed`}
			}
			return nil, &jwtError{"signature verification failed"}
		case errors.Is(err, jwt.ErrTokenExpired):
			return nil, &jwtError{`"exp" claim timestamp check failed`}
		case errors.Is(err, jwt.ErrTokenNotValidYet):
			return nil, &jwtError{`"nbf" claim timestamp check failed`}
		default:
			return nil, &jwtError{"JWS Protected Header is invalid"}
		}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, &jwtError{"JWS Protected Header is invalid"}
	}
	return payload, nil
}

// claimSub returns the "sub" claim and, when it is a UUID, the value for
// the uuid column "owner".
func claimSub(id reqctx.Identity) (ownerID, owner *string) {
	var c struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(id.Claims, &c) != nil || c.Sub == "" {
		return nil, nil
	}
	s := c.Sub
	if _, err := uuid.Parse(s); err == nil {
		return &s, &s
	}
	return &s, nil
}

// downloadClaims and uploadClaims are the payloads of Storage's signed URL
// tokens, field for field and in the same order.
type downloadClaims struct {
	URL   string `json:"url"`
	Scope string `json:"scope"`
	IAT   int64  `json:"iat"`
	EXP   int64  `json:"exp"`
}

type uploadClaims struct {
	URL    string `json:"url"`
	Upsert bool   `json:"upsert"`
	Owner  string `json:"owner,omitempty"`
	Scope  string `json:"scope"`
	IAT    int64  `json:"iat"`
	EXP    int64  `json:"exp"`
}

// signToken makes an HS256 JWS with the header {"alg":"HS256"}, as Storage
// does for signed URLs.
func (h *Handler) signToken(claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`))
	msg := head + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, h.cfg.JWTSecret)
	mac.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// signedClaims verifies a signed-URL token and decodes its payload into
// dst. Failures answer as Storage does (400 InvalidJWT).
func (h *Handler) signedClaims(token string, dst any) error {
	payload, err := h.verifyJWT(token)
	if err != nil {
		return errInvalidJWT(err.Error())
	}
	if err := json.Unmarshal(payload, dst); err != nil {
		return errInvalidJWT("JWT Claims Set must be a top-level JSON object")
	}
	return nil
}

func (h *Handler) expiry(seconds int64) (iat, exp int64) {
	now := h.now().Unix()
	return now, now + seconds
}

func httpDate(unix int64) string {
	return time.Unix(unix, 0).UTC().Format(http.TimeFormat)
}
