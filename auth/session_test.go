package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

// fakeGoTrue answers the token, user and logout routes with fresh
// sessions, counting refresh requests.
type fakeGoTrue struct {
	t         *testing.T
	now       func() time.Time
	refreshes atomic.Int64
	delay     time.Duration
	// refreshStatus, when set, is answered to refresh requests.
	refreshStatus int
	refreshBody   string
	mu            sync.Mutex
	seen          []string // refresh tokens received
	srv           *httptest.Server
}

func newFakeGoTrue(t *testing.T, now func() time.Time) *fakeGoTrue {
	f := &fakeGoTrue{t: t, now: now}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGoTrue) session(n int64) map[string]any {
	exp := f.now().Add(time.Hour).Unix()
	return map[string]any{
		"access_token":  makeJWT(map[string]any{"sub": "user-1", "exp": exp, "aal": "aal1", "n": n}),
		"token_type":    "bearer",
		"expires_in":    3600,
		"expires_at":    exp,
		"refresh_token": fmt.Sprintf("rt-%d", n),
		"user":          map[string]any{"id": "user-1", "aud": "authenticated", "email": "a@example.com"},
	}
}

func (f *fakeGoTrue) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/auth/v1/token" && r.URL.Query().Get("grant_type") == "refresh_token":
		n := f.refreshes.Add(1)
		var b struct {
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(body, &b)
		f.mu.Lock()
		f.seen = append(f.seen, b.RefreshToken)
		f.mu.Unlock()
		time.Sleep(f.delay)
		if f.refreshStatus != 0 {
			w.WriteHeader(f.refreshStatus)
			_, _ = io.WriteString(w, f.refreshBody)
			return
		}
		_ = json.NewEncoder(w).Encode(f.session(n + 100))
	case r.URL.Path == "/auth/v1/token" && r.URL.Query().Get("grant_type") == "pkce":
		var b struct {
			AuthCode     string `json:"auth_code"`
			CodeVerifier string `json:"code_verifier"`
		}
		_ = json.Unmarshal(body, &b)
		if b.AuthCode == "" || len(b.CodeVerifier) != 112 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code":"bad_code_verifier","message":"code challenge does not match previously saved code verifier"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(f.session(9))
	case r.URL.Path == "/auth/v1/token" && r.URL.Query().Get("grant_type") == "password":
		_ = json.NewEncoder(w).Encode(f.session(1))
	case r.URL.Path == "/auth/v1/user" && r.Method == http.MethodGet:
		_, _ = io.WriteString(w, `{"id":"user-1","aud":"authenticated","email":"a@example.com","factors":[{"id":"f1","factor_type":"totp","status":"verified"}]}`)
	case r.URL.Path == "/auth/v1/user" && r.Method == http.MethodPut:
		_, _ = io.WriteString(w, `{"id":"user-1","aud":"authenticated","email":"a@example.com","user_metadata":{"nick":"z"}}`)
	case r.URL.Path == "/auth/v1/logout":
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/auth/v1/verify":
		_ = json.NewEncoder(w).Encode(f.session(7))
	case strings.HasSuffix(r.URL.Path, "/verify"):
		_ = json.NewEncoder(w).Encode(f.session(8))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code":"not_found","message":"no route"}`)
	}
}

