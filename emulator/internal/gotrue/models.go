package gotrue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what handlers need from a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// user is one row of auth.users.
type user struct {
	ID                       uuid.UUID
	Aud, Role                string
	Email                    string
	EncryptedPassword        string
	EmailConfirmedAt         *time.Time
	InvitedAt                *time.Time
	ConfirmationToken        string
	ConfirmationSentAt       *time.Time
	RecoveryToken            string
	RecoverySentAt           *time.Time
	EmailChangeTokenNew      string
	EmailChange              string
	EmailChangeSentAt        *time.Time
	EmailChangeTokenCurrent  string
	EmailChangeConfirmStatus int16
	LastSignInAt             *time.Time
	AppMeta                  map[string]any
	UserMeta                 map[string]any
	CreatedAt, UpdatedAt     time.Time
	Phone                    string
	PhoneConfirmedAt         *time.Time
	PhoneChange              string
	PhoneChangeToken         string
	PhoneChangeSentAt        *time.Time
	ConfirmedAt              *time.Time
	ReauthToken              string
	ReauthSentAt             *time.Time
	BannedUntil              *time.Time
	DeletedAt                *time.Time
	IsAnonymous              bool
}

const userColumns = `id, coalesce(aud, ''), coalesce(role, ''), coalesce(email, ''), coalesce(encrypted_password, ''),
	email_confirmed_at, invited_at, coalesce(confirmation_token, ''), confirmation_sent_at,
	coalesce(recovery_token, ''), recovery_sent_at, coalesce(email_change_token_new, ''), coalesce(email_change, ''),
	email_change_sent_at, coalesce(email_change_token_current, ''), coalesce(email_change_confirm_status, 0),
	last_sign_in_at, coalesce(raw_app_meta_data, '{}'), coalesce(raw_user_meta_data, '{}'),
	coalesce(created_at, now()), coalesce(updated_at, now()),
	coalesce(phone, ''), phone_confirmed_at, coalesce(phone_change, ''), coalesce(phone_change_token, ''),
	phone_change_sent_at, confirmed_at, coalesce(reauthentication_token, ''), reauthentication_sent_at,
	banned_until, deleted_at, is_anonymous`

func scanUser(row pgx.Row) (*user, error) {
	u := &user{}
	var app, meta []byte
	err := row.Scan(&u.ID, &u.Aud, &u.Role, &u.Email, &u.EncryptedPassword,
		&u.EmailConfirmedAt, &u.InvitedAt, &u.ConfirmationToken, &u.ConfirmationSentAt,
		&u.RecoveryToken, &u.RecoverySentAt, &u.EmailChangeTokenNew, &u.EmailChange,
		&u.EmailChangeSentAt, &u.EmailChangeTokenCurrent, &u.EmailChangeConfirmStatus,
		&u.LastSignInAt, &app, &meta, &u.CreatedAt, &u.UpdatedAt,
		&u.Phone, &u.PhoneConfirmedAt, &u.PhoneChange, &u.PhoneChangeToken,
		&u.PhoneChangeSentAt, &u.ConfirmedAt, &u.ReauthToken, &u.ReauthSentAt,
		&u.BannedUntil, &u.DeletedAt, &u.IsAnonymous)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(app, &u.AppMeta); err != nil || u.AppMeta == nil {
		u.AppMeta = map[string]any{}
	}
	if err := json.Unmarshal(meta, &u.UserMeta); err != nil || u.UserMeta == nil {
		u.UserMeta = map[string]any{}
	}
	return u, nil
}

// errNoUser is returned by the finders when no row matches.
var errNoUser = errors.New("gotrue: no such user")

