package pgenv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/pgenv"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// acquire returns a fresh database on the default server, skipping when no
// server answers and no throwaway cluster can be started.
func acquire(t *testing.T) *pgenv.Env {
	t.Helper()
	env, err := pgenv.Acquire(ctxT(t), pgenv.Options{FreshDatabase: true, Logf: t.Logf})
	if errors.Is(err, pgenv.ErrNoServer) {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

func databaseExists(t *testing.T, adminURL, name string) bool {
	t.Helper()
	ctx := ctxT(t)
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "select count(*) from pg_database where datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func adminURL(t *testing.T, env *pgenv.Env) string {
	t.Helper()
	u, err := pgenv.WithDatabase(env.URL, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFreshDatabaseIsBootstrappedAndDropped(t *testing.T) {
	env := acquire(t)
	ctx := ctxT(t)
	if !env.Fresh || !strings.HasPrefix(env.Database, "supakit_") {
		t.Fatalf("Fresh=%v Database=%q, want a fresh supakit_ database", env.Fresh, env.Database)
	}
	var db string
	var roles int
	if err := env.Pool.QueryRow(ctx, `select current_database(),
		(select count(*) from pg_roles where rolname in ('anon','authenticated','service_role','authenticator'))`).Scan(&db, &roles); err != nil {
		t.Fatal(err)
	}
	if db != env.Database || roles != 4 {
		t.Fatalf("connected to %q with %d API roles; want %q and 4", db, roles, env.Database)
	}
	admin := adminURL(t, env)
	if !databaseExists(t, admin, env.Database) {
		t.Fatal("fresh database not listed in pg_database")
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if databaseExists(t, admin, env.Database) {
		t.Fatalf("database %s still exists after Close", env.Database)
	}
	if err := env.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestFreshDatabasesAreIsolated(t *testing.T) {
	a, b := acquire(t), acquire(t)
	ctx := ctxT(t)
	if a.Database == b.Database {
		t.Fatalf("two fresh databases share the name %s", a.Database)
	}
	if _, err := a.Pool.Exec(ctx, "create table only_in_a (id int)"); err != nil {
		t.Fatal(err)
	}
	var reg *string
	if err := b.Pool.QueryRow(ctx, "select to_regclass('public.only_in_a')::text").Scan(&reg); err != nil {
		t.Fatal(err)
	}
	if reg != nil {
		t.Fatalf("table created in %s is visible in %s", a.Database, b.Database)
	}
}

func TestConcurrentFreshDatabases(t *testing.T) {
	acquire(t) // skip early if there is no server
	const n = 8
	ctx := ctxT(t)
	envs := make([]*pgenv.Env, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			envs[i], errs[i] = pgenv.Acquire(ctx, pgenv.Options{FreshDatabase: true})
		})
	}
	wg.Wait()
	t.Logf("%d concurrent fresh databases in %v", n, time.Since(start))
	names := map[string]bool{}
	var admin string
	for i, err := range errs {
		if err != nil {
			t.Errorf("acquire %d: %v", i, err)
			continue
		}
		names[envs[i].Database] = true
		admin = adminURL(t, envs[i])
	}
	if len(names) != n {
		t.Fatalf("got %d distinct databases, want %d", len(names), n)
	}
	for _, e := range envs {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	}
	for name := range names {
		if databaseExists(t, admin, name) {
			t.Errorf("database %s left behind", name)
		}
	}
}

func TestExplicitURLThatDoesNotAnswer(t *testing.T) {
	_, err := pgenv.Acquire(ctxT(t), pgenv.Options{URL: "postgres://postgres:s3cret@127.0.0.1:1/postgres?connect_timeout=1"})
	if !errors.Is(err, pgenv.ErrNoServer) {
		t.Fatalf("err = %v, want ErrNoServer", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// TestExplicitURLRefused: a server that answers but refuses (here: no such
// database) is a configuration error, not a missing server (tests must
// fail, not skip).
func TestExplicitURLRefused(t *testing.T) {
	env := acquire(t)
	u, err := pgenv.WithDatabase(env.URL, "supakit_no_such_database")
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgenv.Acquire(ctxT(t), pgenv.Options{URL: u})
	if err == nil || errors.Is(err, pgenv.ErrNoServer) || !strings.Contains(err.Error(), "3D000") {
		t.Fatalf("err = %v, want a refusal (3D000) that is not ErrNoServer", err)
	}
}

func TestInvalidURL(t *testing.T) {
	_, err := pgenv.Acquire(ctxT(t), pgenv.Options{URL: "postgres://%zz"})
	if err == nil || errors.Is(err, pgenv.ErrNoServer) {
		t.Fatalf("err = %v, want an invalid URL error", err)
	}
}

func TestThrowawayCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	ctx := ctxT(t)
	env, err := pgenv.Acquire(ctx, pgenv.Options{Throwaway: true, FreshDatabase: true, Logf: t.Logf})
	if err != nil {
		if errors.Is(err, pgenv.ErrNoServer) && errors.Is(err, pgenv.ErrNoBinaries) {
			t.Skipf("no PostgreSQL binaries: %v", err)
		}
		t.Fatal(err)
	}
	defer env.Close()
	dir := pgenv.ClusterDir(env)
	if !env.Throwaway || dir == "" {
		t.Fatalf("Throwaway=%v dir=%q", env.Throwaway, dir)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	var port string
	var bypass bool
	if err := env.Pool.QueryRow(ctx, `select current_setting('port'),
		(select rolbypassrls from pg_roles where rolname = 'service_role')`).Scan(&port, &bypass); err != nil {
		t.Fatal(err)
	}
	if port == "5432" || !strings.Contains(env.URL, ":"+port+"/") {
		t.Fatalf("throwaway server on port %s, URL %s", port, pgenv.Redact(env.URL))
	}
	if !bypass {
		t.Fatal("service_role lacks BYPASSRLS on the throwaway cluster")
	}

	// A second Env shares the cluster; closing it keeps the server up.
	other, err := pgenv.Acquire(ctx, pgenv.Options{Throwaway: true, FreshDatabase: true})
	if err != nil {
		t.Fatal(err)
	}
	if pgenv.ClusterDir(other) != dir {
		t.Fatalf("second throwaway Env got another cluster")
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if err := env.Pool.Ping(ctx); err != nil {
		t.Fatalf("cluster stopped while still in use: %v", err)
	}

	url := env.URL
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("cluster folder %s still there after Close (%v)", dir, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(cctx, url); err == nil {
		conn.Close(ctx)
		t.Fatal("throwaway server still answers after Close")
	}
}

// TestThrowawayClusterOutlivesNoCrash runs a child process that starts a
// throwaway cluster and exits without closing it: the watcher must stop
// the server and remove the folder.
func TestThrowawayClusterCleanedAfterCrash(t *testing.T) {
	if os.Getenv("PGENV_CRASH_CHILD") == "1" {
		env, err := pgenv.Acquire(context.Background(), pgenv.Options{Throwaway: true})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Println("DIR", pgenv.ClusterDir(env))
		os.Exit(0) // no Close
	}
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	if _, err := exec.LookPath("initdb"); err != nil {
		if _, err := os.Stat("/usr/lib/postgresql"); err != nil {
			t.Skip("no PostgreSQL binaries")
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestThrowawayClusterCleanedAfterCrash$")
	cmd.Env = append(os.Environ(), "PGENV_CRASH_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	var dir string
	for line := range strings.Lines(string(out)) {
		if d, ok := strings.CutPrefix(strings.TrimSpace(line), "DIR "); ok {
			dir = d
		}
	}
	if dir == "" {
		t.Fatalf("child printed no cluster folder: %s", out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster folder %s still there 30s after its owner died", dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, in, db, want string
	}{
		{"url", "postgres://u:p@h:5433/postgres?sslmode=disable", "x", "postgres://u:p@h:5433/x?sslmode=disable"},
		{"url no path", "postgresql://h", "x", "postgresql://h/x"},
		{"url dbname param", "postgres://h/a?dbname=b", "x", "postgres://h/x"},
		{"keyword", "host=h dbname=a", "x", "host=h dbname=a dbname='x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pgenv.WithDatabase(tt.in, tt.db)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			cfg, err := pgx.ParseConfig(got)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Database != tt.db {
				t.Fatalf("parsed database %q, want %q", cfg.Database, tt.db)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:secret@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://h/db?password=secret", "postgres://h/db?password=xxxxx"},
		{"host=h password=secret dbname=d", "host=h password=xxxxx dbname=d"},
		{"postgres://u@h/db", "postgres://u@h/db"},
	}
	for _, tt := range tests {
		if got := pgenv.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFallbackToThrowaway: with nothing configured and nothing answering at
// the default address, Acquire starts a throwaway cluster.
func TestFallbackToThrowaway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	t.Setenv(pgenv.ThrowawayEnv, "")
	t.Setenv("DATABASE_URL", "")
	defer pgenv.SetDefaultURL("postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1")()
	env, err := pgenv.Acquire(ctxT(t), pgenv.Options{FreshDatabase: true, Logf: t.Logf})
	if errors.Is(err, pgenv.ErrNoBinaries) {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if !env.Throwaway {
		t.Fatal("Acquire did not fall back to a throwaway cluster")
	}
	var one int
	if err := env.Pool.QueryRow(ctxT(t), "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("query on throwaway cluster: %v", err)
	}
}

// TestThrowawayConcurrentBootstrap: on a new cluster the API roles do not
// exist yet, so concurrent bootstraps of different databases race to create
// them; all must succeed.
func TestThrowawayConcurrentBootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	ctx := ctxT(t)
	// Hold the cluster so the racers share one whose roles are still missing.
	holder, err := pgenv.Acquire(ctx, pgenv.Options{Throwaway: true, SkipBootstrap: true})
	if errors.Is(err, pgenv.ErrNoBinaries) {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var before int
	if err := holder.Pool.QueryRow(ctx, `select count(*) from pg_roles
		where rolname in ('anon','authenticated','service_role','authenticator')`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before != 0 {
		t.Fatalf("%d API roles before any bootstrap on a new cluster", before)
	}
	const n = 6
	envs := make([]*pgenv.Env, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			envs[i], errs[i] = pgenv.Acquire(ctx, pgenv.Options{URL: holder.URL, FreshDatabase: true})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		} else {
			defer envs[i].Close()
		}
	}
	var roles int
	if err := holder.Pool.QueryRow(ctx, `select count(*) from pg_roles
		where rolname in ('anon','authenticated','service_role','authenticator')`).Scan(&roles); err != nil {
		t.Fatal(err)
	}
	if roles != 4 {
		t.Fatalf("%d API roles after the race, want 4", roles)
	}
}

func TestThrowawayEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	t.Setenv(pgenv.ThrowawayEnv, "1")
	env, err := pgenv.Acquire(ctxT(t), pgenv.Options{})
	if errors.Is(err, pgenv.ErrNoBinaries) {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if !env.Throwaway {
		t.Fatalf("%s=1 did not select a throwaway cluster", pgenv.ThrowawayEnv)
	}
	// An explicit URL still wins over the variable.
	explicit, err := pgenv.Acquire(ctxT(t), pgenv.Options{URL: env.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer explicit.Close()
	if explicit.Throwaway {
		t.Fatal("explicit URL ignored")
	}
}

func TestOrphanedComment(t *testing.T) {
	if _, err := os.Stat("/proc/sys/kernel/random/boot_id"); err != nil {
		t.Skip("no boot id on this system")
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		comment string
		want    bool
	}{
		{"dead process of this boot", pgenv.OwnerComment(dead.Process.Pid), true},
		{"this process", pgenv.OwnerComment(os.Getpid()), false},
		{"live parent", pgenv.OwnerComment(os.Getppid()), false},
		{"other host", strings.Replace(pgenv.OwnerComment(dead.Process.Pid), `"host":"`, `"host":"elsewhere-`, 1), false},
		{"other boot", strings.Replace(pgenv.OwnerComment(dead.Process.Pid), `"boot":"`, `"boot":"x`, 1), false},
		{"other PID namespace", strings.Replace(pgenv.OwnerComment(dead.Process.Pid), `"pidns":"`, `"pidns":"x`, 1), false},
		{"no comment", "", false},
		{"foreign comment", "my precious database", false},
	}
	for _, tt := range tests {
		if got := pgenv.Orphaned(tt.comment); got != tt.want {
			t.Errorf("%s: Orphaned(%s) = %v, want %v", tt.name, tt.comment, got, tt.want)
		}
	}
}

// TestOrphanedDatabaseIsDropped: a process that dies holding a fresh
// database leaves it behind; the next fresh Acquire on the server drops it.
func TestOrphanedDatabaseIsDropped(t *testing.T) {
	if os.Getenv("PGENV_ORPHAN_CHILD") == "1" {
		env, err := pgenv.Acquire(context.Background(), pgenv.Options{URL: os.Getenv("PGENV_ORPHAN_URL"), FreshDatabase: true})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Println("DB", env.Database)
		os.Exit(0) // no Close
	}
	if _, err := os.Stat("/proc/sys/kernel/random/boot_id"); err != nil {
		t.Skip("no boot id on this system")
	}
	holder := acquire(t)
	admin := adminURL(t, holder)
	cmd := exec.Command(os.Args[0], "-test.run=^TestOrphanedDatabaseIsDropped$")
	cmd.Env = append(os.Environ(), "PGENV_ORPHAN_CHILD=1", "PGENV_ORPHAN_URL="+admin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	var name string
	for line := range strings.Lines(string(out)) {
		if d, ok := strings.CutPrefix(strings.TrimSpace(line), "DB "); ok {
			name = d
		}
	}
	if name == "" || !databaseExists(t, admin, name) {
		t.Fatalf("child left no database (%q): %s", name, out)
	}
	next, err := pgenv.Acquire(ctxT(t), pgenv.Options{URL: admin, FreshDatabase: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if databaseExists(t, admin, name) {
		t.Fatalf("orphaned database %s not dropped", name)
	}
	if !databaseExists(t, admin, holder.Database) {
		t.Fatalf("the live holder's database %s was dropped", holder.Database)
	}
}
