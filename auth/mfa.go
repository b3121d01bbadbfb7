package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// MFA groups the multi-factor calls of a [Client] (its signed-in user).
type MFA struct{ c *Client }

// MFA returns the multi-factor API of the client's session.
func (c *Client) MFA() *MFA { return &MFA{c: c} }

// EnrollParams are the inputs of [MFA.Enroll].
type EnrollParams struct {
	// FactorType is "totp" (default) or "phone".
	FactorType   string
	FriendlyName string
	// Issuer names the TOTP issuer shown by authenticator apps.
	Issuer string
	// Phone is the number of a phone factor.
	Phone string
}

// TOTP is the enrolment material of a TOTP factor, as GoTrue returns it.
type TOTP struct {
	// QRCode is an SVG document (raw XML, not a data: URI).
	QRCode string `json:"qr_code"`
	// Secret is the base32 shared secret.
	Secret string `json:"secret"`
	// URI is the otpauth:// URI.
	URI string `json:"uri"`
}

// EnrollResponse is a new, unverified factor.
type EnrollResponse struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	FriendlyName string `json:"friendly_name"`
	TOTP         *TOTP  `json:"totp,omitempty"`
	Phone        string `json:"phone,omitempty"`
}

// Enroll starts enrolling a factor. Verify it with [MFA.ChallengeAndVerify]
// to make it count.
//
// POST /auth/v1/factors
func (m *MFA) Enroll(ctx context.Context, p EnrollParams) (*EnrollResponse, error) {
	if p.FactorType == "" {
		p.FactorType = FactorTypeTOTP
	}
	body := map[string]any{"factor_type": p.FactorType}
	switch p.FactorType {
	case FactorTypeTOTP:
		if p.Issuer != "" {
			body["issuer"] = p.Issuer
		}
	case FactorTypePhone:
		if p.Phone == "" {
			return nil, invalidArg("Enroll: a phone factor needs a phone")
		}
		body["phone"] = p.Phone
	default:
		return nil, invalidArg("Enroll: unknown factor type %q", p.FactorType)
	}
	if p.FriendlyName != "" {
		body["friendly_name"] = p.FriendlyName
	}
	s, err := m.c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	var out EnrollResponse
	if _, err := m.c.sendJSON(ctx, request{method: http.MethodPost, path: "/factors", body: body, bearer: s.AccessToken}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ChallengeParams are the inputs of [MFA.Challenge].
type ChallengeParams struct {
	FactorID string
	// Channel delivers a phone factor's code (sms or whatsapp).
	Channel Channel
}

// Challenge is an MFA challenge to answer with a code.
type Challenge struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// ExpiresAt is in Unix seconds.
	ExpiresAt int64 `json:"expires_at"`
}

// Challenge creates a challenge for a factor.
//
// POST /auth/v1/factors/{factor_id}/challenge
func (m *MFA) Challenge(ctx context.Context, p ChallengeParams) (*Challenge, error) {
	if p.FactorID == "" {
		return nil, invalidArg("Challenge: empty factor id")
	}
	body := map[string]any{}
	if p.Channel != "" {
		body["channel"] = p.Channel
	}
	s, err := m.c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	var out Challenge
	if _, err := m.c.sendJSON(ctx, request{method: http.MethodPost, path: "/factors/" + url.PathEscape(p.FactorID) + "/challenge", body: body, bearer: s.AccessToken}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyParams are the inputs of [MFA.Verify].
type VerifyParams struct {
	FactorID    string
	ChallengeID string
	Code        string
}

// Verify answers a challenge. On success GoTrue issues a session at aal2,
// which is stored; MFA_CHALLENGE_VERIFIED is emitted.
//
// POST /auth/v1/factors/{factor_id}/verify
func (m *MFA) Verify(ctx context.Context, p VerifyParams) (*Session, error) {
	if p.FactorID == "" || p.ChallengeID == "" || p.Code == "" {
		return nil, invalidArg("Verify: factor id, challenge id and code are required")
	}
	s, err := m.c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	var out Session
	if _, err := m.c.sendJSON(ctx, request{method: http.MethodPost, path: "/factors/" + url.PathEscape(p.FactorID) + "/verify",
		body: map[string]string{"challenge_id": p.ChallengeID, "code": p.Code}, bearer: s.AccessToken}, &out); err != nil {
		return nil, err
	}
	if err := m.c.saveSession(ctx, &out, EventMFAChallengeVerified); err != nil {
		return nil, err
	}
	return &out, nil
}

// ChallengeAndVerify creates a challenge and answers it with code.
//
// POST /auth/v1/factors/{factor_id}/challenge, then …/verify
func (m *MFA) ChallengeAndVerify(ctx context.Context, factorID, code string) (*Session, error) {
	if code == "" {
		return nil, invalidArg("ChallengeAndVerify: empty code")
	}
	ch, err := m.Challenge(ctx, ChallengeParams{FactorID: factorID})
	if err != nil {
		return nil, err
	}
	return m.Verify(ctx, VerifyParams{FactorID: factorID, ChallengeID: ch.ID, Code: code})
}

// Unenroll removes a factor. Removing a verified factor needs an aal2
// session (else [ErrInsufficientAAL]).
//
// DELETE /auth/v1/factors/{factor_id}
func (m *MFA) Unenroll(ctx context.Context, factorID string) (string, error) {
	if factorID == "" {
		return "", invalidArg("Unenroll: empty factor id")
	}
	s, err := m.c.validSession(ctx)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := m.c.sendJSON(ctx, request{method: http.MethodDelete, path: "/factors/" + url.PathEscape(factorID), bearer: s.AccessToken}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// Factors lists a user's factors: All of them, and the verified ones by
// type.
type Factors struct {
	All   []Factor
	TOTP  []Factor
	Phone []Factor
}

// ListFactors fetches the signed-in user and lists its factors.
//
// GET /auth/v1/user
func (m *MFA) ListFactors(ctx context.Context) (*Factors, error) {
	u, err := m.c.GetUser(ctx)
	if err != nil {
		return nil, err
	}
	out := &Factors{All: u.Factors}
	for _, f := range u.VerifiedFactors() {
		switch f.FactorType {
		case FactorTypeTOTP:
			out.TOTP = append(out.TOTP, f)
		case FactorTypePhone:
			out.Phone = append(out.Phone, f)
		}
	}
	return out, nil
}

// AAL is an authenticator assurance level ("aal1", "aal2").
type AAL string

// Assurance levels.
const (
	AAL1 AAL = "aal1"
	AAL2 AAL = "aal2"
)

// AssuranceLevel is the result of [MFA.GetAuthenticatorAssuranceLevel].
type AssuranceLevel struct {
	// Current is the session's level (the access token's aal claim).
	Current AAL
	// Next is the level the user can reach: aal2 when they have a
	// verified factor, else the current level.
	Next AAL
	// CurrentAuthenticationMethods is the token's amr claim.
	CurrentAuthenticationMethods []AMREntry
}

// GetAuthenticatorAssuranceLevel reads the current level from the session's
// access token (aal, amr) and the next one from the session user's
// verified factors. It makes no request.
func (m *MFA) GetAuthenticatorAssuranceLevel(ctx context.Context) (*AssuranceLevel, error) {
	s, err := m.c.validSession(ctx)
	if err != nil {
		return nil, err
	}
	p, err := unverifiedClaims(s.AccessToken)
	if err != nil {
		return nil, err
	}
	out := &AssuranceLevel{Current: AAL(p.AAL), Next: AAL(p.AAL), CurrentAuthenticationMethods: p.AMR}
	if s.User != nil && len(s.User.VerifiedFactors()) > 0 {
		out.Next = AAL2
	}
	return out, nil
}

// AMREntry is one authentication method of a token's amr claim.
type AMREntry struct {
	Method string `json:"method"`
	// Timestamp is in Unix seconds.
	Timestamp int64 `json:"timestamp"`
	// Provider is set for SSO and OAuth methods.
	Provider string `json:"provider,omitempty"`
}

// UnmarshalJSON accepts GoTrue's objects and RFC 8176's plain strings.
func (a *AMREntry) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*a = AMREntry{}
		return json.Unmarshal(b, &a.Method)
	}
	type plain AMREntry
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = AMREntry(p)
	return nil
}
