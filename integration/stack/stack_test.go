package stack_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/integration/stack"
)

func envOf(m map[string]string) stack.Env { return func(k string) string { return m[k] } }

func TestChoose(t *testing.T) {
	hosted := map[string]string{"SUPABASE_URL": "https://x.supabase.co", "SUPABASE_ANON_KEY": "a", "SUPABASE_SERVICE_ROLE_KEY": "s"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for kk, vv := range m {
			if kk != k {
				out[kk] = vv
			}
		}
		return out
	}
	up := func() error { return nil }
	down := func() error { return errors.New("no Docker engine answers (no socket at /var/run/docker.sock)") }
	tests := []struct {
		name     string
		env      map[string]string
		ping     func() error
		want     stack.Tier
		wantWhy  string
		wantErr  string
		wantPing bool
	}{
		{name: "hosted wins", env: hosted, ping: up, want: stack.TierHosted, wantWhy: "SUPABASE_URL"},
		{name: "hosted without keys", env: map[string]string{"SUPABASE_URL": "https://x"}, ping: up,
			wantErr: "SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY missing"},
		{name: "docker when it answers", env: nil, ping: up, want: stack.TierDocker, wantPing: true},
		{name: "emulator when docker is down", env: nil, ping: down, want: stack.TierEmulator,
			wantWhy: "Docker tier unavailable: no Docker engine answers", wantPing: true},
		{name: "forced emulator skips the ping", env: with(hosted, "SUPAKIT_STACK", "emulator"), ping: up, want: stack.TierEmulator},
		{name: "forced docker but down", env: map[string]string{"SUPAKIT_STACK": "docker"}, ping: down,
			wantErr: "SUPAKIT_STACK=docker but no Docker engine", wantPing: true},
		{name: "forced hosted without URL", env: map[string]string{"SUPAKIT_STACK": "hosted"}, ping: up,
			wantErr: "SUPABASE_URL and SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY missing"},
		{name: "unknown forced tier", env: map[string]string{"SUPAKIT_STACK": "kubernetes"}, ping: up, wantErr: `SUPAKIT_STACK="kubernetes"`},
		{name: "auto is the default", env: map[string]string{"SUPAKIT_STACK": "auto"}, ping: down, want: stack.TierEmulator, wantPing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pinged := false
			d, err := stack.Choose(envOf(tt.env), func() error { pinged = true; return tt.ping() })
			if pinged != tt.wantPing {
				t.Errorf("pinged = %v, want %v", pinged, tt.wantPing)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, stack.ErrUnavailable) {
					t.Fatalf("err = %v, want ErrUnavailable containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Tier != tt.want || !strings.Contains(d.Reason, tt.wantWhy) {
				t.Fatalf("got %+v, want tier %s with reason containing %q", d, tt.want, tt.wantWhy)
			}
		})
	}
}

