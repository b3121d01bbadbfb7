package gotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

type signupParams struct {
	Email    string         `json:"email"`
	Phone    string         `json:"phone"`
	Password string         `json:"password"`
	Data     map[string]any `json:"data"`
	Channel  string         `json:"channel"`
	pkceParams
}

// POST /signup
func (h *Handler) signup(w http.ResponseWriter, r *http.Request) error {
	var p signupParams
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.Email == "" && p.Phone == "" {
		return h.signInAnonymously(w, r, p)
	}
	if h.cfg.DisableSignup {
		return errSignupDisabled
	}
	if err := p.validate(); err != nil {
		return err
	}
	var email, phone string
	var err error
	if p.Email != "" {
		if email, err = normalizeEmail(p.Email); err != nil {
			return err
		}
	} else if phone, err = normalizePhone(p.Phone); err != nil {
		return err
	}
	if p.Password == "" {
		return badRequest("validation_failed", "Signup requires a valid password")
	}
	if err := h.checkPassword(p.Password); err != nil {
		return err
	}
	ctx := r.Context()
	var body any
	var session *tokenResponse
	err = h.tx(ctx, func(tx pgx.Tx) error {
		var existing *user
		var ferr error
		if email != "" {
			existing, ferr = findUserByEmail(ctx, tx, email)
		} else {
			existing, ferr = findUserByPhone(ctx, tx, phone)
		}
		if ferr != nil && !errors.Is(ferr, errNoUser) {
			return ferr
		}
		confirmed := existing != nil && ((email != "" && existing.emailConfirmed()) || (phone != "" && existing.phoneConfirmed()))
		switch {
		case existing != nil && confirmed:
			if h.cfg.Autoconfirm {
				return unprocessable("user_already_exists", "User already registered")
			}
			// Anti-enumeration: a fake user, nothing sent.
			if err := h.audit(ctx, tx, existing, "user_repeated_signup", map[string]any{"provider": "email"}); err != nil {
				return err
			}
			now := h.now()
			fake := &user{ID: uuid.New(), Aud: "authenticated", Email: email, Phone: phone,
				ConfirmationSentAt: &now, AppMeta: map[string]any{}, UserMeta: map[string]any{}, CreatedAt: now, UpdatedAt: now}
			if email != "" {
				fake.AppMeta = map[string]any{"provider": "email", "providers": []string{"email"}}
			} else {
				fake.AppMeta = map[string]any{"provider": "phone", "providers": []string{"phone"}}
			}
			body = fake.json([]identity{}, nil)
			return nil
		case existing != nil:
			// Unconfirmed: refresh password and data, send again.
			hash, err := h.hashPassword(p.Password)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `update auth.users set encrypted_password = $2 where id = $1`, existing.ID, hash); err != nil {
				return err
			}
			if err := mergeMeta(ctx, tx, existing.ID, "raw_user_meta_data", p.Data, h.now()); err != nil {
				return err
			}
		default:
			id := uuid.New()
			existing, ferr = h.createUser(ctx, tx, newUser{ID: id, Email: email, Phone: phone, Password: p.Password,
				UserMeta: identityMetadata(id, email, phone, p.Data), IdentityExtra: p.Data,
				EmailConfirmed: h.cfg.Autoconfirm && email != "", PhoneConfirmed: h.cfg.Autoconfirm && phone != ""})
			if ferr != nil {
				return ferr
			}
		}
		u := existing
		if h.cfg.Autoconfirm {
			provider := "email"
			if email == "" {
				provider = "phone"
			}
			if err := h.audit(ctx, tx, u, "user_signedup", map[string]any{"provider": provider}); err != nil {
				return err
			}
			s, err := h.createSession(ctx, r, tx, u, "password")
			if err != nil {
				return err
			}
			session = s
			return nil
		}
		if email != "" {
			if err := h.sendEmail(ctx, r, tx, u, KindSignup, redirectParam(r, ""), p.pkceParams); err != nil {
				return err
			}
		} else if err := h.sendSMS(ctx, tx, u, phone, "sms"); err != nil {
			return err
		}
		u, err := findUserByID(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		uj, err := h.render(ctx, tx, u)
		if err != nil {
			return err
		}
		body = uj
		return nil
	})
	if err != nil {
		return err
	}
	if session != nil {
		h.writeSession(w, http.StatusOK, session, false)
		return nil
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) signInAnonymously(w http.ResponseWriter, r *http.Request, p signupParams) error {
	if !h.cfg.AllowAnonymous {
		return unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled")
	}
	if h.cfg.DisableSignup {
		return errSignupDisabled
	}
	ctx := r.Context()
	var session *tokenResponse
	err := h.tx(ctx, func(tx pgx.Tx) error {
		u, err := h.createUser(ctx, tx, newUser{UserMeta: p.Data, Anonymous: true})
		if err != nil {
			return err
		}
		session, err = h.createSession(ctx, r, tx, u, "anonymous")
		return err
	})
	if err != nil {
		return err
	}
	h.writeSession(w, http.StatusOK, session, false)
	return nil
}
