package gotrue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Version is what GET /health reports.
const Version = "v2.196.0-supakit"

// Handler serves the Auth API. Create it with [New].
type Handler struct {
	pool   *pgxpool.Pool
	cfg    Config
	outbox *Outbox
	mux    *http.ServeMux

	mu      sync.Mutex
	pending map[pgx.Tx][]Message // messages of open transactions
}

var _ http.Handler = (*Handler)(nil)

// New applies the auth schema to pool's database (idempotently) and returns
// a handler serving the Auth API over it.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Handler, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: nil pool", ErrConfig)
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, pool); err != nil {
		return nil, err
	}
	h := &Handler{pool: pool, cfg: c, outbox: newOutbox(), pending: map[pgx.Tx][]Message{}}
	h.routes()
	return h, nil
}

// Outbox returns the messages (mails and texts) the handler would have sent.
func (h *Handler) Outbox() *Outbox { return h.outbox }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) handle(pattern string, fn handlerFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

func (h *Handler) routes() {
	h.mux = http.NewServeMux()
	h.handle("GET /health", h.health)
	h.handle("GET /settings", h.settings)
	h.handle("GET /.well-known/jwks.json", h.jwks)
	h.handle("POST /signup", h.signup)
	h.handle("POST /token", h.token)
	h.handle("POST /otp", h.otp)
	h.handle("POST /magiclink", h.magiclink)
	h.handle("POST /recover", h.recover)
	h.handle("POST /resend", h.resend)
	h.handle("POST /verify", h.verifyPost)
	h.handle("GET /verify", h.verifyGet)
	h.handle("GET /user", h.getUser)
	h.handle("PUT /user", h.updateUser)
	h.handle("GET /reauthenticate", h.reauthenticate)
	h.handle("POST /logout", h.logout)
	h.handle("GET /authorize", h.authorize)
	h.handle("GET /callback", h.callback)
	h.handle("POST /callback", h.callback)
	h.handle("GET /user/identities/authorize", h.linkIdentityAuthorize)
	h.handle("DELETE /user/identities/{id}", h.unlinkIdentity)
	h.handle("POST /factors", h.enrollFactor)
	h.handle("POST /factors/{id}/challenge", h.challengeFactor)
	h.handle("POST /factors/{id}/verify", h.verifyFactor)
	h.handle("DELETE /factors/{id}", h.unenrollFactor)
	h.handle("POST /invite", h.invite)
	h.handle("GET /admin/users", h.adminListUsers)
	h.handle("POST /admin/users", h.adminCreateUser)
	h.handle("GET /admin/users/{id}", h.adminGetUser)
	h.handle("PUT /admin/users/{id}", h.adminUpdateUser)
	h.handle("DELETE /admin/users/{id}", h.adminDeleteUser)
	h.handle("GET /admin/users/{id}/factors", h.adminListFactors)
	h.handle("PUT /admin/users/{id}/factors/{factorID}", h.adminUpdateFactor)
	h.handle("DELETE /admin/users/{id}/factors/{factorID}", h.adminDeleteFactor)
	h.handle("POST /admin/generate_link", h.adminGenerateLink)
	h.handle("GET /admin/audit", h.adminAudit)
	for _, route := range []string{
		"POST /sso", "GET /sso/saml/metadata", "POST /sso/saml/acs",
		"GET /admin/sso/providers", "POST /admin/sso/providers",
		"POST /admin/oauth/clients", "GET /admin/oauth/clients",
	} {
		h.handle(route, func(w http.ResponseWriter, r *http.Request) error {
			return notImplemented(r.Method + " " + r.URL.Path)
		})
	}
	h.handle("/", func(w http.ResponseWriter, r *http.Request) error {
		return notFound("not_found", "Not found: %s %s", r.Method, r.URL.Path)
	})
}

// ServeHTTP serves one Auth API request; the path is relative to /auth/v1.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		h.preflight(w, r)
		return
	}
	if r.URL.Path == "" {
		r.URL.Path = "/"
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Add("Vary", "Origin")
	hd.Add("Vary", "Access-Control-Request-Method")
	hd.Add("Vary", "Access-Control-Request-Headers")
	if origin := r.Header.Get("Origin"); origin != "" {
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			hd.Set("Access-Control-Allow-Headers", req)
		}
		hd.Set("Access-Control-Allow-Credentials", "true")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{
		"version":     Version,
		"name":        "GoTrue",
		"description": "GoTrue is a user registration and authentication API",
	})
	return nil
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) error {
	external := map[string]bool{}
	for _, p := range providerNames {
		_, ok := h.cfg.ExternalProviders[p]
		external[p] = ok
	}
	external["anonymous_users"] = h.cfg.AllowAnonymous
	external["email"] = true
	external["phone"] = true
	writeJSON(w, http.StatusOK, map[string]any{
		"external":                         external,
		"disable_signup":                   h.cfg.DisableSignup,
		"mailer_autoconfirm":               h.cfg.Autoconfirm,
		"phone_autoconfirm":                h.cfg.Autoconfirm,
		"sms_provider":                     "",
		"saml_enabled":                     false,
		"saml_private_key_next_configured": false,
		"passkeys_enabled":                 false,
	})
	return nil
}

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=600")
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
	return nil
}

