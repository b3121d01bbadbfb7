package auth_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

type cannedRT string

func (b cannedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(b))), Request: r}, nil
}

// FuzzCallsNeverPanic feeds arbitrary text (as emails, phones, tokens,
// redirect URLs, ids, provider names) and arbitrary answers to the public
// calls: each returns a result or an error, never panics.
func FuzzCallsNeverPanic(f *testing.F) {
	for _, s := range [][2]string{
		{"a@example.com", `{"access_token":"x.y.z","refresh_token":"r","expires_in":3600,"user":{"id":"u"}}`},
		{"+15550100", `{"id":"u"}`},
		{"https://app.example.com/#access_token=a&refresh_token=b", `[]`},
		{"%zz", `null`},
		{"", `{"user":{"id":1}}`},
		{"\x00", `{"access_token":1}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, in, answer string) {
		tr, err := transport.New(transport.Config{BaseURL: "http://gotrue.test/auth/v1", APIKey: "k",
			HTTPClient: &http.Client{Transport: cannedRT(answer)}, Retry: transport.RetryPolicy{}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := auth.New(tr)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, _ = c.SignUp(ctx, auth.SignUpParams{Email: in, Password: in, RedirectTo: in, Data: map[string]string{"k": in}})
		_, _ = c.SignInWithPassword(ctx, auth.PasswordCredentials{Phone: in, Password: "pw"})
		_, _ = c.SignInWithOTP(ctx, auth.OTPParams{Email: in, RedirectTo: in})
		_, _ = c.SignInWithOAuth(ctx, auth.OAuthParams{Provider: in, RedirectTo: in, Scopes: in, QueryParams: map[string]string{in: in}})
		_, _ = c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: in, Token: in, Type: auth.OTPType(in)})
		_, _ = c.VerifyOTP(ctx, auth.VerifyOTPParams{Phone: in, Token: in, Type: auth.OTPSMS})
		_, _ = c.SetSession(ctx, in, in)
		_, _ = c.SessionFromURL(ctx, in)
		_, _ = c.ExchangeCodeForSession(ctx, in)
		_, _ = c.RefreshSession(ctx, in)
		_, _ = c.GetUser(ctx)
		_, _ = c.UpdateUser(ctx, auth.UserAttributes{Email: in, EmailRedirectTo: in})
		_, _ = c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: in, Phone: in})
		_, _ = c.MFA().ChallengeAndVerify(ctx, in, in)
		_, _ = c.MFA().GetAuthenticatorAssuranceLevel(ctx)
		_, _ = c.MFA().ListFactors(ctx)
		_, _ = c.GetClaims(ctx)
		_, _ = c.Admin().GetUserByID(ctx, in)
		_, _ = c.Admin().ListUsers(ctx, auth.ListUsersParams{Page: len(in), PerPage: len(in)})
		_, _ = c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkType(in), Email: in, Password: in})
		_ = c.SignOut(ctx, auth.Scope(in))
		_ = c.SignOut(ctx, "")
	})
}
