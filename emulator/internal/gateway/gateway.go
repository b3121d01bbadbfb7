package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/supakit/supakit/emulator/internal/idlebody"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// Config configures a Gateway.
type Config struct {
	// JWTSecret verifies bearer tokens (at least MinSecretLen bytes).
	JWTSecret []byte
	// Keys are the API keys accepted in apikey (and, for the new-format
	// ones, in Authorization), usually DemoKeys(JWTSecret).
	Keys Keys
	// Logf, if set, receives one line per request: method, path (never the
	// query string or headers, which may carry keys), status and duration.
	Logf func(format string, args ...any)
	// Now replaces time.Now when checking token expiry (tests).
	Now func() time.Time
	// BodyIdleTimeout fails a request body that sends no byte for this
	// long, so a stalled client never holds a service forever; zero means
	// no bound.
	BodyIdleTimeout time.Duration
}

// Gateway routes one base URL to the services, applying the rules of
// Supabase's API gateway. Mount every route before serving; after that it
// is safe for concurrent use.
type Gateway struct {
	verifier *Verifier
	apikeys  map[string]string // accepted apikey → JWT it stands for
	routes   []*route          // longest prefix first
	logf     func(string, ...any)
	idle     time.Duration
}

type route struct {
	prefix  string
	handler http.Handler
	keyAuth bool
	open    []string // sub-path prefixes exempt from key-auth
	hide    bool
	strict  bool
	maxBody int64
}

// RouteOption tunes a mounted route.
type RouteOption func(*route)

// KeyAuth requires a known API key in the apikey header or query parameter
// (Kong's key-auth), except on paths starting with one of the listed
// sub-paths ("/verify"), as Kong matches route paths by prefix.
func KeyAuth(open ...string) RouteOption {
	return func(r *route) {
		r.keyAuth = true
		r.open = append(r.open, open...)
	}
}

// HideCredentials removes the apikey header and query parameter before the
// request reaches the service (PostgREST would read a query apikey as a
// filter).
func HideCredentials() RouteOption { return func(r *route) { r.hide = true } }

// RequireJWT verifies the bearer token (Authorization, else the apikey) and
// answers an invalid one with PostgREST's 401 error; a request without any
// token runs as anon. Without RequireJWT a valid token still yields an
// identity, and an invalid one is left for the service to judge.
func RequireJWT() RouteOption { return func(r *route) { r.strict = true } }

// MaxBody rejects request bodies over n bytes with 413.
func MaxBody(n int64) RouteOption { return func(r *route) { r.maxBody = n } }

// New returns a Gateway with no routes.
func New(cfg Config) (*Gateway, error) {
	if len(cfg.JWTSecret) < MinSecretLen {
		return nil, ErrShortSecret
	}
	g := &Gateway{
		verifier: NewVerifier(cfg.JWTSecret, cfg.Now),
		apikeys:  map[string]string{},
		logf:     cfg.Logf,
		idle:     cfg.BodyIdleTimeout,
	}
	for k, jwt := range map[string]string{
		cfg.Keys.Anon:        cfg.Keys.Anon,
		cfg.Keys.ServiceRole: cfg.Keys.ServiceRole,
		cfg.Keys.Publishable: cfg.Keys.Anon,
		cfg.Keys.Secret:      cfg.Keys.ServiceRole,
	} {
		if k != "" && jwt != "" {
			g.apikeys[k] = jwt
		}
	}
	return g, nil
}

// Mount routes prefix ("/rest/v1") and everything under it to h, with the
// prefix stripped from the path, as Kong's strip_path does.
func (g *Gateway) Mount(prefix string, h http.Handler, opts ...RouteOption) {
	rt := &route{prefix: strings.TrimSuffix(prefix, "/"), handler: h}
	for _, o := range opts {
		o(rt)
	}
	g.routes = append(g.routes, rt)
	sort.SliceStable(g.routes, func(i, j int) bool { return len(g.routes[i].prefix) > len(g.routes[j].prefix) })
}

// Verifier returns the gateway's token verifier, for services that check
// tokens themselves.
func (g *Gateway) Verifier() *Verifier { return g.verifier }

