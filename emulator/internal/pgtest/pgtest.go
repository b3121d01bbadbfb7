// Package pgtest gives each test its own fresh, bootstrapped PostgreSQL
// database.
//
// [New] resolves a server the way [pgenv.Acquire] does ($DATABASE_URL, else
// 127.0.0.1:5432, else a throwaway cluster from the local binaries), creates
// a uniquely named database and drops it in t.Cleanup. A throwaway cluster
// is started once per test binary and kept until the process exits (a
// watcher then stops it and removes its folder). When no PostgreSQL can be
// had at all the test is skipped with one line saying why; any other
// failure fails the test.
package pgtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/pgenv"
)

var keep struct {
	once sync.Once
	env  *pgenv.Env // holds the throwaway cluster, if any, for the process
	err  error
}

// New returns a fresh bootstrapped database for t, closed (and dropped) in
// t.Cleanup. It is safe to call from parallel tests.
func New(t testing.TB) *pgenv.Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// First call: resolve the server once; if it is a throwaway cluster,
	// keep a reference so it is not restarted for every test.
	keep.once.Do(func() {
		keep.env, keep.err = pgenv.Acquire(ctx, pgenv.Options{SkipBootstrap: true})
		if keep.err == nil && !keep.env.Throwaway {
			keep.err = keep.env.Close()
			keep.env = nil
		}
	})
	if keep.err != nil {
		if errors.Is(keep.err, pgenv.ErrNoServer) {
			t.Skipf("pgtest: no PostgreSQL available: %v", keep.err)
		}
		t.Fatalf("pgtest: %v", keep.err)
	}

	opts := pgenv.Options{FreshDatabase: true, Logf: t.Logf}
	if keep.env != nil {
		opts.URL = keep.env.URL
	}
	env, err := pgenv.Acquire(ctx, opts)
	if err != nil {
		if errors.Is(err, pgenv.ErrNoServer) {
			t.Skipf("pgtest: no PostgreSQL available: %v", err)
		}
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return env
}
