package auth

import (
	"context"
	"net/http"
)

// Health is GoTrue's health answer.
type Health struct {
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Health reports whether GoTrue is up, and its version.
//
// GET /auth/v1/health
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if _, err := c.sendJSON(ctx, request{method: http.MethodGet, path: "/health"}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Settings is GoTrue's public configuration: the enabled providers and
// sign-up rules.
type Settings struct {
	// External maps provider names (email, phone, github, …, and
	// anonymous_users) to whether they are enabled.
	External                     map[string]bool `json:"external"`
	DisableSignup                bool            `json:"disable_signup"`
	MailerAutoconfirm            bool            `json:"mailer_autoconfirm"`
	PhoneAutoconfirm             bool            `json:"phone_autoconfirm"`
	SMSProvider                  string          `json:"sms_provider"`
	SAMLEnabled                  bool            `json:"saml_enabled"`
	SAMLPrivateKeyNextConfigured bool            `json:"saml_private_key_next_configured"`
	PasskeysEnabled              bool            `json:"passkeys_enabled"`
}

// GetSettings returns GoTrue's public settings.
//
// GET /auth/v1/settings
func (c *Client) GetSettings(ctx context.Context) (*Settings, error) {
	var s Settings
	if _, err := c.sendJSON(ctx, request{method: http.MethodGet, path: "/settings"}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
