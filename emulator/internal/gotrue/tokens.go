package gotrue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// amrEntry is one authentication method reference.
type amrEntry struct {
	Method    string `json:"method"`
	Timestamp int64  `json:"timestamp"`
}

// accessClaims are GoTrue's access token claims, in GoTrue's order.
type accessClaims struct {
	Issuer       string         `json:"iss,omitempty"`
	Subject      string         `json:"sub"`
	Audience     string         `json:"aud"`
	ExpiresAt    int64          `json:"exp"`
	IssuedAt     int64          `json:"iat"`
	Email        string         `json:"email"`
	Phone        string         `json:"phone"`
	AppMetadata  map[string]any `json:"app_metadata"`
	UserMetadata map[string]any `json:"user_metadata"`
	Role         string         `json:"role"`
	AAL          string         `json:"aal"`
	AMR          []amrEntry     `json:"amr"`
	SessionID    string         `json:"session_id"`
	IsAnonymous  bool           `json:"is_anonymous"`
}

func (c *accessClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}
func (c *accessClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}
func (c *accessClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c *accessClaims) GetIssuer() (string, error)              { return c.Issuer, nil }
func (c *accessClaims) GetSubject() (string, error)             { return c.Subject, nil }
func (c *accessClaims) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings{c.Audience}, nil
}

// parsedClaims is what the handler reads from a bearer token; aud may be a
// string or a list, and anything may be missing.
type parsedClaims struct {
	Subject   string `json:"sub"`
	Role      string `json:"role"`
	SessionID string `json:"session_id"`
	AAL       string `json:"aal"`
	jwt.RegisteredClaims
}

// session is one row of auth.sessions.
type session struct {
	ID       uuid.UUID
	UserID   uuid.UUID
	AAL      string
	FactorID *uuid.UUID
	NotAfter *time.Time
}

// tokenResponse is GoTrue's session body.
type tokenResponse struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int64     `json:"expires_in"`
	ExpiresAt    int64     `json:"expires_at"`
	RefreshToken string    `json:"refresh_token"`
	User         userJSON  `json:"user"`
	sessionID    uuid.UUID // for headers
}

// passwordTokenResponse adds the weak_password field of password grants.
type passwordTokenResponse struct {
	tokenResponse
	WeakPassword *weakPasswordJSON `json:"weak_password"`
}

// weakPasswordJSON tells a password sign-in that the password no longer
// meets the policy.
type weakPasswordJSON struct {
	Reasons []string `json:"reasons"`
	Message string   `json:"message"`
}

// newRefreshToken returns a 12-character opaque token like GoTrue's.
func newRefreshToken() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:12]
}

func randomDigits(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// tokenHash is GoTrue's hash of an emailed or texted code:
// hex(sha224(emailOrPhone + otp)).
func tokenHash(emailOrPhone, otp string) string {
	return fmt.Sprintf("%x", sha256.Sum224([]byte(emailOrPhone+otp)))
}

// createSession starts a session for u authenticated by method and returns
// its first token pair.
func (h *Handler) createSession(ctx context.Context, r *http.Request, tx pgx.Tx, u *user, method string) (*tokenResponse, error) {
	now := h.now()
	sid := uuid.New()
	if _, err := tx.Exec(ctx, `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
		values ($1, $2, $3, $3, 'aal1', $4, $5)`, sid, u.ID, now, r.UserAgent(), clientIP(r)); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	if err := addAMRClaim(ctx, tx, sid, method, now); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `update auth.users set last_sign_in_at = $2, updated_at = $2 where id = $1`, u.ID, now); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if _, err := tx.Exec(ctx, `update auth.identities set last_sign_in_at = $2 where user_id = $1 and provider = $3`, u.ID, now, identityProviderFor(method)); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	rt := newRefreshToken()
	if err := insertRefreshToken(ctx, tx, u.ID, sid, rt, "", now); err != nil {
		return nil, err
	}
	if err := h.audit(ctx, tx, u, "login", map[string]any{"provider": identityProviderFor(method)}); err != nil {
		return nil, err
	}
	return h.issue(ctx, r, tx, u.ID, sid, rt)
}

func identityProviderFor(method string) string {
	switch method {
	case "password", "otp", "magiclink", "recovery", "invite", "email/signup", "email_change":
		return "email"
	case "sms":
		return "phone"
	}
	return method
}

func addAMRClaim(ctx context.Context, tx pgx.Tx, sid uuid.UUID, method string, now time.Time) error {
	_, err := tx.Exec(ctx, `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
		values ($1, $2, $2, $3, $4)
		on conflict (session_id, authentication_method) do update set updated_at = excluded.updated_at`,
		sid, now, method, uuid.New())
	if err != nil {
		return fmt.Errorf("amr claim: %w", err)
	}
	return nil
}

func insertRefreshToken(ctx context.Context, tx pgx.Tx, userID, sid uuid.UUID, token, parent string, now time.Time) error {
	var p any
	if parent != "" {
		p = parent
	}
	_, err := tx.Exec(ctx, `insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
		values ($1, $2, false, $3, $3, $4, $5)`, token, userID.String(), now, p, sid)
	if err != nil {
		return fmt.Errorf("refresh token: %w", err)
	}
	return nil
}

