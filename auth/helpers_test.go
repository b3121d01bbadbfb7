package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/transport"
)

// mustTransport returns the /auth/v1 transport of a project.
func mustTransport(t testing.TB, url, key string) *transport.Transport {
	t.Helper()
	base, err := supakit.New(url, key)
	if err != nil {
		t.Fatal(err)
	}
	return base.AuthTransport()
}

// makeJWT returns an unsigned-looking HS256 JWT with the given claims and a
// fake signature (for client-side code that only reads claims).
func makeJWT(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(p) + "." + enc([]byte("not-a-real-signature"))
}
