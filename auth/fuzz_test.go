package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/auth"
)

// FuzzParseError: any answer becomes an *Error with the status, without
// panicking, and a JSON code survives.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`,
		`{"code":"weak_password","message":"m","weak_password":{"reasons":["length"]}}`,
		`{"error":"invalid_grant","error_description":"x"}`,
		`{"code":null}`, `[]`, `"str"`, ``, `{"weak_password":null}`,
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := auth.ParseError(status, nil, []byte(body))
		if e == nil || e.Status != status {
			t.Fatalf("ParseError(%d) = %+v", status, e)
		}
		_ = e.Error()
		var b struct {
			ErrorCode string `json:"error_code"`
		}
		if json.Unmarshal([]byte(body), &b) == nil && b.ErrorCode != "" && e.Code != b.ErrorCode {
			t.Fatalf("code %q lost (got %q)", b.ErrorCode, e.Code)
		}
	})
}

// FuzzParseJWKS never panics; every key it returns is usable.
func FuzzParseJWKS(f *testing.F) {
	f.Add(`{"keys":[]}`)
	f.Add(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","kid":"b","x":"AA","y":"AA"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := auth.ParseJWKS([]byte(s))
		if err != nil {
			return
		}
		for kid, k := range keys {
			if k == nil {
				t.Fatalf("nil key %q", kid)
			}
		}
	})
}

// FuzzVerify: arbitrary strings never verify, and errors never echo them.
func FuzzVerify(f *testing.F) {
	v, err := auth.NewVerifier(auth.WithHS256Secret([]byte("super-secret-jwt-token-with-at-least-32-characters-long")))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiYXVkIjoiYXV0aGVudGljYXRlZCIsImV4cCI6NDEwMjQ0NDgwMH0.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err == nil {
			t.Fatalf("verified a forged token: %+v", c)
		}
		if !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
		if len(tok) > 8 && strings.Contains(err.Error(), tok) {
			t.Fatal("error echoes the token")
		}
	})
}

// FuzzSessionFromURL never panics and never stores a session from a URL
// without tokens.
func FuzzSessionFromURL(f *testing.F) {
	f.Add("http://localhost:3000#error=access_denied&error_code=otp_expired&error_description=x")
	f.Add("http://localhost:3000#access_token=a.b.c")
	f.Add("%zz")
	tr := mustTransport(f, "http://127.0.0.1:1", goAnonKey)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := auth.New(tr, auth.WithFlowType(auth.FlowImplicit))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if s, err := c.SessionFromURL(ctx, raw); err == nil {
			t.Fatalf("session %v from %q with no server", s, raw)
		}
		if _, err := c.GetSession(ctx); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("a failed SessionFromURL stored a session: %v", err)
		}
	})
}
