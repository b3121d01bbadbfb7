// Package pgenv finds (or starts) a PostgreSQL server for the emulator and
// its tests, optionally creates a fresh database on it, bootstraps it with
// Supabase's roles and functions, and opens a pool.
//
// Resolution, in order:
//  1. Options.Throwaway, or (when Options.URL is empty) $SUPAKIT_PG_THROWAWAY
//     set to a true value ("1", "true"): a throwaway cluster, always.
//  2. Options.URL, else $DATABASE_URL: that server, and only that server —
//     if it does not answer, Acquire fails (an explicit choice is never
//     silently replaced).
//  3. postgres://postgres@127.0.0.1:5432/postgres; if nothing answers there,
//     a throwaway cluster started from the local binaries (initdb and
//     postgres on PATH or under /usr/lib/postgresql/*/bin), in a temporary
//     folder on a free port, as the postgres OS user when running as root.
//
// Each fresh database carries a comment naming its creating process (host,
// boot, PID namespace, PID); a later fresh Acquire drops the databases whose
// process, on this machine, died without closing them.
//
// One throwaway cluster is shared by every [Env] of the process and stopped
// (its folder removed) when the last of them is closed. Should the process
// die without closing, a small watcher started with the cluster stops it and
// removes its folder.
//
// When no server can be had at all, Acquire returns an error matching
// [ErrNoServer], so that tests can skip rather than fail. A server that
// answers and refuses (bad password, missing database) is a configuration
// error and does not match ErrNoServer.
package pgenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/bootstrap"
)

// DefaultURL is tried when neither Options.URL nor $DATABASE_URL is set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ThrowawayEnv names the environment variable that, set to a true value,
// makes every Acquire use a throwaway cluster (as Options.Throwaway does).
const ThrowawayEnv = "SUPAKIT_PG_THROWAWAY"

// defaultURL is DefaultURL, replaceable by tests.
var defaultURL = DefaultURL

// ErrNoServer is returned (wrapped) when no PostgreSQL server answers and
// no throwaway cluster could be started.
var ErrNoServer = errors.New("pgenv: no PostgreSQL server available")

// Options choose the server and database.
type Options struct {
	// URL is the connection URL (or keyword/value string). Empty means
	// $DATABASE_URL, else DefaultURL with a throwaway cluster as fallback.
	URL string
	// FreshDatabase creates a uniquely named database (from template0),
	// used instead of the one in the URL and dropped on Close.
	FreshDatabase bool
	// Throwaway forces a throwaway cluster even when a server answers.
	Throwaway bool
	// SkipBootstrap leaves the database as it is (to reach or hold a server
	// without changing it).
	SkipBootstrap bool
	// Logf, if set, receives progress messages (never passwords).
	Logf func(format string, args ...any)
}

// Env is an acquired, bootstrapped database. Close it when done.
type Env struct {
	// URL is the connection URL of the database to use (the fresh one when
	// Options.FreshDatabase was set).
	URL string
	// Pool is a pool on URL, already bootstrapped.
	Pool *pgxpool.Pool
	// Database is the name of the database URL points at.
	Database string
	// Fresh reports whether Database was created by Acquire (and is dropped
	// by Close).
	Fresh bool
	// Throwaway reports whether the server is a throwaway cluster.
	Throwaway bool

	adminURL string
	cluster  *cluster
	logf     func(string, ...any)
	once     sync.Once
	closeErr error
}

// Acquire finds or starts a server, creates a fresh database if asked,
// applies [bootstrap.Apply] and opens a pool. The context bounds the
// set-up only; the Env lives until Close.
func Acquire(ctx context.Context, opts Options) (*Env, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	e := &Env{logf: logf}
	ok := false
	defer func() {
		if !ok {
			_ = e.Close()
		}
	}()

	base, err := e.resolve(ctx, opts)
	if err != nil {
		return nil, err
	}
	e.adminURL = base
	e.URL = base

	if opts.FreshDatabase {
		name, err := createDatabase(ctx, base, logf)
		if err != nil {
			return nil, err
		}
		e.Database, e.Fresh = name, true
		if e.URL, err = WithDatabase(base, name); err != nil {
			return nil, err
		}
		logf("pgenv: created database %s", name)
	}

	if !opts.SkipBootstrap {
		// Bootstrap on a single connection, before the pool exists, so
		// that every pooled connection sees the finished state.
		conn, err := pgx.Connect(ctx, e.URL)
		if err != nil {
			return nil, fmt.Errorf("pgenv: connect: %w", redactErr(err, e.URL))
		}
		err = bootstrap.Apply(ctx, conn)
		_ = conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("pgenv: %w", err)
		}
	}
	if e.Database == "" {
		cfg, err := pgx.ParseConfig(e.URL)
		if err != nil {
			return nil, fmt.Errorf("pgenv: invalid database URL: %w", redactErr(err, e.URL))
		}
		e.Database = cfg.Database
	}

	pool, err := pgxpool.New(ctx, e.URL)
	if err != nil {
		return nil, fmt.Errorf("pgenv: pool: %w", redactErr(err, e.URL))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgenv: ping: %w", redactErr(err, e.URL))
	}
	e.Pool = pool
	ok = true
	return e, nil
}