func (g *Gateway) match(path string) (*route, string) {
	for _, rt := range g.routes {
		if path == rt.prefix {
			return rt, "/"
		}
		if rest, ok := strings.CutPrefix(path, rt.prefix+"/"); ok {
			return rt, "/" + rest
		}
	}
	return nil, ""
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.logf != nil {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			g.logf("%s %s %d %v", r.Method, r.URL.EscapedPath(), sw.status, time.Since(start).Round(time.Microsecond))
		}()
		w = sw
	}

	rt, sub := g.match(r.URL.Path)
	if rt == nil {
		writeMessage(w, http.StatusNotFound, "no Route matched with those values")
		return
	}

	apikey := r.Header.Get("apikey")
	if apikey == "" {
		apikey = r.URL.Query().Get("apikey")
	}
	if rt.keyAuth && !rt.isOpen(sub) {
		if apikey == "" {
			writeMessage(w, http.StatusUnauthorized, "No API key found in request")
			return
		}
		if _, ok := g.apikeys[apikey]; !ok {
			writeMessage(w, http.StatusUnauthorized, "Invalid authentication credentials")
			return
		}
	}

	defer idlebody.Wrap(w, r, g.idle)()
	if rt.maxBody > 0 {
		if r.ContentLength > rt.maxBody {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request size limit exceeded")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, rt.maxBody)
	}

	token, hasBearer := bearer(r.Header.Get("Authorization"))
	if jwt, ok := g.apikeys[token]; ok && strings.HasPrefix(token, "sb_") {
		token = jwt // a new-format key used as bearer stands for its JWT
	}
	if !hasBearer {
		token = g.apikeys[apikey] // "" unless a known key
	}

	ctx := r.Context()
	switch {
	case rt.strict && !hasBearer && token == "":
		ctx = reqctx.With(ctx, reqctx.Identity{Role: "anon", Claims: json.RawMessage(`{"role":"anon"}`)})
	case rt.strict:
		id, err := g.verifier.Verify(token)
		if err != nil {
			writeJWTError(w, err)
			return
		}
		ctx = reqctx.With(ctx, id)
	case token != "":
		if id, err := g.verifier.Verify(token); err == nil {
			ctx = reqctx.With(ctx, id)
		}
	}

	r2 := r.Clone(ctx)
	r2.URL.Path = sub
	if r.URL.RawPath != "" {
		if raw, ok := strings.CutPrefix(r.URL.RawPath, rt.prefix); ok && raw != "" {
			r2.URL.RawPath = raw
		} else {
			r2.URL.RawPath = ""
		}
	}
	r2.RequestURI = ""
	if rt.hide {
		r2.Header.Del("apikey")
		r2.URL.RawQuery = dropParam(r2.URL.RawQuery, "apikey")
	}
	r2.Header.Set("X-Forwarded-Prefix", rt.prefix)
	if r2.Header.Get("X-Forwarded-Host") == "" {
		r2.Header.Set("X-Forwarded-Host", r.Host)
	}
	if r2.Header.Get("X-Forwarded-Proto") == "" {
		proto := "http"
		if r.TLS != nil {
			proto = "https"
		}
		r2.Header.Set("X-Forwarded-Proto", proto)
	}
	rt.handler.ServeHTTP(w, r2)
}

func (rt *route) isOpen(sub string) bool {
	for _, p := range rt.open {
		if strings.HasPrefix(sub, p) {
			return true
		}
	}
	return false
}

// bearer extracts the token of a Bearer Authorization header. ok reports
// whether the header used the Bearer scheme at all (an empty token is then
// an error, as in PostgREST); other schemes are ignored.
func bearer(h string) (token string, ok bool) {
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// dropParam removes every name=... pair from a raw query, leaving the rest
// byte for byte.
func dropParam(raw, name string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// writeMessage answers in the shape of Supabase's gateway (Kong).
func writeMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeJWTError answers a rejected token the way PostgREST does.
func writeJWTError(w http.ResponseWriter, err error) {
	je, ok := err.(*JWTError)
	if !ok {
		je = decodeErr("JWT couldn't be decoded", "")
	}
	var details *string
	if je.Details != "" {
		details = &je.Details
	}
	b, _ := json.Marshal(struct {
		Code    string  `json:"code"`
		Details *string `json:"details"`
		Hint    *string `json:"hint"`
		Message string  `json:"message"`
	}{je.Code, details, nil, je.Message})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description=%q`, je.Message))
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(b)
}

// NotImplemented answers every request with 501 and a message naming the
// service, for services the emulator does not provide yet.
func NotImplemented(service, prefix string) http.Handler {
	msg := fmt.Sprintf("%s (%s) is not implemented by the emulator yet", service, prefix)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeMessage(w, http.StatusNotImplemented, msg)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
