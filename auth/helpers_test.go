package auth_test

import (
	"encoding/base64"
	"encoding/json"
)

// makeJWT returns an unsigned-looking HS256 JWT with the given claims and a
// fake signature (for client-side code that only reads claims).
func makeJWT(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(p) + "." + enc([]byte("not-a-real-signature"))
}
