package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrWeakSecret: a JWT secret shorter than GoTrue and PostgREST accept.
var ErrWeakSecret = errors.New("stack: JWT secret must be at least 32 characters")

// Keys are a project's API keys, signed with its JWT secret.
type Keys struct {
	JWTSecret      string
	AnonKey        string
	ServiceRoleKey string
}

// MintKeys signs the anon and service_role keys with secret, as Supabase
// does: HS256, iss "supabase-demo", the role claim, issued at now and valid
// for ten years.
func MintKeys(secret string, now time.Time) (Keys, error) {
	if len(secret) < 32 {
		return Keys{}, ErrWeakSecret
	}
	sign := func(role string) (string, error) {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss":  "supabase-demo",
			"role": role,
			"iat":  now.Unix(),
			"exp":  now.AddDate(10, 0, 0).Unix(),
		})
		s, err := tok.SignedString([]byte(secret))
		if err != nil {
			return "", fmt.Errorf("stack: sign %s key: %w", role, err)
		}
		return s, nil
	}
	anon, err := sign("anon")
	if err != nil {
		return Keys{}, err
	}
	service, err := sign("service_role")
	if err != nil {
		return Keys{}, err
	}
	return Keys{JWTSecret: secret, AnonKey: anon, ServiceRoleKey: service}, nil
}
