// Package dbrole runs a unit of work in one transaction as the request's
// role, with its JWT claims visible to SQL, the way PostgREST does: every
// statement in fn sees current_user = id.Role and
// current_setting('request.jwt.claims') = id.Claims, so Row Level Security
// policies written for Supabase (auth.uid(), auth.role(), auth.jwt()) apply.
package dbrole

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// Options tune one transaction.
type Options struct {
	// StatementTimeout bounds each statement; zero leaves the server default.
	StatementTimeout time.Duration
	// ReadOnly opens a read-only transaction (GET and HEAD requests).
	ReadOnly bool
	// Settings are extra transaction-local settings, e.g. "request.method".
	Settings map[string]string
	// Rollback ends the transaction with ROLLBACK even when fn succeeds
	// (Prefer: tx=rollback).
	Rollback bool
}

// ErrNoRole is returned when the identity names no role.
var ErrNoRole = errors.New("dbrole: identity has no role")

// ErrSetRole wraps the database's refusal to switch to the identity's role
// (typically: the JWT names a role the database does not have).
var ErrSetRole = errors.New("dbrole: cannot act as the request's role")

// roleError tells a refused role apart from other failures of the
// statement that sets it.
func roleError(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "22023" || pg.Code == "42704") && strings.Contains(pg.Message, "role") {
		return fmt.Errorf("%w: %w", ErrSetRole, err)
	}
	return err
}

// Run begins a transaction, switches to id.Role with id.Claims as
// request.jwt.claims, runs fn and commits (or rolls back on error or when
// opts.Rollback is set).
//
// BEGIN and the settings travel in one round trip: they are sent as one
// simple-protocol string whose values are quoted as SQL literals (the
// server must have standard_conforming_strings on, as every supported
// PostgreSQL does by default; otherwise the settings are bound parameters
// in a second round trip).
func Run(ctx context.Context, pool *pgxpool.Pool, id reqctx.Identity, opts Options, fn func(pgx.Tx) error) error {
	if id.Role == "" {
		return ErrNoRole
	}
	names, values := settingsOf(id, opts)

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("dbrole: acquire: %w", err)
	}
	defer conn.Release()

	begin := "begin"
	if opts.ReadOnly {
		begin = "begin read only"
	}
	inline := conn.Conn().PgConn().ParameterStatus("standard_conforming_strings") == "on"
	if inline {
		var b strings.Builder
		b.WriteString(begin)
		b.WriteString("; select ")
		for i := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("set_config(")
			if !writeLiteral(&b, names[i]) {
				inline = false
				break
			}
			b.WriteString(", ")
			if !writeLiteral(&b, values[i]) {
				inline = false
				break
			}
			b.WriteString(", true)")
		}
		if inline {
			begin = b.String()
		}
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return fmt.Errorf("dbrole: begin: %w", roleError(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit

	if !inline {
		for i := range names {
			if _, err := tx.Exec(ctx, `select set_config($1, $2, true)`, names[i], values[i]); err != nil {
				return fmt.Errorf("dbrole: set %s: %w", names[i], roleError(err))
			}
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if opts.Rollback {
		return nil
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("dbrole: commit: %w", err)
	}
	return nil
}

// writeLiteral writes s as a standard-conforming SQL string literal. It
// refuses (returns false) strings with a NUL byte, which no literal can
// hold; the caller then binds the values as parameters instead.
func writeLiteral(b *strings.Builder, s string) bool {
	if strings.IndexByte(s, 0) >= 0 {
		return false
	}
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b.WriteByte('\'')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return true
}

// RunBatch is Run in one round trip, for a unit of work whose statements
// are known up front (a read-only request): BEGIN, the role and claim
// settings, the statements queue adds, and COMMIT (ROLLBACK with
// opts.Rollback) travel together as one pipeline, and read consumes the
// results of exactly the statements queue added, in order. The
// transaction, the role and the claims are those of Run. A statement that
// fails aborts the transaction (the server skips the rest, COMMIT
// included) and it is rolled back before the connection goes back to the
// pool. But COMMIT is sent with the statements: an error that read itself
// makes up after they succeeded (a failed Scan, a check on the result)
// does not undo them. Use RunBatch for work that has nothing to undo in
// that case (read-only transactions), and Run for writes checked before
// they commit.
func RunBatch(ctx context.Context, pool *pgxpool.Pool, id reqctx.Identity, opts Options,
	queue func(*pgx.Batch), read func(pgx.BatchResults) error) (err error) {
	if id.Role == "" {
		return ErrNoRole
	}
	names, values := settingsOf(id, opts)
	var set strings.Builder
	args := make([]any, 0, 2*len(names))
	set.WriteString("select ")
	for i := range names {
		if i > 0 {
			set.WriteString(", ")
		}
		fmt.Fprintf(&set, "set_config($%d, $%d, true)", 2*i+1, 2*i+2)
		args = append(args, names[i], values[i])
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("dbrole: acquire: %w", err)
	}
	defer func() {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			// Failed part-way: end the transaction here, or drop the
			// connection rather than pool it mid-transaction.
			if _, rerr := conn.Exec(context.WithoutCancel(ctx), "rollback"); rerr != nil {
				_ = conn.Conn().Close(context.WithoutCancel(ctx))
			}
		}
		conn.Release()
	}()

	b := &pgx.Batch{}
	begin := "begin"
	if opts.ReadOnly {
		begin = "begin read only"
	}
	b.Queue(begin)
	b.Queue(set.String(), args...)
	queue(b)
	end := "commit"
	if opts.Rollback {
		end = "rollback"
	}
	b.Queue(end)

	br := conn.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("dbrole: %w", cerr)
		}
	}()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("dbrole: begin: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("dbrole: set role and claims: %w", roleError(err))
	}
	if err := read(br); err != nil {
		return err
	}
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("dbrole: %s: %w", end, err)
	}
	return nil
}

// settingsOf lists the transaction settings for id and opts: role, claims,
// statement timeout, then opts.Settings by name.
func settingsOf(id reqctx.Identity, opts Options) (names, values []string) {
	claims := string(id.Claims)
	if claims == "" {
		claims = "{}"
	}
	names = make([]string, 0, 3+len(opts.Settings))
	values = make([]string, 0, cap(names))
	names = append(names, "role", "request.jwt.claims")
	values = append(values, id.Role, claims)
	if opts.StatementTimeout > 0 {
		names = append(names, "statement_timeout")
		values = append(values, strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)+"ms")
	}
	keys := make([]string, 0, len(opts.Settings))
	for k := range opts.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		names = append(names, k)
		values = append(values, opts.Settings[k])
	}
	return names, values
}