// resolve returns the URL of a server that answers, starting a throwaway
// cluster when allowed and needed.
func (e *Env) resolve(ctx context.Context, opts Options) (string, error) {
	force, _ := strconv.ParseBool(os.Getenv(ThrowawayEnv))
	if opts.Throwaway || (force && opts.URL == "") {
		return e.useCluster(ctx)
	}
	u, explicit := opts.URL, true
	if u == "" {
		u = os.Getenv("DATABASE_URL")
	}
	if u == "" {
		u, explicit = defaultURL, false
	}
	if _, err := pgx.ParseConfig(u); err != nil {
		return "", fmt.Errorf("pgenv: invalid database URL: %w", redactErr(err, u))
	}
	pingErr := ping(ctx, u)
	if pingErr == nil {
		return u, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("pgenv: %w", ctx.Err())
	}
	if explicit {
		var pgErr *pgconn.PgError
		if errors.As(pingErr, &pgErr) {
			// The server answered and refused: a configuration error, not
			// a missing server.
			return "", fmt.Errorf("pgenv: %s: %w", Redact(u), redactErr(pingErr, u))
		}
		return "", fmt.Errorf("%w: %s does not answer: %w", ErrNoServer, Redact(u), redactErr(pingErr, u))
	}
	e.logf("pgenv: no server at %s (%v); starting a throwaway cluster", Redact(u), redactErr(pingErr, u))
	base, err := e.useCluster(ctx)
	if err != nil {
		return "", fmt.Errorf("%w (and %s does not answer)", err, Redact(u))
	}
	return base, nil
}

func (e *Env) useCluster(ctx context.Context) (string, error) {
	c, err := acquireCluster(ctx, e.logf)
	if err != nil {
		return "", err
	}
	e.cluster = c
	e.Throwaway = true
	return c.url, nil
}

// Close closes the pool, drops the fresh database and releases the
// throwaway cluster (stopping it when no other Env uses it). It is safe to
// call more than once.
func (e *Env) Close() error {
	e.once.Do(func() {
		if e.Pool != nil {
			e.Pool.Close()
		}
		var errs []error
		if e.Fresh {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := dropDatabase(ctx, e.adminURL, e.Database); err != nil {
				errs = append(errs, err)
			} else {
				e.logf("pgenv: dropped database %s", e.Database)
			}
			cancel()
		}
		if e.cluster != nil {
			if err := releaseCluster(e.cluster, e.logf); err != nil {
				errs = append(errs, err)
			}
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

func ping(ctx context.Context, u string) error {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return err
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 3*time.Second {
		cfg.ConnectTimeout = 3 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func createDatabase(ctx context.Context, adminURL string, logf func(string, ...any)) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pgenv: database name: %w", err)
	}
	name := "supakit_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("pgenv: connect: %w", redactErr(err, adminURL))
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // best effort
	sweepOrphans(ctx, conn, logf)
	// template0 copies in ~0.1 s with the default WAL_LOG strategy and, unlike
	// template1, is never held open by another session.
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "create database "+ident+" template template0 encoding 'UTF8'"); err != nil {
		return "", fmt.Errorf("pgenv: create database %s: %w", name, err)
	}
	// The comment names this process, so that a later Acquire can drop the
	// database should this process die before Close.
	if _, err := conn.Exec(ctx, "comment on database "+ident+" is "+quoteLiteral(currentOwner().comment())); err != nil {
		logf("pgenv: comment on database %s: %v", name, err)
	}
	return name, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func dropDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("pgenv: drop database %s: connect: %w", name, redactErr(err, adminURL))
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // best effort
	if _, err := conn.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
		return fmt.Errorf("pgenv: drop database %s: %w", name, err)
	}
	return nil
}

// WithDatabase returns connURL (a URL or a keyword/value string) pointing
// at database name instead.
func WithDatabase(connURL, name string) (string, error) {
	if strings.HasPrefix(connURL, "postgres://") || strings.HasPrefix(connURL, "postgresql://") {
		u, err := url.Parse(connURL)
		if err != nil {
			return "", fmt.Errorf("pgenv: invalid database URL: %w", redactErr(err, connURL))
		}
		u.Path = "/" + name
		u.RawPath = ""
		q := u.Query()
		if q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	// Keyword/value: a later keyword overrides an earlier one.
	return connURL + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'", nil
}

// Redact returns connURL with any password replaced, for messages.
func Redact(connURL string) string {
	if u, err := url.Parse(connURL); err == nil && u.Scheme != "" {
		if q := u.Query(); q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	// Keyword/value string: mask password=... values.
	fields := strings.Fields(connURL)
	for i, f := range fields {
		if strings.HasPrefix(f, "password=") {
			fields[i] = "password=xxxxx"
		}
	}
	return strings.Join(fields, " ")
}

// redactErr removes the password of connURL from err's text, should a
// driver error quote it.
func redactErr(err error, connURL string) error {
	if err == nil {
		return nil
	}
	pw := password(connURL)
	if pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

func password(connURL string) string {
	cfg, err := pgx.ParseConfig(connURL)
	if err != nil {
		if u, err := url.Parse(connURL); err == nil && u.User != nil {
			p, _ := u.User.Password()
			return p
		}
		return ""
	}
	return cfg.Password
}
