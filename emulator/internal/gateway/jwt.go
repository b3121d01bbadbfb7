package gateway

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// DemoJWTSecret is the JWT secret of the Supabase CLI's local stack. With
// it, [DemoKeys] yields the well-known demo anon and service_role keys, so
// configurations written for `supabase start` work unchanged. It is public:
// never use it for anything reachable from outside the machine.
const DemoJWTSecret = "super-secret-jwt-token-with-at-least-32-characters-long"

// MinSecretLen is the shortest JWT secret accepted (PostgREST's minimum).
const MinSecretLen = 32

// demoExpiry is the expiry of the Supabase CLI demo keys (2032-10-...).
const demoExpiry = 1983812996

// ErrShortSecret is returned for a JWT secret under MinSecretLen bytes.
var ErrShortSecret = fmt.Errorf("gateway: JWT secret must be at least %d characters", MinSecretLen)

// Keys are the API keys of one emulator instance.
type Keys struct {
	// Anon and ServiceRole are HS256 JWTs with the claims of Supabase's demo
	// keys: {"iss":"supabase-demo","role":…,"exp":1983812996}.
	Anon, ServiceRole string
	// Publishable and Secret are the new-format keys (sb_publishable_…,
	// sb_secret_…), derived from the secret; the gateway maps them to the
	// anon and service_role JWTs, as Supabase's gateway does.
	Publishable, Secret string
}

// DemoKeys returns the keys for secret.
func DemoKeys(secret []byte) (Keys, error) {
	if len(secret) < MinSecretLen {
		return Keys{}, ErrShortSecret
	}
	anon, err := signDemo(secret, "anon")
	if err != nil {
		return Keys{}, err
	}
	service, err := signDemo(secret, "service_role")
	if err != nil {
		return Keys{}, err
	}
	return Keys{
		Anon:        anon,
		ServiceRole: service,
		Publishable: newFormatKey(secret, "sb_publishable_"),
		Secret:      newFormatKey(secret, "sb_secret_"),
	}, nil
}

func signDemo(secret []byte, role string) (string, error) {
	// A struct keeps the claim order of the Supabase CLI keys, so that the
	// demo secret reproduces them byte for byte.
	return Sign(secret, struct {
		Iss  string `json:"iss"`
		Role string `json:"role"`
		Exp  int64  `json:"exp"`
	}{"supabase-demo", role, demoExpiry})
}

// newFormatKey derives a stable key of Supabase's new format from secret:
// prefix, 22 characters, "_", 8 check characters.
func newFormatKey(secret []byte, prefix string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("supakit emulator api key " + prefix))
	body := base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:22]
	m.Reset()
	m.Write([]byte(prefix + body))
	check := base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:8]
	return prefix + body + "_" + check
}

// Sign returns an HS256 JWT of claims (marshalled with encoding/json) with
// the header {"alg":"HS256","typ":"JWT"}.
func Sign(secret []byte, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("gateway: sign: %w", err)
	}
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	signing := head + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// JWTError is a rejected token, in PostgREST's vocabulary: Code is PGRST301
// (could not be decoded or verified) or PGRST303 (claims invalid), and the
// HTTP status is 401.
type JWTError struct {
	Code    string
	Message string
	Details string // "" means null
}

func (e *JWTError) Error() string {
	if e.Details != "" {
		return fmt.Sprintf("gateway: %s: %s (%s)", e.Code, e.Message, e.Details)
	}
	return fmt.Sprintf("gateway: %s: %s", e.Code, e.Message)
}

// Is lets errors.Is(err, ErrInvalidJWT) match any JWTError.
func (e *JWTError) Is(target error) bool { return target == ErrInvalidJWT }

// ErrInvalidJWT matches every *JWTError.
var ErrInvalidJWT = errors.New("gateway: invalid JWT")

func decodeErr(msg, details string) *JWTError {
	return &JWTError{Code: "PGRST301", Message: msg, Details: details}
}

