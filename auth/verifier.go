package auth

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Verification errors. Every error of [Verifier.Verify] wraps
// ErrInvalidToken; expired tokens also wrap ErrTokenExpired, and tokens
// signed by a key the verifier does not know wrap ErrUnknownKey.
var (
	ErrInvalidToken = errors.New("auth: invalid access token")
	ErrTokenExpired = errors.New("auth: access token expired")
	ErrUnknownKey   = errors.New("auth: unknown signing key")
)

// Claims are the claims of a GoTrue access token.
type Claims struct {
	jwt.RegisteredClaims
	Role         string         `json:"role,omitempty"`
	AAL          AAL            `json:"aal,omitempty"`
	AMR          []AMREntry     `json:"amr,omitempty"`
	SessionID    string         `json:"session_id,omitempty"`
	Email        string         `json:"email,omitempty"`
	Phone        string         `json:"phone,omitempty"`
	AppMetadata  map[string]any `json:"app_metadata,omitempty"`
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
	IsAnonymous  bool           `json:"is_anonymous,omitempty"`
}

// UserID returns the sub claim.
func (c *Claims) UserID() string { return c.Subject }

// DecodeUserMetadata decodes user_metadata into v; see [DecodeMetadata].
func (c *Claims) DecodeUserMetadata(v any) error { return DecodeMetadata(c.UserMetadata, v) }

// DecodeAppMetadata decodes app_metadata into v; see [DecodeMetadata].
func (c *Claims) DecodeAppMetadata(v any) error { return DecodeMetadata(c.AppMetadata, v) }

// Verifier checks access tokens for servers: the signature (HS256 with
// the project's JWT secret, RS256 or ES256 with a key of the project's
// JWKS), the expiry, the audience and optionally the issuer. Only the
// algorithms it has keys for are accepted; "none" never is.
//
// The JWKS is fetched on first use, cached for the cache TTL, and fetched
// again when a token names an unknown key id, at most once per minimum
// refresh interval. A Verifier is safe for concurrent use.
type Verifier struct {
	secret    []byte
	jwksURL   string
	hc        *http.Client
	audiences []string
	audSet    bool
	issuer    string
	leeway    time.Duration
	now       func() time.Time
	ttl       time.Duration
	minFetch  time.Duration
	methods   []string

	fetchMu   sync.Mutex // one JWKS fetch at a time
	mu        sync.RWMutex
	keys      map[string]any // kid -> *rsa.PublicKey | *ecdsa.PublicKey
	fetchedAt time.Time
	triedAt   time.Time
}

// VerifierOption configures [NewVerifier].
type VerifierOption func(*Verifier) error

// WithHS256Secret accepts HS256 tokens signed with the project's JWT
// secret.
func WithHS256Secret(secret []byte) VerifierOption {
	return func(v *Verifier) error {
		if len(secret) == 0 {
			return invalidArg("WithHS256Secret: empty secret")
		}
		v.secret = append([]byte(nil), secret...)
		return nil
	}
}

// WithJWKSURL accepts RS256 and ES256 tokens signed by keys of the JWKS at
// url, normally <project>/auth/v1/.well-known/jwks.json (see [JWKSURL]).
func WithJWKSURL(url string) VerifierOption {
	return func(v *Verifier) error {
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return invalidArg("WithJWKSURL: %q is not an http(s) URL", url)
		}
		v.jwksURL = url
		return nil
	}
}

// WithAudience sets the accepted audiences (default "authenticated"). No
// argument disables the audience check.
func WithAudience(aud ...string) VerifierOption {
	return func(v *Verifier) error {
		v.audiences = append([]string(nil), aud...)
		v.audSet = true
		return nil
	}
}

// WithIssuer requires the iss claim to equal iss.
func WithIssuer(iss string) VerifierOption {
	return func(v *Verifier) error { v.issuer = iss; return nil }
}

// WithLeeway tolerates clock skew on exp, nbf and iat.
func WithLeeway(d time.Duration) VerifierOption {
	return func(v *Verifier) error {
		if d < 0 {
			return invalidArg("WithLeeway: negative duration")
		}
		v.leeway = d
		return nil
	}
}

// WithVerifierClock replaces time.Now (for tests).
func WithVerifierClock(now func() time.Time) VerifierOption {
	return func(v *Verifier) error {
		if now == nil {
			return invalidArg("WithVerifierClock(nil)")
		}
		v.now = now
		return nil
	}
}

// WithVerifierHTTPClient fetches the JWKS with hc.
func WithVerifierHTTPClient(hc *http.Client) VerifierOption {
	return func(v *Verifier) error {
		if hc == nil {
			return invalidArg("WithVerifierHTTPClient(nil)")
		}
		v.hc = hc
		return nil
	}
}

// WithJWKSCache sets how long a fetched JWKS is used before it is fetched
// again (default 10 minutes) and the minimum interval between fetches
// caused by unknown key ids (default 30 seconds).
func WithJWKSCache(ttl, minRefresh time.Duration) VerifierOption {
	return func(v *Verifier) error {
		if ttl <= 0 || minRefresh < 0 {
			return invalidArg("WithJWKSCache: ttl must be positive and minRefresh not negative")
		}
		v.ttl, v.minFetch = ttl, minRefresh
		return nil
	}
}

// JWKSURL returns the JWKS URL of a project ("https://x.supabase.co" →
// "https://x.supabase.co/auth/v1/.well-known/jwks.json").
func JWKSURL(projectURL string) string {
	return strings.TrimRight(projectURL, "/") + "/auth/v1/.well-known/jwks.json"
}