func findUser(ctx context.Context, q querier, where string, args ...any) (*user, error) {
	u, err := scanUser(q.QueryRow(ctx, `select `+userColumns+` from auth.users where `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, fmt.Errorf("gotrue: find user: %w", err)
	}
	return u, nil
}

func findUserByID(ctx context.Context, q querier, id uuid.UUID) (*user, error) {
	return findUser(ctx, q, `id = $1`, id)
}

// findUserByIDForUpdate locks the row for the rest of the transaction.
func findUserByIDForUpdate(ctx context.Context, q querier, id uuid.UUID) (*user, error) {
	return findUser(ctx, q, `id = $1 for update`, id)
}

func findUserByEmail(ctx context.Context, q querier, email string) (*user, error) {
	return findUser(ctx, q, `lower(email) = $1 and is_sso_user = false and deleted_at is null`, email)
}

func findUserByPhone(ctx context.Context, q querier, phone string) (*user, error) {
	return findUser(ctx, q, `phone = $1 and deleted_at is null`, phone)
}

func (u *user) emailConfirmed() bool { return u.EmailConfirmedAt != nil }
func (u *user) phoneConfirmed() bool { return u.PhoneConfirmedAt != nil }
func (u *user) banned(now time.Time) bool {
	return u.BannedUntil != nil && u.BannedUntil.After(now)
}

// identity is one row of auth.identities.
type identity struct {
	ID           uuid.UUID
	ProviderID   string
	UserID       uuid.UUID
	Data         map[string]any
	Provider     string
	LastSignInAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Email        string
}

func loadIdentities(ctx context.Context, q querier, userID uuid.UUID) ([]identity, error) {
	rows, err := q.Query(ctx, `select id, provider_id, user_id, identity_data, provider, last_sign_in_at,
		coalesce(created_at, now()), coalesce(updated_at, now()), coalesce(email, '')
		from auth.identities where user_id = $1 order by created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("gotrue: identities: %w", err)
	}
	defer rows.Close()
	out := []identity{}
	for rows.Next() {
		var i identity
		var data []byte
		if err := rows.Scan(&i.ID, &i.ProviderID, &i.UserID, &data, &i.Provider, &i.LastSignInAt, &i.CreatedAt, &i.UpdatedAt, &i.Email); err != nil {
			return nil, fmt.Errorf("gotrue: identities: %w", err)
		}
		if json.Unmarshal(data, &i.Data) != nil || i.Data == nil {
			i.Data = map[string]any{}
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// factor is one row of auth.mfa_factors.
type factor struct {
	ID               uuid.UUID
	UserID           uuid.UUID
	FriendlyName     string
	FactorType       string
	Status           string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Secret           string
	Phone            string
	LastChallengedAt *time.Time
}

const factorColumns = `id, user_id, coalesce(friendly_name, ''), factor_type, status, created_at, updated_at,
	coalesce(secret, ''), coalesce(phone, ''), last_challenged_at`

func scanFactor(row pgx.Row) (*factor, error) {
	f := &factor{}
	err := row.Scan(&f.ID, &f.UserID, &f.FriendlyName, &f.FactorType, &f.Status, &f.CreatedAt, &f.UpdatedAt, &f.Secret, &f.Phone, &f.LastChallengedAt)
	return f, err
}

func loadFactors(ctx context.Context, q querier, userID uuid.UUID) ([]factor, error) {
	rows, err := q.Query(ctx, `select `+factorColumns+` from auth.mfa_factors where user_id = $1 order by created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("gotrue: factors: %w", err)
	}
	defer rows.Close()
	out := []factor{}
	for rows.Next() {
		f, err := scanFactor(rows)
		if err != nil {
			return nil, fmt.Errorf("gotrue: factors: %w", err)
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// JSON shapes, field order as GoTrue's.

type userJSON struct {
	ID                     uuid.UUID      `json:"id"`
	Aud                    string         `json:"aud"`
	Role                   string         `json:"role"`
	Email                  string         `json:"email"`
	EmailConfirmedAt       *time.Time     `json:"email_confirmed_at,omitempty"`
	InvitedAt              *time.Time     `json:"invited_at,omitempty"`
	Phone                  string         `json:"phone"`
	PhoneConfirmedAt       *time.Time     `json:"phone_confirmed_at,omitempty"`
	ConfirmationSentAt     *time.Time     `json:"confirmation_sent_at,omitempty"`
	ConfirmedAt            *time.Time     `json:"confirmed_at,omitempty"`
	RecoverySentAt         *time.Time     `json:"recovery_sent_at,omitempty"`
	NewEmail               string         `json:"new_email,omitempty"`
	EmailChangeSentAt      *time.Time     `json:"email_change_sent_at,omitempty"`
	NewPhone               string         `json:"new_phone,omitempty"`
	PhoneChangeSentAt      *time.Time     `json:"phone_change_sent_at,omitempty"`
	ReauthenticationSentAt *time.Time     `json:"reauthentication_sent_at,omitempty"`
	LastSignInAt           *time.Time     `json:"last_sign_in_at,omitempty"`
	AppMetadata            map[string]any `json:"app_metadata"`
	UserMetadata           map[string]any `json:"user_metadata"`
	Factors                []factorJSON   `json:"factors,omitempty"`
	Identities             []identityJSON `json:"identities"`
	CreatedAt              time.Time      `json:"created_at"`
	UpdatedAt              time.Time      `json:"updated_at"`
	BannedUntil            *time.Time     `json:"banned_until,omitempty"`
	DeletedAt              *time.Time     `json:"deleted_at,omitempty"`
	IsAnonymous            bool           `json:"is_anonymous"`
}

type identityJSON struct {
	IdentityID   uuid.UUID      `json:"identity_id"`
	ID           string         `json:"id"`
	UserID       uuid.UUID      `json:"user_id"`
	IdentityData map[string]any `json:"identity_data"`
	Provider     string         `json:"provider"`
	LastSignInAt *time.Time     `json:"last_sign_in_at,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Email        string         `json:"email,omitempty"`
}

type factorJSON struct {
	ID               uuid.UUID  `json:"id"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Status           string     `json:"status"`
	FriendlyName     string     `json:"friendly_name"`
	FactorType       string     `json:"factor_type"`
	Phone            string     `json:"phone"`
	LastChallengedAt *time.Time `json:"last_challenged_at,omitempty"`
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

func (f *factor) json() factorJSON {
	return factorJSON{ID: f.ID, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(), Status: f.Status,
		FriendlyName: f.FriendlyName, FactorType: f.FactorType, Phone: f.Phone, LastChallengedAt: utc(f.LastChallengedAt)}
}

// json renders u; identities nil renders null (as in admin listings).
func (u *user) json(idents []identity, factors []factor) userJSON {
	j := userJSON{
		ID: u.ID, Aud: u.Aud, Role: u.Role, Email: u.Email,
		EmailConfirmedAt: utc(u.EmailConfirmedAt), InvitedAt: utc(u.InvitedAt), Phone: u.Phone,
		PhoneConfirmedAt: utc(u.PhoneConfirmedAt), ConfirmationSentAt: utc(u.ConfirmationSentAt),
		ConfirmedAt: utc(u.ConfirmedAt), RecoverySentAt: utc(u.RecoverySentAt), NewEmail: u.EmailChange,
		EmailChangeSentAt: utc(u.EmailChangeSentAt), NewPhone: u.PhoneChange, PhoneChangeSentAt: utc(u.PhoneChangeSentAt),
		ReauthenticationSentAt: utc(u.ReauthSentAt), LastSignInAt: utc(u.LastSignInAt),
		AppMetadata: u.AppMeta, UserMetadata: u.UserMeta,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), BannedUntil: utc(u.BannedUntil),
		DeletedAt: utc(u.DeletedAt), IsAnonymous: u.IsAnonymous,
	}
	if u.EmailChange == "" {
		j.EmailChangeSentAt = nil
	}
	if idents != nil {
		j.Identities = make([]identityJSON, 0, len(idents))
		for _, i := range idents {
			j.Identities = append(j.Identities, identityJSON{IdentityID: i.ID, ID: i.ProviderID, UserID: i.UserID,
				IdentityData: i.Data, Provider: i.Provider, LastSignInAt: utc(i.LastSignInAt),
				CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(), Email: i.Email})
		}
	}
	for i := range factors {
		j.Factors = append(j.Factors, factors[i].json())
	}
	return j
}

// render loads u's identities and factors and renders the full user object.
func (h *Handler) render(ctx context.Context, q querier, u *user) (userJSON, error) {
	idents, err := loadIdentities(ctx, q, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	factors, err := loadFactors(ctx, q, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	return u.json(idents, factors), nil
}

// renderByID reloads the user with the given id and renders it, so a
// response shows the changes made earlier in the transaction.
func (h *Handler) renderByID(ctx context.Context, q querier, id uuid.UUID) (userJSON, error) {
	u, err := findUserByID(ctx, q, id)
	if err != nil {
		return userJSON{}, err
	}
	return h.render(ctx, q, u)
}

func jsonRoundTrip(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
