package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/functionsapi"
	"github.com/supakit/supakit/emulator/internal/gateway"
	"github.com/supakit/supakit/emulator/internal/gotrue"
	"github.com/supakit/supakit/emulator/internal/pgenv"
)

// DemoJWTSecret is the default JWT secret: the Supabase CLI's local one,
// with which AnonKey and ServiceRoleKey are its well-known demo keys.
const DemoJWTSecret = gateway.DemoJWTSecret

// Defaults applied by Start to zero fields of Config.
const (
	DefaultAddr         = "127.0.0.1:0"
	DefaultMaxRows      = 1000
	DefaultMaxBodyBytes = 10 << 20
	// DefaultBodyIdleTimeout bounds the wait for the next byte of a
	// request body.
	DefaultBodyIdleTimeout = time.Minute
)

// ErrNoPostgreSQL is matched (errors.Is) by the error Start returns when
// no PostgreSQL server answers and no throwaway cluster can be started
// (no local binaries): tests can skip on it. A server that answers and
// refuses (bad password, missing database) is a different error.
var ErrNoPostgreSQL = pgenv.ErrNoServer

// ErrConfig is matched (errors.Is) by every error Start returns for an
// invalid Config.
var ErrConfig = errors.New("emulator: invalid config")

// Config configures Start. The zero value serves on a random local port
// over the resolved database with the demo secret.
type Config struct {
	// Addr is the TCP address to listen on; empty means 127.0.0.1:0 (a free
	// port).
	Addr string
	// DatabaseURL is the PostgreSQL to use. Empty means $DATABASE_URL, else
	// postgres://postgres@127.0.0.1:5432/postgres, else a throwaway cluster
	// from the local binaries (removed on Close).
	DatabaseURL string
	// FreshDatabase runs the emulator on a new, uniquely named database,
	// dropped on Close: parallel tests are isolated from each other.
	// Without it the database named by the URL is used as it is, and gains
	// what the emulator needs (Supabase's roles, the auth and storage
	// schemas), as a Supabase project's database has them.
	FreshDatabase bool
	// Throwaway forces a throwaway cluster even when a server answers.
	Throwaway bool
	// JWTSecret signs and verifies JWTs (at least 32 characters). Empty
	// means DemoJWTSecret.
	JWTSecret string
	// MaxRows caps the rows one REST read returns; zero means 1000 (as on
	// Supabase), negative means no cap.
	MaxRows int
	// StatementTimeout bounds each SQL statement of a request; zero leaves
	// the server's setting.
	StatementTimeout time.Duration
	// MaxBodyBytes caps REST request bodies (413 beyond); zero means 10 MiB.
	MaxBodyBytes int64
	// Schemas are the schemas exposed by /rest/v1; empty means ["public"].
	Schemas []string
	// Auth tunes the Auth service (/auth/v1).
	Auth AuthConfig
	// StorageDir holds the bytes of Storage objects; empty means a
	// temporary folder removed on Close.
	StorageDir string
	// StorageMaxFileSize is the global upload limit in bytes; zero means
	// 50 MiB (Supabase's default), negative means none.
	StorageMaxFileSize int64
	// BodyIdleTimeout fails a request whose body sends no byte for this
	// long (a stalled client), so it never holds a connection and a
	// request forever; zero means one minute, negative means no bound.
	// Bodies that keep arriving stream for as long as they need.
	BodyIdleTimeout time.Duration
	// Logf, if set, receives start-up messages and one line per request
	// (method, path, status, duration). Keys and tokens are never logged.
	Logf func(format string, args ...any)
}

// Server is a running emulator.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:54321.
	URL string
	// AnonKey and ServiceRoleKey are HS256 JWTs (roles anon and
	// service_role, issuer supabase-demo, expiring in 2032).
	AnonKey, ServiceRoleKey string
	// PublishableKey and SecretKey are new-format keys (sb_publishable_…,
	// sb_secret_…) standing for AnonKey and ServiceRoleKey.
	PublishableKey, SecretKey string
	// JWTSecret is the secret the keys are signed with; sign user tokens
	// with it to act as authenticated users.
	JWTSecret string
	// DatabaseURL is the connection URL of the database served.
	DatabaseURL string

	env     *pgenv.Env
	gw      *gateway.Gateway
	http    *http.Server
	rest    restService
	auth    *gotrue.Handler
	fns     *functionsapi.Handler
	closers []func() error
	served  chan error

	once     sync.Once
	closeErr error
}

