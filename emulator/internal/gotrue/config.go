package gotrue

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Config configures a [Handler]. The zero value of every field but JWTSecret
// is usable and gives GoTrue's defaults.
type Config struct {
	// JWTSecret signs and verifies HS256 access tokens. Required, at least 32
	// bytes (as Supabase requires).
	JWTSecret []byte
	// JWTExpiry is the lifetime of access tokens (default 1h).
	JWTExpiry time.Duration
	// ExternalURL is the public URL of the Auth API including /auth/v1
	// (e.g. "http://127.0.0.1:54321/auth/v1"). It is the JWT issuer and the
	// base of links in messages. When empty it is derived per request from
	// the Host header (and X-Forwarded-Proto/Host) plus "/auth/v1".
	ExternalURL string
	// SiteURL is where verify links redirect when no allowed redirect_to is
	// given (default "http://localhost:3000").
	SiteURL string
	// AdditionalRedirectURLs lists further allowed redirect_to targets; an
	// entry may use '*' and '**' globs ("http://localhost:3000/**").
	AdditionalRedirectURLs []string
	// Autoconfirm skips email and phone confirmation: sign-ups get a session
	// at once. The default requires confirmation, as hosted Supabase does.
	Autoconfirm bool
	// AllowAnonymous enables anonymous sign-ins (POST /signup without email
	// or phone).
	AllowAnonymous bool
	// DisableSignup refuses new users (except through the admin API).
	DisableSignup bool
	// PasswordMinLength is the minimum password length (default 6).
	PasswordMinLength int
	// PasswordRequiredCharacters lists character sets a password must each
	// draw at least one character from, e.g. {"abcdefghijklmnopqrstuvwxyz",
	// "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"} (default none).
	PasswordRequiredCharacters []string
	// RefreshTokenReuseInterval is how long a just-rotated refresh token may
	// still be used (default 10s). Reuse after it revokes the session.
	RefreshTokenReuseInterval time.Duration
	// OTPExpiry bounds the validity of emailed and texted codes and links
	// (default 1h).
	OTPExpiry time.Duration
	// MaxFrequency is the minimum time between two messages of the same kind
	// to one user; faster requests answer 429 over_email_send_rate_limit (or
	// over_sms_send_rate_limit). Zero disables the limit (hosted Supabase
	// uses 60s).
	MaxFrequency time.Duration
	// InsecureEmailChange confirms an email change with the new address only.
	// By default (secure email change, GoTrue's default) both the current
	// and the new address must confirm.
	InsecureEmailChange bool
	// UpdatePasswordRequireReauthentication makes PUT /user with a password
	// require the nonce sent by GET /reauthenticate.
	UpdatePasswordRequireReauthentication bool
	// DisableManualLinking refuses linking and unlinking identities
	// (/user/identities/…). GoTrue disables manual linking by default; the
	// emulator enables it so every client call can be exercised.
	DisableManualLinking bool
	// ExternalProviders maps a provider name ("github", "google", …) to its
	// configuration; only configured providers are enabled for /authorize.
	ExternalProviders map[string]ProviderConfig
	// MFA configures multi-factor authentication.
	MFA MFAConfig
	// PasswordHashCost is the bcrypt cost of stored passwords (default
	// bcrypt.DefaultCost). Tests may lower it to bcrypt.MinCost.
	PasswordHashCost int
	// Now returns the current time (default time.Now); tests inject a clock.
	Now func() time.Time
	// Logf logs operational events; secrets are never passed to it.
	Logf func(format string, args ...any)
}

// ProviderConfig is one external OAuth provider. The emulator never talks
// to the provider: /authorize redirects to AuthorizeURL, and a test (or a
// person) completes the login through /callback or [Handler.CompleteOAuth].
type ProviderConfig struct {
	// AuthorizeURL is the provider's authorization endpoint (e.g.
	// "https://github.com/login/oauth/authorize").
	AuthorizeURL string
	// ClientID is sent as client_id.
	ClientID string
	// Scopes are always requested (GitHub's default is "user:email").
	Scopes []string
	// RedirectURI is the callback the provider returns to (default
	// ExternalURL + "/callback").
	RedirectURI string
}

// MFAConfig configures multi-factor authentication. TOTP is always enabled;
// phone factors are not (enrolling one answers 422).
type MFAConfig struct {
	// Issuer names the TOTP issuer in otpauth:// URIs when the enrolment
	// request does not (default: the host of SiteURL).
	Issuer string
	// MaxEnrolledFactors caps factors per user (default 10).
	MaxEnrolledFactors int
	// ChallengeExpiry is the lifetime of a challenge (default 300s).
	ChallengeExpiry time.Duration
}

// ErrConfig is wrapped by every configuration error returned by [New].
var ErrConfig = errors.New("gotrue: invalid config")

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if len(out.JWTSecret) < 32 {
		return out, fmt.Errorf("%w: JWTSecret must be at least 32 bytes", ErrConfig)
	}
	if out.JWTExpiry <= 0 {
		out.JWTExpiry = time.Hour
	}
	if out.SiteURL == "" {
		out.SiteURL = "http://localhost:3000"
	}
	out.ExternalURL = strings.TrimRight(out.ExternalURL, "/")
	if out.PasswordMinLength <= 0 {
		out.PasswordMinLength = 6
	}
	if out.RefreshTokenReuseInterval <= 0 {
		out.RefreshTokenReuseInterval = 10 * time.Second
	}
	if out.OTPExpiry <= 0 {
		out.OTPExpiry = time.Hour
	}
	if out.MFA.MaxEnrolledFactors <= 0 {
		out.MFA.MaxEnrolledFactors = 10
	}
	if out.MFA.ChallengeExpiry <= 0 {
		out.MFA.ChallengeExpiry = 300 * time.Second
	}
	if out.PasswordHashCost == 0 {
		out.PasswordHashCost = bcrypt.DefaultCost
	}
	if out.PasswordHashCost < bcrypt.MinCost || out.PasswordHashCost > bcrypt.MaxCost {
		return out, fmt.Errorf("%w: PasswordHashCost %d out of range", ErrConfig, out.PasswordHashCost)
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	if out.Logf == nil {
		out.Logf = func(string, ...any) {}
	}
	providers := make(map[string]ProviderConfig, len(out.ExternalProviders))
	for name, p := range out.ExternalProviders {
		name = strings.ToLower(name)
		if !knownProvider(name) {
			return out, fmt.Errorf("%w: unknown external provider %q", ErrConfig, name)
		}
		if p.AuthorizeURL == "" {
			return out, fmt.Errorf("%w: provider %q has no AuthorizeURL", ErrConfig, name)
		}
		providers[name] = p
	}
	out.ExternalProviders = providers
	return out, nil
}

// providerNames are the external providers GoTrue knows, in the order its
// /settings lists them.
var providerNames = []string{"apple", "azure", "bitbucket", "discord", "facebook", "snapchat", "figma", "fly",
	"github", "gitlab", "google", "keycloak", "kakao", "linkedin", "linkedin_oidc", "notion", "spotify",
	"slack", "slack_oidc", "workos", "twitch", "twitter", "zoom"}

func knownProvider(name string) bool {
	for _, n := range providerNames {
		if n == name {
			return true
		}
	}
	return false
}
