package gotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

type otpParams struct {
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Data       map[string]any `json:"data"`
	CreateUser *bool          `json:"create_user"`
	Channel    string         `json:"channel"`
	pkceParams
}

// POST /otp
func (h *Handler) otp(w http.ResponseWriter, r *http.Request) error {
	var p otpParams
	if err := decode(r, &p); err != nil {
		return err
	}
	return h.sendOTP(w, r, p)
}

// POST /magiclink (legacy form of /otp for emails)
func (h *Handler) magiclink(w http.ResponseWriter, r *http.Request) error {
	var p otpParams
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.Email == "" {
		return badRequest("validation_failed", "Password recovery requires an email")
	}
	p.Phone = ""
	return h.sendOTP(w, r, p)
}

func (h *Handler) sendOTP(w http.ResponseWriter, r *http.Request, p otpParams) error {
	if p.Email != "" && p.Phone != "" {
		return badRequest("validation_failed", "Only an email address or phone number should be provided")
	}
	if p.Email == "" && p.Phone == "" {
		return badRequest("validation_failed", "An email address or phone number is required")
	}
	if err := p.validate(); err != nil {
		return err
	}
	if p.Channel != "" && p.Channel != "sms" && p.Channel != "whatsapp" {
		return badRequest("validation_failed", "Invalid channel: %s", p.Channel)
	}
	create := p.CreateUser == nil || *p.CreateUser
	var email, phone string
	var err error
	if p.Email != "" {
		email, err = normalizeEmail(p.Email)
	} else {
		phone, err = normalizePhone(p.Phone)
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = h.tx(ctx, func(tx pgx.Tx) error {
		var u *user
		var ferr error
		if email != "" {
			u, ferr = findUserByEmail(ctx, tx, email)
		} else {
			u, ferr = findUserByPhone(ctx, tx, phone)
		}
		if ferr != nil && !errors.Is(ferr, errNoUser) {
			return ferr
		}
		if u == nil {
			if !create || h.cfg.DisableSignup {
				return unprocessable("otp_disabled", "Signups not allowed for otp")
			}
			id := uuid.New()
			u, ferr = h.createUser(ctx, tx, newUser{ID: id, Email: email, Phone: phone,
				UserMeta: identityMetadata(id, email, phone, p.Data), IdentityExtra: p.Data})
			if ferr != nil {
				return ferr
			}
		}
		if u.banned(h.now()) {
			return errUserBanned
		}
		if phone != "" {
			return h.sendSMS(ctx, tx, u, phone, "sms")
		}
		if !u.emailConfirmed() {
			return h.sendEmail(ctx, r, tx, u, KindSignup, redirectParam(r, ""), p.pkceParams)
		}
		return h.sendEmail(ctx, r, tx, u, KindMagicLink, redirectParam(r, ""), p.pkceParams)
	})
	if err != nil {
		return err
	}
	if phone != "" {
		writeJSON(w, http.StatusOK, map[string]any{"message_id": nil})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// POST /recover
func (h *Handler) recover(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Email string `json:"email"`
		pkceParams
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.Email == "" {
		return badRequest("validation_failed", "Password recovery requires an email")
	}
	email, err := normalizeEmail(p.Email)
	if err != nil {
		return err
	}
	if err := p.validate(); err != nil {
		return err
	}
	ctx := r.Context()
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByEmail(ctx, tx, email)
		if errors.Is(err, errNoUser) {
			return nil // no enumeration
		}
		if err != nil {
			return err
		}
		return h.sendEmail(ctx, r, tx, u, KindRecovery, redirectParam(r, ""), p.pkceParams)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// POST /resend
func (h *Handler) resend(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Type  string `json:"type"`
		Email string `json:"email"`
		Phone string `json:"phone"`
		pkceParams
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	switch p.Type {
	case "signup", "email_change", "sms", "phone_change":
	default:
		return badRequest("validation_failed", "Missing one of these types: signup, email_change, sms, phone_change")
	}
	isEmail := p.Type == "signup" || p.Type == "email_change"
	var key string
	var err error
	if isEmail {
		if p.Email == "" {
			return badRequest("validation_failed", "Type provided requires an email address")
		}
		key, err = normalizeEmail(p.Email)
	} else {
		if p.Phone == "" {
			return badRequest("validation_failed", "Type provided requires a phone number")
		}
		key, err = normalizePhone(p.Phone)
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = h.tx(ctx, func(tx pgx.Tx) error {
		var u *user
		var err error
		switch p.Type {
		case "signup":
			u, err = findUserByEmail(ctx, tx, key)
		case "email_change":
			u, err = findUser(ctx, tx, `lower(email_change) = $1 and deleted_at is null`, key)
		case "sms":
			u, err = findUserByPhone(ctx, tx, key)
		case "phone_change":
			u, err = findUser(ctx, tx, `phone_change = $1 and deleted_at is null`, key)
		}
		if errors.Is(err, errNoUser) {
			return nil // no enumeration
		}
		if err != nil {
			return err
		}
		switch p.Type {
		case "signup":
			if u.emailConfirmed() {
				return nil
			}
			return h.sendEmail(ctx, r, tx, u, KindSignup, redirectParam(r, ""), p.pkceParams)
		case "email_change":
			return h.sendEmailChange(ctx, r, tx, u, u.EmailChange, redirectParam(r, ""), p.pkceParams)
		case "sms":
			if u.phoneConfirmed() {
				return nil
			}
			return h.sendSMS(ctx, tx, u, key, "sms")
		default:
			return h.sendSMS(ctx, tx, u, key, "phone_change")
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// GET /reauthenticate
func (h *Handler) reauthenticate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		u := au.user
		switch {
		case u.Email != "":
			if !u.emailConfirmed() {
				return unprocessable("email_not_confirmed", "Please verify your email first.")
			}
			return h.sendEmail(ctx, r, tx, u, KindReauthentication, "", pkceParams{})
		case u.Phone != "":
			if !u.phoneConfirmed() {
				return unprocessable("phone_not_confirmed", "Please verify your phone first.")
			}
			return h.sendSMS(ctx, tx, u, u.Phone, "reauthentication")
		default:
			return unprocessable("validation_failed", "Reauthentication requires the user to have an email or a phone number")
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}
