package auth

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// User is GoTrue's user object (GET /user, admin endpoints, sessions).
type User struct {
	ID                 string         `json:"id"`
	Aud                string         `json:"aud"`
	Role               string         `json:"role"`
	Email              string         `json:"email"`
	EmailConfirmedAt   *time.Time     `json:"email_confirmed_at,omitempty"`
	Phone              string         `json:"phone"`
	PhoneConfirmedAt   *time.Time     `json:"phone_confirmed_at,omitempty"`
	ConfirmationSentAt *time.Time     `json:"confirmation_sent_at,omitempty"`
	ConfirmedAt        *time.Time     `json:"confirmed_at,omitempty"`
	RecoverySentAt     *time.Time     `json:"recovery_sent_at,omitempty"`
	InvitedAt          *time.Time     `json:"invited_at,omitempty"`
	NewEmail           string         `json:"new_email,omitempty"`
	EmailChangeSentAt  *time.Time     `json:"email_change_sent_at,omitempty"`
	NewPhone           string         `json:"new_phone,omitempty"`
	PhoneChangeSentAt  *time.Time     `json:"phone_change_sent_at,omitempty"`
	ReauthSentAt       *time.Time     `json:"reauthentication_sent_at,omitempty"`
	LastSignInAt       *time.Time     `json:"last_sign_in_at,omitempty"`
	AppMetadata        map[string]any `json:"app_metadata"`
	UserMetadata       map[string]any `json:"user_metadata"`
	Identities         []Identity     `json:"identities,omitempty"`
	Factors            []Factor       `json:"factors,omitempty"`
	CreatedAt          *time.Time     `json:"created_at,omitempty"`
	UpdatedAt          *time.Time     `json:"updated_at,omitempty"`
	BannedUntil        *time.Time     `json:"banned_until,omitempty"`
	DeletedAt          *time.Time     `json:"deleted_at,omitempty"`
	IsAnonymous        bool           `json:"is_anonymous"`
	IsSSOUser          bool           `json:"is_sso_user,omitempty"`
}

// DecodeUserMetadata decodes user_metadata into v (a pointer to a struct or
// map), matching keys to `json` tags (or `mapstructure` tags) and converting
// loosely typed values such as JSON numbers.
func (u *User) DecodeUserMetadata(v any) error { return DecodeMetadata(u.UserMetadata, v) }

// DecodeAppMetadata decodes app_metadata into v; see [User.DecodeUserMetadata].
func (u *User) DecodeAppMetadata(v any) error { return DecodeMetadata(u.AppMetadata, v) }

// VerifiedFactors returns the user's factors whose status is "verified".
func (u *User) VerifiedFactors() []Factor {
	var out []Factor
	for _, f := range u.Factors {
		if f.Status == FactorStatusVerified {
			out = append(out, f)
		}
	}
	return out
}

// DecodeMetadata decodes a loosely typed metadata map into v (a pointer),
// using `json` struct tags for key names (a `mapstructure` tag wins when
// present) and weak typing (JSON numbers decode into ints, etc.).
func DecodeMetadata(m map[string]any, v any) error {
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:           v,
		TagName:          "json",
		WeaklyTypedInput: true,
		SquashTagOption:  "inline",
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeHookFunc(time.RFC3339Nano),
		),
	})
	if err != nil {
		return fmt.Errorf("auth: decode metadata: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	if err := dec.Decode(m); err != nil {
		return fmt.Errorf("auth: decode metadata: %w", err)
	}
	return nil
}

// Identity links a user to a provider (email, phone, github, …).
type Identity struct {
	IdentityID   string         `json:"identity_id"`
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	IdentityData map[string]any `json:"identity_data,omitempty"`
	Provider     string         `json:"provider"`
	LastSignInAt *time.Time     `json:"last_sign_in_at,omitempty"`
	CreatedAt    *time.Time     `json:"created_at,omitempty"`
	UpdatedAt    *time.Time     `json:"updated_at,omitempty"`
	Email        string         `json:"email,omitempty"`
}

// Factor statuses and types.
const (
	FactorStatusVerified   = "verified"
	FactorStatusUnverified = "unverified"

	FactorTypeTOTP  = "totp"
	FactorTypePhone = "phone"
)

