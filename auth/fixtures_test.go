package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

// Every exchange recorded with a real GoTrue (testdata/gotrue, refreshed by
// testdata/refresh.sh) is replayed to the Go call that makes that request;
// the answer must come back as the typed result with every field the Go
// type declares (compared by re-marshalling), or as an *auth.Error with
// GoTrue's status, code and message.

type fixture struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
	Request     *struct {
		Method  string          `json:"method"`
		Path    string          `json:"path"`
		Query   string          `json:"query"`
		Headers [][2]string     `json:"headers"`
		Body    json.RawMessage `json:"body"`
	} `json:"request"`
	Response *struct {
		Status  int             `json:"status"`
		Headers [][2]string     `json:"headers"`
		Body    json.RawMessage `json:"body"`
	} `json:"response"`
	Claims json.RawMessage `json:"claims"`
}

func (f *fixture) reqHeader(name string) string {
	for _, h := range f.Request.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (f *fixture) respHeader(name string) string {
	for _, h := range f.Response.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (f *fixture) bearer() string {
	return strings.TrimPrefix(f.reqHeader("Authorization"), "Bearer ")
}

func loadFixtures(t *testing.T) map[string]*fixture {
	t.Helper()
	files, err := filepath.Glob("testdata/gotrue/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := map[string]*fixture{}
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		var f fixture
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		out[strings.TrimSuffix(filepath.Base(fn), ".json")] = &f
	}
	return out
}

// replay serves the fixture's answer, and a user for GET /user when the
// fixture is about another route (SessionFromURL fetches the user).
func replay(t *testing.T, f *fixture, user *fixture) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		src := f
		if f.Request == nil || r.URL.Path != f.Request.Path || r.Method != f.Request.Method {
			if r.Method == http.MethodGet && r.URL.Path == "/auth/v1/user" {
				src = user
			} else {
				http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
				return
			}
		}
		for _, h := range src.Response.Headers {
			if !strings.EqualFold(h[0], "Content-Length") {
				w.Header().Add(h[0], h[1])
			}
		}
		w.WriteHeader(src.Response.Status)
		var s string
		if json.Unmarshal(src.Response.Body, &s) == nil { // text bodies are JSON strings
			_, _ = io.WriteString(w, s)
		} else if string(src.Response.Body) != "null" {
			_, _ = w.Write(src.Response.Body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type fixtureCall func(ctx context.Context, c *auth.Client, f *fixture, body map[string]any) (any, error)

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func seeded(ctx context.Context, c *auth.Client, token string) error {
	// A session whose access token is the fixture's bearer.
	if token == "" || strings.Count(token, ".") != 2 {
		token = makeJWT(map[string]any{"exp": 4102444800, "sub": "u"})
	}
	_, err := c.SetSession(ctx, token, "rt")
	return err
}

// callFor returns the Go call that makes the fixture's request, or a
// reason why no client call makes it.
func callFor(f *fixture) (fixtureCall, string) {
	r := f.Request
	route := r.Method + " " + strings.TrimPrefix(r.Path, "/auth/v1")
	q, _ := url.ParseQuery(r.Query)
	parts := strings.Split(strings.TrimPrefix(r.Path, "/auth/v1/"), "/")
	switch {
	case route == "GET /health":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			return c.Health(ctx)
		}, ""
	case route == "GET /settings":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			return c.GetSettings(ctx)
		}, ""
	case route == "POST /signup" && strings.Contains(string(r.Body), `"email"`) && !strings.Contains(string(r.Body), `"password"`):
		return refusedThenParsed(func(ctx context.Context, c *auth.Client, b map[string]any) error {
			_, err := c.SignUp(ctx, auth.SignUpParams{Email: str(b, "email")})
			return err
		}), ""
	case route == "POST /token" && q.Get("grant_type") == "refresh_token" && !strings.Contains(string(r.Body), "refresh_token"):
		return refusedThenParsed(func(ctx context.Context, c *auth.Client, _ map[string]any) error {
			_, err := c.RefreshSession(ctx, "")
			return err
		}), ""
	case route == "POST /token" && q.Get("grant_type") != "password" && q.Get("grant_type") != "refresh_token" && q.Get("grant_type") != "pkce" && q.Get("grant_type") != "id_token":
		return parsed, ""
	case route == "POST /signup":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			if str(b, "email") == "" && str(b, "phone") == "" {
				return c.SignInAnonymously(ctx, auth.AnonymousParams{Data: b["data"]})
			}
			return c.SignUp(ctx, auth.SignUpParams{Email: str(b, "email"), Phone: str(b, "phone"), Password: str(b, "password"), Data: b["data"]})
		}, ""
	case route == "POST /token" && q.Get("grant_type") == "password":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: str(b, "email"), Password: str(b, "password")})
		}, ""
	case route == "POST /token" && q.Get("grant_type") == "refresh_token":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.RefreshSession(ctx, str(b, "refresh_token"))
		}, ""
	case route == "POST /verify":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.VerifyOTP(ctx, auth.VerifyOTPParams{Type: auth.OTPType(str(b, "type")), Email: str(b, "email"), Token: str(b, "token"), TokenHash: str(b, "token_hash")})
		}, ""
	case route == "GET /verify":
		return func(ctx context.Context, c *auth.Client, f *fixture, _ map[string]any) (any, error) {
			return c.SessionFromURL(ctx, f.respHeader("Location"))
		}, ""
	case route == "GET /user":
		return func(ctx context.Context, c *auth.Client, f *fixture, _ map[string]any) (any, error) {
			tok := f.bearer()
			if tok == "" {
				tok = "no.bearer.sent"
			}
			return c.GetUserWithToken(ctx, tok)
		}, ""
	case route == "PUT /user":
		return func(ctx context.Context, c *auth.Client, f *fixture, b map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			return c.UpdateUser(ctx, auth.UserAttributes{Email: str(b, "email"), Password: str(b, "password"), Data: b["data"]})
		}, ""
	case route == "POST /logout":
		return func(ctx context.Context, c *auth.Client, f *fixture, _ map[string]any) (any, error) {
			return nil, c.Admin().SignOut(ctx, f.bearer(), auth.Scope(q.Get("scope")))
		}, ""
	case route == "POST /otp":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			create, has := b["create_user"].(bool)
			return c.SignInWithOTP(ctx, auth.OTPParams{Email: str(b, "email"), DisableSignup: has && !create, Data: b["data"]})
		}, ""
	case route == "POST /recover":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return struct{}{}, c.ResetPasswordForEmail(ctx, str(b, "email"), auth.ResetPasswordParams{})
		}, ""
	case route == "POST /resend":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.Resend(ctx, auth.ResendParams{Type: auth.ResendType(str(b, "type")), Email: str(b, "email")})
		}, ""
	case route == "GET /reauthenticate":
		return func(ctx context.Context, c *auth.Client, f *fixture, _ map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			return struct{}{}, c.Reauthenticate(ctx)
		}, ""
	case route == "GET /authorize" && f.Response.Status == http.StatusFound:
		return nil, "a 302 to the provider is followed by the browser; SignInWithOAuth only builds the /authorize URL"
	case route == "GET /authorize":
		return parsed, "" // the browser navigates there; the error page's body is GoTrue's error
	case route == "POST /factors":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			return c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: str(b, "factor_type"), FriendlyName: str(b, "friendly_name"), Issuer: str(b, "issuer"), Phone: str(b, "phone")})
		}, ""
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "factors" && parts[2] == "challenge":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			return c.MFA().Challenge(ctx, auth.ChallengeParams{FactorID: parts[1]})
		}, ""
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "factors" && parts[2] == "verify":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			return c.MFA().Verify(ctx, auth.VerifyParams{FactorID: parts[1], ChallengeID: str(b, "challenge_id"), Code: str(b, "code")})
		}, ""
	case r.Method == "DELETE" && len(parts) == 2 && parts[0] == "factors":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			if err := seeded(ctx, c, ""); err != nil {
				return nil, err
			}
			id, err := c.MFA().Unenroll(ctx, parts[1])
			return map[string]string{"id": id}, err
		}, ""
	case route == "GET /admin/users":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			page, _ := strconv.Atoi(q.Get("page"))
			per, _ := strconv.Atoi(q.Get("per_page"))
			return c.Admin().ListUsers(ctx, auth.ListUsersParams{Page: page, PerPage: per})
		}, ""
	case route == "POST /admin/users":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			ec, _ := b["email_confirm"].(bool)
			return c.Admin().CreateUser(ctx, auth.AdminUserAttributes{Email: str(b, "email"), Password: str(b, "password"), EmailConfirm: ec,
				UserMetadata: b["user_metadata"], AppMetadata: b["app_metadata"]})
		}, ""
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "admin" && parts[1] == "users":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			return c.Admin().GetUserByID(ctx, parts[2])
		}, ""
	case r.Method == "PUT" && len(parts) == 3 && parts[0] == "admin" && parts[1] == "users":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.Admin().UpdateUserByID(ctx, parts[2], auth.AdminUserAttributes{BanDuration: str(b, "ban_duration"),
				UserMetadata: b["user_metadata"], AppMetadata: b["app_metadata"]})
		}, ""
	case r.Method == "DELETE" && len(parts) == 3 && parts[0] == "admin" && parts[1] == "users":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			return struct{}{}, c.Admin().DeleteUser(ctx, parts[2], false)
		}, ""
	case r.Method == "GET" && len(parts) == 4 && parts[0] == "admin" && parts[3] == "factors":
		return func(ctx context.Context, c *auth.Client, _ *fixture, _ map[string]any) (any, error) {
			return c.Admin().ListFactors(ctx, parts[2])
		}, ""
	case route == "POST /admin/generate_link":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkType(str(b, "type")), Email: str(b, "email"), Password: str(b, "password")})
		}, ""
	case route == "POST /invite":
		return func(ctx context.Context, c *auth.Client, _ *fixture, b map[string]any) (any, error) {
			return c.Admin().InviteUserByEmail(ctx, str(b, "email"), auth.InviteParams{Data: b["data"]})
		}, ""
	case route == "GET /.well-known/jwks.json":
		return func(_ context.Context, _ *auth.Client, f *fixture, _ map[string]any) (any, error) {
			keys, err := auth.ParseJWKS(f.Response.Body)
			if err == nil && len(keys) != 0 {
				err = fmt.Errorf("keys = %v, want none (HS256 project)", keys)
			}
			return map[string]any{"keys": []any{}}, err
		}, ""
	case route == "GET /admin/audit":
		return nil, "the audit log is not part of the client reference"
	case r.Method == http.MethodOptions:
		return nil, "CORS preflight is the browser's"
	}
	return nil, ""
}

