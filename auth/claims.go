package auth

import (
	"context"
)

// GetClaims returns the verified claims of the current session's access
// token. Asymmetrically signed tokens (RS256, ES256) are verified locally
// with the project's JWKS (fetched once and cached); HS256 tokens cannot be
// verified without the project secret, so GoTrue is asked to accept the
// token (GET /user) before its claims are returned.
//
// GET /auth/v1/.well-known/jwks.json (cached), or GET /auth/v1/user
func (c *Client) GetClaims(ctx context.Context) (*Claims, error) {
	s, err := c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	alg, err := tokenAlg(s.AccessToken)
	if err != nil {
		return nil, err
	}
	if alg == "RS256" || alg == "ES256" {
		v, err := c.jwksVerifier()
		if err != nil {
			return nil, err
		}
		return v.Verify(ctx, s.AccessToken)
	}
	if _, err := c.GetUserWithToken(ctx, s.AccessToken); err != nil {
		return nil, err
	}
	var cl Claims
	if err := decodeJWTPart(s.AccessToken, 1, &cl); err != nil {
		return nil, err
	}
	return &cl, nil
}

func (c *Client) jwksVerifier() (*Verifier, error) {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	if c.verifier != nil {
		return c.verifier, nil
	}
	v, err := NewVerifier(WithJWKSURL(c.t.URL("/.well-known/jwks.json")), WithVerifierHTTPClient(c.t.HTTPClient()),
		WithVerifierClock(c.now), WithAudience())
	if err != nil {
		return nil, err
	}
	c.verifier = v
	return v, nil
}

func tokenAlg(token string) (string, error) {
	var h struct {
		Alg string `json:"alg"`
	}
	if err := decodeJWTPart(token, 0, &h); err != nil {
		return "", err
	}
	return h.Alg, nil
}
