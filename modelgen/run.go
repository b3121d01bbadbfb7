package modelgen

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Exit codes of [Run].
const (
	ExitOK    = 0 // generated, or -check found no difference
	ExitDrift = 1 // -check found differences
	ExitError = 2 // bad flags, unreachable source, write failure
)

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

type mapFlag map[string]string

func (m mapFlag) String() string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k+"="+m[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (m mapFlag) Set(v string) error {
	k, t, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(t) == "" {
		return fmt.Errorf("want key=type, got %q", v)
	}
	m[strings.TrimSpace(k)] = strings.TrimSpace(t)
	return nil
}

// Run is the modelgen command: it parses args (without the program name),
// reads the source, and writes the models or, with -check, reports the
// differences. It returns the exit code (ExitOK, ExitDrift, ExitError).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("modelgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dbURL     = fs.String("db", "", "PostgreSQL URL to read the catalog from (postgres://user:pass@host:5432/db)")
		restURL   = fs.String("url", "", "Supabase project URL (or PostgREST root) to read the OpenAPI document from")
		key       = fs.String("key", "", "API key for -url (default $SUPABASE_SERVICE_ROLE_KEY, then $SUPABASE_KEY)")
		schemas   listFlag
		include   listFlag
		exclude   listFlag
		types     = mapFlag{}
		pkg       = fs.String("pkg", "models", "Go package name")
		out       = fs.String("out", ".", "output folder")
		file      = fs.String("file", "models.go", "file name when writing one file")
		perTable  = fs.Bool("per-table", false, "one file per table or view (plus types.go, functions.go, verify_models.go)")
		relations = fs.Bool("relations", false, "add relation fields from foreign keys (to-one, to-many, many-to-many)")
		jsonType  = fs.String("json-type", "", "Go type of json/jsonb columns (import/path.Type; default json.RawMessage)")
		plural    = fs.Bool("keep-plural", false, "keep table names plural in Go type names")
		noFuncs   = fs.Bool("no-functions", false, "leave database functions out")
		check     = fs.Bool("check", false, "compare the models in -out with the live schema; exit 1 naming each difference")
		timeout   = fs.Duration("timeout", 30*time.Second, "time limit for reading the source")
	)
	fs.Var(&schemas, "schema", "schemas to generate, comma-separated (default public)")
	fs.Var(&include, "include", "tables and views to generate: names or schema.name patterns (path.Match), comma-separated")
	fs.Var(&exclude, "exclude", "tables and views to leave out: patterns as for -include")
	fs.Var(types, "type", "override a Go type: key=type, key a column (table.column, schema.table.column) or a database type (jsonb, public.mood); repeatable")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: modelgen (-db URL | -url URL [-key KEY]) [flags]\n\nGenerates Go models for supakit's Repo[T] from a live schema.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nType mapping:\n")
		for _, m := range TypeMapping() {
			fmt.Fprintf(stderr, "  %-42s %s\n", m[0], m[1])
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "modelgen: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return ExitError
	}
	if (*dbURL == "") == (*restURL == "") {
		fmt.Fprintln(stderr, "modelgen: give exactly one source: -db postgres://… or -url https://… (see -h)")
		return ExitError
	}
	cfg := Config{Package: *pkg, PerTable: *perTable, FileName: *file, Relations: *relations,
		Include: include, Exclude: exclude, Types: types, JSONType: *jsonType, KeepPlural: *plural, NoFunctions: *noFuncs}

	rctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var db *Database
	var err error
	if *dbURL != "" {
		db, err = FromPostgres(rctx, *dbURL, schemas)
	} else {
		k := *key
		if k == "" {
			k = os.Getenv("SUPABASE_SERVICE_ROLE_KEY")
		}
		if k == "" {
			k = os.Getenv("SUPABASE_KEY")
		}
		db, err = FromOpenAPI(rctx, *restURL, k, OpenAPIOptions{Schemas: schemas})
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	if *check {
		diffs, err := Check(*out, db, cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return ExitError
		}
		if len(diffs) > 0 {
			fmt.Fprintln(stderr, (&DriftError{Differences: diffs}).Error())
			return ExitDrift
		}
		fmt.Fprintf(stdout, "modelgen: the models in %s match the schema\n", *out)
		return ExitOK
	}
	files, err := Generate(db, cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	if err := WriteFiles(*out, files, cfg.PerTable); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	fmt.Fprintf(stdout, "modelgen: wrote %d file(s) to %s\n", len(files), *out)
	return ExitOK
}

// WriteFiles writes files into dir (created if missing), leaving files
// whose content is unchanged untouched. With prune, earlier generated
// files (those starting with [Header]) that are not in files are removed,
// so a dropped table's file goes away.
func WriteFiles(dir string, files []File, prune bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("modelgen: %w", err)
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		p := filepath.Join(dir, f.Name)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return fmt.Errorf("modelgen: %w", err)
		}
	}
	if !prune {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("modelgen: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || keep[n] || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil && bytes.HasPrefix(b, []byte(Header)) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return fmt.Errorf("modelgen: %w", err)
			}
		}
	}
	return nil
}
