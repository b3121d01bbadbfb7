package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/auth"
)

const testSecret = "super-secret-jwt-token-with-at-least-32-characters-long"

var verifierNow = time.Unix(1_795_893_400, 0)

func userClaims(exp time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "6c46d140-408c-4b43-a59b-6c76625c8912", "aud": "authenticated", "role": "authenticated",
		"exp": exp.Unix(), "iat": verifierNow.Add(-time.Minute).Unix(), "iss": "http://127.0.0.1:54321/auth/v1",
		"email": "alice@example.com", "phone": "", "aal": "aal2", "session_id": "89b19991-099c-498e-9096-281548d5814b",
		"amr":           []map[string]any{{"method": "password", "timestamp": 1795893368}, {"method": "totp", "timestamp": 1795893368}},
		"app_metadata":  map[string]any{"provider": "email", "providers": []string{"email"}},
		"user_metadata": map[string]any{"display_name": "Alice", "favourite": 42},
		"is_anonymous":  false,
	}
}

func signHS(t *testing.T, claims jwt.Claims, secret string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signWith(t *testing.T, m jwt.SigningMethod, kid string, key any, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(kid string, k *ecdsa.PublicKey) map[string]any {
	pad := func(b []byte) []byte { out := make([]byte, 32); copy(out[32-len(b):], b); return out }
	return map[string]any{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256", "x": b64(pad(k.X.Bytes())), "y": b64(pad(k.Y.Bytes()))}
}

// jwksServer serves a JWKS that tests can rotate, counting fetches.
type jwksServer struct {
	mu      sync.Mutex
	keys    []map[string]any
	fetches atomic.Int64
	srv     *httptest.Server
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	j := &jwksServer{keys: keys}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/v1/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": j.keys})
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *jwksServer) set(keys ...map[string]any) {
	j.mu.Lock()
	j.keys = keys
	j.mu.Unlock()
}

func TestVerifierHS256(t *testing.T) {
	v, err := auth.NewVerifier(auth.WithHS256Secret([]byte(testSecret)), auth.WithVerifierClock(func() time.Time { return verifierNow }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := v.Verify(ctx, signHS(t, userClaims(verifierNow.Add(time.Hour)), testSecret))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "6c46d140-408c-4b43-a59b-6c76625c8912" || c.Role != "authenticated" || c.AAL != auth.AAL2 ||
		c.SessionID == "" || c.Email != "alice@example.com" || len(c.AMR) != 2 || c.AMR[1].Method != "totp" ||
		c.AppMetadata["provider"] != "email" || c.IsAnonymous || c.Issuer == "" || c.ExpiresAt == nil {
		t.Fatalf("claims = %+v", c)
	}
	var meta struct {
		DisplayName string `json:"display_name"`
		Favourite   int    `json:"favourite"`
	}
	if err := c.DecodeUserMetadata(&meta); err != nil || meta.DisplayName != "Alice" || meta.Favourite != 42 {
		t.Fatalf("metadata = %+v, %v", meta, err)
	}

	wrongAud := userClaims(verifierNow.Add(time.Hour))
	wrongAud["aud"] = "somebody-else"
	noExp := userClaims(verifierNow.Add(time.Hour))
	delete(noExp, "exp")
	anonKey := jwt.MapClaims{"iss": "supabase-demo", "role": "anon", "exp": verifierNow.Add(time.Hour).Unix()}
	noneTok := func() string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodNone, userClaims(verifierNow.Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rejects := []struct {
		name  string
		token string
		is    error
	}{
		{"expired", signHS(t, userClaims(verifierNow.Add(-time.Second)), testSecret), auth.ErrTokenExpired},
		{"wrong audience", signHS(t, wrongAud, testSecret), nil},
		{"anon key (no audience)", signHS(t, anonKey, testSecret), nil},
		{"no exp", signHS(t, noExp, testSecret), nil},
		{"wrong signature", signHS(t, userClaims(verifierNow.Add(time.Hour)), testSecret+"x"), nil},
		{"alg none", noneTok, nil},
		{"RS256 without a JWKS", signWith(t, jwt.SigningMethodRS256, "k1", rsaKey, userClaims(verifierNow.Add(time.Hour))), nil},
		{"garbage", "not.a.jwt", nil},
		{"empty", "", nil},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(ctx, tt.token)
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Fatal("error contains the token")
			}
		})
	}
	// Audience and issuer options.
	v2, _ := auth.NewVerifier(auth.WithHS256Secret([]byte(testSecret)), auth.WithAudience(), auth.WithIssuer("http://127.0.0.1:54321/auth/v1"),
		auth.WithVerifierClock(func() time.Time { return verifierNow }))
	if _, err := v2.Verify(ctx, signHS(t, wrongAud, testSecret)); err != nil {
		t.Fatalf("audience check disabled: %v", err)
	}
	badIss := userClaims(verifierNow.Add(time.Hour))
	badIss["iss"] = "https://evil.example"
	if _, err := v2.Verify(ctx, signHS(t, badIss, testSecret)); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("wrong issuer accepted: %v", err)
	}
	if _, err := auth.NewVerifier(); !errors.Is(err, auth.ErrInvalidArgument) {
		t.Fatalf("verifier without keys: %v", err)
	}
}

func TestVerifierJWKS(t *testing.T) {
	rsa1, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa2, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	js := newJWKSServer(t, rsaJWK("rsa-1", &rsa1.PublicKey), ecJWK("ec-1", &ec1.PublicKey))
	now := verifierNow
	var mu sync.Mutex
	clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	v, err := auth.NewVerifier(auth.WithJWKSURL(auth.JWKSURL(js.srv.URL)), auth.WithVerifierClock(clk), auth.WithJWKSCache(10*time.Minute, 30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	claims := userClaims(verifierNow.Add(2 * time.Hour))

	for name, tok := range map[string]string{
		"RS256": signWith(t, jwt.SigningMethodRS256, "rsa-1", rsa1, claims),
		"ES256": signWith(t, jwt.SigningMethodES256, "ec-1", ec1, claims),
	} {
		c, err := v.Verify(ctx, tok)
		if err != nil || c.Subject == "" {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if n := js.fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches, want 1 (cached)", n)
	}

	rejects := map[string]string{
		"HS256 without a secret":                        signHS(t, claims, testSecret),
		"alg confusion (HS256 with the RSA public key)": signHS(t, claims, string(rsa1.PublicKey.N.Bytes())),
		"right kid, wrong key":                          signWith(t, jwt.SigningMethodRS256, "rsa-1", rsa2, claims),
		"RS256 token naming the EC key":                 signWith(t, jwt.SigningMethodRS256, "ec-1", rsa1, claims),
		"expired":                                       signWith(t, jwt.SigningMethodRS256, "rsa-1", rsa1, userClaims(verifierNow.Add(-time.Minute))),
	}
	for name, tok := range rejects {
		if _, err := v.Verify(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
		}
	}

	// Unknown kid: right after a fetch it is rate-limited; once the
	// interval has passed, one refetch, then rate-limited again.
	forgedEarly := signWith(t, jwt.SigningMethodRS256, "rsa-9", rsa2, claims)
	if _, err := v.Verify(ctx, forgedEarly); !errors.Is(err, auth.ErrUnknownKey) || js.fetches.Load() != 1 {
		t.Fatalf("unknown kid within the interval: %v, %d fetches", err, js.fetches.Load())
	}
	advance(31 * time.Second)
	before := js.fetches.Load()
	forged := signWith(t, jwt.SigningMethodRS256, "rsa-2", rsa2, claims)
	for i := 0; i < 5; i++ {
		if _, err := v.Verify(ctx, forged); !errors.Is(err, auth.ErrUnknownKey) {
			t.Fatalf("unknown kid: err = %v, want ErrUnknownKey", err)
		}
	}
	if got := js.fetches.Load() - before; got != 1 {
		t.Fatalf("%d refetches for an unknown kid, want 1 (rate-limited)", got)
	}

	// Rotation: the new key is picked up once the interval has passed.
	js.set(rsaJWK("rsa-1", &rsa1.PublicKey), rsaJWK("rsa-2", &rsa2.PublicKey))
	advance(31 * time.Second)
	if _, err := v.Verify(ctx, forged); err != nil {
		t.Fatalf("rotated key not picked up: %v", err)
	}
	// A key removed from the JWKS stops verifying after the cache TTL.
	js.set(rsaJWK("rsa-2", &rsa2.PublicKey))
	advance(11 * time.Minute)
	if _, err := v.Verify(ctx, signWith(t, jwt.SigningMethodRS256, "rsa-1", rsa1, claims)); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("removed key still accepted: %v", err)
	}
}

func TestVerifierConcurrent(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	js := newJWKSServer(t, ecJWK("ec", &k.PublicKey))
	v, _ := auth.NewVerifier(auth.WithJWKSURL(auth.JWKSURL(js.srv.URL)), auth.WithHS256Secret([]byte(testSecret)),
		auth.WithVerifierClock(func() time.Time { return verifierNow }))
	tokES := signWith(t, jwt.SigningMethodES256, "ec", k, userClaims(verifierNow.Add(time.Hour)))
	tokHS := signHS(t, userClaims(verifierNow.Add(time.Hour)), testSecret)
	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok := tokES
			if i%2 == 0 {
				tok = tokHS
			}
			if _, err := v.Verify(context.Background(), tok); err != nil {
				failures.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if failures.Load() != 0 || js.fetches.Load() != 1 {
		t.Fatalf("failures %d, fetches %d", failures.Load(), js.fetches.Load())
	}
}

func TestParseJWKS(t *testing.T) {
	keys, err := auth.ParseJWKS([]byte(`{"keys":[]}`))
	if err != nil || len(keys) != 0 {
		t.Fatalf("empty JWKS: %v %v", keys, err)
	}
	keys, err = auth.ParseJWKS([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"},{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"},{"kty":"RSA","use":"enc","kid":"e","n":"AQAB","e":"AQAB"}]}`))
	if err != nil || len(keys) != 0 {
		t.Fatalf("unsupported keys must be skipped: %v %v", keys, err)
	}
	if _, err := auth.ParseJWKS([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"x","x":"` + b64(make([]byte, 32)) + `","y":"` + b64(make([]byte, 32)) + `"}]}`)); err == nil {
		t.Fatal("point not on the curve accepted")
	}
	if _, err := auth.ParseJWKS([]byte(`nope`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
