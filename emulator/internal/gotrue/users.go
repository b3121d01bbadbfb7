package gotrue

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"
)

// newUser describes a user to insert.
type newUser struct {
	ID             uuid.UUID // zero: random
	Email, Phone   string    // normalised
	Password       string
	UserMeta       map[string]any
	AppMeta        map[string]any
	IdentityExtra  map[string]any // merged into the identity's data
	EmailConfirmed bool
	PhoneConfirmed bool
	Anonymous      bool
	Invited        bool
	Role           string
	BannedUntil    *time.Time
}

// normalizeEmail validates and lower-cases an address.
func normalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") || len(s) > 255 {
		return "", errInvalidEmail
	}
	return strings.ToLower(s), nil
}

var phoneRe = regexp.MustCompile(`^[1-9]\d{7,14}$`)

// normalizePhone validates an E.164 number and strips '+' and spaces, as
// GoTrue stores phones.
func normalizePhone(s string) (string, error) {
	s = strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "+")
	if !phoneRe.MatchString(s) {
		return "", errInvalidPhone
	}
	return s, nil
}

// checkPassword applies the password policy; a weak password gets a 422
// weak_password error listing its reasons ("length", "characters").
func (h *Handler) checkPassword(pw string) error {
	if len(pw) > 72 {
		return unprocessable("validation_failed", "Password cannot be longer than 72 characters")
	}
	if reasons, msg := h.weakness(pw); len(reasons) > 0 {
		e := unprocessable("weak_password", "%s", msg)
		e.Reasons = reasons
		return e
	}
	return nil
}

// weakness returns why pw fails the policy, and GoTrue's message.
func (h *Handler) weakness(pw string) (reasons []string, msg string) {
	var msgs []string
	if utf8.RuneCountInString(pw) < h.cfg.PasswordMinLength {
		reasons = append(reasons, "length")
		msgs = append(msgs, fmt.Sprintf("Password should be at least %d characters.", h.cfg.PasswordMinLength))
	}
	for _, set := range h.cfg.PasswordRequiredCharacters {
		if !strings.ContainsAny(pw, set) {
			reasons = append(reasons, "characters")
			msgs = append(msgs, fmt.Sprintf("Password should contain at least one character of each: %s.", strings.Join(h.cfg.PasswordRequiredCharacters, ", ")))
			break
		}
	}
	return reasons, strings.Join(msgs, " ")
}

func (h *Handler) hashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cfg.PasswordHashCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

func passwordMatches(hash, pw string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// createUser inserts a user (and its email or phone identity).
func (h *Handler) createUser(ctx context.Context, tx pgx.Tx, p newUser) (*user, error) {
	now := h.now()
	id := p.ID
	if id == uuid.Nil {
		id = uuid.New()
	}
	hash := ""
	if p.Password != "" {
		var err error
		if hash, err = h.hashPassword(p.Password); err != nil {
			return nil, err
		}
	}
	app := map[string]any{}
	for k, v := range p.AppMeta {
		app[k] = v
	}
	provider := ""
	switch {
	case p.Email != "":
		provider = "email"
	case p.Phone != "":
		provider = "phone"
	}
	if provider != "" {
		app["provider"] = provider
		app["providers"] = []string{provider}
	}
	meta := map[string]any{}
	for k, v := range p.UserMeta {
		meta[k] = v
	}
	role := p.Role
	if role == "" {
		role = "authenticated"
	}
	var emailConfirmed, phoneConfirmed, invited any
	if p.EmailConfirmed {
		emailConfirmed = now
	}
	if p.PhoneConfirmed {
		phoneConfirmed = now
	}
	if p.Invited {
		invited = now
	}
	var email, phone any
	if p.Email != "" {
		email = p.Email
	}
	if p.Phone != "" {
		phone = p.Phone
	}
	_, err := tx.Exec(ctx, `insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
		email_confirmed_at, phone, phone_confirmed_at, invited_at, raw_app_meta_data, raw_user_meta_data,
		is_super_admin, created_at, updated_at, is_anonymous, banned_until,
		confirmation_token, recovery_token, email_change_token_new, email_change)
		values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', $2, $3, $4, $5, $6, $7, $8, $9, $10,
		false, $11, $11, $12, $13, '', '', '', '')`,
		id, role, email, hash, emailConfirmed, phone, phoneConfirmed, invited, mustJSON(app), mustJSON(meta),
		now, p.Anonymous, p.BannedUntil)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			if strings.Contains(pe.ConstraintName, "phone") {
				return nil, errPhoneExists
			}
			return nil, errEmailExists
		}
		// A failing trigger on auth.users lands here, as on GoTrue.
		return nil, &apiError{Status: 500, Code: "unexpected_failure", Msg: "Database error saving new user", cause: err}
	}
	if provider != "" {
		data := map[string]any{
			"sub":            id.String(),
			"email_verified": false,
			"phone_verified": false,
		}
		if p.Email != "" {
			data["email"] = p.Email
		} else {
			data["phone"] = p.Phone
		}
		for k, v := range p.IdentityExtra {
			if _, ok := data[k]; !ok {
				data[k] = v
			}
		}
		if _, err := tx.Exec(ctx, `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
			values ($1, $2, $3, $4, $5, $5, $5, $6)`, id.String(), id, mustJSON(data), provider, now, uuid.New()); err != nil {
			return nil, fmt.Errorf("insert identity: %w", err)
		}
	}
	return findUserByID(ctx, tx, id)
}

// identityMetadata is what a public sign-up merges into user_metadata.
func identityMetadata(id uuid.UUID, email, phone string, data map[string]any) map[string]any {
	m := map[string]any{}
	for k, v := range data {
		m[k] = v
	}
	m["sub"] = id.String()
	if email != "" {
		m["email"] = email
	}
	if phone != "" {
		m["phone"] = phone
	}
	m["email_verified"] = false
	m["phone_verified"] = false
	return m
}

// markVerified sets email_verified/phone_verified in the user's metadata
// and identity data where those keys exist.
func markVerified(ctx context.Context, tx pgx.Tx, uid uuid.UUID, key string) error {
	if _, err := tx.Exec(ctx, `update auth.users set raw_user_meta_data = jsonb_set(raw_user_meta_data, array[$2], 'true')
		where id = $1 and raw_user_meta_data ? $2`, uid, key); err != nil {
		return fmt.Errorf("mark verified: %w", err)
	}
	if _, err := tx.Exec(ctx, `update auth.identities set identity_data = jsonb_set(identity_data, array[$2], 'true')
		where user_id = $1 and identity_data ? $2`, uid, key); err != nil {
		return fmt.Errorf("mark verified: %w", err)
	}
	return nil
}

// mergeMeta merges patch into the user's column (raw_user_meta_data or
// raw_app_meta_data); null values delete keys, as GoTrue does.
func mergeMeta(ctx context.Context, tx pgx.Tx, uid uuid.UUID, column string, patch map[string]any, now time.Time) error {
	if patch == nil {
		return nil
	}
	var nulls []string
	set := map[string]any{}
	for k, v := range patch {
		if v == nil {
			nulls = append(nulls, k)
		} else {
			set[k] = v
		}
	}
	if nulls == nil {
		nulls = []string{}
	}
	_, err := tx.Exec(ctx, `update auth.users set `+column+` = (coalesce(`+column+`, '{}') || $2::jsonb) - $3::text[], updated_at = $4 where id = $1`,
		uid, mustJSON(set), nulls, now)
	if err != nil {
		return fmt.Errorf("update metadata: %w", err)
	}
	return nil
}