func (f *fakeGoTrue) client(t *testing.T, opts ...auth.Option) *auth.Client {
	t.Helper()
	tr, err := transport.New(transport.Config{BaseURL: f.srv.URL + "/auth/v1", APIKey: goAnonKey})
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.New(tr, append([]auth.Option{auth.WithClock(f.now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func signIn(t *testing.T, c *auth.Client) *auth.Session {
	t.Helper()
	res, err := c.SignInWithPassword(context.Background(), auth.PasswordCredentials{Email: "a@example.com", Password: "pw-secret-1"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Session
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	f.delay = 50 * time.Millisecond // keep the refresh in flight while callers pile up
	c := f.client(t)
	first := signIn(t, c)
	clk.Add(time.Hour - 10*time.Second) // 10 s left: inside the refresh margin

	const n = 100
	var wg sync.WaitGroup
	start := make(chan struct{})
	tokens := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			tokens[i], errs[i] = c.Token(context.Background())
		}(i)
	}
	close(start)
	wg.Wait()
	if got := f.refreshes.Load(); got != 1 {
		t.Fatalf("%d refresh requests, want exactly 1", got)
	}
	for i := range tokens {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if tokens[i] == first.AccessToken || tokens[i] != tokens[0] {
			t.Fatalf("caller %d got a stale or different token", i)
		}
	}
	if f.seen[0] != first.RefreshToken {
		t.Fatalf("refreshed with %q, want the session's refresh token", f.seen[0])
	}
	// The new session is not due: more calls make no request.
	if _, err := c.Token(context.Background()); err != nil || f.refreshes.Load() != 1 {
		t.Fatalf("extra refresh: %v, %d", err, f.refreshes.Load())
	}
}

func TestRefreshSurvivesCancelledLeader(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	f.delay = 100 * time.Millisecond
	c := f.client(t)
	signIn(t, c)
	clk.Add(time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() { _, err := c.Token(ctx); leaderErr <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader err = %v, want context.Canceled", err)
	}
	tok, err := c.Token(context.Background())
	if err != nil || tok == "" {
		t.Fatalf("follower: %q, %v", tok, err)
	}
	if got := f.refreshes.Load(); got != 1 {
		t.Fatalf("%d refreshes, want 1 (the cancelled caller's refresh is shared)", got)
	}
}

func TestRefreshFailure(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantErr     error
		wantSession bool
	}{
		{"revoked", 400, `{"code":"refresh_token_already_used","message":"Invalid Refresh Token: Already Used"}`, auth.ErrRefreshTokenAlreadyUsed, false},
		{"not found", 400, `{"code":400,"error_code":"refresh_token_not_found","msg":"Invalid Refresh Token: Refresh Token Not Found"}`, auth.ErrRefreshTokenNotFound, false},
		{"server error keeps the session", 500, `{"code":"unexpected_failure","message":"boom"}`, nil, true},
		{"rate limit keeps the session", 429, `{"code":"over_request_rate_limit","message":"slow down"}`, auth.ErrOverRateLimit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Unix(1_800_000_000, 0)}
			f := newFakeGoTrue(t, clk.Now)
			var events []auth.Event
			var mu sync.Mutex
			c := f.client(t, auth.WithEventHook(func(e auth.Event, _ *auth.Session) { mu.Lock(); events = append(events, e); mu.Unlock() }))
			signIn(t, c)
			clk.Add(time.Hour)
			f.refreshStatus, f.refreshBody = tt.status, tt.body
			tok, err := c.Token(context.Background())
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Status != tt.status || tok != "" {
				t.Fatalf("Token = %q, %v; want *auth.Error %d", tok, err, tt.status)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			_, serr := c.GetSession(context.Background())
			hasSession := !errors.Is(serr, auth.ErrNoSession)
			if hasSession != tt.wantSession {
				t.Fatalf("session kept = %v, want %v", hasSession, tt.wantSession)
			}
			mu.Lock()
			defer mu.Unlock()
			signedOut := len(events) > 0 && events[len(events)-1] == auth.EventSignedOut
			if signedOut == tt.wantSession {
				t.Fatalf("events = %v", events)
			}
		})
	}
}

func TestTokenWhenSignedOutAndWithoutAutoRefresh(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	c := f.client(t, auth.WithAutoRefresh(false))
	if tok, err := c.Token(context.Background()); tok != "" || err != nil {
		t.Fatalf("signed out: %q, %v", tok, err)
	}
	s := signIn(t, c)
	clk.Add(2 * time.Hour)
	tok, err := c.Token(context.Background())
	if err != nil || tok != s.AccessToken || f.refreshes.Load() != 0 {
		t.Fatalf("auto-refresh off: %v, refreshes %d", err, f.refreshes.Load())
	}
	ns, err := c.RefreshSession(context.Background(), "")
	if err != nil || ns.AccessToken == s.AccessToken || f.refreshes.Load() != 1 {
		t.Fatalf("explicit refresh: %v", err)
	}
}

func TestEvents(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	c := f.client(t)
	var mu sync.Mutex
	var got []string
	unsubscribe := c.OnAuthStateChange(func(e auth.Event, s *auth.Session) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s:%v", e, s != nil))
	})
	ctx := context.Background()
	signIn(t, c)
	clk.Add(time.Hour)
	if _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUser(ctx, auth.UserAttributes{Data: map[string]string{"nick": "z"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MFA().Verify(ctx, auth.VerifyParams{FactorID: "f1", ChallengeID: "c1", Code: "123456"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "a@example.com", Token: "111111", Type: auth.OTPRecovery}); err != nil {
		t.Fatal(err)
	}
	if err := c.SignOut(ctx, auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	unsubscribe()
	signIn(t, c)
	want := []string{"INITIAL_SESSION:false", "SIGNED_IN:true", "TOKEN_REFRESHED:true", "USER_UPDATED:true",
		"MFA_CHALLENGE_VERIFIED:true", "PASSWORD_RECOVERY:true", "SIGNED_OUT:false"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	// A new subscriber gets the current session first.
	var initial *auth.Session
	c.OnAuthStateChange(func(e auth.Event, s *auth.Session) {
		if e == auth.EventInitialSession {
			initial = s
		}
	})
	if initial == nil {
		t.Fatal("INITIAL_SESSION without the current session")
	}
}

func TestFileStorePersistsSessionWithPrivatePermissions(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	path := filepath.Join(t.TempDir(), "cfg", "session.json")
	fs, err := auth.NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s := signIn(t, f.client(t, auth.WithStore(fs)))
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", info.Mode().Perm())
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, want 0700", dir.Mode().Perm())
	}
	// A new client (a new run of the CLI) picks the session up.
	fs2, _ := auth.NewFileStore(path)
	c2 := f.client(t, auth.WithStore(fs2))
	got, err := c2.GetSession(context.Background())
	if err != nil || got.AccessToken != s.AccessToken || got.User.ID != "user-1" {
		t.Fatalf("reloaded session: %v, %v", got, err)
	}
	if err := c2.SignOut(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := fs2.Get(context.Background(), c2.StorageKey()); ok {
		t.Fatal("session still stored after sign-out")
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fs2.Get(context.Background(), "k"); err == nil {
		t.Fatal("corrupt store file accepted")
	}
}

func TestSessionRedactsTokens(t *testing.T) {
	s := &auth.Session{AccessToken: "eyJsecret.access.token", RefreshToken: "refresh-secret", ExpiresAt: 42, User: &auth.User{ID: "u1"}}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("signed in", "session", s)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("signed in", "session", s)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("value", "session", *s)
	pair := []auth.Session{*s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s), fmt.Sprintf("%v %+v %#v", *s, *s, *s),
		fmt.Sprint(pair), s.String(), s.GoString(), buf.String()} {
		if strings.Contains(out, "secret") {
			t.Fatalf("token leaked: %s", out)
		}
		if !strings.Contains(out, "u1") {
			t.Fatalf("user id missing: %s", out)
		}
	}
	var nilSession *auth.Session
	if got := fmt.Sprint(nilSession); got != "<nil>" {
		t.Fatalf("nil session prints %q", got)
	}
	b, _ := json.Marshal(s)
	if !strings.Contains(string(b), "refresh-secret") {
		t.Fatal("JSON encoding must keep the tokens for the store")
	}
}

func TestDecodeUserMetadata(t *testing.T) {
	u := &auth.User{UserMetadata: map[string]any{"display_name": "Alice", "favourite": float64(42), "email_verified": true, "tags": []any{"a", "b"}}}
	var meta struct {
		DisplayName string   `json:"display_name"`
		Favourite   int      `json:"favourite"`
		Verified    bool     `json:"email_verified"`
		Tags        []string `json:"tags"`
	}
	if err := u.DecodeUserMetadata(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.DisplayName != "Alice" || meta.Favourite != 42 || !meta.Verified || len(meta.Tags) != 2 {
		t.Fatalf("meta = %+v", meta)
	}
	var bad struct {
		Name int `json:"display_name"`
	}
	if err := u.DecodeUserMetadata(&bad); err == nil {
		t.Fatal("decoding a name into an int must fail")
	}
}

func TestInputValidation(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	defer srv.Close()
	tr, _ := transport.New(transport.Config{BaseURL: srv.URL + "/auth/v1", APIKey: goAnonKey})
	c, err := auth.New(tr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calls := map[string]func() error{
		"signup without email or phone": func() error { _, err := c.SignUp(ctx, auth.SignUpParams{Password: "x"}); return err },
		"signup with both": func() error {
			_, err := c.SignUp(ctx, auth.SignUpParams{Email: "a@b", Phone: "+1", Password: "x"})
			return err
		},
		"password without password": func() error { _, err := c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: "a@b"}); return err },
		"otp bad redirect": func() error {
			_, err := c.SignInWithOTP(ctx, auth.OTPParams{Email: "a@b", RedirectTo: "not a url"})
			return err
		},
		"verify unknown type": func() error {
			_, err := c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "a@b", Token: "1", Type: "bogus"})
			return err
		},
		"verify sms without phone": func() error {
			_, err := c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "a@b", Token: "1", Type: auth.OTPSMS})
			return err
		},
		"oauth without provider": func() error { _, err := c.SignInWithOAuth(ctx, auth.OAuthParams{}); return err },
		"sso with both":          func() error { _, err := c.SignInWithSSO(ctx, auth.SSOParams{Domain: "d", ProviderID: "p"}); return err },
		"signout bad scope":      func() error { return c.SignOut(ctx, "everyone") },
		"resend unknown type":    func() error { _, err := c.Resend(ctx, auth.ResendParams{Type: "x", Email: "a@b"}); return err },
		"set session half":       func() error { _, err := c.SetSession(ctx, "a.b.c", ""); return err },
		"exchange empty code":    func() error { _, err := c.ExchangeCodeForSession(ctx, ""); return err },
		"admin empty id":         func() error { _, err := c.Admin().GetUserByID(ctx, ""); return err },
		"admin link unknown": func() error {
			_, err := c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: "x", Email: "a@b"})
			return err
		},
		"admin link signup no password": func() error {
			_, err := c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkSignup, Email: "a@b"})
			return err
		},
		"admin list negative": func() error { _, err := c.Admin().ListUsers(ctx, auth.ListUsersParams{Page: -1}); return err },
		"enroll unknown":      func() error { _, err := c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: "sms"}); return err },
	}
	for name, fn := range calls {
		if err := fn(); !errors.Is(err, auth.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
		}
	}
	noSession := map[string]func() error{
		"get user": func() error { _, err := c.GetUser(ctx); return err },
		"update":   func() error { _, err := c.UpdateUser(ctx, auth.UserAttributes{Email: "n@b"}); return err },
		"enroll":   func() error { _, err := c.MFA().Enroll(ctx, auth.EnrollParams{}); return err },
		"aal":      func() error { _, err := c.MFA().GetAuthenticatorAssuranceLevel(ctx); return err },
		"reauth":   func() error { return c.Reauthenticate(ctx) },
		"refresh":  func() error { _, err := c.RefreshSession(ctx, ""); return err },
		"claims":   func() error { _, err := c.GetClaims(ctx); return err },
		"link":     func() error { _, err := c.LinkIdentity(ctx, auth.OAuthParams{Provider: "github"}); return err },
		"exchange": func() error {
			_, err := c.ExchangeCodeForSession(ctx, "code")
			return errors.Join(err, auth.ErrNoSession)
		},
		"no session": func() error { _, err := c.GetSession(ctx); return err },
	}
	for name, fn := range noSession {
		if err := fn(); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("%s: err = %v, want ErrNoSession", name, err)
		}
	}
	if _, err := c.ExchangeCodeForSession(ctx, "code"); !errors.Is(err, auth.ErrNoCodeVerifier) {
		t.Errorf("exchange without verifier: %v", err)
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests sent for refused input", n)
	}
	if _, err := auth.New(nil); !errors.Is(err, auth.ErrInvalidArgument) {
		t.Fatalf("New(nil): %v", err)
	}
	if _, err := auth.New(tr, auth.WithFlowType("magic"), auth.WithRefreshMargin(-1)); !errors.Is(err, auth.ErrInvalidArgument) {
		t.Fatalf("bad options: %v", err)
	}
}

