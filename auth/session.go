package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Event is an auth state change.
type Event string

// Events, named as in supabase-js.
const (
	EventInitialSession       Event = "INITIAL_SESSION"
	EventSignedIn             Event = "SIGNED_IN"
	EventSignedOut            Event = "SIGNED_OUT"
	EventTokenRefreshed       Event = "TOKEN_REFRESHED"
	EventUserUpdated          Event = "USER_UPDATED"
	EventPasswordRecovery     Event = "PASSWORD_RECOVERY"
	EventMFAChallengeVerified Event = "MFA_CHALLENGE_VERIFIED"
)

// OnAuthStateChange calls fn on every auth event until the returned
// function is called. fn first receives [EventInitialSession] with the
// current session (nil when signed out). Events are delivered synchronously
// on the goroutine that caused them, after the change is stored; fn must
// not block for long. The session passed to fn must not be modified.
func (c *Client) OnAuthStateChange(fn func(Event, *Session)) (unsubscribe func()) {
	if fn == nil || c.check() != nil {
		return func() {}
	}
	s, _ := c.current(context.Background())
	c.mu.Lock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = fn
	c.mu.Unlock()
	fn(EventInitialSession, s)
	return func() {
		c.mu.Lock()
		delete(c.subs, id)
		c.mu.Unlock()
	}
}

func (c *Client) emit(ev Event, s *Session) {
	c.mu.Lock()
	fns := make([]func(Event, *Session), 0, len(c.subs))
	for i := 0; i < c.nextSub; i++ {
		if fn, ok := c.subs[i]; ok {
			fns = append(fns, fn)
		}
	}
	c.mu.Unlock()
	for _, fn := range fns {
		fn(ev, s)
	}
}

// loadLocked reads the stored session once. c.mu must be held.
func (c *Client) loadLocked(ctx context.Context) error {
	if c.loaded {
		return nil
	}
	v, ok, err := c.store.Get(ctx, c.key)
	if err != nil {
		return fmt.Errorf("auth: load session: %w", err)
	}
	c.loaded = true
	if !ok || v == "" {
		return nil
	}
	var s Session
	if err := json.Unmarshal([]byte(v), &s); err != nil || s.AccessToken == "" {
		// A corrupt entry is dropped rather than sent.
		_ = c.store.Delete(ctx, c.key)
		return nil
	}
	c.cur = &s
	return nil
}

// adoptStoredLocked picks up a session another client sharing the store
// (e.g. another run of a CLI using the same FileStore) refreshed, so that
// this client does not send the rotated-out refresh token again. c.mu must
// be held.
func (c *Client) adoptStoredLocked(ctx context.Context) {
	v, ok, err := c.store.Get(ctx, c.key)
	if err != nil || !ok || v == "" {
		return
	}
	var s Session
	if json.Unmarshal([]byte(v), &s) != nil || s.AccessToken == "" || s.RefreshToken == "" {
		return
	}
	if c.cur == nil || s.RefreshToken != c.cur.RefreshToken {
		c.cur = &s
		c.gen++
	}
}

// current returns the session in memory (loading it from the store on
// first use), without refreshing it.
func (c *Client) current(ctx context.Context) (*Session, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidArg("nil context")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.loadLocked(ctx); err != nil {
		return nil, err
	}
	return c.cur, nil
}

