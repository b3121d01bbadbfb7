package gotrue

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// POST /token?grant_type=password|refresh_token|pkce
func (h *Handler) token(w http.ResponseWriter, r *http.Request) error {
	switch r.URL.Query().Get("grant_type") {
	case "password":
		return h.passwordGrant(w, r)
	case "refresh_token":
		return h.refreshGrant(w, r)
	case "pkce":
		return h.pkceGrant(w, r)
	case "id_token":
		return h.idTokenGrant(w, r)
	case "web3":
		return notImplemented("POST /token?grant_type=" + r.URL.Query().Get("grant_type"))
	default:
		return badRequest("invalid_credentials", "unsupported_grant_type")
	}
}

type passwordGrantParams struct {
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Password string `json:"password"`
}

func (h *Handler) passwordGrant(w http.ResponseWriter, r *http.Request) error {
	var p passwordGrantParams
	if err := decode(r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	var session *tokenResponse
	err := h.tx(ctx, func(tx pgx.Tx) error {
		var u *user
		var err error
		switch {
		case p.Email != "":
			email, nerr := normalizeEmail(p.Email)
			if nerr != nil {
				return errInvalidCreds
			}
			u, err = findUserByEmail(ctx, tx, email)
		case p.Phone != "":
			phone, nerr := normalizePhone(p.Phone)
			if nerr != nil {
				return errInvalidCreds
			}
			u, err = findUserByPhone(ctx, tx, phone)
		default:
			return badRequest("validation_failed", "missing email or phone")
		}
		if errors.Is(err, errNoUser) {
			return errInvalidCreds
		}
		if err != nil {
			return err
		}
		if !passwordMatches(u.EncryptedPassword, p.Password) {
			return errInvalidCreds
		}
		if u.banned(h.now()) {
			return errUserBanned
		}
		if p.Email != "" && !u.emailConfirmed() {
			return badRequest("email_not_confirmed", "Email not confirmed")
		}
		if p.Email == "" && !u.phoneConfirmed() {
			return badRequest("phone_not_confirmed", "Phone not confirmed")
		}
		session, err = h.createSession(ctx, r, tx, u, "password")
		return err
	})
	if err != nil {
		return err
	}
	var weak *weakPasswordJSON
	if reasons, msg := h.weakness(p.Password); len(reasons) > 0 {
		weak = &weakPasswordJSON{Reasons: reasons, Message: msg}
	}
	h.writeSessionWeak(w, http.StatusOK, session, true, weak)
	return nil
}

// refreshTokenRe is the shape of the refresh tokens this server issues.
var refreshTokenRe = regexp.MustCompile(`^[a-z0-9]{12}$`)

type refreshRow struct {
	ID        int64
	Token     string
	UserID    string
	Revoked   bool
	UpdatedAt time.Time
	Parent    string
	SessionID *uuid.UUID
}

func (h *Handler) refreshGrant(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	if !refreshTokenRe.MatchString(p.RefreshToken) {
		return errRefreshNotValid
	}
	ctx := r.Context()
	var session *tokenResponse
	err := h.tx(ctx, func(tx pgx.Tx) error {
		var rt refreshRow
		err := tx.QueryRow(ctx, `select id, token, coalesce(user_id, ''), coalesce(revoked, false), coalesce(updated_at, created_at), coalesce(parent, ''), session_id
			from auth.refresh_tokens where token = $1`, p.RefreshToken).
			Scan(&rt.ID, &rt.Token, &rt.UserID, &rt.Revoked, &rt.UpdatedAt, &rt.Parent, &rt.SessionID)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && rt.SessionID == nil) {
			return badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
		}
		if err != nil {
			return err
		}
		// Serialise refreshes of one session.
		var uid uuid.UUID
		var notAfter *time.Time
		err = tx.QueryRow(ctx, `select user_id, not_after from auth.sessions where id = $1 for update`, *rt.SessionID).Scan(&uid, &notAfter)
		if errors.Is(err, pgx.ErrNoRows) {
			return badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
		}
		if err != nil {
			return err
		}
		// Re-read the token under the session lock.
		if err := tx.QueryRow(ctx, `select coalesce(revoked, false), coalesce(updated_at, created_at) from auth.refresh_tokens where id = $1`, rt.ID).
			Scan(&rt.Revoked, &rt.UpdatedAt); err != nil {
			return err
		}
		u, err := findUserByID(ctx, tx, uid)
		if err != nil {
			return err
		}
		now := h.now()
		if u.banned(now) {
			return errUserBanned
		}
		if notAfter != nil && now.After(*notAfter) {
			return badRequest("session_expired", "Invalid Refresh Token: Session Expired")
		}
		issued := ""
		if rt.Revoked {
			var active, activeParent string
			err := tx.QueryRow(ctx, `select token, coalesce(parent, '') from auth.refresh_tokens
				where session_id = $1 and revoked = false order by id desc limit 1`, *rt.SessionID).Scan(&active, &activeParent)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			switch {
			case active != "" && activeParent == rt.Token:
				// The client lost the answer to its last refresh: hand out
				// the current token again.
				issued = active
			case !rt.UpdatedAt.Add(h.cfg.RefreshTokenReuseInterval).After(now):
				if _, err := tx.Exec(ctx, `update auth.refresh_tokens set revoked = true, updated_at = $2
					where session_id = $1 and revoked = false`, *rt.SessionID, now); err != nil {
					return err
				}
				h.cfg.Logf("gotrue: refresh token reuse detected, session %s revoked", rt.SessionID)
				if err := h.audit(ctx, tx, u, "token_revoked", nil); err != nil {
					return err
				}
				return &commitThen{badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used")}
			}
		}
		if issued == "" {
			if _, err := tx.Exec(ctx, `update auth.refresh_tokens set revoked = true, updated_at = $2 where id = $1`, rt.ID, now); err != nil {
				return err
			}
			issued = newRefreshToken()
			if err := insertRefreshToken(ctx, tx, uid, *rt.SessionID, issued, rt.Token, now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `update auth.sessions set refreshed_at = $2, updated_at = $3 where id = $1`, *rt.SessionID, now.Truncate(time.Microsecond), now); err != nil {
			return err
		}
		if err := h.audit(ctx, tx, u, "token_refreshed", nil); err != nil {
			return err
		}
		session, err = h.issue(ctx, r, tx, uid, *rt.SessionID, issued)
		return err
	})
	if err != nil {
		return err
	}
	h.writeSession(w, http.StatusOK, session, false)
	return nil
}

// flowStateExpiry bounds the time between issuing an auth code and
// exchanging it.
const flowStateExpiry = 5 * time.Minute

func (h *Handler) pkceGrant(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		AuthCode     string `json:"auth_code"`
		CodeVerifier string `json:"code_verifier"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.AuthCode == "" || p.CodeVerifier == "" {
		return badRequest("validation_failed", "invalid request: both auth code and code verifier should be non-empty")
	}
	ctx := r.Context()
	var session *tokenResponse
	err := h.tx(ctx, func(tx pgx.Tx) error {
		var id uuid.UUID
		var uid *uuid.UUID
		var method, challenge, chMethod string
		var issuedAt *time.Time
		err := tx.QueryRow(ctx, `select id, user_id, authentication_method, code_challenge, code_challenge_method, auth_code_issued_at
			from auth.flow_state where auth_code = $1 for update`, p.AuthCode).Scan(&id, &uid, &method, &challenge, &chMethod, &issuedAt)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (uid == nil || issuedAt == nil)) {
			return notFound("flow_state_not_found", "invalid flow state, no valid flow state found")
		}
		if err != nil {
			return err
		}
		if h.now().After(issuedAt.Add(flowStateExpiry)) {
			return badRequest("flow_state_expired", "invalid flow state, flow state has expired")
		}
		if !verifierMatches(chMethod, challenge, p.CodeVerifier) {
			return badRequest("bad_code_verifier", "code challenge does not match previously saved code verifier")
		}
		if _, err := tx.Exec(ctx, `delete from auth.flow_state where id = $1`, id); err != nil {
			return err
		}
		u, err := findUserByID(ctx, tx, *uid)
		if err != nil {
			return err
		}
		if u.banned(h.now()) {
			return errUserBanned
		}
		if method == "link_identity" {
			method = "oauth"
		}
		session, err = h.createSession(ctx, r, tx, u, method)
		return err
	})
	if err != nil {
		return err
	}
	h.writeSession(w, http.StatusOK, session, false)
	return nil
}

func verifierMatches(method, challenge, verifier string) bool {
	want := verifier
	if method != "plain" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