// Factor is an MFA factor of a user.
type Factor struct {
	ID               string     `json:"id"`
	FriendlyName     string     `json:"friendly_name,omitempty"`
	FactorType       string     `json:"factor_type"`
	Status           string     `json:"status"`
	Phone            string     `json:"phone,omitempty"`
	CreatedAt        *time.Time `json:"created_at,omitempty"`
	UpdatedAt        *time.Time `json:"updated_at,omitempty"`
	LastChallengedAt *time.Time `json:"last_challenged_at,omitempty"`
}

// Session is a signed-in user's token pair. Its String, GoString and
// LogValue methods redact the tokens, so a Session can be printed or logged
// safely; JSON encoding keeps them (the session store needs them).
type Session struct {
	AccessToken          string        `json:"access_token"`
	TokenType            string        `json:"token_type"`
	ExpiresIn            int64         `json:"expires_in"`
	ExpiresAt            int64         `json:"expires_at"`
	RefreshToken         string        `json:"refresh_token"`
	ProviderToken        string        `json:"provider_token,omitempty"`
	ProviderRefreshToken string        `json:"provider_refresh_token,omitempty"`
	User                 *User         `json:"user"`
	WeakPassword         *WeakPassword `json:"weak_password,omitempty"`
}

// WeakPassword is sent with a session when the password used to sign in
// does not meet the current password policy.
type WeakPassword struct {
	Reasons []string `json:"reasons"`
	Message string   `json:"message,omitempty"`
}

// Expiry returns ExpiresAt as a time (zero when unknown).
func (s *Session) Expiry() time.Time {
	if s == nil || s.ExpiresAt == 0 {
		return time.Time{}
	}
	return time.Unix(s.ExpiresAt, 0)
}

func (s Session) userID() string {
	if s.User == nil {
		return ""
	}
	return s.User.ID
}

// String describes the session without its tokens.
func (s Session) String() string {
	return fmt.Sprintf("auth.Session{user:%q, expires_at:%d, access_token:[REDACTED], refresh_token:[REDACTED]}", s.userID(), s.ExpiresAt)
}

// GoString is String, so %#v does not print the tokens either.
func (s Session) GoString() string { return s.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s) use the redacted form,
// for Session values and pointers alike.
func (s Session) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue logs the session without its tokens.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user_id", s.userID()),
		slog.Int64("expires_at", s.ExpiresAt),
		slog.String("access_token", "[REDACTED]"),
		slog.String("refresh_token", "[REDACTED]"),
	)
}

var (
	_ slog.LogValuer = Session{}
	_ fmt.Formatter  = Session{}
)

// AuthResponse is the result of the sign-up and sign-in calls. Session is
// nil when GoTrue did not open one (e.g. a sign-up awaiting email
// confirmation); User is then the user GoTrue returned.
type AuthResponse struct {
	User    *User
	Session *Session
	// RedirectType is "recovery" when a PKCE exchange ended a password
	// recovery flow.
	RedirectType string
}

// OTPResponse is the result of SignInWithOTP and Resend.
type OTPResponse struct {
	// MessageID is the SMS provider's message id, when there is one.
	MessageID string `json:"message_id,omitempty"`
}

// OAuthResponse carries the URL to send the user to.
type OAuthResponse struct {
	Provider string
	URL      string
}

// SSOResponse carries the identity provider URL to send the user to.
type SSOResponse struct {
	URL string `json:"url"`
}

// decodeAuthResponse decodes the body of calls that answer either a
// session or a bare user (signup with confirmation required).
func decodeAuthResponse(body []byte) (*AuthResponse, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnexpectedResponse, err)
	}
	if _, ok := probe["access_token"]; ok {
		var s Session
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%w: session: %v", ErrUnexpectedResponse, err)
		}
		return &AuthResponse{User: s.User, Session: &s}, nil
	}
	if _, ok := probe["id"]; ok {
		var u User
		if err := json.Unmarshal(body, &u); err != nil {
			return nil, fmt.Errorf("%w: user: %v", ErrUnexpectedResponse, err)
		}
		return &AuthResponse{User: &u}, nil
	}
	if raw, ok := probe["user"]; ok {
		var u User
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, fmt.Errorf("%w: user: %v", ErrUnexpectedResponse, err)
		}
		return &AuthResponse{User: &u}, nil
	}
	return &AuthResponse{}, nil
}
