package gotrue

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// adminUserID parses the {id} path value.
func adminUserID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, badRequest("validation_failed", "user_id must be an UUID")
	}
	return id, nil
}

// GET /admin/users?page=&per_page=&filter=
func (h *Handler) adminListUsers(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	q := r.URL.Query()
	page, perPage, err := pagination(r, 50)
	if err != nil {
		return err
	}
	filter := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q.Get("filter")) + "%"
	ctx := r.Context()
	var total int
	users := []userJSON{}
	err = h.tx(ctx, func(tx pgx.Tx) error {
		where := `deleted_at is null and aud = 'authenticated' and (coalesce(email, '') ilike $1 or coalesce(raw_user_meta_data->>'full_name', '') ilike $1)`
		if err := tx.QueryRow(ctx, `select count(*) from auth.users where `+where, filter).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `select `+userColumns+` from auth.users where `+where+` order by created_at desc, id limit $2 offset $3`,
			filter, perPage, (page-1)*perPage)
		if err != nil {
			return err
		}
		var list []*user
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range list {
			factors, err := loadFactors(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			users = append(users, u.json(nil, factors))
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.paginationHeaders(w, r, page, perPage, total)
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "aud": "authenticated"})
	return nil
}

// paginationHeaders sets GoTrue's Link (relative to the Auth API root) and
// X-Total-Count headers.
func (h *Handler) paginationHeaders(w http.ResponseWriter, r *http.Request, page, perPage, total int) {
	last := int(math.Ceil(float64(total) / float64(perPage)))
	if last < 1 {
		last = 1
	}
	q := r.URL.Query()
	for k, v := range q {
		if len(v) == 1 && v[0] == "" {
			delete(q, k)
		}
	}
	var links []string
	if total > page*perPage {
		q.Set("page", strconv.Itoa(page+1))
		links = append(links, fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	q.Set("page", strconv.Itoa(last))
	links = append(links, fmt.Sprintf(`<%s?%s>; rel="last"`, r.URL.Path, q.Encode()))
	w.Header().Set("Link", strings.Join(links, ", "))
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
}

type adminUserParams struct {
	ID           string         `json:"id"`
	Email        *string        `json:"email"`
	Phone        *string        `json:"phone"`
	Password     *string        `json:"password"`
	EmailConfirm bool           `json:"email_confirm"`
	PhoneConfirm bool           `json:"phone_confirm"`
	UserMetadata map[string]any `json:"user_metadata"`
	AppMetadata  map[string]any `json:"app_metadata"`
	BanDuration  string         `json:"ban_duration"`
	Role         string         `json:"role"`
}

// parseBan returns the banned_until for a ban_duration ("none" lifts it).
func (h *Handler) parseBan(s string) (until *time.Time, lift bool, err error) {
	if s == "" {
		return nil, false, nil
	}
	if s == "none" {
		return nil, true, nil
	}
	d, perr := time.ParseDuration(s)
	if perr != nil {
		return nil, false, badRequest("validation_failed", "invalid format for ban duration: %v", perr)
	}
	t := h.now().Add(d)
	return &t, false, nil
}

// POST /admin/users
func (h *Handler) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	var p adminUserParams
	if err := decode(r, &p); err != nil {
		return err
	}
	var email, phone, pw string
	var err error
	if p.Email != nil && *p.Email != "" {
		if email, err = normalizeEmail(*p.Email); err != nil {
			return err
		}
	}
	if p.Phone != nil && *p.Phone != "" {
		if phone, err = normalizePhone(*p.Phone); err != nil {
			return err
		}
	}
	if email == "" && phone == "" {
		return badRequest("validation_failed", "Unable to validate email address: invalid format")
	}
	if p.Password != nil {
		pw = *p.Password
		if err := h.checkPassword(pw); err != nil {
			return err
		}
	}
	id := uuid.Nil
	if p.ID != "" {
		if id, err = uuid.Parse(p.ID); err != nil {
			return badRequest("validation_failed", "ID must conform to the uuid v4 format")
		}
	}
	ban, _, err := h.parseBan(p.BanDuration)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var body userJSON
	err = h.tx(ctx, func(tx pgx.Tx) error {
		if email != "" {
			if _, err := findUserByEmail(ctx, tx, email); err == nil {
				return errEmailExists
			} else if !errors.Is(err, errNoUser) {
				return err
			}
		}
		if phone != "" {
			if _, err := findUserByPhone(ctx, tx, phone); err == nil {
				return errPhoneExists
			} else if !errors.Is(err, errNoUser) {
				return err
			}
		}
		meta := map[string]any{}
		for k, v := range p.UserMetadata {
			meta[k] = v
		}
		if email != "" {
			meta["email_verified"] = p.EmailConfirm
		}
		if phone != "" {
			meta["phone_verified"] = p.PhoneConfirm
		}
		u, err := h.createUser(ctx, tx, newUser{ID: id, Email: email, Phone: phone, Password: pw, UserMeta: meta,
			AppMeta: p.AppMetadata, EmailConfirmed: p.EmailConfirm, PhoneConfirmed: p.PhoneConfirm, Role: p.Role, BannedUntil: ban})
		if err != nil {
			return err
		}
		if err := h.audit(ctx, tx, nil, "user_signedup", userTraits(u)); err != nil {
			return err
		}
		// GoTrue answers the user as built in memory, before the generated
		// confirmed_at column is read back.
		u.ConfirmedAt = nil
		body, err = h.render(ctx, tx, u)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// GET /admin/users/{id}
func (h *Handler) adminGetUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	id, err := adminUserID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var body userJSON
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByID(ctx, tx, id)
		if errors.Is(err, errNoUser) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		body, err = h.render(ctx, tx, u)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// PUT /admin/users/{id}
func (h *Handler) adminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	id, err := adminUserID(r)
	if err != nil {
		return err
	}
	var p adminUserParams
	if err := decode(r, &p); err != nil {
		return err
	}
	ban, lift, err := h.parseBan(p.BanDuration)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var body userJSON
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByIDForUpdate(ctx, tx, id)
		if errors.Is(err, errNoUser) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		now := h.now()
		exec := func(sql string, args ...any) error {
			_, err := tx.Exec(ctx, sql, append([]any{u.ID, now}, args...)...)
			return err
		}
		if p.Role != "" {
			if err := exec(`update auth.users set role = $3, updated_at = $2 where id = $1`, p.Role); err != nil {
				return err
			}
		}
		if p.Email != nil && *p.Email != "" {
			email, err := normalizeEmail(*p.Email)
			if err != nil {
				return err
			}
			if other, err := findUserByEmail(ctx, tx, email); err == nil && other.ID != u.ID {
				return errEmailExists
			}
			if err := exec(`update auth.users set email = $3, updated_at = $2 where id = $1`, email); err != nil {
				return err
			}
			if err := exec(`update auth.identities set identity_data = identity_data || jsonb_build_object('email', $3::text), updated_at = $2
				where user_id = $1 and provider = 'email'`, email); err != nil {
				return err
			}
		}
		if p.Phone != nil && *p.Phone != "" {
			phone, err := normalizePhone(*p.Phone)
			if err != nil {
				return err
			}
			if other, err := findUserByPhone(ctx, tx, phone); err == nil && other.ID != u.ID {
				return errPhoneExists
			}
			if err := exec(`update auth.users set phone = $3, updated_at = $2 where id = $1`, phone); err != nil {
				return err
			}
		}
		if p.Password != nil {
			if err := h.checkPassword(*p.Password); err != nil {
				return err
			}
			hash, err := h.hashPassword(*p.Password)
			if err != nil {
				return err
			}
			if err := exec(`update auth.users set encrypted_password = $3, updated_at = $2 where id = $1`, hash); err != nil {
				return err
			}
		}
		if p.EmailConfirm {
			if err := exec(`update auth.users set email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2 where id = $1`); err != nil {
				return err
			}
		}
		if p.PhoneConfirm {
			if err := exec(`update auth.users set phone_confirmed_at = coalesce(phone_confirmed_at, $2), updated_at = $2 where id = $1`); err != nil {
				return err
			}
		}
		if err := mergeMeta(ctx, tx, u.ID, "raw_user_meta_data", p.UserMetadata, now); err != nil {
			return err
		}
		if err := mergeMeta(ctx, tx, u.ID, "raw_app_meta_data", p.AppMetadata, now); err != nil {
			return err
		}
		if ban != nil || lift {
			if err := exec(`update auth.users set banned_until = $3, updated_at = $2 where id = $1`, ban); err != nil {
				return err
			}
		}
		if ban != nil {
			if _, err := tx.Exec(ctx, `delete from auth.sessions where user_id = $1`, u.ID); err != nil {
				return err
			}
		}
		if err := h.audit(ctx, tx, nil, "user_modified", userTraits(u)); err != nil {
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

// DELETE /admin/users/{id} (body {"should_soft_delete": bool})
func (h *Handler) adminDeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	id, err := adminUserID(r)
	if err != nil {
		return err
	}
	var p struct {
		ShouldSoftDelete bool `json:"should_soft_delete"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByIDForUpdate(ctx, tx, id)
		if errors.Is(err, errNoUser) || (err == nil && u.DeletedAt != nil) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		if err := h.audit(ctx, tx, nil, "user_deleted", userTraits(u)); err != nil {
			return err
		}
		if !p.ShouldSoftDelete {
			_, err := tx.Exec(ctx, `delete from auth.users where id = $1`, id)
			return err
		}
		return softDelete(ctx, tx, id, h.now())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// softDelete keeps the row (and its id, for foreign keys) but removes every
// way to sign in, as GoTrue does.
func softDelete(ctx context.Context, tx pgx.Tx, id uuid.UUID, now time.Time) error {
	for _, sql := range []string{
		`delete from auth.sessions where user_id = $1`,
		`delete from auth.identities where user_id = $1`,
		`delete from auth.mfa_factors where user_id = $1`,
		`update auth.users set deleted_at = $2, updated_at = $2, email = null, phone = null, encrypted_password = '',
			confirmation_token = '', recovery_token = '', email_change_token_new = '', email_change_token_current = '',
			email_change = '', phone_change = '', phone_change_token = '', reauthentication_token = '',
			raw_app_meta_data = '{}', raw_user_meta_data = '{}' where id = $1`,
	} {
		var err error
		if strings.Contains(sql, "$2") {
			_, err = tx.Exec(ctx, sql, id, now)
		} else {
			_, err = tx.Exec(ctx, sql, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// GET /admin/users/{id}/factors
func (h *Handler) adminListFactors(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	id, err := adminUserID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	out := []factorJSON{}
	err = h.tx(ctx, func(tx pgx.Tx) error {
		if _, err := findUserByID(ctx, tx, id); errors.Is(err, errNoUser) {
			return errUserNotFound
		} else if err != nil {
			return err
		}
		fs, err := loadFactors(ctx, tx, id)
		for i := range fs {
			out = append(out, fs[i].json())
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) adminFactor(r *http.Request, tx pgx.Tx) (*factor, error) {
	uid, err := adminUserID(r)
	if err != nil {
		return nil, err
	}
	fid, err := uuid.Parse(r.PathValue("factorID"))
	if err != nil {
		return nil, errFactorNotFound
	}
	if _, err := findUserByID(r.Context(), tx, uid); errors.Is(err, errNoUser) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	f, err := scanFactor(tx.QueryRow(r.Context(), `select `+factorColumns+` from auth.mfa_factors where id = $1 and user_id = $2 for update`, fid, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errFactorNotFound
	}
	return f, err
}

// PUT /admin/users/{id}/factors/{factorID}
func (h *Handler) adminUpdateFactor(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	var p struct {
		FriendlyName string `json:"friendly_name"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	var body factorJSON
	err := h.tx(r.Context(), func(tx pgx.Tx) error {
		f, err := h.adminFactor(r, tx)
		if err != nil {
			return err
		}
		if p.FriendlyName != "" {
			f.FriendlyName = p.FriendlyName
			f.UpdatedAt = h.now()
			if _, err := tx.Exec(r.Context(), `update auth.mfa_factors set friendly_name = $2, updated_at = $3 where id = $1`, f.ID, f.FriendlyName, f.UpdatedAt); err != nil {
				return err
			}
		}
		body = f.json()
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// DELETE /admin/users/{id}/factors/{factorID}
func (h *Handler) adminDeleteFactor(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	var body factorJSON
	err := h.tx(r.Context(), func(tx pgx.Tx) error {
		f, err := h.adminFactor(r, tx)
		if err != nil {
			return err
		}
		body = f.json()
		if err := h.audit(r.Context(), tx, nil, "factor_deleted", map[string]any{"factor_id": f.ID.String(), "user_id": f.UserID.String()}); err != nil {
			return err
		}
		return deleteFactor(r, tx, f.ID)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

type generateLinkParams struct {
	Type       string         `json:"type"`
	Email      string         `json:"email"`
	NewEmail   string         `json:"new_email"`
	Password   string         `json:"password"`
	Data       map[string]any `json:"data"`
	RedirectTo string         `json:"redirect_to"`
}

// POST /admin/generate_link
func (h *Handler) adminGenerateLink(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	var p generateLinkParams
	if err := decode(r, &p); err != nil {
		return err
	}
	email, err := normalizeEmail(p.Email)
	if err != nil {
		return err
	}
	redirect := redirectParam(r, p.RedirectTo)
	ctx := r.Context()
	var body map[string]any
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByEmail(ctx, tx, email)
		if err != nil && !errors.Is(err, errNoUser) {
			return err
		}
		var lt *linkToken
		switch p.Type {
		case "signup":
			if u != nil && u.emailConfirmed() {
				return errEmailExists
			}
			if err := h.checkPassword(p.Password); err != nil {
				return err
			}
			if u == nil {
				if u, err = h.createUser(ctx, tx, newUser{Email: email, Password: p.Password, UserMeta: p.Data}); err != nil {
					return err
				}
			}
			lt, err = h.emailToken(ctx, r, tx, u, KindSignup, redirect, pkceParams{})
		case "invite":
			if u != nil && u.emailConfirmed() {
				return errEmailExists
			}
			if u == nil {
				if u, err = h.createUser(ctx, tx, newUser{Email: email, UserMeta: p.Data, Invited: true}); err != nil {
					return err
				}
			}
			lt, err = h.emailToken(ctx, r, tx, u, KindInvite, redirect, pkceParams{})
		case "magiclink", "recovery":
			if u == nil {
				return notFound("user_not_found", "User with this email not found")
			}
			kind := KindMagicLink
			if p.Type == "recovery" {
				kind = KindRecovery
			}
			lt, err = h.emailToken(ctx, r, tx, u, kind, redirect, pkceParams{})
		case "email_change_current", "email_change_new":
			if u == nil {
				return notFound("user_not_found", "User with this email not found")
			}
			newEmail, nerr := normalizeEmail(p.NewEmail)
			if nerr != nil {
				return nerr
			}
			if other, err := findUserByEmail(ctx, tx, newEmail); err == nil && other.ID != u.ID {
				return errEmailExists
			}
			cur, next, cerr := h.emailChangeTokens(ctx, r, tx, u, newEmail, redirect, pkceParams{})
			if cerr != nil {
				return cerr
			}
			lt = next
			if p.Type == "email_change_current" && cur.Hash != "" {
				lt = cur
			}
		default:
			return badRequest("validation_failed", "Invalid email action link type requested: %s", p.Type)
		}
		if err != nil {
			return err
		}
		u, err = findUserByID(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		uj, err := h.render(ctx, tx, u)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := jsonRoundTrip(uj, &m); err != nil {
			return err
		}
		m["action_link"] = lt.Link
		m["email_otp"] = lt.OTP
		m["hashed_token"] = lt.Hash
		m["verification_type"] = lt.VerifyType
		m["redirect_to"] = lt.RedirectTo
		body = m
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// POST /invite
func (h *Handler) invite(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireAdmin(r); err != nil {
		return err
	}
	var p struct {
		Email string         `json:"email"`
		Data  map[string]any `json:"data"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	email, err := normalizeEmail(p.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var body userJSON
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := findUserByEmail(ctx, tx, email)
		if err != nil && !errors.Is(err, errNoUser) {
			return err
		}
		if u != nil && u.emailConfirmed() {
			return errEmailExists
		}
		if u == nil {
			if u, err = h.createUser(ctx, tx, newUser{Email: email, UserMeta: p.Data, Invited: true}); err != nil {
				return err
			}
		}
		if err := h.sendEmail(ctx, r, tx, u, KindInvite, redirectParam(r, ""), pkceParams{}); err != nil {
			return err
		}
		if err := h.audit(ctx, tx, nil, "user_invited", map[string]any{"user_id": u.ID.String(), "user_email": u.Email}); err != nil {
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