// NewVerifier returns a verifier. It needs a secret, a JWKS URL, or both.
func NewVerifier(opts ...VerifierOption) (*Verifier, error) {
	v := &Verifier{
		audiences: []string{"authenticated"},
		now:       time.Now,
		ttl:       10 * time.Minute,
		minFetch:  30 * time.Second,
		hc:        &http.Client{Timeout: 10 * time.Second},
	}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, invalidArg("nil verifier option"))
			continue
		}
		if err := o(v); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if v.secret == nil && v.jwksURL == "" {
		return nil, invalidArg("NewVerifier: give WithHS256Secret, WithJWKSURL or both")
	}
	if v.secret != nil {
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if v.jwksURL != "" {
		v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	return v, nil
}

// Verify checks token and returns its claims. Errors wrap
// [ErrInvalidToken] (and [ErrTokenExpired] or [ErrUnknownKey] when that is
// the cause); they never contain the token.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if strings.TrimSpace(token) == "" {
		return nil, fmt.Errorf("%w: empty token", ErrInvalidToken)
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.now),
	}
	if len(v.audiences) > 0 {
		popts = append(popts, jwt.WithAudience(v.audiences...))
	}
	if v.issuer != "" {
		popts = append(popts, jwt.WithIssuer(v.issuer))
	}
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		return v.key(ctx, t)
	}, popts...)
	if err != nil {
		switch {
		case errors.Is(err, ErrUnknownKey):
			return nil, fmt.Errorf("%w: %w", ErrInvalidToken, ErrUnknownKey)
		case errors.Is(err, jwt.ErrTokenExpired):
			return nil, fmt.Errorf("%w: %w", ErrInvalidToken, ErrTokenExpired)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return claims, nil
}

func (v *Verifier) key(ctx context.Context, t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if alg == jwt.SigningMethodHS256.Alg() {
		if v.secret == nil {
			return nil, ErrUnknownKey
		}
		return v.secret, nil
	}
	kid, _ := t.Header["kid"].(string)
	if k := v.lookup(kid, alg); k != nil {
		if v.stale() {
			if err := v.fetch(ctx, false); err != nil {
				return k, nil // the JWKS endpoint failing keeps the cached keys
			}
			if k = v.lookup(kid, alg); k == nil {
				return nil, ErrUnknownKey // the key was withdrawn
			}
		}
		return k, nil
	}
	// Another caller may have fetched the keys while this one waited.
	err := v.fetch(ctx, true)
	if k := v.lookup(kid, alg); k != nil {
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, ErrUnknownKey
}

func (v *Verifier) stale() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.now().Sub(v.fetchedAt) > v.ttl
}

// lookup finds the key for kid usable with alg. A token without kid is
// accepted only when exactly one key fits the algorithm.
func (v *Verifier) lookup(kid, alg string) any {
	v.mu.RLock()
	defer v.mu.RUnlock()
	fits := func(k any) bool {
		switch k := k.(type) {
		case *rsa.PublicKey:
			return alg == "RS256"
		case *ecdsa.PublicKey:
			return alg == "ES256" && k.Curve == elliptic.P256()
		}
		return false
	}
	if kid != "" {
		if k, ok := v.keys[kid]; ok && fits(k) {
			return k
		}
		return nil
	}
	var found any
	for _, k := range v.keys {
		if fits(k) {
			if found != nil {
				return nil
			}
			found = k
		}
	}
	return found
}

// fetch downloads the JWKS. With unknownKid set it honours the minimum
// interval between fetches (so forged key ids cannot make the verifier
// hammer the server).
func (v *Verifier) fetch(ctx context.Context, unknownKid bool) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	v.mu.RLock()
	tried := v.triedAt
	v.mu.RUnlock()
	if !tried.IsZero() && v.now().Sub(tried) < v.minFetch {
		if unknownKid {
			return ErrUnknownKey
		}
		return nil
	}
	v.mu.Lock()
	v.triedAt = v.now()
	v.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return fmt.Errorf("auth: JWKS: %w", err)
	}
	resp, err := v.hc.Do(req)
	if err != nil {
		return fmt.Errorf("auth: JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("auth: JWKS: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("auth: JWKS: %w", err)
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.keys = keys
	v.fetchedAt = v.now()
	v.mu.Unlock()
	return nil
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// ParseJWKS decodes a JSON Web Key Set into public keys by key id. RSA and
// P-256 EC signing keys are kept; other keys (symmetric, encryption, other
// curves) are skipped.
func ParseJWKS(b []byte) (map[string]any, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("auth: JWKS: %w", err)
	}
	out := map[string]any{}
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Kty {
		case "RSA":
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
				return nil, fmt.Errorf("auth: JWKS: key %d (%q): bad RSA parameters", i, k.Kid)
			}
			out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		case "EC":
			if k.Crv != "P-256" {
				continue
			}
			x, err1 := base64.RawURLEncoding.DecodeString(k.X)
			y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
			if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
				return nil, fmt.Errorf("auth: JWKS: key %d (%q): bad EC parameters", i, k.Kid)
			}
			// Parsing the uncompressed point validates it is on the curve.
			if _, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, x...), y...)); err != nil {
				return nil, fmt.Errorf("auth: JWKS: key %d (%q): point not on P-256", i, k.Kid)
			}
			out[k.Kid] = &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		}
	}
	return out, nil
}

type claimsKey struct{}

// ContextWithClaims returns a context carrying verified claims.
func ContextWithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFromContext returns the claims put in the context by the HTTP
// middleware (or [ContextWithClaims]).
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}