// saveLocked replaces the session in memory and in the store. c.mu must be
// held.
func (c *Client) saveLocked(ctx context.Context, s *Session) error {
	c.loaded = true
	c.gen++
	if s == nil {
		c.cur = nil
		if err := c.store.Delete(ctx, c.key); err != nil {
			return fmt.Errorf("auth: remove session: %w", err)
		}
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("auth: encode session: %w", err)
	}
	c.cur = s
	if err := c.store.Set(ctx, c.key, string(b)); err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

// saveSession stores s as the current session and emits ev.
func (c *Client) saveSession(ctx context.Context, s *Session, ev Event) error {
	if err := c.check(); err != nil {
		return err
	}
	c.fillExpiry(s)
	c.mu.Lock()
	err := c.saveLocked(ctx, s)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if ev != "" {
		c.emit(ev, s)
	}
	return nil
}

// removeSession forgets the session and emits SIGNED_OUT if there was one.
func (c *Client) removeSession(ctx context.Context) error {
	if err := c.check(); err != nil {
		return err
	}
	c.mu.Lock()
	_ = c.loadLocked(ctx)
	had := c.cur != nil
	err := c.saveLocked(ctx, nil)
	c.mu.Unlock()
	if had {
		c.emit(EventSignedOut, nil)
	}
	return err
}

// fillExpiry computes expires_at from expires_in when the server omitted it.
func (c *Client) fillExpiry(s *Session) {
	if s != nil && s.ExpiresAt == 0 && s.ExpiresIn > 0 {
		s.ExpiresAt = c.now().Unix() + s.ExpiresIn
	}
}

func (c *Client) due(s *Session) bool {
	if s.ExpiresAt == 0 {
		return false
	}
	return !c.now().Add(c.margin).Before(time.Unix(s.ExpiresAt, 0))
}

// validSession returns the current session, refreshed first when
// auto-refresh is on and it expires within the margin.
func (c *Client) validSession(ctx context.Context) (*Session, error) {
	s, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrNoSession
	}
	if !c.autoRefresh || !c.due(s) {
		return s, nil
	}
	return c.refresh(ctx, s.RefreshToken, false)
}

// Token returns the current access token, refreshing the session first
// when it is about to expire, or "" when no user is signed in. It
// implements [transport.TokenSource]. Refreshing happens on demand, in
// the calls that need a token: the client runs no background goroutine.
//
// POST /auth/v1/token?grant_type=refresh_token (only when due)
func (c *Client) Token(ctx context.Context) (string, error) {
	s, err := c.validSession(ctx)
	if errors.Is(err, ErrNoSession) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return s.AccessToken, nil
}

// GetSession returns the current session, refreshed first if it is about
// to expire (when auto-refresh is on). It makes no request otherwise. With
// no session it returns [ErrNoSession].
//
// POST /auth/v1/token?grant_type=refresh_token (only when due)
func (c *Client) GetSession(ctx context.Context) (*Session, error) {
	return c.validSession(ctx)
}

type refreshCall struct {
	refreshToken string
	done         chan struct{}
	s            *Session
	err          error
}

// refresh exchanges refreshToken for a new session. Concurrent callers
// share one request: refresh tokens rotate, and sending a used one again
// can make GoTrue revoke the whole session. Unless force is set, a session
// that another caller already refreshed is returned as is.
func (c *Client) refresh(ctx context.Context, refreshToken string, force bool) (*Session, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidArg("nil context")
	}
	if refreshToken == "" {
		return nil, invalidArg("empty refresh token")
	}
	for {
		c.mu.Lock()
		if err := c.loadLocked(ctx); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		call := c.inflight
		if call != nil && call.refreshToken != refreshToken {
			// A refresh of another token is running: let it finish, then
			// look again (its result may make ours unnecessary).
			c.mu.Unlock()
			select {
			case <-call.done:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("auth: refresh session: %w", ctx.Err())
			}
		}
		if call == nil {
			if !force {
				c.adoptStoredLocked(ctx)
			}
			if !force && c.cur != nil && !c.due(c.cur) {
				s := c.cur
				c.mu.Unlock()
				return s, nil
			}
			call = &refreshCall{done: make(chan struct{}), refreshToken: refreshToken}
			c.inflight = call
			go c.runRefresh(context.WithoutCancel(ctx), call, c.gen)
		}
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.s, call.err
		case <-ctx.Done():
			return nil, fmt.Errorf("auth: refresh session: %w", ctx.Err())
		}
	}
}

