package gotrue

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// GET /user/identities/authorize?provider=…&redirect_to=…&skip_http_redirect=true
//
// Starts linking an OAuth identity to the signed-in user; the flow ends
// like GET /authorize's (see [Handler.CompleteOAuth]).
func (h *Handler) linkIdentityAuthorize(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.DisableManualLinking {
		return unprocessable("manual_linking_disabled", "Manual linking is disabled")
	}
	q := r.URL.Query()
	name, prov, pkce, err := h.authorizeParams(q)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var target string
	err = h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		redirectTo := h.redirectTarget(q.Get("redirect_to"))
		state := uuid.New()
		now := h.now()
		if _, err := tx.Exec(ctx, `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
			provider_type, created_at, updated_at, authentication_method, redirect_to)
			values ($1, $2, $3, $4, $5, $6, $7, $7, 'link_identity', $8)`,
			state, au.user.ID, uuid.NewString(), strings.ToLower(pkce.CodeChallengeMethod), pkce.CodeChallenge, name, now, redirectTo); err != nil {
			return err
		}
		target = h.providerURL(r, prov, state, redirectTo, q)
		return nil
	})
	if err != nil {
		return err
	}
	if q.Get("skip_http_redirect") == "true" {
		writeJSON(w, http.StatusOK, map[string]string{"url": target})
		return nil
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// linkIdentity attaches the provider identity pu to user uid.
func (h *Handler) linkIdentity(ctx context.Context, tx pgx.Tx, uid uuid.UUID, provider string, pu ProviderUser) (*user, error) {
	var owner uuid.UUID
	err := tx.QueryRow(ctx, `select user_id from auth.identities where provider = $1 and provider_id = $2`, provider, pu.ID).Scan(&owner)
	switch {
	case err == nil && owner != uid:
		return nil, unprocessable("identity_already_exists", "Identity is already linked to another user")
	case err == nil:
		return findUserByID(ctx, tx, uid)
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, err
	}
	now := h.now()
	data := providerIdentityData(provider, pu)
	if _, err := tx.Exec(ctx, `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
		values ($1, $2, $3, $4, $5, $5, $5, $6)`, pu.ID, uid, mustJSON(data), provider, now, uuid.New()); err != nil {
		return nil, err
	}
	if err := syncProviders(ctx, tx, uid, now); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `update auth.users set is_anonymous = false where id = $1`, uid); err != nil {
		return nil, err
	}
	return findUserByID(ctx, tx, uid)
}

// syncProviders rewrites app_metadata.providers from the user's identities.
func syncProviders(ctx context.Context, tx pgx.Tx, uid uuid.UUID, now any) error {
	_, err := tx.Exec(ctx, `update auth.users set updated_at = $2, raw_app_meta_data = coalesce(raw_app_meta_data, '{}') ||
		jsonb_build_object('providers', coalesce((select jsonb_agg(distinct provider) from auth.identities where user_id = $1), '[]'::jsonb))
		where id = $1`, uid, now)
	return err
}

// DELETE /user/identities/{id}
func (h *Handler) unlinkIdentity(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.DisableManualLinking {
		return unprocessable("manual_linking_disabled", "Manual linking is disabled")
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return notFound("identity_not_found", "Identity doesn't exist")
	}
	ctx := r.Context()
	err = h.tx(ctx, func(tx pgx.Tx) error {
		au, err := h.requireUser(ctx, r, tx)
		if err != nil {
			return err
		}
		idents, err := loadIdentities(ctx, tx, au.user.ID)
		if err != nil {
			return err
		}
		var target *identity
		for i := range idents {
			if idents[i].ID == id {
				target = &idents[i]
			}
		}
		if target == nil {
			return notFound("identity_not_found", "Identity doesn't exist")
		}
		if len(idents) <= 1 {
			return unprocessable("single_identity_not_deletable", "User must have at least 1 identity after unlinking")
		}
		if _, err := tx.Exec(ctx, `delete from auth.identities where id = $1`, id); err != nil {
			return err
		}
		now := h.now()
		if err := syncProviders(ctx, tx, au.user.ID, now); err != nil {
			return err
		}
		// The primary provider follows the remaining identities.
		if p, _ := au.user.AppMeta["provider"].(string); p == target.Provider {
			if _, err := tx.Exec(ctx, `update auth.users set raw_app_meta_data = raw_app_meta_data || jsonb_build_object('provider',
				(select provider from auth.identities where user_id = $1 order by created_at limit 1)) where id = $1`, au.user.ID); err != nil {
				return err
			}
		}
		switch target.Provider {
		case "email":
			_, err = tx.Exec(ctx, `update auth.users set email = null, email_confirmed_at = null where id = $1`, au.user.ID)
		case "phone":
			_, err = tx.Exec(ctx, `update auth.users set phone = null, phone_confirmed_at = null where id = $1`, au.user.ID)
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// providerURL is the provider authorization URL for a flow state.
func (h *Handler) providerURL(r *http.Request, prov ProviderConfig, state uuid.UUID, redirectTo string, q url.Values) string {
	scopes := append([]string(nil), prov.Scopes...)
	if s := q.Get("scopes"); s != "" {
		scopes = append(scopes, strings.Fields(s)...)
	}
	callback := prov.RedirectURI
	if callback == "" {
		callback = h.externalURL(r) + "/callback"
	}
	v := url.Values{
		"client_id":     {prov.ClientID},
		"redirect_to":   {redirectTo},
		"redirect_uri":  {callback},
		"response_type": {"code"},
		"state":         {state.String()},
	}
	if len(scopes) > 0 {
		v.Set("scope", strings.Join(scopes, " "))
	}
	for k, vals := range q {
		if !isAuthorizeParam(k) {
			v[k] = vals
		}
	}
	sep := "?"
	if strings.Contains(prov.AuthorizeURL, "?") {
		sep = "&"
	}
	return prov.AuthorizeURL + sep + v.Encode()
}
