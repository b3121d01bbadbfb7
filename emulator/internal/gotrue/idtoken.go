package gotrue

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
)

// idTokenClaims are the claims the emulated providers' ID tokens carry.
type idTokenClaims struct {
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	Picture       string `json:"picture,omitempty"`
	Nonce         string `json:"nonce,omitempty"`
	jwt.RegisteredClaims
}

// SignIDToken mints an ID token as the emulated provider would issue it for
// pu, to be passed to POST /token?grant_type=id_token. The emulator cannot
// check real providers' tokens; it accepts HS256 tokens signed with the JWT
// secret whose issuer is the provider name. nonce, if not empty, is stored
// hashed (hex SHA-256), as providers do for the nonce the client sends.
func (h *Handler) SignIDToken(provider string, pu ProviderUser, nonce string) (string, error) {
	if pu.ID == "" {
		return "", fmt.Errorf("gotrue: sign id token: provider user id is required")
	}
	now := h.cfg.Now()
	c := idTokenClaims{Email: pu.Email, EmailVerified: pu.EmailVerified, Name: pu.Name, Picture: pu.AvatarURL,
		RegisteredClaims: jwt.RegisteredClaims{Issuer: strings.ToLower(provider), Subject: pu.ID,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}
	if nonce != "" {
		sum := sha256.Sum256([]byte(nonce))
		c.Nonce = hex.EncodeToString(sum[:])
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(h.cfg.JWTSecret)
}

// POST /token?grant_type=id_token
func (h *Handler) idTokenGrant(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Provider    string `json:"provider"`
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
		Nonce       string `json:"nonce"`
		ClientID    string `json:"client_id"`
		Issuer      string `json:"issuer"`
	}
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.IDToken == "" {
		return badRequest("validation_failed", "id_token required")
	}
	name := strings.ToLower(p.Provider)
	if !knownProvider(name) {
		return badRequest("validation_failed", "Custom OIDC provider %q not allowed", p.Provider)
	}
	if _, ok := h.cfg.ExternalProviders[name]; !ok {
		return badRequest("validation_failed", "Provider (issuer %q) is not enabled", name)
	}
	claims := &idTokenClaims{}
	_, err := jwt.ParseWithClaims(p.IDToken, claims, func(*jwt.Token) (any, error) { return h.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(h.cfg.Now), jwt.WithIssuer(name))
	if err != nil {
		return badRequest("bad_oauth_callback", "Bad ID token: the emulator accepts ID tokens from Handler.SignIDToken only")
	}
	if claims.Subject == "" {
		return badRequest("bad_oauth_callback", "Bad ID token: missing sub claim")
	}
	if p.Nonce != "" || claims.Nonce != "" {
		sum := sha256.Sum256([]byte(p.Nonce))
		if claims.Nonce != hex.EncodeToString(sum[:]) && claims.Nonce != p.Nonce {
			return badRequest("bad_oauth_callback", "Nonces mismatch")
		}
	}
	pu := ProviderUser{ID: claims.Subject, Email: claims.Email, EmailVerified: claims.EmailVerified, Name: claims.Name, AvatarURL: claims.Picture}
	ctx := r.Context()
	var session *tokenResponse
	err = h.tx(ctx, func(tx pgx.Tx) error {
		u, err := h.oauthUser(ctx, tx, name, pu)
		if err != nil {
			return err
		}
		if u.banned(h.now()) {
			return errUserBanned
		}
		session, err = h.createSession(ctx, r, tx, u, "oauth")
		return err
	})
	if err != nil {
		return err
	}
	h.writeSession(w, http.StatusOK, session, false)
	return nil
}
