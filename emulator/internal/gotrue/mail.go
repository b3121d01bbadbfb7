package gotrue

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// pkceParams are the PKCE fields of an email flow request.
type pkceParams struct {
	CodeChallenge       string `json:"code_challenge"`
	CodeChallengeMethod string `json:"code_challenge_method"`
}

func (p pkceParams) enabled() bool { return p.CodeChallenge != "" }

func (p pkceParams) validate() error {
	if p.CodeChallenge == "" {
		if p.CodeChallengeMethod != "" {
			return badRequest("validation_failed", "PKCE flow requires code_challenge_method and code_challenge")
		}
		return nil
	}
	switch strings.ToLower(p.CodeChallengeMethod) {
	case "s256", "plain":
	default:
		return badRequest("validation_failed", "code challenge method not supported")
	}
	if n := len(p.CodeChallenge); n < 43 || n > 128 {
		return badRequest("validation_failed", "code challenge has to be between 43 and 128 characters")
	}
	return nil
}

// linkToken is a generated email or phone token.
type linkToken struct {
	OTP        string
	Hash       string // as stored, "pkce_" prefixed for PKCE flows
	VerifyType string
	Link       string
	RedirectTo string
}

// tokenSpec says where a kind of token lives in auth.users.
type tokenSpec struct {
	tokenCol, sentCol string
	verifyType        string
	subject           string
	flowMethod        string
}

var tokenSpecs = map[string]tokenSpec{
	KindSignup:           {"confirmation_token", "confirmation_sent_at", "signup", "Confirm your email address", "email/signup"},
	KindInvite:           {"confirmation_token", "confirmation_sent_at", "invite", "You have been invited", "invite"},
	KindMagicLink:        {"recovery_token", "recovery_sent_at", "magiclink", "Your Magic Link", "magiclink"},
	KindRecovery:         {"recovery_token", "recovery_sent_at", "recovery", "Reset Your Password", "recovery"},
	KindReauthentication: {"reauthentication_token", "reauthentication_sent_at", "reauthentication", "Confirm reauthentication", ""},
}

// rateLimit enforces MaxFrequency against the time a message was last sent.
func (h *Handler) rateLimit(last *time.Time, sms bool) error {
	if h.cfg.MaxFrequency <= 0 || last == nil {
		return nil
	}
	wait := last.Add(h.cfg.MaxFrequency).Sub(h.now())
	if wait <= 0 {
		return nil
	}
	code := "over_email_send_rate_limit"
	if sms {
		code = "over_sms_send_rate_limit"
	}
	return newErr(http.StatusTooManyRequests, code, "For security purposes, you can only request this after %d seconds.", int(wait/time.Second))
}

func (h *Handler) verifyLink(r *http.Request, hash, verifyType, redirectTo string) string {
	q := "token=" + url.QueryEscape(hash) + "&type=" + verifyType
	if redirectTo != "" {
		q += "&redirect_to=" + url.QueryEscape(redirectTo)
	}
	return h.externalURL(r) + "/verify?" + q
}

// emailToken generates a code of kind for u, stores its hash and sent time,
// and (for PKCE requests) a flow state. It does not record a message.
func (h *Handler) emailToken(ctx context.Context, r *http.Request, tx pgx.Tx, u *user, kind, redirectTo string, pkce pkceParams) (*linkToken, error) {
	spec, ok := tokenSpecs[kind]
	if !ok {
		return nil, fmt.Errorf("gotrue: no token spec for %q", kind)
	}
	now := h.now()
	otp := randomDigits(6)
	hash := tokenHash(u.Email, otp)
	stored := hash
	if pkce.enabled() && spec.flowMethod != "" {
		stored = "pkce_" + hash
		if err := h.createFlowState(ctx, tx, &u.ID, "email", spec.flowMethod, pkce, redirectTo); err != nil {
			return nil, err
		}
	}
	sets := spec.tokenCol + ` = $2, ` + spec.sentCol + ` = $3, updated_at = $3`
	if kind == KindInvite {
		sets += `, invited_at = coalesce(invited_at, $3)`
	}
	if _, err := tx.Exec(ctx, `update auth.users set `+sets+` where id = $1`, u.ID, stored, now); err != nil {
		return nil, fmt.Errorf("store token: %w", err)
	}
	redirectTo = h.redirectTarget(redirectTo)
	lt := &linkToken{OTP: otp, Hash: stored, VerifyType: spec.verifyType, RedirectTo: redirectTo}
	if kind != KindReauthentication {
		lt.Link = h.verifyLink(r, stored, spec.verifyType, redirectTo)
	}
	return lt, nil
}

// sendEmail rate-limits, generates and records a message of kind to u.
func (h *Handler) sendEmail(ctx context.Context, r *http.Request, tx pgx.Tx, u *user, kind, redirectTo string, pkce pkceParams) error {
	var last *time.Time
	switch kind {
	case KindSignup, KindInvite:
		last = u.ConfirmationSentAt
	case KindMagicLink, KindRecovery:
		last = u.RecoverySentAt
	case KindReauthentication:
		last = u.ReauthSentAt
	}
	if err := h.rateLimit(last, false); err != nil {
		return err
	}
	lt, err := h.emailToken(ctx, r, tx, u, kind, redirectTo, pkce)
	if err != nil {
		return err
	}
	action := map[string]string{KindSignup: "user_confirmation_requested", KindMagicLink: "user_recovery_requested",
		KindRecovery: "user_recovery_requested", KindReauthentication: "user_reauthenticate_requested"}[kind]
	if action != "" {
		if err := h.audit(ctx, tx, u, action, map[string]any{"provider": "email"}); err != nil {
			return err
		}
	}
	h.queue(tx, Message{To: u.Email, Kind: kind, VerifyType: lt.VerifyType, Subject: tokenSpecs[kind].subject,
		OTP: lt.OTP, TokenHash: lt.Hash, Link: lt.Link, RedirectTo: lt.RedirectTo, At: h.now()})
	return nil
}