func TestDockerEndpoints(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		wantErr bool
	}{
		{name: "defaults", env: map[string]string{"HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1"},
			want: []string{"unix:///var/run/docker.sock", "unix:///home/u/.docker/run/docker.sock", "unix:///run/user/1/docker.sock"}},
		{name: "unix DOCKER_HOST", env: map[string]string{"DOCKER_HOST": "unix:///tmp/d.sock", "HOME": "/h"}, want: []string{"unix:///tmp/d.sock"}},
		{name: "tcp DOCKER_HOST", env: map[string]string{"DOCKER_HOST": "tcp://10.0.0.1:2375"}, want: []string{"tcp://10.0.0.1:2375"}},
		{name: "ssh is refused", env: map[string]string{"DOCKER_HOST": "ssh://me@host"}, wantErr: true},
		{name: "tcp without host", env: map[string]string{"DOCKER_HOST": "tcp://"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps, err := stack.DockerEndpoints(envOf(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			var got []string
			for _, e := range eps {
				got = append(got, e.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPingDockerAnswersFastWhenAbsent(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	err := stack.PingDocker(context.Background(), envOf(map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}), 0)
	if err == nil || !strings.Contains(err.Error(), "no socket at") {
		t.Fatalf("err = %v", err)
	}
	// A TCP address nobody listens on: refused at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := stack.PingDocker(context.Background(), envOf(map[string]string{"DOCKER_HOST": "tcp://" + addr}), 0); err == nil {
		t.Fatal("ping of a closed port succeeded")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("detection took %v", d)
	}
}

func TestPingDockerTimesOut(t *testing.T) {
	// A server that accepts but never answers: the ping gives up in time.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	err = stack.PingDocker(context.Background(), envOf(map[string]string{"DOCKER_HOST": "tcp://" + ln.Addr().String()}), 200*time.Millisecond)
	if err == nil {
		t.Fatal("silent server counted as Docker")
	}
	// 200ms plus slack for a loaded machine.
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("ping took %v", d)
	}
}

func TestPingDockerUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix sockets unavailable: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_ping" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "OK")
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	if err := stack.PingDocker(context.Background(), envOf(map[string]string{"DOCKER_HOST": "unix://" + sock}), time.Second); err != nil {
		t.Fatalf("ping of a fake engine: %v", err)
	}
}

func TestGatewayRoutes(t *testing.T) {
	upstream := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %s?%s apikey=%s auth=%s body=%s", name, r.Method, r.URL.EscapedPath(), r.URL.RawQuery,
				r.Header.Get("apikey"), r.Header.Get("Authorization"), b)
		}))
	}
	rest, authSrv, storage := upstream("rest"), upstream("auth"), upstream("storage")
	defer rest.Close()
	defer authSrv.Close()
	defer storage.Close()
	gw, err := stack.NewGateway([]stack.Route{{"/rest/v1", rest.URL}, {"/auth/v1", authSrv.URL}, {"/storage/v1", storage.URL}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	tests := []struct {
		method, path, body string
		wantStatus         int
		want               string
	}{
		{"GET", "/rest/v1/countries?select=*&name=eq.Japan", "", 200, "rest GET /countries?select=*&name=eq.Japan apikey=k auth=Bearer t body="},
		{"POST", "/auth/v1/token?grant_type=password", `{"a":1}`, 200, `auth POST /token?grant_type=password apikey=k auth=Bearer t body={"a":1}`},
		{"GET", "/storage/v1/object/b/a%20b%2Fc.txt", "", 200, "storage GET /object/b/a%20b%2Fc.txt? apikey=k auth=Bearer t body="},
		{"GET", "/rest/v1", "", 200, "rest GET /? apikey=k"},
		{"GET", "/rest/v10/x", "", 404, "no Route matched with those values"},
		{"GET", "/functions/v1/hello", "", 404, "no Route matched"},
		{"GET", "/", "", 404, "no Route matched"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("apikey", "k")
			req.Header.Set("Authorization", "Bearer t")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(b), tt.want) {
				t.Fatalf("%d %q, want %d containing %q", resp.StatusCode, b, tt.wantStatus, tt.want)
			}
		})
	}
}

func TestGatewayBadRoutes(t *testing.T) {
	for _, r := range []stack.Route{{"rest/v1", "http://x"}, {"/rest/v1/", "http://x"}, {"/rest/v1", "not a url"}, {"/rest/v1", "/relative"}} {
		if _, err := stack.NewGateway([]stack.Route{r}); err == nil {
			t.Errorf("route %+v accepted", r)
		}
	}
}

func TestGatewayUpstreamDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	gw, err := stack.NewGateway([]stack.Route{{"/rest/v1", "http://" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	gw.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/v1/x", nil))
	if rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), "upstream") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestMintKeys(t *testing.T) {
	secret := strings.Repeat("s", 40)
	now := time.Unix(1_700_000_000, 0)
	k, err := stack.MintKeys(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	for key, role := range map[string]string{k.AnonKey: "anon", k.ServiceRoleKey: "service_role"} {
		claims := jwt.MapClaims{}
		tok, err := jwt.ParseWithClaims(key, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
		if err != nil || !tok.Valid {
			t.Fatalf("%s key does not verify: %v", role, err)
		}
		exp, _ := claims.GetExpirationTime()
		if claims["role"] != role || claims["iss"] != "supabase-demo" || !exp.After(now.AddDate(9, 0, 0)) {
			t.Fatalf("%s claims %v", role, claims)
		}
		if _, err := jwt.Parse(key, func(*jwt.Token) (any, error) { return []byte("other-secret-other-secret-other-secret"), nil }); err == nil {
			t.Fatalf("%s key verifies with another secret", role)
		}
	}
	if _, err := stack.MintKeys("short", now); !errors.Is(err, stack.ErrWeakSecret) {
		t.Fatalf("short secret: %v", err)
	}
}

func TestDockerConfigEnv(t *testing.T) {
	cfg := stack.DockerConfigFromEnv(envOf(map[string]string{"SUPAKIT_IMAGE_GOTRUE": "example/gotrue:test"}))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.GoTrueImage != "example/gotrue:test" || cfg.PostgresImage != stack.DefaultPostgresImage ||
		cfg.PostgRESTImage != stack.DefaultPostgRESTImage || cfg.StorageImage != stack.DefaultStorageImage || cfg.MailpitImage != stack.DefaultMailpitImage {
		t.Fatalf("images: %+v", cfg)
	}
	keys, err := stack.MintKeys(cfg.JWTSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const ext = "http://127.0.0.1:4321/auth/v1"
	// Every service shares the one secret, and connects with its own role.
	checks := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"postgres", cfg.PostgresEnv(), map[string]string{"JWT_SECRET": cfg.JWTSecret, "POSTGRES_PASSWORD": cfg.DBPassword}},
		{"postgrest", cfg.PostgRESTEnv(), map[string]string{
			"PGRST_JWT_SECRET": cfg.JWTSecret, "PGRST_DB_ANON_ROLE": "anon", "PGRST_DB_MAX_ROWS": "1000",
			"PGRST_DB_URI": "postgres://authenticator:" + cfg.DBPassword + "@db:5432/postgres", "PGRST_DB_PLAN_ENABLED": "true",
			"PGRST_ADMIN_SERVER_PORT": "3001", "PGRST_DB_TX_END": "commit-allow-override"}},
		{"gotrue", cfg.GoTrueEnv(ext), map[string]string{
			"GOTRUE_JWT_SECRET": cfg.JWTSecret, "API_EXTERNAL_URL": ext, "GOTRUE_SMTP_HOST": "mail", "GOTRUE_SMTP_PORT": "1025",
			"GOTRUE_DB_DATABASE_URL":    "postgres://supabase_auth_admin:" + cfg.DBPassword + "@db:5432/postgres",
			"GOTRUE_MAILER_AUTOCONFIRM": "false", "GOTRUE_JWT_ADMIN_ROLES": "service_role", "GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED": "true",
			"GOTRUE_MAILER_URLPATHS_CONFIRMATION": "/auth/v1/verify"}},
		{"storage", cfg.StorageEnv(keys), map[string]string{
			"PGRST_JWT_SECRET": cfg.JWTSecret, "ANON_KEY": keys.AnonKey, "SERVICE_KEY": keys.ServiceRoleKey,
			"STORAGE_BACKEND": "file", "POSTGREST_URL": "http://rest:3000",
			"DATABASE_URL": "postgres://supabase_storage_admin:" + cfg.DBPassword + "@db:5432/postgres"}},
		{"mailpit", cfg.MailpitEnv(), map[string]string{"MP_SMTP_AUTH_ACCEPT_ANY": "true"}},
	}
	for _, c := range checks {
		for k, v := range c.want {
			if c.env[k] != v {
				t.Errorf("%s: %s = %q, want %q", c.name, k, c.env[k], v)
			}
		}
	}
	// The roles init script sets every service role's password.
	for _, role := range []string{"authenticator", "supabase_auth_admin", "supabase_storage_admin"} {
		if !strings.Contains(stack.RolesSQL, "alter user "+role+" with password :'pgpass'") {
			t.Errorf("RolesSQL does not set %s's password", role)
		}
	}

	bad := cfg
	bad.JWTSecret = "short"
	if err := bad.Validate(); !errors.Is(err, stack.ErrWeakSecret) {
		t.Errorf("short secret: %v", err)
	}
	bad = cfg
	bad.StorageImage = ""
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "SUPAKIT_IMAGE_STORAGE") {
		t.Errorf("missing image: %v", err)
	}
}

func TestMigrationFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"010_b.sql": {Data: []byte("select 1")}, "002_a.sql": {Data: []byte("select 1")},
		"README.md": {Data: []byte("x")}, "sub/003.sql": {Data: []byte("select 1")},
	}
	names, err := stack.MigrationFiles(fsys)
	if err != nil || strings.Join(names, ",") != "002_a.sql,010_b.sql" {
		t.Fatalf("%v, %v", names, err)
	}
}