// issue signs an access token for the session and renders the session body
// with refresh token rt.
func (h *Handler) issue(ctx context.Context, r *http.Request, tx pgx.Tx, userID, sid uuid.UUID, rt string) (*tokenResponse, error) {
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	s, err := findSession(ctx, tx, sid)
	if err != nil {
		return nil, err
	}
	amr, err := sessionAMR(ctx, tx, sid)
	if err != nil {
		return nil, err
	}
	now := h.cfg.Now()
	exp := now.Add(h.cfg.JWTExpiry)
	claims := &accessClaims{
		Issuer: h.externalURL(r), Subject: u.ID.String(), Audience: u.Aud,
		ExpiresAt: exp.Unix(), IssuedAt: now.Unix(), Email: u.Email, Phone: u.Phone,
		AppMetadata: u.AppMeta, UserMetadata: u.UserMeta, Role: u.Role, AAL: s.AAL, AMR: amr,
		SessionID: sid.String(), IsAnonymous: u.IsAnonymous,
	}
	if claims.Audience == "" {
		claims.Audience = "authenticated"
	}
	if claims.Role == "" {
		claims.Role = "authenticated"
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(h.cfg.JWTSecret)
	if err != nil {
		return nil, fmt.Errorf("sign token: %w", err)
	}
	uj, err := h.render(ctx, tx, u)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: signed, TokenType: "bearer", ExpiresIn: int64(h.cfg.JWTExpiry / time.Second),
		ExpiresAt: exp.Unix(), RefreshToken: rt, User: uj, sessionID: sid}, nil
}

func findSession(ctx context.Context, q querier, sid uuid.UUID) (*session, error) {
	s := &session{}
	err := q.QueryRow(ctx, `select id, user_id, coalesce(aal, 'aal1'), factor_id, not_after from auth.sessions where id = $1`, sid).
		Scan(&s.ID, &s.UserID, &s.AAL, &s.FactorID, &s.NotAfter)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return s, nil
}

// sessionAMR lists the session's methods, most recent first (GoTrue sorts
// by timestamp, descending).
func sessionAMR(ctx context.Context, q querier, sid uuid.UUID) ([]amrEntry, error) {
	rows, err := q.Query(ctx, `select authentication_method, updated_at from auth.mfa_amr_claims
		where session_id = $1
		order by created_at, authentication_method in ('totp', 'mfa/phone', 'mfa/webauthn'), id`, sid)
	if err != nil {
		return nil, fmt.Errorf("amr: %w", err)
	}
	defer rows.Close()
	out := []amrEntry{}
	for rows.Next() {
		var m string
		var t time.Time
		if err := rows.Scan(&m, &t); err != nil {
			return nil, fmt.Errorf("amr: %w", err)
		}
		out = append(out, amrEntry{Method: m, Timestamp: t.Unix()})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp > out[j].Timestamp })
	return out, rows.Err()
}

func (h *Handler) writeSession(w http.ResponseWriter, status int, tr *tokenResponse, withWeakPassword bool) {
	h.writeSessionWeak(w, status, tr, withWeakPassword, nil)
}

func (h *Handler) writeSessionWeak(w http.ResponseWriter, status int, tr *tokenResponse, withWeakPassword bool, weak *weakPasswordJSON) {
	w.Header().Set("Sb-Auth-User-Id", tr.User.ID.String())
	w.Header().Set("Sb-Auth-Session-Id", tr.sessionID.String())
	if withWeakPassword {
		writeJSON(w, status, passwordTokenResponse{tokenResponse: *tr, WeakPassword: weak})
		return
	}
	writeJSON(w, status, tr)
}

// authUser is the verified caller of a user route.
type authUser struct {
	user    *user
	session *session
	claims  *parsedClaims
	token   string
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// parseToken verifies an HS256 token signed with the JWT secret.
func (h *Handler) parseToken(tok string) (*parsedClaims, error) {
	claims := &parsedClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		return h.cfg.JWTSecret, nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(h.cfg.Now))
	if err != nil {
		return nil, forbidden("bad_jwt", "invalid JWT: unable to parse or verify signature, %v", err)
	}
	return claims, nil
}

// requireUser verifies the bearer token of a user route and loads the user
// and its session.
func (h *Handler) requireUser(ctx context.Context, r *http.Request, q querier) (*authUser, error) {
	tok := bearer(r)
	if tok == "" {
		return nil, errNoAuthorization
	}
	claims, err := h.parseToken(tok)
	if err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, forbidden("bad_jwt", "invalid claim: missing sub claim")
	}
	uid, err := uuid.Parse(claims.Subject)
	if err != nil {
		return nil, badRequest("bad_jwt", "invalid claim: sub claim must be a UUID")
	}
	u, err := findUserByID(ctx, q, uid)
	if errors.Is(err, errNoUser) {
		return nil, forbidden("user_not_found", "User from sub claim in JWT does not exist")
	}
	if err != nil {
		return nil, err
	}
	au := &authUser{user: u, claims: claims, token: tok}
	if claims.SessionID != "" {
		sid, err := uuid.Parse(claims.SessionID)
		if err != nil {
			return nil, errSessionNotFound
		}
		s, err := findSession(ctx, q, sid)
		if err != nil {
			return nil, err
		}
		if s.UserID != u.ID {
			return nil, errSessionNotFound
		}
		au.session = s
	}
	return au, nil
}

// adminRoles may call the admin routes.
var adminRoles = map[string]bool{"service_role": true, "supabase_admin": true}

// requireAdmin checks that the bearer token is an admin (service_role) JWT.
func (h *Handler) requireAdmin(r *http.Request) error {
	tok := bearer(r)
	if tok == "" {
		return errNoAuthorization
	}
	claims, err := h.parseToken(tok)
	if err != nil {
		return err
	}
	if !adminRoles[claims.Role] {
		return errNotAdmin
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
