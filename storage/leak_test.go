package storage_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// TestErrorsNeverCarrySecrets: the project key, the user's token and
// signed-upload tokens never appear in errors, whether the server cannot
// be reached, answers an error that is not Storage's JSON, or answers
// garbage.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	const (
		key       = "sb_secret_LEAK-key"
		userToken = "LEAK.user.token"
		upToken   = "LEAK-upload-token"
	)
	servers := map[string]string{}
	refused := httptest.NewServer(http.NotFoundHandler())
	servers["refused"] = refused.URL
	refused.Close()
	for name, h := range map[string]http.HandlerFunc{
		"error status": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>bad gateway</html>")
		},
		"garbage": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"signedURL": [1,`)
		},
	} {
		srv := newServer(t, h)
		servers[name] = srv.URL
	}
	ctx := context.Background()
	for sname, url := range servers {
		t.Run(sname, func(t *testing.T) {
			tr, err := transport.New(transport.Config{BaseURL: url + "/storage/v1", APIKey: key, Tokens: transport.StaticToken(userToken), Retry: transport.RetryPolicy{}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := storage.New(tr)
			if err != nil {
				t.Fatal(err)
			}
			b := c.Bucket("b")
			calls := map[string]func() error{
				"UploadToSignedURL": func() error {
					_, err := b.UploadToSignedURL(ctx, "a.txt", upToken, strings.NewReader("x"))
					return err
				},
				"CreateSignedURL":       func() error { _, err := b.CreateSignedURL(ctx, "a.txt", time.Minute); return err },
				"CreateSignedUploadURL": func() error { _, err := b.CreateSignedUploadURL(ctx, "a.txt"); return err },
				"Upload":                func() error { _, err := b.Upload(ctx, "a.txt", strings.NewReader("x")); return err },
				"ListBuckets":           func() error { _, err := c.ListBuckets(ctx); return err },
				"List":                  func() error { _, err := b.List(ctx, ""); return err },
			}
			for name, call := range calls {
				err := call()
				if err == nil {
					t.Errorf("%s: no error", name)
					continue
				}
				out := fmt.Sprintf("%s %v %+v %#v", err.Error(), err, err, err)
				for _, s := range []string{key, userToken, upToken} {
					if strings.Contains(out, s) {
						t.Errorf("%s: error shows a secret: %s", name, out)
					}
				}
			}
		})
	}
}
