package gateway_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/gateway"
)

// FuzzVerify: any input is answered without panicking; an accepted token
// is one this secret signed (re-signing its claims with another secret is
// always refused), and every rejection is a PostgREST JWT error.
func FuzzVerify(f *testing.F) {
	v := gateway.NewVerifier(secret, func() time.Time { return time.Unix(1_800_000_000, 0) })
	other := gateway.NewVerifier([]byte(strings.Repeat("o", 40)), nil)
	for _, s := range []string{demoAnon, demoService, "", "a.b", "a.b.c", "..", "eyJhbGciOiJub25lIn0.e30.", demoAnon + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := v.Verify(tok)
		if err != nil {
			je, ok := err.(*gateway.JWTError)
			if !ok || (je.Code != "PGRST301" && je.Code != "PGRST303") || je.Message == "" {
				t.Fatalf("rejection %#v is not a PostgREST JWT error", err)
			}
			return
		}
		if id.Role == "" || len(id.Claims) == 0 || id.Token != tok {
			t.Fatalf("accepted %q with identity %+v", tok, id)
		}
		if _, err := other.Verify(tok); err == nil {
			t.Fatalf("token %q verifies under two secrets", tok)
		}
	})
}

// FuzzDropParam: the apikey parameter never survives, and every other
// pair is kept byte for byte, in order.
func FuzzDropParam(f *testing.F) {
	for _, s := range []string{"", "apikey=x", "a=1&apikey=x&b=2", "apikey", "%61pikey=x&c=3", "a=1&&b", "apikey=1&apikey=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := gateway.DropParam(raw, "apikey")
		var want []string
		for _, p := range strings.Split(raw, "&") {
			k, _, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil && uk == "apikey" {
				continue
			}
			want = append(want, p)
		}
		if raw == "" {
			want = nil
		}
		if got != strings.Join(want, "&") {
			t.Fatalf("DropParam(%q) = %q, want %q", raw, got, strings.Join(want, "&"))
		}
		if q, err := url.ParseQuery(got); err == nil && q.Has("apikey") {
			t.Fatalf("DropParam(%q) = %q still has apikey", raw, got)
		}
	})
}
