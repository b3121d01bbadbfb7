// Command emulator serves the supakit emulator standalone: Supabase's HTTP
// APIs under one base URL, over a real PostgreSQL.
//
//	go run ./cmd/emulator                  # 127.0.0.1:54321, local PostgreSQL
//	go run ./cmd/emulator -fresh -addr :0  # a throwaway database, any port
//
// Flags (each with an environment fallback):
//
//	-addr               SUPAKIT_EMULATOR_ADDR   listen address (127.0.0.1:54321)
//	-database-url       DATABASE_URL            PostgreSQL URL (else the local server, else a throwaway cluster)
//	-jwt-secret         SUPAKIT_JWT_SECRET      JWT secret, ≥ 32 characters (else the Supabase CLI demo secret)
//	-max-rows           SUPAKIT_MAX_ROWS        rows per REST read (1000; negative: no cap)
//	-schemas            SUPAKIT_SCHEMAS         exposed schemas, comma-separated (public)
//	-statement-timeout  SUPAKIT_STATEMENT_TIMEOUT  per-statement timeout, e.g. 8s (server default)
//	-max-body           SUPAKIT_MAX_BODY        REST body limit in bytes (10 MiB)
//	-auth-autoconfirm   SUPAKIT_AUTH_AUTOCONFIRM  sign-ups get a session without confirmation
//	-auth-anonymous     SUPAKIT_AUTH_ANONYMOUS  allow anonymous sign-ins
//	-site-url           SUPAKIT_SITE_URL        where Auth links redirect by default
//	-storage-dir        SUPAKIT_STORAGE_DIR     folder for Storage objects (default: temporary)
//	-fresh                                      use a new database, dropped on exit
//	-throwaway                                  start a throwaway cluster even if a server answers
//	-quiet                                      no request log
//
// It prints the base URL and keys, then serves until SIGINT or SIGTERM, and
// shuts down cleanly (a fresh database is dropped, a throwaway cluster
// removed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/supakit/supakit/emulator"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// parse reads flags (with environment fallbacks) into a Config.
func parse(args []string, stderr io.Writer) (emulator.Config, bool, error) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg emulator.Config
	fs.StringVar(&cfg.Addr, "addr", env("SUPAKIT_EMULATOR_ADDR", "127.0.0.1:54321"), "listen address")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL")
	fs.StringVar(&cfg.JWTSecret, "jwt-secret", env("SUPAKIT_JWT_SECRET", ""), "JWT secret (default: the Supabase CLI demo secret)")
	maxRows := fs.String("max-rows", env("SUPAKIT_MAX_ROWS", "1000"), "max rows per REST read (negative: no cap)")
	schemas := fs.String("schemas", env("SUPAKIT_SCHEMAS", "public"), "exposed schemas, comma-separated")
	timeout := fs.String("statement-timeout", env("SUPAKIT_STATEMENT_TIMEOUT", "0"), "per-statement timeout (0: server default)")
	maxBody := fs.String("max-body", env("SUPAKIT_MAX_BODY", strconv.Itoa(emulator.DefaultMaxBodyBytes)), "REST body limit in bytes")
	fs.BoolVar(&cfg.FreshDatabase, "fresh", false, "use a new database, dropped on exit")
	fs.BoolVar(&cfg.Auth.Autoconfirm, "auth-autoconfirm", envBool("SUPAKIT_AUTH_AUTOCONFIRM"), "sign-ups get a session without confirmation")
	fs.BoolVar(&cfg.Auth.AllowAnonymous, "auth-anonymous", envBool("SUPAKIT_AUTH_ANONYMOUS"), "allow anonymous sign-ins")
	fs.StringVar(&cfg.Auth.SiteURL, "site-url", env("SUPAKIT_SITE_URL", ""), "where Auth links redirect by default (http://localhost:3000)")
	fs.StringVar(&cfg.StorageDir, "storage-dir", env("SUPAKIT_STORAGE_DIR", ""), "folder for Storage objects (default: a temporary folder removed on exit)")
	fs.BoolVar(&cfg.Throwaway, "throwaway", false, "start a throwaway cluster even if a server answers")
	quiet := fs.Bool("quiet", false, "no request log")
	if err := fs.Parse(args); err != nil {
		return cfg, false, err
	}
	if fs.NArg() > 0 {
		return cfg, false, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if cfg.MaxRows, err = strconv.Atoi(*maxRows); err != nil {
		return cfg, false, fmt.Errorf("-max-rows: %w", err)
	}
	if cfg.MaxRows == 0 {
		return cfg, false, errors.New("-max-rows: must not be 0 (use a negative value for no cap)")
	}
	if cfg.StatementTimeout, err = time.ParseDuration(*timeout); err != nil {
		return cfg, false, fmt.Errorf("-statement-timeout: %w", err)
	}
	if cfg.MaxBodyBytes, err = strconv.ParseInt(*maxBody, 10, 64); err != nil || cfg.MaxBodyBytes <= 0 {
		return cfg, false, fmt.Errorf("-max-body: want a positive number of bytes, got %q", *maxBody)
	}
	for _, s := range strings.Split(*schemas, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Schemas = append(cfg.Schemas, s)
		}
	}
	return cfg, *quiet, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, quiet, err := parse(args, stderr)
	if err != nil {
		return err
	}
	logger := log.New(stderr, "", log.LstdFlags)
	if !quiet {
		cfg.Logf = logger.Printf
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	srv, err := emulator.Start(startCtx, cfg)
	cancel()
	if err != nil {
		return err
	}
	secretNote := "(as configured)"
	if srv.JWTSecret == emulator.DemoJWTSecret {
		secretNote = srv.JWTSecret + " (Supabase CLI demo secret: local use only)"
	}
	fmt.Fprintf(stdout, `supakit emulator running.

         API URL: %s
        REST URL: %s/rest/v1
    DATABASE URL: %s
      JWT secret: %s
        anon key: %s
service_role key: %s
 publishable key: %s
      secret key: %s

Stop with Ctrl-C.
`, srv.URL, srv.URL, redactURL(srv.DatabaseURL), secretNote, srv.AnonKey, srv.ServiceRoleKey, srv.PublishableKey, srv.SecretKey)

	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down…")
	if err := srv.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "stopped.")
	return nil
}