// Start connects to (or starts) PostgreSQL, bootstraps it, and serves the
// emulator until Close. ctx bounds the start-up only.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.JWTSecret == "" {
		cfg.JWTSecret = DemoJWTSecret
	}
	if len(cfg.JWTSecret) < gateway.MinSecretLen {
		return nil, fmt.Errorf("%w: JWTSecret must be at least %d characters", ErrConfig, gateway.MinSecretLen)
	}
	if cfg.MaxRows == 0 {
		cfg.MaxRows = DefaultMaxRows
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("%w: MaxBodyBytes is negative", ErrConfig)
	}
	if cfg.BodyIdleTimeout == 0 {
		cfg.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	if cfg.StatementTimeout < 0 {
		return nil, fmt.Errorf("%w: StatementTimeout is negative", ErrConfig)
	}
	if len(cfg.Schemas) == 0 {
		cfg.Schemas = []string{"public"}
	}
	for _, s := range cfg.Schemas {
		if s == "" {
			return nil, fmt.Errorf("%w: empty schema name", ErrConfig)
		}
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	keys, err := gateway.DemoKeys([]byte(cfg.JWTSecret))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}

	s := &Server{
		AnonKey:        keys.Anon,
		ServiceRoleKey: keys.ServiceRole,
		PublishableKey: keys.Publishable,
		SecretKey:      keys.Secret,
		JWTSecret:      cfg.JWTSecret,
		served:         make(chan error, 1),
	}
	ok := false
	defer func() {
		if !ok {
			_ = s.release()
		}
	}()

	// Listen first: a bad address fails before any database work.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen %s: %w", cfg.Addr, err)
	}
	s.closers = append(s.closers, func() error {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	s.URL = "http://" + ln.Addr().String()

	s.env, err = pgenv.Acquire(ctx, pgenv.Options{
		URL:           cfg.DatabaseURL,
		FreshDatabase: cfg.FreshDatabase,
		Throwaway:     cfg.Throwaway,
		Logf:          cfg.Logf,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s.DatabaseURL = s.env.URL

	s.gw, err = gateway.New(gateway.Config{JWTSecret: []byte(cfg.JWTSecret), Keys: keys, Logf: cfg.Logf,
		BodyIdleTimeout: max(cfg.BodyIdleTimeout, 0)})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := s.mountServices(ctx, cfg); err != nil {
		return nil, err
	}

	s.http = &http.Server{
		Handler:           s.gw,
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() { s.served <- s.http.Serve(ln) }()
	logf("emulator: serving on %s (database %s)", s.URL, s.env.Database)
	ok = true
	return s, nil
}

// mount routes prefix to h; each service is one line in mountServices.
func (s *Server) mount(prefix string, h http.Handler, opts ...gateway.RouteOption) {
	s.gw.Mount(prefix, h, opts...)
}

// Pool returns the pool on the served database, connected as its owner
// (postgres): use it to create schemas and seed data. It stays valid until
// Close.
func (s *Server) Pool() *pgxpool.Pool { return s.env.Pool }

// Handler returns the gateway, for serving the emulator in-process (e.g.
// with httptest) in addition to its own listener.
func (s *Server) Handler() http.Handler { return s.gw }

// SignJWT returns an HS256 JWT of claims signed with the server's secret,
// e.g. {"sub": userID, "role": "authenticated", "exp": …} to act as a user
// under Row Level Security without going through Auth.
func (s *Server) SignJWT(claims any) (string, error) {
	tok, err := gateway.Sign([]byte(s.JWTSecret), claims)
	if err != nil {
		return "", fmt.Errorf("emulator: %w", err)
	}
	return tok, nil
}

// ErrNoREST is returned by ReloadSchema when the REST service is absent.
var ErrNoREST = errors.New("emulator: REST service not available")

// ReloadSchema reloads the REST schema cache now (after DDL through Pool).
// NOTIFY pgrst, 'reload schema' does the same asynchronously.
func (s *Server) ReloadSchema(ctx context.Context) error {
	if s.rest == nil {
		return ErrNoREST
	}
	if err := s.rest.Reload(ctx); err != nil {
		return fmt.Errorf("emulator: reload schema: %w", err)
	}
	return nil
}

// Close stops serving (waiting up to 10 seconds for requests in flight),
// closes the services and releases the database: a fresh database is
// dropped, a throwaway cluster stopped and removed. It is safe to call more
// than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		var errs []error
		if s.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := s.http.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("emulator: shutdown: %w", err))
				_ = s.http.Close()
			}
			cancel()
			if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs = append(errs, fmt.Errorf("emulator: serve: %w", err))
			}
		}
		if err := s.release(); err != nil {
			errs = append(errs, err)
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// release closes the services (in reverse order) and the database.
func (s *Server) release() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	s.closers = nil
	if s.env != nil {
		if err := s.env.Close(); err != nil {
			errs = append(errs, fmt.Errorf("emulator: %w", err))
		}
	}
	return errors.Join(errs...)
}
