package gotrue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

type enrollParams struct {
	FactorType   string `json:"factor_type"`
	FriendlyName string `json:"friendly_name"`
	Issuer       string `json:"issuer"`
	Phone        string `json:"phone"`
}

// POST /factors
func (h *Handler) enrollFactor(w http.ResponseWriter, r *http.Request) error {
	var p enrollParams
	if err := decode(r, &p); err != nil {
		return err
	}
	switch p.FactorType {
	case "totp":
	case "phone":
		return unprocessable("mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone")
	case "webauthn":
		return unprocessable("mfa_webauthn_enroll_not_enabled", "MFA enroll is disabled for WebAuthn")
	default:
		return badRequest("validation_failed", "factor_type needs to be totp, phone, or webauthn")
	}
	ctx := r.Context()
	var body map[string]any
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		if au.session == nil {
			return errSessionNotFound
		}
		factors, err := loadFactors(ctx, tx, au.user.ID)
		if err != nil {
			return err
		}
		verified := 0
		for _, f := range factors {
			if f.Status == "verified" {
				verified++
			}
			if p.FriendlyName != "" && f.FriendlyName == p.FriendlyName {
				return unprocessable("mfa_factor_name_conflict", "A factor with the friendly name %q for this user already exists", p.FriendlyName)
			}
		}
		if len(factors) >= h.cfg.MFA.MaxEnrolledFactors {
			return unprocessable("too_many_enrolled_mfa_factors", "Maximum number of verified factors reached, unenroll to continue")
		}
		if verified > 0 && au.session.AAL != "aal2" {
			return unprocessable("insufficient_aal", "AAL2 required to enroll a new factor")
		}
		issuer := p.Issuer
		if issuer == "" {
			issuer = h.cfg.MFA.Issuer
		}
		if issuer == "" {
			if u, err := url.Parse(h.cfg.SiteURL); err == nil {
				issuer = u.Hostname()
			}
		}
		account := au.user.Email
		if account == "" {
			account = au.user.Phone
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
		if err != nil {
			return fmt.Errorf("totp: %w", err)
		}
		svg, err := qrSVG(key.URL())
		if err != nil {
			return err
		}
		now := h.now()
		id := uuid.New()
		if _, err := tx.Exec(ctx, `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
			values ($1, $2, $3, 'totp', 'unverified', $4, $4, $5)`, id, au.user.ID, p.FriendlyName, now, key.Secret()); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return unprocessable("mfa_factor_name_conflict", "A factor with the friendly name %q for this user already exists", p.FriendlyName)
			}
			return err
		}
		if err := h.audit(ctx, tx, au.user, "factor_in_progress", map[string]any{"factor_id": id.String(), "factor_type": "totp"}); err != nil {
			return err
		}
		body = map[string]any{
			"id": id, "type": "totp", "friendly_name": p.FriendlyName,
			"totp": map[string]string{"qr_code": svg, "secret": key.Secret(), "uri": key.URL()},
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// qrSVG renders content as an SVG QR code: 3px modules, a 4-module quiet
// zone, one rect per module, like GoTrue's.
func qrSVG(content string) (string, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	const block, border = 3, 4
	n := code.Bounds().Dx()
	size := (n + 2*border) * block
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\"?>\n<svg width=\"%d\" height=\"%d\"\n     xmlns=\"http://www.w3.org/2000/svg\"\n     xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n", size, size)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			fill := "white"
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fill = "black"
			}
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" style=\"fill:%s;stroke:none\" />\n",
				(x+border)*block, (y+border)*block, block, block, fill)
		}
	}
	b.WriteString("</svg>\n")
	return b.String(), nil
}

// ownFactor loads factor id of the caller.
func (h *Handler) ownFactor(r *http.Request, tx pgx.Tx, au *authUser) (*factor, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return nil, errFactorNotFound
	}
	f, err := scanFactor(tx.QueryRow(r.Context(), `select `+factorColumns+` from auth.mfa_factors where id = $1 and user_id = $2 for update`, id, au.user.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errFactorNotFound
	}
	return f, err
}

// POST /factors/{id}/challenge
func (h *Handler) challengeFactor(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Channel string `json:"channel"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	var body map[string]any
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		f, err := h.ownFactor(r, tx, au)
		if err != nil {
			return err
		}
		now := h.now()
		id := uuid.New()
		if _, err := tx.Exec(ctx, `insert into auth.mfa_challenges (id, factor_id, created_at, ip_address) values ($1, $2, $3, $4)`,
			id, f.ID, now, clientIP(r)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update auth.mfa_factors set last_challenged_at = $2, updated_at = $2 where id = $1`, f.ID, now); err != nil {
			return err
		}
		if err := h.audit(ctx, tx, au.user, "challenge_created", map[string]any{"challenge_id": id.String(), "factor_id": f.ID.String(), "factor_status": f.Status}); err != nil {
			return err
		}
		body = map[string]any{"id": id, "type": f.FactorType, "expires_at": now.Add(h.cfg.MFA.ChallengeExpiry).Unix()}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// POST /factors/{id}/verify
