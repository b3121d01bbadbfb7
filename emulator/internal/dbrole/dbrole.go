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
	claims := string(id.Claims)
	if claims == "" {
		claims = "{}"
	}
	timeout := ""
	if opts.StatementTimeout > 0 {
		timeout = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10) + "ms"
	}
	names := make([]string, 0, 3+len(opts.Settings))
	values := make([]string, 0, cap(names))
	names = append(names, "role", "request.jwt.claims")
	values = append(values, id.Role, claims)
	if timeout != "" {
		names = append(names, "statement_timeout")
		values = append(values, timeout)
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