// parsed decodes an error answer that no client call provokes.
func parsed(_ context.Context, _ *auth.Client, f *fixture, _ map[string]any) (any, error) {
	h := http.Header{}
	for _, kv := range f.Response.Headers {
		h.Add(kv[0], kv[1])
	}
	return nil, auth.ParseError(f.Response.Status, h, f.Response.Body)
}

// refusedThenParsed is for requests the client refuses to send: it checks
// the refusal (an invalid-argument or no-session error, no request), then
// decodes GoTrue's answer with ParseError.
func refusedThenParsed(try func(ctx context.Context, c *auth.Client, b map[string]any) error) fixtureCall {
	return func(ctx context.Context, c *auth.Client, f *fixture, b map[string]any) (any, error) {
		err := try(ctx, c, b)
		if !errors.Is(err, auth.ErrInvalidArgument) && !errors.Is(err, auth.ErrNoSession) {
			return nil, fmt.Errorf("the client sent a request it should refuse: %v", err)
		}
		return parsed(ctx, c, f, b)
	}
}

// wantSentinel maps GoTrue codes to the sentinel errors.Is must match.
var wantSentinel = map[string]error{
	"invalid_credentials":        auth.ErrInvalidCredentials,
	"weak_password":              auth.ErrWeakPassword,
	"email_exists":               auth.ErrUserAlreadyExists,
	"session_not_found":          auth.ErrSessionNotFound,
	"refresh_token_already_used": auth.ErrRefreshTokenAlreadyUsed,
	"refresh_token_not_found":    auth.ErrRefreshTokenNotFound,
	"otp_expired":                auth.ErrOTPExpired,
	"mfa_verification_failed":    auth.ErrMFAVerificationFailed,
	"insufficient_aal":           auth.ErrInsufficientAAL,
	"over_email_send_rate_limit": auth.ErrOverRateLimit,
	"email_not_confirmed":        auth.ErrEmailNotConfirmed,
	"user_not_found":             auth.ErrUserNotFound,
	"user_banned":                auth.ErrUserBanned,
	"same_password":              auth.ErrSamePassword,
	"not_admin":                  auth.ErrNotAdmin,
	"bad_jwt":                    auth.ErrBadJWT,
}

