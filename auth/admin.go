package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Admin groups GoTrue's admin calls. They are authorized by the project
// key, which must be the service-role key (or a secret key): never use
// them from code that runs on a user's device.
type Admin struct{ c *Client }

// Admin returns the admin API. Its calls send the project key as bearer
// (never the session's token).
func (c *Client) Admin() *Admin { return &Admin{c: c} }

// AdminUserAttributes are the fields of [Admin.CreateUser] and
// [Admin.UpdateUserByID]; empty fields are not sent.
type AdminUserAttributes struct {
	// ID sets the new user's id (CreateUser only).
	ID       string
	Email    string
	Phone    string
	Password string
	// UserMetadata and AppMetadata are any JSON-encodable values.
	UserMetadata any
	AppMetadata  any
	EmailConfirm bool
	PhoneConfirm bool
	// BanDuration is a Go duration string ("24h") or "none" to lift a ban.
	BanDuration string
	Role        string
	Nonce       string
}

func (a AdminUserAttributes) body() map[string]any {
	b := nonEmpty("id", a.ID, "email", a.Email, "phone", a.Phone, "password", a.Password,
		"ban_duration", a.BanDuration, "role", a.Role, "nonce", a.Nonce)
	if a.UserMetadata != nil {
		b["user_metadata"] = a.UserMetadata
	}
	if a.AppMetadata != nil {
		b["app_metadata"] = a.AppMetadata
	}
	if a.EmailConfirm {
		b["email_confirm"] = true
	}
	if a.PhoneConfirm {
		b["phone_confirm"] = true
	}
	return b
}

func userPath(id string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", invalidArg("empty user id")
	}
	return "/admin/users/" + url.PathEscape(id), nil
}

// CreateUser creates a user.
//
// POST /auth/v1/admin/users
func (a *Admin) CreateUser(ctx context.Context, attrs AdminUserAttributes) (*User, error) {
	var u User
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodPost, path: "/admin/users", body: attrs.body()}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ListUsersParams select a page of [Admin.ListUsers]; zero values use
// GoTrue's defaults (page 1, 50 per page).
type ListUsersParams struct {
	Page    int
	PerPage int
}

// UserPage is one page of users.
type UserPage struct {
	Users []User `json:"users"`
	Aud   string `json:"aud,omitempty"`
	// Total is the number of users (X-Total-Count).
	Total int `json:"-"`
	// NextPage and LastPage come from the Link header (0 when absent).
	NextPage int `json:"-"`
	LastPage int `json:"-"`
}

var linkRe = regexp.MustCompile(`<([^>]*)>;\s*rel="([a-z]+)"`)

// ListUsers returns one page of users, with the total from X-Total-Count
// and the next and last page numbers from the Link header.
//
// GET /auth/v1/admin/users?page=&per_page=
func (a *Admin) ListUsers(ctx context.Context, p ListUsersParams) (*UserPage, error) {
	if p.Page < 0 || p.PerPage < 0 {
		return nil, invalidArg("ListUsers: negative page or per_page")
	}
	var q []string
	if p.Page > 0 {
		q = append(q, "page="+strconv.Itoa(p.Page))
	}
	if p.PerPage > 0 {
		q = append(q, "per_page="+strconv.Itoa(p.PerPage))
	}
	var out UserPage
	resp, err := a.c.sendJSON(ctx, request{method: http.MethodGet, path: "/admin/users", query: strings.Join(q, "&")}, &out)
	if err != nil {
		return nil, err
	}
	parsePaging(resp.header, &out.Total, &out.NextPage, &out.LastPage)
	return &out, nil
}

// Users iterates over every user, fetching perPage users at a time (zero
// means GoTrue's default). It stops after the first error, which it yields.
//
// GET /auth/v1/admin/users?page=&per_page=
func (a *Admin) Users(ctx context.Context, perPage int) iter.Seq2[User, error] {
	return func(yield func(User, error) bool) {
		for page := 1; ; page++ {
			p, err := a.ListUsers(ctx, ListUsersParams{Page: page, PerPage: perPage})
			if err != nil {
				yield(User{}, err)
				return
			}
			for _, u := range p.Users {
				if !yield(u, nil) {
					return
				}
			}
			last := p.LastPage
			if len(p.Users) == 0 || (p.NextPage == 0 && (last == 0 || page >= last)) {
				return
			}
		}
	}
}

func parsePaging(h http.Header, total, next, last *int) {
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Total-Count"))); err == nil {
		*total = n
	}
	for _, m := range linkRe.FindAllStringSubmatch(h.Get("Link"), -1) {
		u, err := url.Parse(m[1])
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(u.Query().Get("page"))
		if err != nil {
			continue
		}
		switch m[2] {
		case "next":
			*next = n
		case "last":
			*last = n
		}
	}
}

// GetUserByID returns a user ([ErrUserNotFound] when there is none).
//
// GET /auth/v1/admin/users/{id}
func (a *Admin) GetUserByID(ctx context.Context, id string) (*User, error) {
	p, err := userPath(id)
	if err != nil {
		return nil, err
	}
	var u User
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodGet, path: p}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateUserByID changes a user.
//
// PUT /auth/v1/admin/users/{id}
func (a *Admin) UpdateUserByID(ctx context.Context, id string, attrs AdminUserAttributes) (*User, error) {
	p, err := userPath(id)
	if err != nil {
		return nil, err
	}
	if attrs.ID != "" {
		return nil, invalidArg("UpdateUserByID: the id cannot be changed")
	}
	body := attrs.body()
	if len(body) == 0 {
		return nil, invalidArg("UpdateUserByID: nothing to update")
	}
	var u User
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodPut, path: p, body: body}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// DeleteUser deletes a user; soft keeps the row (marked deleted, personal
// data obfuscated).
//
// DELETE /auth/v1/admin/users/{id}
func (a *Admin) DeleteUser(ctx context.Context, id string, soft bool) error {
	p, err := userPath(id)
	if err != nil {
		return err
	}
	_, err = a.c.send(ctx, request{method: http.MethodDelete, path: p, body: map[string]bool{"should_soft_delete": soft}})
	return err
}

