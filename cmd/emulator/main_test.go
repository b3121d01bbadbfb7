package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(emulator.Config) bool
		wantErr bool
	}{
		{"defaults", nil, nil, func(c emulator.Config) bool {
			return c.Addr == "127.0.0.1:54321" && c.MaxRows == 1000 && c.JWTSecret == "" && len(c.Schemas) == 1 && c.Schemas[0] == "public" && c.MaxBodyBytes == emulator.DefaultMaxBodyBytes
		}, false},
		{"flags", []string{"-addr", ":0", "-max-rows", "-1", "-schemas", "public, api", "-statement-timeout", "3s", "-fresh"}, nil, func(c emulator.Config) bool {
			return c.Addr == ":0" && c.MaxRows == -1 && len(c.Schemas) == 2 && c.Schemas[1] == "api" && c.StatementTimeout == 3*time.Second && c.FreshDatabase
		}, false},
		{"env", nil, map[string]string{"SUPAKIT_EMULATOR_ADDR": "127.0.0.1:9", "DATABASE_URL": "postgres://h/db", "SUPAKIT_MAX_ROWS": "50", "SUPAKIT_JWT_SECRET": strings.Repeat("x", 32)}, func(c emulator.Config) bool {
			return c.Addr == "127.0.0.1:9" && c.DatabaseURL == "postgres://h/db" && c.MaxRows == 50 && c.JWTSecret == strings.Repeat("x", 32)
		}, false},
		{"auth flags", []string{"-auth-autoconfirm", "-site-url", "http://app.test"}, map[string]string{"SUPAKIT_AUTH_ANONYMOUS": "true"}, func(c emulator.Config) bool {
			return c.Auth.Autoconfirm && c.Auth.AllowAnonymous && c.Auth.SiteURL == "http://app.test"
		}, false},
		{"flag beats env", []string{"-max-rows", "7"}, map[string]string{"SUPAKIT_MAX_ROWS": "50"}, func(c emulator.Config) bool { return c.MaxRows == 7 }, false},
		{"bad max rows", []string{"-max-rows", "many"}, nil, nil, true},
		{"zero max rows", []string{"-max-rows", "0"}, nil, nil, true},
		{"bad timeout", []string{"-statement-timeout", "soon"}, nil, nil, true},
		{"bad body limit", []string{"-max-body", "-5"}, nil, nil, true},
		{"stray argument", []string{"serve"}, nil, nil, true},
		{"unknown flag", []string{"-nope"}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"SUPAKIT_EMULATOR_ADDR", "DATABASE_URL", "SUPAKIT_MAX_ROWS", "SUPAKIT_JWT_SECRET", "SUPAKIT_SCHEMAS", "SUPAKIT_STATEMENT_TIMEOUT", "SUPAKIT_MAX_BODY", "SUPAKIT_AUTH_AUTOCONFIRM", "SUPAKIT_AUTH_ANONYMOUS", "SUPAKIT_SITE_URL", "SUPAKIT_STORAGE_DIR"} {
				t.Setenv(k, tt.env[k])
			}
			cfg, _, err := parse(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && !tt.check(cfg) {
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

func TestRunPrintsKeysServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-fresh", "-quiet"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url, anon string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "API URL: "); ok {
			url = v
		}
		if v, ok := strings.CutPrefix(line, "anon key: "); ok {
			anon = v
		}
		if strings.HasPrefix(line, "Stop with") {
			break
		}
	}
	if url == "" || anon == "" {
		select {
		case err := <-done:
			if err != nil && strings.Contains(err.Error(), "no PostgreSQL") {
				t.Skip(err)
			}
			t.Fatalf("run ended early: %v", err)
		default:
			t.Fatal("no URL or anon key printed")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	res, err := http.Get(url + "/rest/v1/x")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d without apikey, want 401", res.StatusCode)
	}
	cancel() // as SIGINT would
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := http.Get(url + "/rest/v1/x"); err == nil {
		t.Fatal("still serving after stop")
	}
}

func TestRedactURL(t *testing.T) {
	if got := redactURL("postgres://u:pw@h/db?password=pw2"); strings.Contains(got, "pw@") || strings.Contains(got, "pw2") {
		t.Fatalf("redactURL leaks: %s", got)
	}
	if got := redactURL("host=h password=pw"); strings.Contains(got, "pw") {
		t.Fatalf("redactURL leaks: %s", got)
	}
}