func TestRefreshOfAnotherTokenWaitsItsTurn(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	f.delay = 50 * time.Millisecond
	c := f.client(t)
	first := signIn(t, c)
	clk.Add(time.Hour)
	done := make(chan string, 1)
	go func() { tok, _ := c.Token(context.Background()); done <- tok }()
	time.Sleep(10 * time.Millisecond) // the refresh of the session's token is in flight
	s, err := c.RefreshSession(context.Background(), "explicit-token")
	if err != nil {
		t.Fatal(err)
	}
	auto := <-done
	if s.AccessToken == auto || s.AccessToken == first.AccessToken {
		t.Fatal("the explicit refresh returned another refresh's session")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) != 2 || f.seen[0] != first.RefreshToken || f.seen[1] != "explicit-token" {
		t.Fatalf("refresh tokens sent: %v", f.seen)
	}
	cur, _ := c.GetSession(context.Background())
	if cur.AccessToken != s.AccessToken {
		t.Fatal("the explicit refresh's session is not the current one")
	}
}

func TestSessionFromURL(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	ctx := context.Background()

	c := f.client(t, auth.WithFlowType(auth.FlowImplicit))
	var recovered bool
	c.OnAuthStateChange(func(e auth.Event, _ *auth.Session) { recovered = recovered || e == auth.EventPasswordRecovery })
	s, err := c.SessionFromURL(ctx, "http://localhost:3000/#access_token="+makeJWT(map[string]any{"exp": 1_800_003_600})+
		"&expires_at=1800003600&expires_in=3600&refresh_token=rt-x&token_type=bearer&type=recovery")
	if err != nil || s.RefreshToken != "rt-x" || s.ExpiresAt != 1_800_003_600 || s.User == nil || !recovered {
		t.Fatalf("implicit: %v, %v, recovery event %v", s, err, recovered)
	}
	_, err = c.SessionFromURL(ctx, "http://localhost:3000/#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired")
	if !errors.Is(err, auth.ErrOTPExpired) {
		t.Fatalf("error redirect: %v", err)
	}
	if _, err := c.SessionFromURL(ctx, "http://localhost:3000/"); !errors.Is(err, auth.ErrInvalidArgument) {
		t.Fatalf("no session in URL: %v", err)
	}

	// PKCE: the code is exchanged with the stored verifier.
	p := f.client(t)
	if _, err := p.SignInWithOAuth(ctx, auth.OAuthParams{Provider: "github"}); err != nil {
		t.Fatal(err)
	}
	ps, err := p.SessionFromURL(ctx, "http://localhost:3000/callback?code=abc")
	if err != nil || ps.RefreshToken != "rt-9" {
		t.Fatalf("pkce: %v, %v", ps, err)
	}
	if _, err := p.SessionFromURL(ctx, "http://localhost:3000/callback?code=abc"); !errors.Is(err, auth.ErrNoCodeVerifier) {
		t.Fatalf("a verifier is used once: %v", err)
	}
}

