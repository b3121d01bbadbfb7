package integration_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/integration/migrations"
	"github.com/supakit/supakit/integration/stack"
)

var (
	// st is the stack every test runs against; nil when none is available
	// (then noStack says why).
	st      *stack.Stack
	noStack string
	// stackErr is a failure to bring up an available stack: every test
	// fails with it.
	stackErr error
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		noStack = "end-to-end suite skipped in -short mode"
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	s, err := stack.Open(ctx, stack.Options{
		Logf:       func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
		Migrations: migrations.FS,
	})
	cancel()
	switch {
	case err == nil:
		st = s
	case errors.Is(err, stack.ErrUnavailable):
		noStack = err.Error()
		fmt.Fprintln(os.Stderr, "integration: no stack, every test skips:", err)
	default:
		stackErr = err
	}
	code := m.Run()
	if st != nil {
		if err := st.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "integration: close stack:", err)
		}
	}
	os.Exit(code)
}

// need returns the stack, or skips (no stack) or fails (a broken stack).
func need(t *testing.T) *stack.Stack {
	t.Helper()
	if stackErr != nil {
		t.Fatalf("stack: %v", stackErr)
	}
	if st == nil {
		t.Skip(noStack)
	}
	return st
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// uniq returns prefix followed by a random suffix: names no other test
// (or run, on a reused stack) uses.
func uniq(prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + hex.EncodeToString(b)
}

func newClient(t *testing.T, key string, opts ...supakit.Option) *supakit.Client {
	t.Helper()
	c, err := supakit.New(need(t).URL, key, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serviceClient acts as the service role (bypasses RLS).
func serviceClient(t *testing.T) *supakit.Client { return newClient(t, need(t).ServiceRoleKey) }

// anonClient acts with the anon key alone.
func anonClient(t *testing.T) *supakit.Client { return newClient(t, need(t).AnonKey) }

func newAuth(t *testing.T, key string, opts ...auth.Option) *auth.Client {
	t.Helper()
	a, err := auth.New(newClient(t, key).AuthTransport(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func adminAuth(t *testing.T) *auth.Admin { return newAuth(t, need(t).ServiceRoleKey).Admin() }

// user is a confirmed user, signed in.
type user struct {
	ID, Email, Password string
	Auth                *auth.Client
	// Client acts as the user (its Auth session feeds its services).
	Client *supakit.Client
}

// newUser creates a confirmed user through the admin API, signs them in,
// and deletes them when the test ends.
func newUser(t *testing.T) *user {
	t.Helper()
	ctx := ctxFor(t)
	email := strings.ToLower(uniq("user-")) + "@example.com"
	password := "pw-" + uniq("")
	u, err := adminAuth(t).CreateUser(ctx, auth.AdminUserAttributes{Email: email, Password: password, EmailConfirm: true})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	t.Cleanup(func() { _ = adminAuth(t).DeleteUser(context.Background(), u.ID, false) })
	c := newClient(t, need(t).AnonKey)
	res, err := c.Auth().SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: password})
	if err != nil || res.Session == nil || res.User.ID != u.ID {
		t.Fatalf("sign in %s: %+v, %v", email, res, err)
	}
	return &user{ID: u.ID, Email: email, Password: password, Auth: c.Auth(), Client: c}
}

func ptr[V any](v V) *V { return &v }
