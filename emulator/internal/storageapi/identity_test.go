package storageapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
	"github.com/supakit/supakit/emulator/internal/storageapi"
)

// TestGatewayIdentity: behind the gateway, the identity it verified (for
// example the JWT a new-format key stands for) is the one used.
func TestGatewayIdentity(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	claims := json.RawMessage(`{"role":"service_role","sub":"` + alice + `"}`)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := reqctx.With(r.Context(), reqctx.Identity{Role: "service_role", Claims: claims, Token: "verified-by-gateway"})
		e.h.ServeHTTP(w, r.WithContext(ctx))
	}))
	defer gw.Close()
	req, _ := http.NewRequest("POST", gw.URL+"/object/b/x.txt", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer sb_secret_not_a_jwt")
	req.Header.Set("Content-Type", "text/plain")
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := e.query(`select owner_id from storage.objects where name = 'x.txt'`); got != alice {
		t.Fatalf("owner_id %q", got)
	}
	// Without the gateway the same header is judged here, in Storage's words.
	r := e.do("POST", "/object/b/y.txt", "sb_secret_not_a_jwt", strings.NewReader("y"))
	wantErr(t, r, 400, "403", "AccessDenied")
	// Still, Storage wants an Authorization header even when the gateway
	// found an apikey.
	req, _ = http.NewRequest("GET", gw.URL+"/bucket", nil)
	res, err = testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("no Authorization: status %d", res.StatusCode)
	}
}

func TestUnknownRole(t *testing.T) {
	e := newEnv(t)
	tok := e.token(jwt.MapClaims{"role": "no_such_role_here"})
	wantErr(t, e.do("GET", "/bucket", tok, nil), 400, "403", "AccessDenied")
}

// TestNewConcurrently: New migrates idempotently, also when several
// handlers start at once on one database.
func TestNewConcurrently(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := storageapi.New(ctx, db.Pool, storageapi.Config{JWTSecret: secret})
			if err == nil {
				err = h.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := storageapi.New(ctx, db.Pool, storageapi.Config{}); err != storageapi.ErrNoSecret {
		t.Fatalf("no secret: %v", err)
	}
}
