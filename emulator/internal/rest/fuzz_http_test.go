package rest_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

// FuzzQuery sends arbitrary query strings and Prefer/Accept headers to real
// tables and functions: whatever the input, the answer is a client error,
// a 501 or a success, never a server error or a panic.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"select=name,cities(name)&cities.name=eq.x",
		"select=*,cities!inner(*)&or=(id.eq.1,name.like.*a*)&order=name.desc.nullslast&limit=2",
		"select=n:data->capital->>name::text&data->capital=not.is.null",
		"select=country_id,count()&id=in.(1,\"2\")",
		"select=...countries(name)&order=countries(name)",
		"tags=cs.{a,b}&tags=ov.{c}&name=ilike(any).{a*,b*}",
		"a=1&b=2",
	} {
		f.Add(s, "/countries", "count=exact")
		f.Add(s, "/cities", "")
		f.Add(s, "/rpc/countries_on", "")
	}
	s := newServer(f, rest.Config{})
	f.Fuzz(func(t *testing.T, query, path, prefer string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# \t\r\n") || strings.ContainsAny(query, "# \t\r\n") || strings.ContainsAny(prefer, "\r\n\x00") {
			return
		}
		if _, err := url.Parse("http://x" + path + "?" + query); err != nil {
			return
		}
		rec := s.do(call{target: path + "?" + query, headers: map[string]string{"Prefer": prefer}})
		if rec.Code >= 500 && rec.Code != 501 {
			var e struct{ Code string }
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			// Statement timeouts and resource limits are server-side by nature.
			if e.Code != "57014" && !strings.HasPrefix(e.Code, "53") && !strings.HasPrefix(e.Code, "54") {
				t.Fatalf("GET %s?%s (Prefer %q) -> %d %s", path, query, prefer, rec.Code, rec.Body.String())
			}
		}
	})
}