func (h *Handler) verifyFactor(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		ChallengeID string `json:"challenge_id"`
		Code        string `json:"code"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	var session *tokenResponse
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, f, err := h.sessionFactor(ctx, r, tx)
		if err != nil {
			return err
		}
		cid, err := uuid.Parse(p.ChallengeID)
		if err != nil {
			return unprocessable("mfa_factor_not_found", "MFA factor with the provided challenge ID not found")
		}
		var createdAt time.Time
		var verifiedAt *time.Time
		var ip string
		err = tx.QueryRow(ctx, `select created_at, verified_at, host(ip_address) from auth.mfa_challenges where id = $1 and factor_id = $2 for update`, cid, f.ID).
			Scan(&createdAt, &verifiedAt, &ip)
		if errors.Is(err, pgx.ErrNoRows) {
			return unprocessable("mfa_factor_not_found", "MFA factor with the provided challenge ID not found")
		}
		if err != nil {
			return err
		}
		now := h.now()
		if now.After(createdAt.Add(h.cfg.MFA.ChallengeExpiry)) {
			if _, err := tx.Exec(ctx, `delete from auth.mfa_challenges where id = $1`, cid); err != nil {
				return err
			}
			return &commitThen{unprocessable("mfa_challenge_expired", "MFA challenge %v has expired, verify against another challenge or create a new challenge.", cid)}
		}
		if verifiedAt != nil || ip != clientIP(r) {
			return unprocessable("mfa_ip_address_mismatch", "Challenge and verify IP addresses mismatch.")
		}
		ok, err := totp.ValidateCustom(p.Code, f.Secret, h.cfg.Now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil || !ok {
			return unprocessable("mfa_verification_failed", "Invalid TOTP code entered")
		}
		if _, err := tx.Exec(ctx, `update auth.mfa_challenges set verified_at = $2 where id = $1`, cid, now); err != nil {
			return err
		}
		if err := h.audit(ctx, tx, au.user, "verification_attempted", map[string]any{"factor_id": f.ID.String(), "challenge_id": cid.String(), "factor_type": f.FactorType}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update auth.mfa_factors set status = 'verified', updated_at = $2 where id = $1`, f.ID, now); err != nil {
			return err
		}
		sid := au.session.ID
		if _, err := tx.Exec(ctx, `update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = $3 where id = $1`, sid, f.ID, now); err != nil {
			return err
		}
		if err := addAMRClaim(ctx, tx, sid, "totp", now); err != nil {
			return err
		}
		// Sessions of the user still at aal1 end once a factor is verified.
		if _, err := tx.Exec(ctx, `delete from auth.sessions where user_id = $1 and id <> $2 and coalesce(aal, 'aal1') = 'aal1'`, au.user.ID, sid); err != nil {
			return err
		}
		// Rotate the session's refresh token.
		var current string
		err = tx.QueryRow(ctx, `select token from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`, sid).Scan(&current)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `update auth.refresh_tokens set revoked = true, updated_at = $2 where session_id = $1 and revoked = false`, sid, now); err != nil {
			return err
		}
		rt := newRefreshToken()
		if err := insertRefreshToken(ctx, tx, au.user.ID, sid, rt, current, now); err != nil {
			return err
		}
		session, err = h.issue(ctx, r, tx, au.user.ID, sid, rt)
		return err
	})
	if err != nil {
		return err
	}
	h.writeSession(w, http.StatusOK, session, false)
	return nil
}

// sessionFactor returns the signed-in user, who must hold a session, and
// the factor of theirs named in the path.
func (h *Handler) sessionFactor(ctx context.Context, r *http.Request, tx pgx.Tx) (*authUser, *factor, error) {
	au, err := h.requireUser(ctx, r, tx)
	if err != nil {
		return nil, nil, err
	}
	if au.session == nil {
		return nil, nil, errSessionNotFound
	}
	f, err := h.ownFactor(r, tx, au)
	if err != nil {
		return nil, nil, err
	}
	return au, f, nil
}

// DELETE /factors/{id}
func (h *Handler) unenrollFactor(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var id uuid.UUID
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, f, err := h.sessionFactor(ctx, r, tx)
		if err != nil {
			return err
		}
		if f.Status == "verified" && au.session.AAL != "aal2" {
			return errInsufficientAAL
		}
		id = f.ID
		if err := h.audit(ctx, tx, au.user, "factor_unenrolled", map[string]any{"factor_id": f.ID.String(), "factor_status": f.Status}); err != nil {
			return err
		}
		return deleteFactor(r, tx, f.ID)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id})
	return nil
}

// deleteFactor removes a factor and downgrades the sessions it raised.
func deleteFactor(r *http.Request, tx pgx.Tx, id uuid.UUID) error {
	ctx := r.Context()
	if _, err := tx.Exec(ctx, `delete from auth.mfa_amr_claims where authentication_method = 'totp'
		and session_id in (select id from auth.sessions where factor_id = $1)`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `update auth.sessions set aal = 'aal1', factor_id = null where factor_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `delete from auth.mfa_factors where id = $1`, id)
	return err
}