// emailChangeTokens starts a change of u's email to newEmail: a token for
// the new address and (secure change) one for the current address.
func (h *Handler) emailChangeTokens(ctx context.Context, r *http.Request, tx pgx.Tx, u *user, newEmail, redirectTo string, pkce pkceParams) (cur, next *linkToken, err error) {
	now := h.now()
	otpNew := randomDigits(6)
	next = &linkToken{OTP: otpNew, Hash: tokenHash(newEmail, otpNew), VerifyType: "email_change"}
	cur = &linkToken{VerifyType: "email_change"}
	secure := !h.cfg.InsecureEmailChange && u.Email != ""
	if secure {
		otpCur := randomDigits(6)
		cur.OTP, cur.Hash = otpCur, tokenHash(u.Email, otpCur)
	}
	if pkce.enabled() {
		next.Hash = "pkce_" + next.Hash
		if cur.Hash != "" {
			cur.Hash = "pkce_" + cur.Hash
		}
		if err := h.createFlowState(ctx, tx, &u.ID, "email", "email_change", pkce, redirectTo); err != nil {
			return nil, nil, err
		}
	}
	if _, err := tx.Exec(ctx, `update auth.users set email_change = $2, email_change_token_new = $3,
		email_change_token_current = $4, email_change_confirm_status = 0, email_change_sent_at = $5, updated_at = $5
		where id = $1`, u.ID, newEmail, next.Hash, cur.Hash, now); err != nil {
		return nil, nil, fmt.Errorf("email change: %w", err)
	}
	redirectTo = h.redirectTarget(redirectTo)
	next.RedirectTo, cur.RedirectTo = redirectTo, redirectTo
	next.Link = h.verifyLink(r, next.Hash, "email_change", redirectTo)
	if cur.Hash != "" {
		cur.Link = h.verifyLink(r, cur.Hash, "email_change", redirectTo)
	}
	return cur, next, nil
}

// sendEmailChange records the email change mails.
func (h *Handler) sendEmailChange(ctx context.Context, r *http.Request, tx pgx.Tx, u *user, newEmail, redirectTo string, pkce pkceParams) error {
	if err := h.rateLimit(u.EmailChangeSentAt, false); err != nil {
		return err
	}
	cur, next, err := h.emailChangeTokens(ctx, r, tx, u, newEmail, redirectTo, pkce)
	if err != nil {
		return err
	}
	at := h.now()
	h.queue(tx, Message{To: newEmail, Kind: KindEmailChange, VerifyType: "email_change", Subject: "Confirm Email Change",
		OTP: next.OTP, TokenHash: next.Hash, Link: next.Link, RedirectTo: next.RedirectTo, At: at})
	if cur.Hash != "" {
		h.queue(tx, Message{To: u.Email, Kind: KindEmailChange, VerifyType: "email_change", Subject: "Confirm Email Change",
			OTP: cur.OTP, TokenHash: cur.Hash, Link: cur.Link, RedirectTo: cur.RedirectTo, At: at})
	}
	return nil
}

// sendSMS generates a code for phone (sms: confirmation_token; phone_change:
// phone_change_token; reauthentication) and records the text.
func (h *Handler) sendSMS(ctx context.Context, tx pgx.Tx, u *user, phone, verifyType string) error {
	var col, sent string
	var last *time.Time
	switch verifyType {
	case "sms":
		col, sent, last = "confirmation_token", "confirmation_sent_at", u.ConfirmationSentAt
	case "phone_change":
		col, sent, last = "phone_change_token", "phone_change_sent_at", u.PhoneChangeSentAt
	case "reauthentication":
		col, sent, last = "reauthentication_token", "reauthentication_sent_at", u.ReauthSentAt
	default:
		return fmt.Errorf("gotrue: sms type %q", verifyType)
	}
	if err := h.rateLimit(last, true); err != nil {
		return err
	}
	now := h.now()
	otp := randomDigits(6)
	extra := ""
	if verifyType == "phone_change" {
		extra = ", phone_change = $4"
	}
	args := []any{u.ID, tokenHash(phone, otp), now}
	if extra != "" {
		args = append(args, phone)
	}
	if _, err := tx.Exec(ctx, `update auth.users set `+col+` = $2, `+sent+` = $3, updated_at = $3`+extra+` where id = $1`, args...); err != nil {
		return fmt.Errorf("store sms token: %w", err)
	}
	h.queue(tx, Message{To: phone, Kind: KindSMS, VerifyType: verifyType, OTP: otp, At: now})
	return nil
}

// createFlowState records a PKCE flow; its auth code is handed out when
// the flow completes.
func (h *Handler) createFlowState(ctx context.Context, tx pgx.Tx, userID *uuid.UUID, providerType, method string, pkce pkceParams, redirectTo string) error {
	now := h.now()
	_, err := tx.Exec(ctx, `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
		provider_type, created_at, updated_at, authentication_method, redirect_to)
		values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)`,
		uuid.New(), userID, uuid.NewString(), strings.ToLower(pkce.CodeChallengeMethod), pkce.CodeChallenge,
		providerType, now, method, redirectTo)
	if err != nil {
		return fmt.Errorf("flow state: %w", err)
	}
	return nil
}