func TestSignOutOfADeadSession(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	c := f.client(t)
	signIn(t, c)
	clk.Add(2 * time.Hour)
	f.refreshStatus, f.refreshBody = 400, `{"code":"refresh_token_not_found","message":"Invalid Refresh Token: Refresh Token Not Found"}`
	if err := c.SignOut(context.Background(), ""); err != nil {
		t.Fatalf("sign-out of a revoked session: %v", err)
	}
	if _, err := c.GetSession(context.Background()); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("session after sign-out: %v", err)
	}
	// A network-level failure is reported, and the local session is still removed.
	signIn(t, c)
	clk.Add(2 * time.Hour)
	f.refreshStatus, f.refreshBody = 503, `{"message":"unavailable"}`
	if err := c.SignOut(context.Background(), ""); err == nil {
		t.Fatal("a failed refresh before sign-out must be reported")
	}
	if _, err := c.GetSession(context.Background()); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("session after sign-out: %v", err)
	}
}

func TestClientsSharingAFileStoreRefreshOnce(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	path := filepath.Join(t.TempDir(), "session.json")
	fs1, _ := auth.NewFileStore(path)
	fs2, _ := auth.NewFileStore(path)
	a := f.client(t, auth.WithStore(fs1))
	signIn(t, a)
	b := f.client(t, auth.WithStore(fs2))
	if _, err := b.GetSession(context.Background()); err != nil { // b loads the session
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	ta, err := a.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ta != tb || f.refreshes.Load() != 1 {
		t.Fatalf("second client sent the rotated refresh token again: %d refreshes", f.refreshes.Load())
	}
}
