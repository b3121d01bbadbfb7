package gotrue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// authorizeParams reads the provider and PKCE parameters shared by
// GET /authorize and GET /user/identities/authorize.
func (h *Handler) authorizeParams(q url.Values) (string, ProviderConfig, pkceParams, error) {
	name := strings.ToLower(q.Get("provider"))
	if !knownProvider(name) {
		return "", ProviderConfig{}, pkceParams{}, badRequest("validation_failed", "Unsupported provider: Provider %s could not be found", q.Get("provider"))
	}
	prov, ok := h.cfg.ExternalProviders[name]
	if !ok {
		return "", ProviderConfig{}, pkceParams{}, badRequest("validation_failed", "Unsupported provider: provider is not enabled")
	}
	pkce := pkceParams{CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method")}
	if err := pkce.validate(); err != nil {
		return "", ProviderConfig{}, pkceParams{}, err
	}
	return name, prov, pkce, nil
}

// GET /authorize?provider=…&redirect_to=…&scopes=…&code_challenge=…&code_challenge_method=…
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name, prov, pkce, err := h.authorizeParams(q)
	if err != nil {
		return err
	}
	redirectTo := h.redirectTarget(q.Get("redirect_to"))
	state := uuid.New()
	ctx := r.Context()
	now := h.now()
	if _, err := h.pool.Exec(ctx, `insert into auth.flow_state (id, auth_code, code_challenge_method, code_challenge,
		provider_type, created_at, updated_at, authentication_method, redirect_to)
		values ($1, $2, $3, $4, $5, $6, $6, 'oauth', $7)`,
		state, uuid.NewString(), strings.ToLower(pkce.CodeChallengeMethod), pkce.CodeChallenge, name, now, redirectTo); err != nil {
		return internal(err)
	}
	target := h.providerURL(r, prov, state, redirectTo, q)
	if q.Get("skip_http_redirect") == "true" {
		writeJSON(w, http.StatusOK, map[string]string{"url": target})
		return nil
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

func isAuthorizeParam(k string) bool {
	switch k {
	case "provider", "redirect_to", "scopes", "code_challenge", "code_challenge_method", "skip_http_redirect", "invite_token":
		return true
	}
	return false
}

// oauthStateExpiry bounds the time between /authorize and the callback.
const oauthStateExpiry = 10 * time.Minute

// ProviderUser is the identity an external provider vouches for when a test
// completes an OAuth login.
type ProviderUser struct {
	// ID is the provider's user id (required).
	ID string
	// Email is the provider's email for the user (may be empty).
	Email string
	// EmailVerified marks the email as verified by the provider.
	EmailVerified bool
	// Name and AvatarURL fill identity and user metadata.
	Name, AvatarURL string
	// Extra is merged into the identity data.
	Extra map[string]any
}

// ErrUnknownState is returned by [Handler.CompleteOAuth] for a state that no
// pending /authorize request issued.
var ErrUnknownState = errors.New("gotrue: unknown or used OAuth state")

// CompleteOAuth finishes the provider login started by GET /authorize with
// the given state, as if the provider had authenticated pu, and returns the
// URL the browser would be sent to: redirect_to?code=… for PKCE flows
// (exchange it with POST /token?grant_type=pkce), or
// redirect_to#access_token=… for the implicit flow. The user is found by
// identity, then by email, or created.
func (h *Handler) CompleteOAuth(ctx context.Context, state string, pu ProviderUser) (string, error) {
	sid, err := uuid.Parse(state)
	if err != nil {
		return "", ErrUnknownState
	}
	if pu.ID == "" {
		return "", fmt.Errorf("gotrue: complete oauth: provider user id is required")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.cfg.ExternalURL+"/callback", nil)
	if err != nil {
		return "", err
	}
	req.RemoteAddr = "127.0.0.1:0"
	return h.completeOAuth(ctx, req, sid, pu)
}

func (h *Handler) completeOAuth(ctx context.Context, r *http.Request, state uuid.UUID, pu ProviderUser) (string, error) {
	var location string
	err := h.tx(ctx, func(tx pgx.Tx) error {
		var provider, challenge, redirectTo, code string
		var method string
		var userID *uuid.UUID
		var created time.Time
		var issued *time.Time
		err := tx.QueryRow(ctx, `select provider_type, code_challenge, coalesce(redirect_to, ''), auth_code, user_id, created_at,
			auth_code_issued_at, authentication_method
			from auth.flow_state where id = $1 and authentication_method in ('oauth', 'link_identity') for update`, state).
			Scan(&provider, &challenge, &redirectTo, &code, &userID, &created, &issued, &method)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (issued != nil || h.now().After(created.Add(oauthStateExpiry)))) {
			return ErrUnknownState
		}
		if err != nil {
			return err
		}
		var u *user
		if method == "link_identity" && userID != nil {
			u, err = h.linkIdentity(ctx, tx, *userID, provider, pu)
		} else {
			u, err = h.oauthUser(ctx, tx, provider, pu)
		}
		if err != nil {
			return err
		}
		if u.banned(h.now()) {
			return errUserBanned
		}
		if challenge != "" {
			now := h.now()
			if _, err := tx.Exec(ctx, `update auth.flow_state set user_id = $2, auth_code_issued_at = $3, updated_at = $3 where id = $1`, state, u.ID, now); err != nil {
				return err
			}
			sep := "?"
			if strings.Contains(redirectTo, "?") {
				sep = "&"
			}
			location = redirectTo + sep + url.Values{"code": {code}}.Encode()
			return nil
		}
		if _, err := tx.Exec(ctx, `delete from auth.flow_state where id = $1`, state); err != nil {
			return err
		}
		s, err := h.createSession(ctx, r, tx, u, "oauth")
		if err != nil {
			return err
		}
		frag := url.Values{
			"access_token": {s.AccessToken}, "expires_at": {strconv.FormatInt(s.ExpiresAt, 10)},
			"expires_in": {strconv.FormatInt(s.ExpiresIn, 10)}, "provider_token": {""},
			"refresh_token": {s.RefreshToken}, "token_type": {"bearer"},
		}
		location = redirectTo + "#" + frag.Encode()
		return nil
	})
	if err != nil {
		return "", err
	}
	return location, nil
}

// oauthUser finds or creates the user behind a provider identity.
func (h *Handler) oauthUser(ctx context.Context, tx pgx.Tx, provider string, pu ProviderUser) (*user, error) {
	now := h.now()
	email := ""
	if pu.Email != "" {
		e, err := normalizeEmail(pu.Email)
		if err != nil {
			return nil, err
		}
		email = e
	}
	data := providerIdentityData(provider, pu)
	var uid uuid.UUID
	err := tx.QueryRow(ctx, `select user_id from auth.identities where provider = $1 and provider_id = $2`, provider, pu.ID).Scan(&uid)
	switch {
	case err == nil:
		if _, err := tx.Exec(ctx, `update auth.identities set identity_data = $3, updated_at = $4 where provider = $1 and provider_id = $2`,
			provider, pu.ID, mustJSON(data), now); err != nil {
			return nil, err
		}
		return findUserByID(ctx, tx, uid)
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, err
	}
	var u *user
	if email != "" {
		u, err = findUserByEmail(ctx, tx, email)
		if err != nil && !errors.Is(err, errNoUser) {
			return nil, err
		}
	}
	if u == nil {
		if h.cfg.DisableSignup {
			return nil, errSignupDisabled
		}
		id := uuid.New()
		if _, err := tx.Exec(ctx, `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
			raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, confirmation_token, recovery_token,
			email_change_token_new, email_change)
			values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', $3, $4, $5, false, $6, $6, '', '', '', '')`,
			id, nullable(email), confirmedAt(pu.EmailVerified && email != "", now),
			mustJSON(map[string]any{"provider": provider, "providers": []string{provider}}), mustJSON(data), now); err != nil {
			return nil, err
		}
		u, err = findUserByID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(ctx, `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
		values ($1, $2, $3, $4, $5, $5, $5, $6)`, pu.ID, u.ID, mustJSON(data), provider, now, uuid.New()); err != nil {
		return nil, err
	}
	if err := syncProviders(ctx, tx, u.ID, now); err != nil {
		return nil, err
	}
	return findUserByID(ctx, tx, u.ID)
}

// providerIdentityData is the identity_data of a provider identity.
func providerIdentityData(provider string, pu ProviderUser) map[string]any {
	data := map[string]any{"sub": pu.ID, "provider_id": pu.ID, "iss": provider, "email_verified": pu.EmailVerified, "phone_verified": false}
	if pu.Email != "" {
		data["email"] = strings.ToLower(strings.TrimSpace(pu.Email))
	}
	if pu.Name != "" {
		data["name"], data["full_name"] = pu.Name, pu.Name
	}
	if pu.AvatarURL != "" {
		data["avatar_url"], data["picture"] = pu.AvatarURL, pu.AvatarURL
	}
	for k, v := range pu.Extra {
		data[k] = v
	}
	return data
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func confirmedAt(ok bool, now any) any {
	if ok {
		return now
	}
	return nil
}

// GET|POST /callback?state=…&provider_id=…&email=…&name=…
//
// The emulator's stand-in for the provider's return: the query names the
// identity the provider vouches for (provider_id, email, email_verified,
// name, avatar_url). An error parameter ends the flow with that error.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badRequest("validation_failed", "invalid callback request")
	}
	f := r.Form
	state, err := uuid.Parse(f.Get("state"))
	if err != nil {
		return badRequest("bad_oauth_state", "OAuth state parameter missing")
	}
	if e := f.Get("error"); e != "" {
		target := h.cfg.SiteURL
		frag := url.Values{"error": {e}, "error_description": {f.Get("error_description")}, "sb": {""}}
		http.Redirect(w, r, target+"#"+frag.Encode(), http.StatusSeeOther)
		return nil
	}
	pu := ProviderUser{ID: f.Get("provider_id"), Email: f.Get("email"), EmailVerified: f.Get("email_verified") != "false",
		Name: f.Get("name"), AvatarURL: f.Get("avatar_url")}
	if pu.ID == "" {
		pu.ID = f.Get("code")
	}
	if pu.ID == "" {
		return badRequest("validation_failed", "callback requires provider_id (the emulated provider's user id)")
	}
	loc, err := h.completeOAuth(r.Context(), r, state, pu)
	if errors.Is(err, ErrUnknownState) {
		return badRequest("bad_oauth_state", "OAuth callback with invalid state")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, loc, http.StatusFound)
	return nil
}