func TestGoTrueFixtures(t *testing.T) {
	fs := loadFixtures(t)
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	sort.Strings(names)
	user := fs["40-user-get"]
	var skipped []string
	for _, name := range names {
		f := fs[name]
		t.Run(name, func(t *testing.T) {
			switch f.Kind {
			case "mail":
				skipped = append(skipped, name+": a captured mail, not an answer to the client")
				return
			case "jwt":
				var c auth.Claims
				if err := json.Unmarshal(f.Claims, &c); err != nil {
					t.Fatal(err)
				}
				assertNoLoss(t, f.Claims, &c)
				if c.Subject == "" || c.SessionID == "" || c.AAL == "" || len(c.AMR) == 0 {
					t.Fatalf("claims = %+v", c)
				}
				return
			}
			call, reason := callFor(f)
			if reason != "" {
				skipped = append(skipped, name+": "+reason)
				return
			}
			if call == nil {
				t.Fatalf("no Go call for %s %s", f.Request.Method, f.Request.Path)
			}
			srv := replay(t, f, user)
			tr, err := transport.New(transport.Config{BaseURL: srv.URL + "/auth/v1", APIKey: goServiceKey, Retry: transport.RetryPolicy{}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := auth.New(tr, auth.WithFlowType(auth.FlowImplicit))
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			_ = json.Unmarshal(f.Request.Body, &body)
			res, err := call(context.Background(), c, f, body)
			status := f.Response.Status
			if status >= 400 || (status == http.StatusSeeOther && strings.Contains(f.respHeader("Location"), "error=")) {
				checkFixtureError(t, f, err)
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			checkFixtureResult(t, f, res)
		})
	}
	for _, s := range skipped {
		t.Log("not a client answer:", s)
	}
}

func checkFixtureError(t *testing.T, f *fixture, err error) {
	t.Helper()
	var e *auth.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *auth.Error", err, err)
	}
	var body struct {
		Code      any    `json:"code"`
		ErrorCode string `json:"error_code"`
		Msg       string `json:"msg"`
		Message   string `json:"message"`
	}
	_ = json.Unmarshal(f.Response.Body, &body)
	wantCode, wantMsg := body.ErrorCode, body.Msg
	if s, ok := body.Code.(string); ok {
		wantCode, wantMsg = s, body.Message
	}
	if f.Response.Status == http.StatusSeeOther {
		loc, _ := url.Parse(f.respHeader("Location"))
		frag, _ := url.ParseQuery(loc.Fragment)
		wantCode, wantMsg = frag.Get("error_code"), frag.Get("error_description")
	} else if e.Status != f.Response.Status {
		t.Errorf("status = %d, want %d", e.Status, f.Response.Status)
	}
	if e.Code != wantCode || e.Message != wantMsg {
		t.Errorf("code/message = %q/%q, want %q/%q", e.Code, e.Message, wantCode, wantMsg)
	}
	if s, ok := wantSentinel[wantCode]; ok && !errors.Is(err, s) {
		t.Errorf("errors.Is(err, %v) = false", s)
	}
	if strings.Contains(err.Error(), "password-") || strings.Contains(err.Error(), "eyJ") {
		t.Errorf("error text leaks a secret: %v", err)
	}
	if wantCode == "weak_password" && len(e.WeakPasswordReasons) == 0 {
		t.Errorf("weak password reasons lost")
	}
}

func checkFixtureResult(t *testing.T, f *fixture, res any) {
	t.Helper()
	switch r := res.(type) {
	case *auth.AuthResponse:
		if r.Session != nil {
			assertNoLoss(t, f.Response.Body, r.Session)
		} else {
			assertNoLoss(t, f.Response.Body, r.User)
		}
	case *auth.UserPage:
		assertNoLoss(t, f.Response.Body, r)
		if tc, _ := strconv.Atoi(f.respHeader("X-Total-Count")); r.Total != tc || tc == 0 {
			t.Errorf("Total = %d, want %d", r.Total, tc)
		}
		link := f.respHeader("Link")
		if strings.Contains(link, `rel="last"`) && r.LastPage == 0 {
			t.Errorf("last page lost from %q", link)
		}
		if strings.Contains(link, `rel="next"`) && r.NextPage == 0 {
			t.Errorf("next page lost from %q", link)
		}
	case *auth.GeneratedLink:
		u, _ := json.Marshal(r.User)
		p, _ := json.Marshal(r.Properties)
		var merged map[string]any
		_ = json.Unmarshal(u, &merged)
		var pm map[string]any
		_ = json.Unmarshal(p, &pm)
		for k, v := range pm {
			merged[k] = v
		}
		assertNoLoss(t, f.Response.Body, merged)
		if r.Properties.ActionLink == "" || r.Properties.HashedToken == "" || r.Properties.EmailOTP == "" {
			t.Errorf("link properties lost: %+v", r.Properties)
		}
	case *auth.Session:
		if f.Request.Method == http.MethodGet { // SessionFromURL: tokens from the Location fragment
			loc, _ := url.Parse(f.respHeader("Location"))
			frag, _ := url.ParseQuery(loc.Fragment)
			if r.AccessToken != frag.Get("access_token") || r.RefreshToken != frag.Get("refresh_token") ||
				strconv.FormatInt(r.ExpiresAt, 10) != frag.Get("expires_at") || r.User == nil {
				t.Errorf("session from URL = %v", r)
			}
			return
		}
		assertNoLoss(t, f.Response.Body, r)
	default:
		assertNoLoss(t, f.Response.Body, r)
	}
}

// assertNoLoss re-marshals got and checks that every field of the original
// JSON survives, except zero values (null, "", false, 0, {}, []) that the
// Go type may omit.
func assertNoLoss(t *testing.T, orig json.RawMessage, got any) {
	t.Helper()
	var want, have any
	if err := json.Unmarshal(orig, &want); err != nil {
		t.Fatalf("fixture body: %v", err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &have); err != nil {
		t.Fatal(err)
	}
	for _, p := range lost("", want, have) {
		t.Errorf("field lost or changed: %s", p)
	}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case float64:
		return v == 0
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func lost(path string, want, have any) []string {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			if isZero(w) && isZero(have) {
				return nil
			}
			return []string{path + " (not an object)"}
		}
		var out []string
		for k, wv := range w {
			hv, ok := h[k]
			if !ok {
				if !isZero(wv) {
					out = append(out, path+"."+k)
				}
				continue
			}
			out = append(out, lost(path+"."+k, wv, hv)...)
		}
		return out
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			if isZero(w) && isZero(have) {
				return nil
			}
			return []string{path + " (array differs)"}
		}
		var out []string
		for i := range w {
			out = append(out, lost(fmt.Sprintf("%s[%d]", path, i), w[i], h[i])...)
		}
		return out
	default:
		if isZero(want) && isZero(have) {
			return nil
		}
		// jwt.ClaimStrings marshals a single audience as an array.
		if h, ok := have.([]any); ok && path == ".aud" && len(h) == 1 && reflect.DeepEqual(h[0], want) {
			return nil
		}
		if !reflect.DeepEqual(want, have) {
			return []string{fmt.Sprintf("%s: %v != %v", path, want, have)}
		}
		return nil
	}
}
