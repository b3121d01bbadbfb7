package functions_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/supakit/supakit/functions"
	"github.com/supakit/supakit/transport"
)

// TestErrorsNeverCarrySecrets: the project key, the user's token, and
// secrets the caller puts in headers or the query never appear in
// errors, whether the function cannot be reached or fails.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	const (
		key       = "sb_secret_LEAK-key"
		userToken = "LEAK.user.token"
		hdrSecret = "LEAK-header-secret"
		qSecret   = "LEAK-query-secret"
	)
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":"boom"}`)
	}))
	defer failing.Close()
	for name, url := range map[string]string{"refused": refusedURL, "error status": failing.URL} {
		t.Run(name, func(t *testing.T) {
			tr, err := transport.New(transport.Config{BaseURL: url + "/functions/v1", APIKey: key, Tokens: transport.StaticToken(userToken), Retry: transport.RetryPolicy{}})
			if err != nil {
				t.Fatal(err)
			}
			c, _ := functions.New(tr)
			_, err = c.Invoke(context.Background(), "fn", functions.Text("hi"),
				functions.Header("X-Api-Secret", hdrSecret), functions.Query("token", qSecret))
			if err == nil {
				t.Fatal("no error")
			}
			out := fmt.Sprintf("%s %v %+v", err.Error(), err, err)
			for _, s := range []string{key, userToken, hdrSecret, qSecret} {
				if strings.Contains(out, s) {
					t.Errorf("error shows a secret: %s", out)
				}
			}
		})
	}
}
