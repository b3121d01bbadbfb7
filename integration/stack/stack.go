package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Tier names a kind of stack.
type Tier string

// The tiers, in the order Open tries them.
const (
	TierHosted   Tier = "hosted"
	TierDocker   Tier = "docker"
	TierEmulator Tier = "emulator"
)

// Errors of this package.
var (
	// ErrUnavailable: the chosen tier cannot run here (no engine, no
	// database, missing settings); the message says why.
	ErrUnavailable = errors.New("stack: unavailable")
	// ErrNoMail: no mail arrived for the address before the context ended.
	ErrNoMail = errors.New("stack: no mail")
)

// Mail is one message Auth sent, as far as tests need it.
type Mail struct {
	To      string
	Subject string
	// OTP is the 6-digit code, when the message carries one.
	OTP string
	// TokenHash is the token_hash of the verification link, when known.
	TokenHash string
	// Link is the verification link, when the message carries one.
	Link string
	// VerifyType is the type to pass to /verify (signup, magiclink, …),
	// when known.
	VerifyType string
	At         time.Time
}

// Mailbox reads the mails the stack's Auth service sent.
type Mailbox interface {
	// Latest returns the newest mail to the address sent at or after
	// since, waiting for it until ctx ends (then ErrNoMail).
	Latest(ctx context.Context, to string, since time.Time) (Mail, error)
}

// FunctionHost serves Go handlers as Edge Functions.
type FunctionHost interface {
	RegisterFunction(name string, h http.Handler) error
}

// Stack is a running (or reachable) Supabase stack.
type Stack struct {
	Tier Tier
	// Reason says why this tier was chosen (and why earlier ones were not).
	Reason string
	// URL is the base URL the client uses (/rest/v1, /auth/v1, …).
	URL string
	// AnonKey and ServiceRoleKey are the project's API keys.
	AnonKey, ServiceRoleKey string
	// JWTSecret signs the project's tokens; empty when unknown (hosted).
	JWTSecret string
	// DatabaseURL connects as the database owner; empty when unknown.
	DatabaseURL string
	// MaxRows is PostgREST's max rows (0 when unknown).
	MaxRows int
	// Explain reports whether PostgREST answers plans (db-plan-enabled).
	Explain bool
	// Mailbox reads Auth's mails; nil when the tier cannot.
	Mailbox Mailbox
	// Functions registers Edge Functions; nil when the tier cannot.
	Functions FunctionHost
	// ReloadSchema makes PostgREST see DDL now; nil means NOTIFY and wait.
	ReloadSchema func(context.Context) error

	closeOnce sync.Once
	closers   []func() error
	closeErr  error
}

// String describes the stack without its keys.
func (s *Stack) String() string {
	return fmt.Sprintf("%s stack at %s (%s)", s.Tier, s.URL, s.Reason)
}

func (s *Stack) onClose(f func() error) { s.closers = append(s.closers, f) }

// Close releases what Open started, last started first. It is safe to call
// more than once.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for i := len(s.closers) - 1; i >= 0; i-- {
			if err := s.closers[i](); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Decision is what Choose decided.
type Decision struct {
	Tier Tier
	// Reason is one line: why this tier, and why not the ones before.
	Reason string
}

// Env reads the environment; os.Getenv in production, a map in tests.
type Env func(string) string

// Choose picks the tier from the environment. pingDocker is called only when
// the Docker tier is considered; it returns nil when an engine answers.
func Choose(getenv Env, pingDocker func() error) (Decision, error) {
	forced := strings.ToLower(strings.TrimSpace(getenv("SUPAKIT_STACK")))
	switch forced {
	case "", "auto":
	case string(TierHosted), string(TierDocker), string(TierEmulator):
	default:
		return Decision{}, fmt.Errorf("%w: SUPAKIT_STACK=%q (want hosted, docker, emulator or auto)", ErrUnavailable, forced)
	}
	hostedMissing := missingHosted(getenv)
	if forced == string(TierHosted) || (forced == "" || forced == "auto") && getenv("SUPABASE_URL") != "" {
		if len(hostedMissing) > 0 {
			return Decision{}, fmt.Errorf("%w: SUPABASE_URL is set but %s missing", ErrUnavailable, strings.Join(hostedMissing, " and "))
		}
		return Decision{Tier: TierHosted, Reason: "SUPABASE_URL is set"}, nil
	}
	if forced == string(TierEmulator) {
		return Decision{Tier: TierEmulator, Reason: "SUPAKIT_STACK=emulator"}, nil
	}
	err := pingDocker()
	if err == nil {
		return Decision{Tier: TierDocker, Reason: "a Docker engine answers"}, nil
	}
	if forced == string(TierDocker) {
		return Decision{}, fmt.Errorf("%w: SUPAKIT_STACK=docker but %v", ErrUnavailable, err)
	}
	return Decision{Tier: TierEmulator, Reason: "Docker tier unavailable: " + err.Error()}, nil
}

func missingHosted(getenv Env) []string {
	var missing []string
	for _, k := range []string{"SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY"} {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	return missing
}

// Options tune Open.
type Options struct {
	// Getenv reads the environment (os.Getenv when nil).
	Getenv Env
	// Logf receives progress lines (none when nil). Keys never appear.
	Logf func(format string, args ...any)
	// DockerPingTimeout bounds the Docker ping (500ms when zero).
	DockerPingTimeout time.Duration
	// Migrations are applied on every tier (none when nil).
	Migrations MigrationSource
}

// waitREST polls the REST root until PostgREST answers with the schema
// loaded (a table the migrations created is visible), or ctx ends.
func waitREST(ctx context.Context, base, key, table string) error {
	u := strings.TrimRight(base, "/") + "/rest/v1/" + table + "?limit=0"
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("apikey", key)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stack: REST did not serve %s (last answer: %s): %w", table, last, ctx.Err())
		case <-tick.C:
		}
	}
}
