package emulator

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/supakit/supakit/emulator/internal/functionsapi"
	"github.com/supakit/supakit/emulator/internal/gateway"
	"github.com/supakit/supakit/emulator/internal/gotrue"
	"github.com/supakit/supakit/emulator/internal/storageapi"
)

// AuthConfig tunes the Auth service. The zero value behaves like a hosted
// project's defaults: confirmation required, no anonymous sign-ins.
type AuthConfig struct {
	// Autoconfirm gives sign-ups a session at once, without confirmation.
	Autoconfirm bool
	// AllowAnonymous enables anonymous sign-ins.
	AllowAnonymous bool
	// DisableSignup refuses new users except through the admin API.
	DisableSignup bool
	// SiteURL is where verification links redirect by default
	// (http://localhost:3000 when empty).
	SiteURL string
	// AdditionalRedirectURLs are further allowed redirect targets (globs
	// '*' and '**' allowed).
	AdditionalRedirectURLs []string
	// JWTExpiry is the lifetime of access tokens (1h when zero).
	JWTExpiry time.Duration
	// MaxFrequency is the minimum time between two mails of one kind to one
	// user (zero: no limit).
	MaxFrequency time.Duration
	// ExternalProviders enables OAuth providers by name ("github", …):
	// /authorize redirects to their AuthorizeURL, and tests finish the
	// provider's side with [Server.CompleteOAuth].
	ExternalProviders map[string]ProviderConfig
	// MFAIssuer names the TOTP issuer in otpauth:// URIs when an enrolment
	// does not (default: the host of SiteURL).
	MFAIssuer string
}

// ProviderConfig describes an OAuth provider the Auth service redirects to.
type ProviderConfig = gotrue.ProviderConfig

// ProviderUser is the user a provider reports at the end of an OAuth
// login ([Server.CompleteOAuth]) or in an ID token ([Server.SignIDToken]).
type ProviderUser = gotrue.ProviderUser

// Outbox holds the mails and texts the Auth service would have sent.
type Outbox = gotrue.Outbox

// Message is one mail or text in the [Outbox]: recipient, kind, OTP code,
// token hash and verification link.
type Message = gotrue.Message

// mountServices builds the services and lays out the routes the way
// Supabase's gateway does: one line per service.
func (s *Server) mountServices(ctx context.Context, cfg Config) error {
	secret := []byte(cfg.JWTSecret)

	rest, err := newREST(ctx, s.env.Pool, cfg)
	if err != nil {
		return fmt.Errorf("emulator: rest: %w", err)
	}
	s.rest = rest
	s.closers = append(s.closers, func() error { rest.Close(); return nil })

	auth, err := gotrue.New(ctx, s.env.Pool, gotrue.Config{
		JWTSecret:              secret,
		JWTExpiry:              cfg.Auth.JWTExpiry,
		ExternalURL:            s.URL + "/auth/v1",
		SiteURL:                cfg.Auth.SiteURL,
		AdditionalRedirectURLs: cfg.Auth.AdditionalRedirectURLs,
		Autoconfirm:            cfg.Auth.Autoconfirm,
		AllowAnonymous:         cfg.Auth.AllowAnonymous,
		DisableSignup:          cfg.Auth.DisableSignup,
		MaxFrequency:           cfg.Auth.MaxFrequency,
		ExternalProviders:      cfg.Auth.ExternalProviders,
		MFA:                    gotrue.MFAConfig{Issuer: cfg.Auth.MFAIssuer},
		Logf:                   cfg.Logf,
	})
	if err != nil {
		return fmt.Errorf("emulator: auth: %w", err)
	}
	s.auth = auth

	storage, err := storageapi.New(ctx, s.env.Pool, storageapi.Config{
		DataDir:     cfg.StorageDir,
		JWTSecret:   secret,
		MaxFileSize: cfg.StorageMaxFileSize,
		Logf:        cfg.Logf,
		// The gateway bounds stalled bodies already (or, when negative,
		// was told not to).
		BodyIdleTimeout: -1,
	})
	if err != nil {
		return fmt.Errorf("emulator: storage: %w", err)
	}
	s.closers = append(s.closers, storage.Close)

	s.fns = functionsapi.New()

	s.mount("/rest/v1", rest, gateway.KeyAuth(), gateway.HideCredentials(), gateway.RequireJWT(), gateway.MaxBody(cfg.MaxBodyBytes))
	s.mount("/auth/v1", auth, gateway.KeyAuth("/verify", "/callback", "/authorize"))
	s.mount("/storage/v1", storage)
	s.mount("/functions/v1", s.fns)
	// Routes Supabase has and the emulator does not serve: a clear 501
	// after the same key check, never a silent 404.
	s.mount("/graphql/v1", gateway.NotImplemented("GraphQL", "/graphql/v1"), gateway.KeyAuth())
	s.mount("/realtime/v1", gateway.NotImplemented("Realtime", "/realtime/v1"), gateway.KeyAuth())
	return nil
}

// Outbox returns the mails and texts the Auth service would have sent
// (confirmation links, OTP codes, …), for tests to read.
func (s *Server) Outbox() *Outbox { return s.auth.Outbox() }

// RegisterFunction serves h as the Edge Function name under
// /functions/v1/name; h sees the path "/name[/…]", the caller's headers and
// the verified identity (if any) in the request context.
func (s *Server) RegisterFunction(name string, h http.Handler) error {
	if err := s.fns.Register(name, h); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}

// CompleteOAuth plays the provider's side of an OAuth login started at
// /auth/v1/authorize: given the state from the provider URL the client was
// sent to, it signs pu in and returns the URL the browser would be
// redirected to (with ?code= for PKCE, or a #access_token fragment).
func (s *Server) CompleteOAuth(ctx context.Context, state string, pu ProviderUser) (string, error) {
	u, err := s.auth.CompleteOAuth(ctx, state, pu)
	if err != nil {
		return "", fmt.Errorf("emulator: %w", err)
	}
	return u, nil
}

// SignIDToken mints an OpenID Connect ID token for provider that
// /auth/v1/token?grant_type=id_token accepts (sign-in with an ID token).
func (s *Server) SignIDToken(provider string, pu ProviderUser, nonce string) (string, error) {
	tok, err := s.auth.SignIDToken(provider, pu, nonce)
	if err != nil {
		return "", fmt.Errorf("emulator: %w", err)
	}
	return tok, nil
}

// UnregisterFunction removes the Edge Function name.
func (s *Server) UnregisterFunction(name string) { s.fns.Unregister(name) }
