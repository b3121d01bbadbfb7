package modelgen_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/modelgen"
)

// goldenCases are generated from testdata/schema.sql. The "testmodels"
// case is the package internal/testmodels, compiled into these tests (the
// metadata and round-trip tests use it); the others live in
// testdata/golden/<name> and are compiled in a temporary module.
var goldenCases = []struct {
	name string
	dir  string
	cfg  modelgen.Config
}{
	{name: "testmodels", dir: filepath.Join("internal", "testmodels"),
		cfg: modelgen.Config{Package: "testmodels", Relations: true}},
	{name: "pertable", dir: filepath.Join("testdata", "golden", "pertable"),
		cfg: modelgen.Config{Package: "pertable", PerTable: true, Exclude: []string{"messages"},
			Types: map[string]string{"users.meta": "net/url.Values", "public.email": "string"}}},
	{name: "plural", dir: filepath.Join("testdata", "golden", "plural"),
		cfg: modelgen.Config{Package: "plural", KeepPlural: true, NoFunctions: true, Include: []string{"countries", "public.cities"}}},
}

func TestGoldenPostgres(t *testing.T) {
	dbURL := freshDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := modelgen.FromPostgres(ctx, dbURL, []string{"public"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := modelgen.Generate(db, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			again, err := modelgen.Generate(db, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(files, again, func(a, b modelgen.File) bool { return a.Name == b.Name && bytes.Equal(a.Content, b.Content) }) {
				t.Fatal("two generations from the same schema differ")
			}
			compareGolden(t, tc.dir, files)
		})
	}
}

// TestGoldenOpenAPI generates from a PostgREST OpenAPI document served by an
// httptest server.
func TestGoldenOpenAPI(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rest/v1/" || r.Header.Get("apikey") != "test-key" || r.Header.Get("Authorization") != "Bearer test-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/openapi+json")
		_, _ = w.Write(doc)
	}))
	defer srv.Close()
	db, err := modelgen.FromOpenAPI(context.Background(), srv.URL, "test-key", modelgen.OpenAPIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := modelgen.Generate(db, modelgen.Config{Package: "openapi", Relations: true})
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("testdata", "golden", "openapi"), files)
}

func compareGolden(t *testing.T, dir string, files []modelgen.File) {
	t.Helper()
	if *update {
		if err := modelgen.WriteFiles(dir, files, true); err != nil {
			t.Fatal(err)
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test -update to create the golden files)", err)
	}
	var onDisk []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			onDisk = append(onDisk, e.Name())
		}
	}
	var generated []string
	for _, f := range files {
		generated = append(generated, f.Name)
		want, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", f.Name, err)
			continue
		}
		if !bytes.Equal(want, f.Content) {
			t.Errorf("%s differs from the golden file; run go test ./modelgen -update and review the diff\n%s", f.Name, firstDiff(want, f.Content))
		}
	}
	slices.Sort(onDisk)
	slices.Sort(generated)
	if !slices.Equal(onDisk, generated) {
		t.Errorf("files: golden %v, generated %v", onDisk, generated)
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  golden:    " + x + "\n  generated: " + y
		}
	}
	return ""
}

// TestGoldenCompile builds the golden directories (and the committed
// testmodels package) in a temporary module that replaces supakit with
// this checkout, as a user's module would.
func TestGoldenCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("modelgen: -short: not compiling the golden packages")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("modelgen: no go command on PATH, skipping the compile test")
	}
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(self)) // the module root
	tmp := t.TempDir()
	gomod := "module example.com/generated\n\ngo 1.26\n\nrequire github.com/supakit/supakit v0.0.0\n\nreplace github.com/supakit/supakit => " + root + "\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join("testdata", "golden", "openapi")}
	for _, tc := range goldenCases {
		dirs = append(dirs, tc.dir)
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		dst := filepath.Join(tmp, filepath.Base(d))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated module: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