// runRefresh performs one shared refresh. Subscribers are notified before
// waiting callers resume, so events keep the order of the calls.
func (c *Client) runRefresh(ctx context.Context, call *refreshCall, gen uint64) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	defer close(call.done)
	var s Session
	_, err := c.sendJSON(ctx, request{
		method: http.MethodPost, path: "/token", query: "grant_type=refresh_token",
		body: map[string]string{"refresh_token": call.refreshToken},
	}, &s)
	if err == nil && s.AccessToken == "" {
		err = fmt.Errorf("%w: refresh answered without an access token", ErrUnexpectedResponse)
	}
	var ev Event
	c.mu.Lock()
	switch {
	case err == nil:
		c.fillExpiry(&s)
		call.s = &s
		if c.gen == gen { // the session was not replaced meanwhile
			if serr := c.saveLocked(ctx, &s); serr != nil {
				err = serr
			} else {
				ev = EventTokenRefreshed
			}
		}
	case isTerminal(err) && c.gen == gen && c.cur != nil && c.cur.RefreshToken == call.refreshToken:
		_ = c.saveLocked(ctx, nil)
		ev = EventSignedOut
	}
	call.err = err
	if err != nil {
		call.s = nil
	}
	c.inflight = nil
	c.mu.Unlock()
	switch ev {
	case EventTokenRefreshed:
		c.emit(ev, call.s)
	case EventSignedOut:
		c.emit(ev, nil)
	}
}

// isTerminal reports whether a refresh failure means the session is dead
// (as opposed to a network failure or a server error worth retrying).
func isTerminal(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

// RefreshSession exchanges a refresh token for a new session, whether or
// not the current one has expired, stores it and emits TOKEN_REFRESHED.
// An empty refreshToken uses the current session's.
//
// POST /auth/v1/token?grant_type=refresh_token
func (c *Client) RefreshSession(ctx context.Context, refreshToken string) (*Session, error) {
	if refreshToken == "" {
		s, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, ErrNoSession
		}
		refreshToken = s.RefreshToken
	}
	return c.refresh(ctx, refreshToken, true)
}

// SetSession makes the given tokens the current session. A valid access
// token is checked with GoTrue (GET /user); an expired one is refreshed
// with the refresh token. Emits SIGNED_IN or TOKEN_REFRESHED.
//
// GET /auth/v1/user, or POST /auth/v1/token?grant_type=refresh_token
func (c *Client) SetSession(ctx context.Context, accessToken, refreshToken string) (*Session, error) {
	if accessToken == "" || refreshToken == "" {
		return nil, invalidArg("SetSession needs both an access token and a refresh token")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	claims, err := unverifiedClaims(accessToken)
	if err != nil {
		return nil, err
	}
	now := c.now().Unix()
	if claims.Exp != 0 && claims.Exp <= now {
		return c.refresh(ctx, refreshToken, true)
	}
	u, err := c.GetUserWithToken(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	s := &Session{AccessToken: accessToken, RefreshToken: refreshToken, TokenType: "bearer", User: u, ExpiresAt: claims.Exp}
	if claims.Exp != 0 {
		s.ExpiresIn = claims.Exp - now
	}
	if err := c.saveSession(ctx, s, EventSignedIn); err != nil {
		return nil, err
	}
	return s, nil
}

// tokenPayload holds the claims the client reads from its own tokens
// (without verifying them: servers use [Verifier]).
type tokenPayload struct {
	Exp int64      `json:"exp"`
	AAL string     `json:"aal"`
	AMR []AMREntry `json:"amr"`
	Sub string     `json:"sub"`
}

func unverifiedClaims(token string) (*tokenPayload, error) {
	var p tokenPayload
	if err := decodeJWTPart(token, 1, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// decodeJWTPart decodes part 0 (header) or 1 (payload) of a JWT into v,
// without verifying anything. Errors never contain the token.
func decodeJWTPart(token string, part int, v any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return invalidArg("access token is not a JWT")
	}
	name := [...]string{"header", "payload"}[part]
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[part], "="))
	if err != nil {
		return invalidArg("access token %s is not base64url", name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return invalidArg("access token %s is not JSON", name)
	}
	return nil
}
