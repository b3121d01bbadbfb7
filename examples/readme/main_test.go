package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator"
)

// The README shows the code between the README markers of main.go; this
// test keeps the two identical, so the README's example always compiles.
func TestREADMEShowsThisCode(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	begin, end := strings.Index(s, "// README:BEGIN\n"), strings.Index(s, "// README:END")
	if begin < 0 || end < begin {
		t.Fatal("main.go lacks the README markers")
	}
	snippet := strings.TrimSpace(s[begin+len("// README:BEGIN\n") : end])
	if !strings.Contains(string(readme), snippet) {
		t.Fatal("README.md does not show the code between the README markers of examples/readme/main.go; copy it over")
	}
}

func TestDemoRuns(t *testing.T) {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if errors.Is(err, emulator.ErrNoPostgreSQL) {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Pool().Exec(ctx, schemaSQL); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	runErr := demo(ctx, srv.URL, srv.ServiceRoleKey)
	os.Stdout = stdout
	w.Close()
	var out bytes.Buffer
	if _, err := io.Copy(&out, r); err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		t.Fatal(runErr)
	}
	want := "Denmark has 2 cities\ncountries ending in 'mark': 1\nrow: 1 Danmark\n"
	if out.String() != want {
		t.Fatalf("output\n%s\nwant\n%s", out.String(), want)
	}
}
