package gotrue

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// GET /user
func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var body userJSON
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		body, err = h.render(ctx, tx, au.user)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

type updateUserParams struct {
	Email           string         `json:"email"`
	Phone           string         `json:"phone"`
	Password        *string        `json:"password"`
	CurrentPassword string         `json:"current_password"`
	Nonce           string         `json:"nonce"`
	Data            map[string]any `json:"data"`
	AppData         map[string]any `json:"app_metadata"`
	Channel         string         `json:"channel"`
	pkceParams
}

// PUT /user
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	var p updateUserParams
	if err := decode(r, &p); err != nil {
		return err
	}
	if err := p.validate(); err != nil {
		return err
	}
	ctx := r.Context()
	var body userJSON
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		u, err := findUserByIDForUpdate(ctx, tx, au.user.ID)
		if err != nil {
			return err
		}
		now := h.now()
		if p.Password != nil {
			pw := *p.Password
			if err := h.checkPassword(pw); err != nil {
				return err
			}
			if passwordMatches(u.EncryptedPassword, pw) {
				return unprocessable("same_password", "New password should be different from the old password.")
			}
			if p.CurrentPassword != "" && !passwordMatches(u.EncryptedPassword, p.CurrentPassword) {
				return badRequest("invalid_credentials", "Current password required when setting new password.")
			}
			if h.cfg.UpdatePasswordRequireReauthentication && !u.IsAnonymous {
				if p.Nonce == "" {
					return badRequest("reauthentication_needed", "Password update requires reauthentication")
				}
				key := u.Email
				if key == "" {
					key = u.Phone
				}
				if u.ReauthToken == "" || u.ReauthToken != tokenHash(key, p.Nonce) || expired(u.ReauthSentAt, h.cfg.OTPExpiry, now) {
					return badRequest("reauthentication_not_valid", "Requires reauthentication")
				}
			}
			hash, err := h.hashPassword(pw)
			if err != nil {
				return err
			}
			// GoTrue also drops the (spent) confirmation timestamp of a
			// confirmed user when the password changes.
			if _, err := tx.Exec(ctx, `update auth.users set encrypted_password = $2, reauthentication_token = '', updated_at = $3,
				confirmation_sent_at = case when email_confirmed_at is not null then null else confirmation_sent_at end where id = $1`, u.ID, hash, now); err != nil {
				return err
			}
		}
		if p.Data != nil {
			if err := mergeMeta(ctx, tx, u.ID, "raw_user_meta_data", p.Data, now); err != nil {
				return err
			}
		}
		if p.Email != "" {
			email, err := normalizeEmail(p.Email)
			if err != nil {
				return err
			}
			if email != u.Email {
				other, err := findUserByEmail(ctx, tx, email)
				if err := ensureUnclaimed(other, err, u.ID, errEmailExists); err != nil {
					return err
				}
				if h.cfg.Autoconfirm && u.Email != "" {
					if _, err := tx.Exec(ctx, `update auth.users set email = $2, email_confirmed_at = coalesce(email_confirmed_at, $3), updated_at = $3 where id = $1`, u.ID, email, now); err != nil {
						return err
					}
				} else if err := h.sendEmailChange(ctx, r, tx, u, email, redirectParam(r, ""), p.pkceParams); err != nil {
					return err
				}
			}
		}
		if p.Phone != "" {
			phone, err := normalizePhone(p.Phone)
			if err != nil {
				return err
			}
			if phone != u.Phone {
				other, err := findUserByPhone(ctx, tx, phone)
				if err := ensureUnclaimed(other, err, u.ID, errPhoneExists); err != nil {
					return err
				}
				if h.cfg.Autoconfirm {
					if _, err := tx.Exec(ctx, `update auth.users set phone = $2, phone_confirmed_at = $3, updated_at = $3 where id = $1`, u.ID, phone, now); err != nil {
						return err
					}
				} else if err := h.sendSMS(ctx, tx, u, phone, "phone_change"); err != nil {
					return err
				}
			}
		}
		action := "user_modified"
		if p.Password != nil {
			action = "user_updated_password"
		}
		if err := h.audit(ctx, tx, u, action, nil); err != nil {
			return err
		}
		body, err = h.renderByID(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// ensureUnclaimed checks the result of looking an email or phone up: it
// passes when no user other than self holds it, returns taken when one
// does, and returns any lookup error but errNoUser.
func ensureUnclaimed(other *user, err error, self uuid.UUID, taken error) error {
	if err != nil && !errors.Is(err, errNoUser) {
		return err
	}
	if other != nil && other.ID != self {
		return taken
	}
	return nil
}

// POST /logout?scope=global|local|others
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	scope := r.URL.Query().Get("scope")
	switch scope {
	case "":
		scope = "global"
	case "global", "local", "others":
	default:
		return badRequest("validation_failed", "Unsupported logout scope %q", scope)
	}
	ctx := r.Context()
	err := h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		if err := h.audit(ctx, tx, au.user, "logout", nil); err != nil {
			return err
		}
		if au.session == nil {
			if scope == "global" {
				_, err := tx.Exec(ctx, `delete from auth.sessions where user_id = $1`, au.user.ID)
				return err
			}
			return errSessionNotFound
		}
		switch scope {
		case "global":
			_, err = tx.Exec(ctx, `delete from auth.sessions where user_id = $1`, au.user.ID)
		case "local":
			_, err = tx.Exec(ctx, `delete from auth.sessions where id = $1`, au.session.ID)
		case "others":
			_, err = tx.Exec(ctx, `delete from auth.sessions where user_id = $1 and id <> $2`, au.user.ID, au.session.ID)
		}
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
