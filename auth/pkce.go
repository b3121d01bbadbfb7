package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// recoverySuffix marks a stored verifier that belongs to a password
// recovery flow (as supabase-js does).
const recoverySuffix = "/recovery"

// NewCodeVerifier returns a random PKCE code verifier: 56 random bytes as
// 112 lower-case hex characters (within RFC 7636's 43–128 and its
// unreserved alphabet), the shape supabase-js uses.
func NewCodeVerifier() (string, error) {
	b := make([]byte, 56)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: PKCE verifier: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// CodeChallenge returns the S256 challenge of a verifier:
// base64url(SHA-256(verifier)) without padding.
func CodeChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// codeChallengeMethod is the method name GoTrue expects (lower case).
const codeChallengeMethod = "s256"

func (c *Client) verifierKey() string { return c.key + "-code-verifier" }

// startPKCE creates and stores a verifier (with the recovery suffix when
// recovery is set) and returns its challenge, or "" in the implicit flow.
func (c *Client) startPKCE(ctx context.Context, recovery bool) (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	if ctx == nil {
		return "", invalidArg("nil context")
	}
	if c.flow != FlowPKCE {
		return "", nil
	}
	v, err := NewCodeVerifier()
	if err != nil {
		return "", err
	}
	stored := v
	if recovery {
		stored += recoverySuffix
	}
	if err := c.store.Set(ctx, c.verifierKey(), stored); err != nil {
		return "", fmt.Errorf("auth: store PKCE verifier: %w", err)
	}
	return CodeChallenge(v), nil
}

// takeVerifier reads the stored verifier; recovery reports the suffix.
func (c *Client) takeVerifier(ctx context.Context) (verifier string, recovery bool, err error) {
	if err := c.check(); err != nil {
		return "", false, err
	}
	if ctx == nil {
		return "", false, invalidArg("nil context")
	}
	v, ok, err := c.store.Get(ctx, c.verifierKey())
	if err != nil {
		return "", false, fmt.Errorf("auth: read PKCE verifier: %w", err)
	}
	// supabase-js stores the verifier JSON-encoded; accept both forms.
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if !ok || v == "" {
		return "", false, ErrNoCodeVerifier
	}
	if strings.HasSuffix(v, recoverySuffix) {
		return strings.TrimSuffix(v, recoverySuffix), true, nil
	}
	return v, false, nil
}

// pkceFields adds code_challenge and code_challenge_method to a body when
// a challenge was made. In the implicit flow they are omitted (supabase-js
// sends them as null, which GoTrue reads the same way).
func pkceFields(body map[string]any, challenge string) {
	if challenge != "" {
		body["code_challenge"] = challenge
		body["code_challenge_method"] = codeChallengeMethod
	}
}
