package gotrue

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

type verifyParams struct {
	Type       string `json:"type"`
	Token      string `json:"token"`
	TokenHash  string `json:"token_hash"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	RedirectTo string `json:"redirect_to"`
}

// verifyResult is the outcome of a verification.
type verifyResult struct {
	session *tokenResponse
	// msg is set when a secure email change waits for its other half.
	msg string
	// pkceCode is the auth code to hand out instead of a session.
	pkceCode string
	redirect string
}

var verifyTypes = map[string]bool{"signup": true, "invite": true, "magiclink": true, "recovery": true,
	"email_change": true, "email": true, "sms": true, "phone_change": true}

// POST /verify
func (h *Handler) verifyPost(w http.ResponseWriter, r *http.Request) error {
	var p verifyParams
	if err := decode(r, &p); err != nil {
		return err
	}
	res, err := h.doVerify(r, p, false)
	if err != nil {
		return err
	}
	if res.msg != "" {
		writeJSON(w, http.StatusOK, map[string]any{"msg": res.msg, "code": http.StatusOK})
		return nil
	}
	h.writeSession(w, http.StatusOK, res.session, false)
	return nil
}

// GET /verify?token=…&type=…&redirect_to=…
func (h *Handler) verifyGet(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := verifyParams{Type: q.Get("type"), TokenHash: q.Get("token"), RedirectTo: q.Get("redirect_to")}
	target := h.redirectTarget(p.RedirectTo)
	res, err := h.doVerify(r, p, true)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status >= 500 {
			return err
		}
		desc := ae.Msg
		code := "access_denied"
		if ae.Code == "otp_expired" {
			desc = "Email link is invalid or has expired"
		}
		if ae.Status >= 500 {
			code = "server_error"
		}
		frag := url.Values{"error": {code}, "error_code": {ae.Code}, "error_description": {desc}, "sb": {""}}
		http.Redirect(w, r, target+"#"+frag.Encode(), http.StatusSeeOther)
		return nil
	}
	if res.redirect != "" {
		target = h.redirectTarget(res.redirect)
	}
	switch {
	case res.pkceCode != "":
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		http.Redirect(w, r, target+sep+url.Values{"code": {res.pkceCode}}.Encode(), http.StatusSeeOther)
	case res.msg != "":
		frag := url.Values{"message": {res.msg}, "sb": {""}}
		http.Redirect(w, r, target+"#"+frag.Encode(), http.StatusSeeOther)
	default:
		s := res.session
		w.Header().Set("Sb-Auth-User-Id", s.User.ID.String())
		w.Header().Set("Sb-Auth-Session-Id", s.sessionID.String())
		frag := url.Values{
			"access_token": {s.AccessToken}, "expires_at": {strconv.FormatInt(s.ExpiresAt, 10)},
			"expires_in": {strconv.FormatInt(s.ExpiresIn, 10)}, "refresh_token": {s.RefreshToken},
			"sb": {""}, "token_type": {"bearer"}, "type": {p.Type},
		}
		http.Redirect(w, r, target+"#"+frag.Encode(), http.StatusSeeOther)
	}
	return nil
}

// stripPKCE removes the PKCE marker of a stored token.
func stripPKCE(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "pkce_"); ok {
		return rest, true
	}
	return s, false
}

func (h *Handler) doVerify(r *http.Request, p verifyParams, isLink bool) (*verifyResult, error) {
	if p.Type == "" {
		return nil, badRequest("validation_failed", "Verify requires a verification type")
	}
	if !verifyTypes[p.Type] {
		return nil, badRequest("validation_failed", "Unsupported verification type")
	}
	if p.Token == "" && p.TokenHash == "" {
		return nil, badRequest("validation_failed", "Verify requires either a token or a token hash")
	}
	if p.Token != "" && p.Email == "" && p.Phone == "" {
		return nil, badRequest("validation_failed", "Verify requires an email or a phone number with a token")
	}
	if p.Email != "" && p.Phone != "" {
		return nil, badRequest("validation_failed", "Only an email address or phone number should be provided on verify")
	}
	ctx := r.Context()
	res := &verifyResult{}
	err := h.tx(ctx, func(tx pgx.Tx) error {
		u, hash, err := h.findVerifyUser(ctx, tx, p)
		if err != nil {
			return err
		}
		now := h.now()
		if u.banned(now) {
			return errUserBanned
		}
		_, pkce := stripPKCE(hash)
		var flowMethod string
		switch p.Type {
		case "signup", "invite":
			if expired(u.ConfirmationSentAt, h.cfg.OTPExpiry, now) {
				return errOTPExpired
			}
			if _, err := tx.Exec(ctx, `update auth.users set confirmation_token = '', email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2 where id = $1`, u.ID, now); err != nil {
				return err
			}
			if err := markVerified(ctx, tx, u.ID, "email_verified"); err != nil {
				return err
			}
			action := "user_signedup"
			if p.Type == "invite" {
				action = "invite_accepted"
			}
			if err := h.audit(ctx, tx, u, action, map[string]any{"provider": "email"}); err != nil {
				return err
			}
			flowMethod = tokenSpecs[p.Type].flowMethod
		case "magiclink", "recovery", "email":
			col, sent := "recovery_token", u.RecoverySentAt
			if p.Type == "email" && sameToken(u.ConfirmationToken, hash) {
				col, sent = "confirmation_token", u.ConfirmationSentAt
			}
			if expired(sent, h.cfg.OTPExpiry, now) {
				return errOTPExpired
			}
			if _, err := tx.Exec(ctx, `update auth.users set `+col+` = '', email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2 where id = $1`, u.ID, now); err != nil {
				return err
			}
			if err := markVerified(ctx, tx, u.ID, "email_verified"); err != nil {
				return err
			}
			flowMethod = p.Type
			if col == "confirmation_token" {
				flowMethod = "email/signup"
			}
		case "email_change":
			if expired(u.EmailChangeSentAt, h.cfg.OTPExpiry, now) {
				return errOTPExpired
			}
			done, err := h.confirmEmailChange(ctx, tx, u, hash, now)
			if err != nil {
				return err
			}
			if !done {
				res.msg = "Confirmation link accepted. Please proceed to confirm link sent to the other email"
				return nil
			}
			flowMethod = "email_change"
		case "sms":
			if expired(u.ConfirmationSentAt, h.cfg.OTPExpiry, now) {
				return errOTPExpired
			}
			if _, err := tx.Exec(ctx, `update auth.users set confirmation_token = '', phone_confirmed_at = coalesce(phone_confirmed_at, $2), updated_at = $2 where id = $1`, u.ID, now); err != nil {
				return err
			}
			if err := markVerified(ctx, tx, u.ID, "phone_verified"); err != nil {
				return err
			}
		case "phone_change":
			if expired(u.PhoneChangeSentAt, h.cfg.OTPExpiry, now) {
				return errOTPExpired
			}
			if _, err := tx.Exec(ctx, `update auth.users set phone = phone_change, phone_change = '', phone_change_token = '',
				phone_confirmed_at = $2, updated_at = $2 where id = $1`, u.ID, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `update auth.identities set identity_data = jsonb_set(identity_data, '{phone}', to_jsonb((select phone from auth.users where id = $1)))
				where user_id = $1 and provider = 'phone'`, u.ID); err != nil {
				return err
			}
			if err := h.promoteAnonymous(ctx, tx, u.ID, "phone", now); err != nil {
				return err
			}
		}
		if pkce && isLink && flowMethod != "" {
			code, redirect, err := h.issueFlowCode(ctx, tx, u.ID, flowMethod)
			if err != nil {
				return err
			}
			if code != "" {
				res.pkceCode, res.redirect = code, redirect
				return nil
			}
		}
		u, err = findUserByID(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		res.session, err = h.createSession(ctx, r, tx, u, "otp")
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func expired(sent *time.Time, ttl time.Duration, now time.Time) bool {
	return sent == nil || now.After(sent.Add(ttl))
}

func sameToken(stored, candidate string) bool {
	if stored == "" || candidate == "" {
		return false
	}
	a, _ := stripPKCE(stored)
	b, _ := stripPKCE(candidate)
	return a == b
}

// findVerifyUser finds the user a token belongs to and returns the stored
// hash that matched.
func (h *Handler) findVerifyUser(ctx context.Context, tx pgx.Tx, p verifyParams) (*user, string, error) {
	var u *user
	var err error
	var candidates []string
	switch {
	case p.TokenHash != "":
		th := p.TokenHash
		plain, _ := stripPKCE(th)
		cols := map[string][]string{
			"signup": {"confirmation_token"}, "invite": {"confirmation_token"},
			"magiclink": {"recovery_token"}, "recovery": {"recovery_token"},
			"email":        {"confirmation_token", "recovery_token"},
			"email_change": {"email_change_token_new", "email_change_token_current"},
			"sms":          {"confirmation_token"}, "phone_change": {"phone_change_token"},
		}[p.Type]
		var conds []string
		for _, c := range cols {
			conds = append(conds, c+" in ($1::text, 'pkce_' || $1::text)")
		}
		u, err = findUser(ctx, tx, `(`+strings.Join(conds, " or ")+`) and deleted_at is null for update`, plain)
		candidates = []string{plain}
	case p.Email != "":
		email, nerr := normalizeEmail(p.Email)
		if nerr != nil {
			return nil, "", nerr
		}
		hash := tokenHash(email, p.Token)
		if p.Type == "email_change" {
			u, err = findUser(ctx, tx, `((lower(email) = $1 and email_change_token_current in ($2::text, 'pkce_' || $2::text))
				or (lower(email_change) = $1 and email_change_token_new in ($2::text, 'pkce_' || $2::text))) and deleted_at is null for update`, email, hash)
		} else {
			u, err = findUser(ctx, tx, `lower(email) = $1 and deleted_at is null for update`, email)
		}
		candidates = []string{hash}
	case p.Phone != "":
		phone, nerr := normalizePhone(p.Phone)
		if nerr != nil {
			return nil, "", nerr
		}
		hash := tokenHash(phone, p.Token)
		if p.Type == "phone_change" {
			u, err = findUser(ctx, tx, `phone_change = $1 and deleted_at is null for update`, phone)
		} else {
			u, err = findUser(ctx, tx, `phone = $1 and deleted_at is null for update`, phone)
		}
		candidates = []string{hash}
	}
	if errors.Is(err, errNoUser) {
		return nil, "", errOTPExpired
	}
	if err != nil {
		return nil, "", err
	}
	var stored []string
	switch p.Type {
	case "signup", "invite", "sms":
		stored = []string{u.ConfirmationToken}
	case "magiclink", "recovery":
		stored = []string{u.RecoveryToken}
	case "email":
		stored = []string{u.ConfirmationToken, u.RecoveryToken}
	case "email_change":
		stored = []string{u.EmailChangeTokenNew, u.EmailChangeTokenCurrent}
	case "phone_change":
		stored = []string{u.PhoneChangeToken}
	}
	for _, s := range stored {
		for _, c := range candidates {
			if sameToken(s, c) {
				return u, s, nil
			}
		}
	}
	return nil, "", errOTPExpired
}

// confirmEmailChange applies one confirmation of an email change; it
// reports whether the change is complete.
func (h *Handler) confirmEmailChange(ctx context.Context, tx pgx.Tx, u *user, hash string, now time.Time) (bool, error) {
	secure := !h.cfg.InsecureEmailChange && u.EmailChangeTokenCurrent != "" && u.EmailChangeTokenNew != ""
	if secure && u.EmailChangeConfirmStatus == 0 {
		col := "email_change_token_new"
		if sameToken(u.EmailChangeTokenCurrent, hash) {
			col = "email_change_token_current"
		}
		_, err := tx.Exec(ctx, `update auth.users set `+col+` = '', email_change_confirm_status = 1, updated_at = $2 where id = $1`, u.ID, now)
		return false, err
	}
	if u.EmailChangeConfirmStatus == 1 && secure {
		// both tokens still set means this is the same half again
		return false, errOTPExpired
	}
	if _, err := tx.Exec(ctx, `update auth.users set email = email_change, email_change = '', email_change_token_new = '',
		email_change_token_current = '', email_change_confirm_status = 0, email_confirmed_at = coalesce(email_confirmed_at, $2),
		updated_at = $2 where id = $1`, u.ID, now); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `update auth.identities set identity_data = identity_data || jsonb_build_object('email', (select email from auth.users where id = $1)),
		updated_at = $2 where user_id = $1 and provider = 'email'`, u.ID, now); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `update auth.users set raw_user_meta_data = jsonb_set(raw_user_meta_data, '{email}', to_jsonb(email))
		where id = $1 and raw_user_meta_data ? 'email'`, u.ID); err != nil {
		return false, err
	}
	if err := h.promoteAnonymous(ctx, tx, u.ID, "email", now); err != nil {
		return false, err
	}
	return true, nil
}

// promoteAnonymous turns an anonymous user who confirmed an email or phone
// into a permanent one with that identity, as GoTrue does.
func (h *Handler) promoteAnonymous(ctx context.Context, tx pgx.Tx, uid uuid.UUID, provider string, now time.Time) error {
	u, err := findUserByID(ctx, tx, uid)
	if err != nil {
		return err
	}
	if !u.IsAnonymous {
		return nil
	}
	data := map[string]any{"sub": uid.String(), "email_verified": provider == "email", "phone_verified": provider == "phone"}
	if provider == "email" {
		data["email"] = u.Email
	} else {
		data["phone"] = u.Phone
	}
	if _, err := tx.Exec(ctx, `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
		values ($1, $2, $3, $4, $5, $5, $5, $6) on conflict (provider_id, provider) do nothing`,
		uid.String(), uid, mustJSON(data), provider, now, uuid.New()); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `update auth.users set is_anonymous = false, updated_at = $2,
		raw_app_meta_data = coalesce(raw_app_meta_data, '{}') || jsonb_build_object('provider', $3::text, 'providers', jsonb_build_array($3::text))
		where id = $1`, uid, now, provider)
	return err
}

// issueFlowCode hands out the auth code of the user's latest pending flow
// of method.
func (h *Handler) issueFlowCode(ctx context.Context, tx pgx.Tx, uid uuid.UUID, method string) (code, redirect string, err error) {
	var id uuid.UUID
	var rd *string
	err = tx.QueryRow(ctx, `select id, auth_code, redirect_to from auth.flow_state
		where user_id = $1 and authentication_method = $2 order by created_at desc limit 1 for update`, uid, method).Scan(&id, &code, &rd)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if _, err := tx.Exec(ctx, `update auth.flow_state set auth_code_issued_at = $2, updated_at = $2 where id = $1`, id, h.now()); err != nil {
		return "", "", err
	}
	if rd != nil {
		redirect = *rd
	}
	return code, redirect, nil
}