func TestParseMail(t *testing.T) {
	link := "http://127.0.0.1:5555/auth/v1/verify?token=pkce_abc123&type=signup&redirect_to=http://localhost:3000"
	text := "Confirm your signup\n\nFollow this link to confirm your user:\n\n" + link + "\n\nAlternatively, enter the code: 481516\n"
	htmlBody := `<h2>Confirm</h2><p><a href="` + strings.ReplaceAll(link, "&", "&amp;") + `">Confirm</a></p><p>code: 481516</p>`
	for name, m := range map[string]stack.Mail{"text": stack.ParseMail(text, ""), "html": stack.ParseMail("", htmlBody)} {
		if m.OTP != "481516" || m.Link != link || m.TokenHash != "pkce_abc123" || m.VerifyType != "signup" {
			t.Errorf("%s: %+v", name, m)
		}
	}
	if m := stack.ParseMail("no code here, only 12345 and 1234567", ""); m.OTP != "" || m.Link != "" {
		t.Errorf("false positive: %+v", m)
	}
}

func TestMailpitMailbox(t *testing.T) {
	created := time.Now().UTC()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/search" && r.URL.Query().Get("query") == `to:"ada@example.com"`:
			fmt.Fprintf(w, `{"messages":[{"ID":"old","Created":%q,"Subject":"old"},{"ID":"new","Created":%q,"Subject":"Confirm"}]}`,
				created.Add(-time.Hour).Format(time.RFC3339Nano), created.Format(time.RFC3339Nano))
		case r.URL.Path == "/api/v1/search":
			_, _ = io.WriteString(w, `{"messages":[]}`)
		case r.URL.Path == "/api/v1/message/new":
			_, _ = io.WriteString(w, `{"ID":"new","Subject":"Confirm","Text":"enter the code: 123456","HTML":""}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	mb := &stack.MailpitMailbox{BaseURL: srv.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	m, err := mb.Latest(ctx, "ada@example.com", created.Add(-time.Minute))
	if err != nil || m.OTP != "123456" || m.Subject != "Confirm" || m.To != "ada@example.com" {
		t.Fatalf("%+v, %v", m, err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := mb.Latest(short, "nobody@example.com", created); !errors.Is(err, stack.ErrNoMail) {
		t.Fatalf("no mail: %v", err)
	}
}

func TestDockerSpecs(t *testing.T) {
	cfg := stack.DockerConfigFromEnv(envOf(nil))
	keys, err := stack.MintKeys(cfg.JWTSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	specs := cfg.Specs(keys, "http://127.0.0.1:1234/auth/v1")
	var order []string
	aliases := map[string]bool{}
	for _, s := range specs {
		order = append(order, s.Name)
		if s.Image == "" || s.Alias == "" || len(s.Env) == 0 || s.Deadline <= 0 {
			t.Errorf("%s: incomplete spec %+v", s.Name, s)
		}
		if aliases[s.Alias] {
			t.Errorf("%s: alias %s used twice", s.Name, s.Alias)
		}
		aliases[s.Alias] = true
		if len(s.Ready) == 0 {
			t.Errorf("%s: no readiness check", s.Name)
		}
		for _, r := range s.Ready {
			if !slices.Contains(s.Ports, r.Port) {
				t.Errorf("%s: readiness on %s, which is not exposed (%v)", s.Name, r.Port, s.Ports)
			}
			switch r.Kind {
			case "port":
			case "http":
				if !strings.HasPrefix(r.Path, "/") {
					t.Errorf("%s: http readiness without a path", s.Name)
				}
			case "sql":
				if r.Query == "" {
					t.Errorf("%s: sql readiness without a query", s.Name)
				}
			default:
				t.Errorf("%s: unknown readiness kind %q", s.Name, r.Kind)
			}
		}
	}
	// Dependencies first: the database, the mail catcher GoTrue sends to,
	// PostgREST that Storage calls.
	if want := "postgres mailpit postgrest gotrue storage"; strings.Join(order, " ") != want {
		t.Fatalf("start order %v, want %s", order, want)
	}
	// Every host name a service is configured with is an alias of the network.
	for _, s := range specs {
		for k, v := range s.Env {
			if strings.Contains(v, "@db:") && !aliases["db"] || strings.Contains(v, "http://rest:") && !aliases["rest"] {
				t.Errorf("%s: %s points at a host not on the network", s.Name, k)
			}
		}
	}
	if !aliases[specs[3].Env["GOTRUE_SMTP_HOST"]] {
		t.Errorf("GoTrue's SMTP host %q is not on the network", specs[3].Env["GOTRUE_SMTP_HOST"])
	}
	if specs[0].Files[0].Content != stack.RolesSQL || !strings.HasPrefix(specs[0].Files[0].Path, "/docker-entrypoint-initdb.d/") {
		t.Errorf("postgres init file: %+v", specs[0].Files)
	}
}
