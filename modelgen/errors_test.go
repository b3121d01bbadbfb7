package modelgen_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/supakit/supakit/modelgen"
)

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestPostgresErrors(t *testing.T) {
	dbURL := freshDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// a role that may not log in
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	role := "modelgen_nologin_" + hex.EncodeToString(b)
	execSQL(t, dbURL, "create role "+role+" nologin")
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), baseURL())
		if err == nil {
			_, _ = c.Exec(context.Background(), "drop role if exists "+role)
			c.Close(context.Background())
		}
	})
	u, _ := url.Parse(dbURL)
	u.User = url.UserPassword(role, "s3cret-pw")
	noLogin := u.String()
	u2, _ := url.Parse(dbURL)
	u2.Path = "/modelgen_no_such_database"
	tests := []struct {
		name    string
		url     string
		schemas []string
		want    error
		say     string
	}{
		{"unreachable", "postgres://postgres:s3cret-pw@" + closedPort(t) + "/x?connect_timeout=5", nil, modelgen.ErrUnreachable, "database at"},
		{"credentials", noLogin, nil, modelgen.ErrAuth, role},
		{"unknown database", u2.String(), nil, modelgen.ErrUnknownDatabase, "modelgen_no_such_database"},
		{"unknown schema", dbURL, []string{"public", "nope"}, modelgen.ErrUnknownSchema, `"nope"`},
		{"bad URL", "postgres://[::1", nil, modelgen.ErrConfig, "database URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := modelgen.FromPostgres(ctx, tc.url, tc.schemas)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.say) {
				t.Errorf("error %q does not say %q", err, tc.say)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if _, err := modelgen.FromPostgres(cctx, dbURL, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestOpenAPIErrors(t *testing.T) {
	const key = "eyJ-secret-key"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("apikey") != key:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Invalid API key ` + r.Header.Get("apikey") + `"}`))
		case r.Header.Get("Accept-Profile") == "nope":
			w.WriteHeader(http.StatusNotAcceptable)
			_, _ = w.Write([]byte(`{"code":"PGRST106","details":null,"hint":null,"message":"Invalid schema: nope"}`))
		case r.URL.Path == "/broken/":
			_, _ = w.Write([]byte(`<html>not json</html>`))
		default:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"boom"}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	tests := []struct {
		name    string
		url     string
		key     string
		schemas []string
		want    error
	}{
		{"bad key", srv.URL, "wrong-key-value", nil, modelgen.ErrAuth},
		{"unknown schema", srv.URL, key, []string{"nope"}, modelgen.ErrUnknownSchema},
		{"not a document", srv.URL + "/broken", key, nil, modelgen.ErrSource},
		{"server error", srv.URL, key, []string{"public"}, modelgen.ErrSource},
		{"unreachable", "http://" + closedPort(t), key, nil, modelgen.ErrUnreachable},
		{"bad URL", "ftp://x", key, nil, modelgen.ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := modelgen.FromOpenAPI(ctx, tc.url, tc.key, modelgen.OpenAPIOptions{Schemas: tc.schemas})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		say  string
	}{
		{"no source", nil, modelgen.ExitError, "exactly one source"},
		{"two sources", []string{"-db", "postgres://x", "-url", "http://x"}, modelgen.ExitError, "exactly one source"},
		{"stray argument", []string{"-db", "postgres://x", "extra"}, modelgen.ExitError, "unexpected arguments"},
		{"bad type override", []string{"-type", "nothing"}, modelgen.ExitError, "want key=type"},
		{"help", []string{"-h"}, modelgen.ExitOK, "Type mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := modelgen.Run(context.Background(), tc.args, &out, &errOut); code != tc.want {
				t.Fatalf("exit %d, want %d: %s", code, tc.want, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.say) {
				t.Errorf("output lacks %q: %s", tc.say, errOut.String())
			}
		})
	}
}

func TestGenerateConfigErrors(t *testing.T) {
	db := &modelgen.Database{Schemas: []string{"public"}}
	for name, cfg := range map[string]modelgen.Config{
		"package":  {Package: "not-a-name"},
		"keyword":  {Package: "func"},
		"pattern":  {Include: []string{"[a-"}},
		"override": {Types: map[string]string{"jsonb": "not a type"}},
		"json":     {JSONType: "example.com/x."},
	} {
		if _, err := modelgen.Generate(db, cfg); !errors.Is(err, modelgen.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestRunOddNames(t *testing.T) {
	dbURL := freshDB(t)
	execSQL(t, dbURL,
		`create table "odd names" ("first name" text, "a,b" int, "q""uote" int, table_name text, "type" text, "2fa" bool)`)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"-db", dbURL, "-out", dir, "-include", "odd*", "-no-functions"}
	if code := modelgen.Run(context.Background(), args, &out, &errOut); code != modelgen.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	src, err := os.ReadFile(filepath.Join(dir, "models.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"type OddName struct",
		"FirstName *string `db:\"first name\" json:\"first name\"`",
		"TableNameCol *string `db:\"table_name\" json:\"table_name\"`",
		"Type *string `db:\"type\" json:\"type\"`",
		"X2fa *bool `db:\"2fa\" json:\"2fa\"`",
		`Column "a,b" is left out`,
		`Column "q\"uote" is left out`,
	} {
		if !strings.Contains(strings.Join(strings.Fields(string(src)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
}

func TestMultiSchema(t *testing.T) {
	dbURL := freshDB(t)
	execSQL(t, dbURL,
		"create schema billing",
		"create type billing.mood as enum ('calm')",
		"create table billing.invoices (id bigint primary key, user_id uuid references public.users(id), total numeric not null)",
		"create table billing.lines (invoice_id bigint references billing.invoices(id), n int, primary key (invoice_id, n))")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := modelgen.FromPostgres(ctx, dbURL, []string{"public", "billing"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := modelgen.Generate(db, modelgen.Config{Relations: true, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Join(strings.Fields(string(files[0].Content)), " ")
	for _, want := range []string{
		"type BillingInvoice struct",
		"type BillingLine struct",
		"type BillingMood string",
		`use a client made with WithSchema("billing")`,
		"Lines []BillingLine `db:\"lines,rel\" json:\"lines,omitempty\"`",
		"Invoice *BillingInvoice `db:\"invoices,rel,as=invoice\" json:\"invoice,omitempty\"`",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if strings.Contains(src, "[]BillingInvoice") {
		t.Error("a relation crosses schemas (PostgREST embeds within one schema)")
	}
}