// decode reads a JSON body into v; an empty body leaves v unchanged.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return badRequest("bad_json", "Could not read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errBadJSON
	}
	return nil
}

func (h *Handler) now() time.Time { return h.cfg.Now().UTC().Round(time.Microsecond) }

// externalURL is the public base of the Auth API (ending in /auth/v1).
func (h *Handler) externalURL(r *http.Request) string {
	if h.cfg.ExternalURL != "" {
		return h.cfg.ExternalURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host = fh
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + "/auth/v1"
}

// clientIP is the caller's address (first X-Forwarded-For hop, else the
// connection's peer).
func clientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		ip := strings.TrimSpace(strings.Split(xff, ",")[0])
		if net.ParseIP(ip) != nil {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if net.ParseIP(host) == nil {
		return "127.0.0.1"
	}
	return host
}

// redirectTarget returns the allowed redirect target for want (the site URL
// when want is empty or not allowed).
func (h *Handler) redirectTarget(want string) string {
	if want == "" {
		return h.cfg.SiteURL
	}
	u, err := url.Parse(want)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return h.cfg.SiteURL
	}
	if site, err := url.Parse(h.cfg.SiteURL); err == nil && strings.EqualFold(site.Host, u.Host) && site.Scheme == u.Scheme {
		return want
	}
	for _, allowed := range h.cfg.AdditionalRedirectURLs {
		if allowed == want || globMatch(allowed, want) {
			return want
		}
	}
	return h.cfg.SiteURL
}

// globMatch matches s against a pattern where '**' matches anything and '*'
// anything but the separators '/' and '.', like GoTrue's allow list.
func globMatch(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return false
	}
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			re.WriteString(".*")
			i++
		case pattern[i] == '*':
			re.WriteString("[^./]*")
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	re.WriteString("$")
	ok, err := regexp.MatchString(re.String(), s)
	return err == nil && ok
}

// redirectParam is the redirect_to the client asked for: the query
// parameter (what supabase-js sends) or a body field.
func redirectParam(r *http.Request, body string) string {
	if v := r.URL.Query().Get("redirect_to"); v != "" {
		return v
	}
	return body
}

// commitThen makes tx commit and still return err to the client.
type commitThen struct{ err error }

func (c *commitThen) Error() string { return c.err.Error() }
func (c *commitThen) Unwrap() error { return c.err }

// queue records m once tx commits: a rolled-back request sends nothing.
func (h *Handler) queue(tx pgx.Tx, m Message) {
	h.mu.Lock()
	h.pending[tx] = append(h.pending[tx], m)
	h.mu.Unlock()
}

// tx runs fn in a transaction, committed when fn returns nil or a
// *commitThen; messages queued in it reach the outbox after the commit.
func (h *Handler) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := h.pool.Begin(ctx)
	if err != nil {
		return internal(err)
	}
	defer func() {
		h.mu.Lock()
		delete(h.pending, tx)
		h.mu.Unlock()
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	}()
	ferr := fn(tx)
	var keep *commitThen
	if ferr != nil && !errors.As(ferr, &keep) {
		var ae *apiError
		if errors.As(ferr, &ae) {
			return ferr
		}
		return internal(ferr)
	}
	if err := tx.Commit(ctx); err != nil {
		return internal(err)
	}
	h.mu.Lock()
	msgs := h.pending[tx]
	delete(h.pending, tx)
	h.mu.Unlock()
	for _, m := range msgs {
		h.outbox.add(m)
	}
	if keep != nil {
		return keep.err
	}
	return nil
}
