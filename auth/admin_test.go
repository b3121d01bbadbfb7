package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/auth"
)

func TestAdminUsersIteratesEveryPage(t *testing.T) {
	const total, per = 7, 3
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if r.URL.Query().Get("per_page") != strconv.Itoa(per) {
			t.Errorf("per_page = %q", r.URL.Query().Get("per_page"))
		}
		var users []map[string]any
		for i := (page - 1) * per; i < page*per && i < total; i++ {
			users = append(users, map[string]any{"id": fmt.Sprint(i)})
		}
		last := (total + per - 1) / per
		link := fmt.Sprintf(`</admin/users?page=%d&per_page=%d>; rel="last"`, last, per)
		if page < last {
			link = fmt.Sprintf(`</admin/users?page=%d&per_page=%d>; rel="next", `, page+1, per) + link
		}
		w.Header().Set("Link", link)
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
		_ = json.NewEncoder(w).Encode(map[string]any{"users": users, "aud": "authenticated"})
	}))
	defer srv.Close()
	a, err := auth.New(mustTransport(t, srv.URL, goServiceKey))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for u, err := range a.Admin().Users(context.Background(), per) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if len(ids) != total || ids[0] != "0" || ids[total-1] != "6" || calls != 3 {
		t.Fatalf("ids %v after %d calls", ids, calls)
	}
	// Stopping early makes no further request.
	calls = 0
	for range a.Admin().Users(context.Background(), per) {
		break
	}
	if calls != 1 {
		t.Fatalf("%d calls after break", calls)
	}
}

func TestGetClaimsVerifiesAsymmetricTokensWithTheJWKS(t *testing.T) {
	k := mustECKey(t)
	js := newJWKSServer(t, ecJWK("ec-1", &k.PublicKey))
	a, err := auth.New(mustTransport(t, js.srv.URL, goAnonKey), auth.WithClock(func() time.Time { return verifierNow }))
	if err != nil {
		t.Fatal(err)
	}
	tok := signWith(t, jwt.SigningMethodES256, "ec-1", k, userClaims(verifierNow.Add(time.Hour)))
	sess, _ := json.Marshal(map[string]any{"access_token": tok, "refresh_token": "r", "expires_at": verifierNow.Add(time.Hour).Unix(), "user": map[string]any{"id": "u"}})
	a2, err := auth.New(mustTransport(t, js.srv.URL, goAnonKey), auth.WithStore(seedStore(t, a.StorageKey(), string(sess))),
		auth.WithClock(func() time.Time { return verifierNow }))
	if err != nil {
		t.Fatal(err)
	}
	c, err := a2.GetClaims(context.Background())
	if err != nil || c.AAL != auth.AAL2 || c.Subject == "" {
		t.Fatalf("claims %+v, %v", c, err)
	}
	if js.fetches.Load() != 1 {
		t.Fatalf("%d JWKS fetches", js.fetches.Load())
	}
	// A token signed by another key is refused.
	other := mustECKey(t)
	bad := signWith(t, jwt.SigningMethodES256, "ec-1", other, userClaims(verifierNow.Add(time.Hour)))
	sess, _ = json.Marshal(map[string]any{"access_token": bad, "refresh_token": "r", "expires_at": verifierNow.Add(time.Hour).Unix()})
	a3, _ := auth.New(mustTransport(t, js.srv.URL, goAnonKey), auth.WithStore(seedStore(t, a.StorageKey(), string(sess))),
		auth.WithClock(func() time.Time { return verifierNow }))
	if _, err := a3.GetClaims(context.Background()); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("forged token: %v", err)
	}
}

func seedStore(t *testing.T, key, val string) *auth.MemoryStore {
	t.Helper()
	s := auth.NewMemoryStore()
	if err := s.Set(context.Background(), key, val); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
