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
	"time"

	"github.com/jackc/pgx/v5"
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

// Run begins a transaction, switches to id.Role with id.Claims as
// request.jwt.claims, runs fn and commits (or rolls back on error or when
// opts.Rollback is set).
func Run(ctx context.Context, pool *pgxpool.Pool, id reqctx.Identity, opts Options, fn func(pgx.Tx) error) error {
	if id.Role == "" {
		return ErrNoRole
	}
	txo := pgx.TxOptions{}
	if opts.ReadOnly {
		txo.AccessMode = pgx.ReadOnly
	}
	tx, err := pool.BeginTx(ctx, txo)
	if err != nil {
		return fmt.Errorf("dbrole: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit

	claims := string(id.Claims)
	if claims == "" {
		claims = "{}"
	}
	timeout := ""
	if opts.StatementTimeout > 0 {
		timeout = fmt.Sprintf("%dms", opts.StatementTimeout.Milliseconds())
	}
	// One round trip: role, claims and timeout are all bound parameters.
	if _, err := tx.Exec(ctx,
		`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
		        case when $3 <> '' then set_config('statement_timeout', $3, true) end`,
		id.Role, claims, timeout); err != nil {
		return fmt.Errorf("dbrole: set role: %w", err)
	}
	for k, v := range opts.Settings {
		if _, err := tx.Exec(ctx, `select set_config($1, $2, true)`, k, v); err != nil {
			return fmt.Errorf("dbrole: set %s: %w", k, err)
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
