package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// GetUser fetches the signed-in user from GoTrue (not from the local
// session), refreshing the session first if it is about to expire.
//
// GET /auth/v1/user
func (c *Client) GetUser(ctx context.Context) (*User, error) {
	s, err := c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetUserWithToken(ctx, s.AccessToken)
}

// GetUserWithToken fetches the user an access token belongs to; it does
// not touch the stored session. Servers can use it to check a token with
// GoTrue itself (it fails once the session is signed out).
//
// GET /auth/v1/user
func (c *Client) GetUserWithToken(ctx context.Context, accessToken string) (*User, error) {
	if accessToken == "" {
		return nil, invalidArg("GetUserWithToken: empty access token")
	}
	var u User
	if _, err := c.sendJSON(ctx, request{method: http.MethodGet, path: "/user", bearer: accessToken}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserAttributes are the changes of [Client.UpdateUser]; empty fields are
// left unchanged.
type UserAttributes struct {
	Email    string
	Phone    string
	Password string
	// Nonce is the reauthentication code, when the project requires one
	// to change the password.
	Nonce string
	// CurrentPassword is required by projects that ask for it on
	// password changes.
	CurrentPassword string
	// Data is merged into user_metadata.
	Data any
	// EmailRedirectTo is where the email-change confirmation link leads.
	EmailRedirectTo string
}

// UpdateUser changes the signed-in user, updates the stored session's user
// and emits USER_UPDATED. In the PKCE flow an email change stores a code
// verifier.
//
// PUT /auth/v1/user
func (c *Client) UpdateUser(ctx context.Context, a UserAttributes) (*User, error) {
	if err := validateRedirect(a.EmailRedirectTo); err != nil {
		return nil, err
	}
	body := nonEmpty("email", a.Email, "phone", a.Phone, "password", a.Password,
		"nonce", a.Nonce, "current_password", a.CurrentPassword)
	if a.Data != nil {
		body["data"] = a.Data
	}
	if len(body) == 0 {
		return nil, invalidArg("UpdateUser: nothing to update")
	}
	s, err := c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	if a.Email != "" {
		challenge, err := c.startPKCE(ctx, false)
		if err != nil {
			return nil, err
		}
		pkceFields(body, challenge)
	}
	var u User
	if _, err := c.sendJSON(ctx, request{method: http.MethodPut, path: "/user", query: redirectQuery(a.EmailRedirectTo), body: body, bearer: s.AccessToken}, &u); err != nil {
		return nil, err
	}
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur != nil && cur.AccessToken == s.AccessToken {
		ns := *cur
		ns.User = &u
		if err := c.saveSession(ctx, &ns, EventUserUpdated); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// ResetPasswordParams are the options of [Client.ResetPasswordForEmail].
type ResetPasswordParams struct {
	RedirectTo   string
	CaptchaToken string
}

// ResetPasswordForEmail sends a password recovery email. In the PKCE flow
// it stores a code verifier marked as a recovery flow.
//
// POST /auth/v1/recover
func (c *Client) ResetPasswordForEmail(ctx context.Context, email string, p ResetPasswordParams) error {
	if strings.TrimSpace(email) == "" {
		return invalidArg("ResetPasswordForEmail: empty email")
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return err
	}
	body := map[string]any{"email": email, "gotrue_meta_security": security{p.CaptchaToken}}
	challenge, err := c.startPKCE(ctx, true)
	if err != nil {
		return err
	}
	pkceFields(body, challenge)
	_, err = c.send(ctx, request{method: http.MethodPost, path: "/recover", query: redirectQuery(p.RedirectTo), body: body})
	return err
}

// ResendType is what [Client.Resend] sends again.
type ResendType string

// Resend types.
const (
	ResendSignup      ResendType = "signup"
	ResendEmailChange ResendType = "email_change"
	ResendSMS         ResendType = "sms"
	ResendPhoneChange ResendType = "phone_change"
)

// ResendParams are the inputs of [Client.Resend].
type ResendParams struct {
	Type         ResendType
	Email        string
	Phone        string
	RedirectTo   string
	CaptchaToken string
}

// Resend sends a signup confirmation, email change, or phone OTP again.
//
// POST /auth/v1/resend
func (c *Client) Resend(ctx context.Context, p ResendParams) (*OTPResponse, error) {
	body := map[string]any{"type": p.Type, "gotrue_meta_security": security{p.CaptchaToken}}
	switch p.Type {
	case ResendSignup, ResendEmailChange:
		if p.Email == "" {
			return nil, invalidArg("Resend: type %s needs an email", p.Type)
		}
		body["email"] = p.Email
		challenge, err := c.startPKCE(ctx, false)
		if err != nil {
			return nil, err
		}
		pkceFields(body, challenge)
	case ResendSMS, ResendPhoneChange:
		if p.Phone == "" {
			return nil, invalidArg("Resend: type %s needs a phone", p.Type)
		}
		body["phone"] = p.Phone
	default:
		return nil, invalidArg("Resend: unknown type %q", p.Type)
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/resend", query: redirectQuery(p.RedirectTo), body: body})
	if err != nil {
		return nil, err
	}
	var out OTPResponse
	_ = json.Unmarshal(resp.body, &out)
	return &out, nil
}

// Reauthenticate sends the signed-in user a nonce (by email or SMS) to
// confirm a sensitive change such as a new password (UserAttributes.Nonce).
//
// GET /auth/v1/reauthenticate
func (c *Client) Reauthenticate(ctx context.Context) error {
	s, err := c.validSession(ctx)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, request{method: http.MethodGet, path: "/reauthenticate", bearer: s.AccessToken})
	return err
}

// GetUserIdentities returns the identities linked to the signed-in user.
//
// GET /auth/v1/user
func (c *Client) GetUserIdentities(ctx context.Context) ([]Identity, error) {
	u, err := c.GetUser(ctx)
	if err != nil {
		return nil, err
	}
	return u.Identities, nil
}

// LinkIdentity returns the provider URL that links a new OAuth identity to
// the signed-in user. In the PKCE flow it stores a code verifier.
//
// GET /auth/v1/user/identities/authorize
func (c *Client) LinkIdentity(ctx context.Context, p OAuthParams) (*OAuthResponse, error) {
	s, err := c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	q, err := c.oauthQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	q = append(q, "skip_http_redirect=true")
	var out struct {
		URL string `json:"url"`
	}
	if _, err := c.sendJSON(ctx, request{method: http.MethodGet, path: "/user/identities/authorize", query: strings.Join(q, "&"), bearer: s.AccessToken}, &out); err != nil {
		return nil, err
	}
	return &OAuthResponse{Provider: p.Provider, URL: out.URL}, nil
}

// UnlinkIdentity removes an identity (by its identity_id) from the
// signed-in user.
//
// DELETE /auth/v1/user/identities/{identity_id}
func (c *Client) UnlinkIdentity(ctx context.Context, identityID string) error {
	if identityID == "" {
		return invalidArg("UnlinkIdentity: empty identity id")
	}
	s, err := c.validSession(ctx)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, request{method: http.MethodDelete, path: "/user/identities/" + url.PathEscape(identityID), bearer: s.AccessToken})
	return err
}
