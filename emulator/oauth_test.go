package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/supakit/supakit/emulator"
)

// The whole OAuth flow with PKCE through the gateway: /authorize redirects
// to the configured provider with a state, the test plays the provider,
// and the code is exchanged for a session of the provider's user.
func TestOAuthPKCEThroughGateway(t *testing.T) {
	srv := start(t, emulator.Config{Auth: emulator.AuthConfig{
		SiteURL:           "http://app.test",
		ExternalProviders: map[string]emulator.ProviderConfig{"github": {AuthorizeURL: "https://github.test/login/oauth/authorize", ClientID: "cid"}},
	}})
	verifier := "verifier-0123456789-0123456789-0123456789-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"provider": {"github"}, "redirect_to": {"http://app.test/cb"}, "code_challenge": {challenge}, "code_challenge_method": {"s256"}}
	req, _ := http.NewRequest("GET", srv.URL+"/auth/v1/authorize?"+q.Encode(), nil)
	req.Header.Set("apikey", srv.AnonKey)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "github.test" {
		t.Fatalf("authorize redirected to %q", resp.Header.Get("Location"))
	}
	state := loc.Query().Get("state")
	if state == "" || loc.Query().Get("client_id") != "cid" {
		t.Fatalf("provider URL lacks state or client id: %s", loc)
	}

	back, err := srv.CompleteOAuth(context.Background(), state, emulator.ProviderUser{ID: "gh-42", Email: "octo@example.com", EmailVerified: true, Name: "Octo"})
	if err != nil {
		t.Fatal(err)
	}
	bu, err := url.Parse(back)
	if err != nil || bu.Host != "app.test" || bu.Path != "/cb" {
		t.Fatalf("redirect back to %q", back)
	}
	code := bu.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %q", back)
	}
	if _, err := srv.CompleteOAuth(context.Background(), state, emulator.ProviderUser{ID: "gh-42"}); err == nil {
		t.Fatal("a used state was accepted again")
	}

	body, _ := json.Marshal(map[string]string{"auth_code": code, "code_verifier": verifier})
	req, _ = http.NewRequest("POST", srv.URL+"/auth/v1/token?grant_type=pkce", bytes.NewReader(body))
	req.Header.Set("apikey", srv.AnonKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sess struct {
		AccessToken string `json:"access_token"`
		User        struct {
			Email       string         `json:"email"`
			AppMetadata map[string]any `json:"app_metadata"`
		} `json:"user"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&sess); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || sess.AccessToken == "" || sess.User.Email != "octo@example.com" || sess.User.AppMetadata["provider"] != "github" {
		t.Fatalf("exchange: status %d, session %+v", resp.StatusCode, sess)
	}
}

func TestOutboxIsNameable(t *testing.T) {
	srv := start(t, emulator.Config{})
	var box *emulator.Outbox = srv.Outbox()
	if _, ok := box.Latest("nobody@example.com"); ok {
		t.Fatal("empty outbox has a message")
	}
}