func claimsErr(msg string) *JWTError { return &JWTError{Code: "PGRST303", Message: msg} }

// clockSkew is PostgREST's allowance on exp, nbf and iat.
const clockSkew = 30 * time.Second

// Verifier checks HS256/384/512 JWTs signed with one secret, the way
// PostgREST does. It is safe for concurrent use.
type Verifier struct {
	secret []byte
	now    func() time.Time
}

// NewVerifier returns a Verifier for secret. now may be nil (time.Now).
func NewVerifier(secret []byte, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{secret: bytes.Clone(secret), now: now}
}

// Verify checks token and returns the identity it carries. A token without
// a role claim runs as anon, and its claims gain "role":"anon", as in
// PostgREST. The error, if any, is a *JWTError.
func (v *Verifier) Verify(token string) (reqctx.Identity, error) {
	if token == "" {
		return reqctx.Identity{}, decodeErr("Empty JWT is sent in Authorization header", "")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return reqctx.Identity{}, decodeErr("Expected 3 parts in JWT; got "+strconv.Itoa(len(parts)), "")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &header) != nil || header.Alg == "" {
		return reqctx.Identity{}, decodeErr("JWT cryptographic operation failed", "")
	}
	var h func() hash.Hash
	switch header.Alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	case "none":
		return reqctx.Identity{}, decodeErr("Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'")
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
		return reqctx.Identity{}, decodeErr("No suitable key or wrong key type", "No suitable key was found to decode the JWT")
	default:
		return reqctx.Identity{}, decodeErr("JWT cryptographic operation failed", "")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return reqctx.Identity{}, decodeErr("JWT cryptographic operation failed", "")
	}
	m := hmac.New(h, v.secret)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return reqctx.Identity{}, decodeErr("No suitable key or wrong key type", "None of the keys was able to decode the JWT")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return reqctx.Identity{}, decodeErr("JWT cryptographic operation failed", "")
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(pb, &claims); err != nil || claims == nil {
		return reqctx.Identity{}, claimsErr("Parsing claims failed")
	}
	if err := v.checkTimes(claims); err != nil {
		return reqctx.Identity{}, err
	}
	if raw, ok := claims["aud"]; ok && !validAud(raw) {
		return reqctx.Identity{}, claimsErr("The JWT 'aud' claim must be a string or an array of strings")
	}

	role := "anon"
	if raw, ok := claims["role"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			role = s
		} else {
			role = string(raw) // PostgREST uses the JSON text of a non-string role
		}
	} else {
		claims["role"] = json.RawMessage(`"anon"`)
		if pb, err = json.Marshal(claims); err != nil {
			return reqctx.Identity{}, claimsErr("Parsing claims failed")
		}
	}
	return reqctx.Identity{Role: role, Claims: json.RawMessage(pb), Token: token}, nil
}

func (v *Verifier) checkTimes(claims map[string]json.RawMessage) error {
	now := v.now()
	num := func(key string) (float64, bool, error) {
		raw, ok := claims[key]
		if !ok || string(raw) == "null" {
			return 0, false, nil
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return 0, false, claimsErr("The JWT '" + key + "' claim must be a number")
		}
		return f, true, nil
	}
	if exp, ok, err := num("exp"); err != nil {
		return err
	} else if ok && now.Add(-clockSkew).Unix() > int64(exp) {
		return claimsErr("JWT expired")
	}
	if nbf, ok, err := num("nbf"); err != nil {
		return err
	} else if ok && now.Add(clockSkew).Unix() < int64(nbf) {
		return claimsErr("JWT not yet valid")
	}
	if iat, ok, err := num("iat"); err != nil {
		return err
	} else if ok && now.Add(clockSkew).Unix() < int64(iat) {
		return claimsErr("JWT issued at future")
	}
	return nil
}

func validAud(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return true
	}
	var a []string
	return json.Unmarshal(raw, &a) == nil
}
