package gotrue_test

import (
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator/internal/gotrue"
)

func TestRedirectAllowList(t *testing.T) {
	t.Parallel()
	h, err := gotrue.NewForRedirects(gotrue.Config{
		JWTSecret:              []byte(secret),
		SiteURL:                "http://localhost:3000",
		AdditionalRedirectURLs: []string{"https://app.example.com/**", "http://*.preview.test/callback", "myapp://auth"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ want, got string }{
		{"", "http://localhost:3000"},
		{"http://localhost:3000/welcome?x=1", "http://localhost:3000/welcome?x=1"},
		{"https://localhost:3000/", "http://localhost:3000"}, // scheme differs
		{"https://app.example.com/a/b", "https://app.example.com/a/b"},
		{"https://app.example.com.evil.test/", "http://localhost:3000"},
		{"http://pr-1.preview.test/callback", "http://pr-1.preview.test/callback"},
		{"http://a.b.preview.test/callback", "http://localhost:3000"},
		{"myapp://auth", "myapp://auth"},
		{"javascript:alert(1)", "http://localhost:3000"},
		{"/relative", "http://localhost:3000"},
	}
	for _, tc := range tests {
		if got := h.RedirectTarget(tc.want); got != tc.got {
			t.Errorf("redirectTarget(%q) = %q, want %q", tc.want, got, tc.got)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	emails := []struct {
		in, want string
		ok       bool
	}{
		{"Alice@Example.COM", "alice@example.com", true},
		{" a+tag@example.com ", "a+tag@example.com", true},
		{"not-an-email", "", false},
		{"Alice <a@example.com>", "", false},
		{"a@localhost", "", false},
		{"", "", false},
	}
	for _, tc := range emails {
		got, err := gotrue.NormalizeEmail(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("normalizeEmail(%q) = %q, %v", tc.in, got, err)
		}
	}
	phones := []struct {
		in, want string
		ok       bool
	}{
		{"+1 333 444 5555", "13334445555", true},
		{"13334445555", "13334445555", true},
		{"+0123", "", false},
		{"call me", "", false},
	}
	for _, tc := range phones {
		got, err := gotrue.NormalizePhone(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("normalizePhone(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "A@B.C", "x", "a@@b.c", "\"q\"@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := gotrue.NormalizeEmail(s)
		if err != nil {
			return
		}
		if got != strings.ToLower(got) {
			t.Fatalf("not lower-cased: %q", got)
		}
		again, err := gotrue.NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
	})
}