// LinkType is the kind of link [Admin.GenerateLink] makes.
type LinkType string

// Link types.
const (
	LinkSignup             LinkType = "signup"
	LinkInvite             LinkType = "invite"
	LinkMagicLink          LinkType = "magiclink"
	LinkRecovery           LinkType = "recovery"
	LinkEmailChangeCurrent LinkType = "email_change_current"
	LinkEmailChangeNew     LinkType = "email_change_new"
)

// GenerateLinkParams are the inputs of [Admin.GenerateLink].
type GenerateLinkParams struct {
	Type  LinkType
	Email string
	// NewEmail is required by the email change types.
	NewEmail string
	// Password is required by the signup type.
	Password string
	// Data becomes user_metadata (signup and invite).
	Data       any
	RedirectTo string
}

// LinkProperties are the link parts of a generated link.
type LinkProperties struct {
	ActionLink       string `json:"action_link"`
	EmailOTP         string `json:"email_otp"`
	HashedToken      string `json:"hashed_token"`
	RedirectTo       string `json:"redirect_to"`
	VerificationType string `json:"verification_type"`
}

// GeneratedLink is the user and the link of [Admin.GenerateLink].
type GeneratedLink struct {
	User       User
	Properties LinkProperties
}

// GenerateLink makes an email action link (and its OTP and token hash)
// without sending mail.
//
// POST /auth/v1/admin/generate_link
func (a *Admin) GenerateLink(ctx context.Context, p GenerateLinkParams) (*GeneratedLink, error) {
	if p.Email == "" {
		return nil, invalidArg("GenerateLink: empty email")
	}
	body := map[string]any{"type": p.Type, "email": p.Email}
	switch p.Type {
	case LinkSignup:
		if p.Password == "" {
			return nil, invalidArg("GenerateLink: a signup link needs a password")
		}
		body["password"] = p.Password
	case LinkInvite, LinkMagicLink, LinkRecovery:
	case LinkEmailChangeCurrent, LinkEmailChangeNew:
		if p.NewEmail == "" {
			return nil, invalidArg("GenerateLink: %s needs a new email", p.Type)
		}
		body["new_email"] = p.NewEmail
	default:
		return nil, invalidArg("GenerateLink: unknown link type %q", p.Type)
	}
	if p.Data != nil {
		if p.Type != LinkSignup && p.Type != LinkInvite {
			return nil, invalidArg("GenerateLink: data is only used by signup and invite links")
		}
		body["data"] = p.Data
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	resp, err := a.c.send(ctx, request{method: http.MethodPost, path: "/admin/generate_link", query: redirectQuery(p.RedirectTo), body: body})
	if err != nil {
		return nil, err
	}
	var out GeneratedLink
	if err := json.Unmarshal(resp.body, &out.User); err != nil {
		return nil, fmt.Errorf("%w: generate_link: %v", ErrUnexpectedResponse, err)
	}
	if err := json.Unmarshal(resp.body, &out.Properties); err != nil {
		return nil, fmt.Errorf("%w: generate_link: %v", ErrUnexpectedResponse, err)
	}
	return &out, nil
}

// InviteParams are the options of [Admin.InviteUserByEmail].
type InviteParams struct {
	Data       any
	RedirectTo string
}

// InviteUserByEmail creates a user and sends an invite email.
//
// POST /auth/v1/invite
func (a *Admin) InviteUserByEmail(ctx context.Context, email string, p InviteParams) (*User, error) {
	if strings.TrimSpace(email) == "" {
		return nil, invalidArg("InviteUserByEmail: empty email")
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	body := map[string]any{"email": email}
	if p.Data != nil {
		body["data"] = p.Data
	}
	var u User
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodPost, path: "/invite", query: redirectQuery(p.RedirectTo), body: body}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// SignOut ends sessions of the user an access token belongs to (scope ""
// means global). It does not touch this client's own session.
//
// POST /auth/v1/logout?scope=
func (a *Admin) SignOut(ctx context.Context, accessToken string, scope Scope) error {
	if accessToken == "" {
		return invalidArg("Admin.SignOut: empty access token")
	}
	if scope == "" {
		scope = ScopeGlobal
	}
	if scope != ScopeGlobal && scope != ScopeLocal && scope != ScopeOthers {
		return invalidArg("Admin.SignOut: unknown scope %q", scope)
	}
	_, err := a.c.send(ctx, request{method: http.MethodPost, path: "/logout", query: "scope=" + string(scope), bearer: accessToken})
	return err
}

// ListFactors lists a user's MFA factors.
//
// GET /auth/v1/admin/users/{id}/factors
func (a *Admin) ListFactors(ctx context.Context, userID string) ([]Factor, error) {
	p, err := userPath(userID)
	if err != nil {
		return nil, err
	}
	var out []Factor
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodGet, path: p + "/factors"}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteFactor removes a user's factor and returns its id.
//
// DELETE /auth/v1/admin/users/{id}/factors/{factor_id}
func (a *Admin) DeleteFactor(ctx context.Context, userID, factorID string) (string, error) {
	p, err := userPath(userID)
	if err != nil {
		return "", err
	}
	if factorID == "" {
		return "", invalidArg("DeleteFactor: empty factor id")
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := a.c.sendJSON(ctx, request{method: http.MethodDelete, path: p + "/factors/" + url.PathEscape(factorID)}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}
