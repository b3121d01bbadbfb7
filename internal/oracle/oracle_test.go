package oracle_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/supakit/supakit/internal/oracle"
)

func TestCompare(t *testing.T) {
	want := oracle.Request{
		Method: "POST", Path: "/rest/v1/countries", Query: [][2]string{{"columns", `"id"`}, {"id", "eq.1"}},
		ClientHeaders: [][2]string{{"Content-Profile", "public"}, {"prefer", "return=representation"}},
		BodyText:      `{"id":1,"tags":["a"]}`, BodyJSON: json.RawMessage(`{"id":1,"tags":["a"]}`),
	}
	same := oracle.Captured{
		Method: "POST", RawPath: "/rest/v1/countries", Query: [][2]string{{"columns", `"id"`}, {"id", "eq.1"}},
		Header: map[string][]string{"Content-Profile": {"public"}, "Prefer": {"return=representation"}, "Accept": {"*/*"}},
		Body:   []byte(`{"tags":["a"], "id":1}`),
	}
	if d := oracle.Compare(want, same, oracle.DefaultHeaders); len(d) != 0 {
		t.Fatalf("equal requests differ: %q", d)
	}
	tests := []struct {
		name string
		mod  func(c *oracle.Captured)
		diff string
	}{
		{"method", func(c *oracle.Captured) { c.Method = "PATCH" }, "method"},
		{"path", func(c *oracle.Captured) { c.RawPath = "/rest/v1/countrie" }, "path"},
		{"query order", func(c *oracle.Captured) { c.Query = [][2]string{c.Query[1], c.Query[0]} }, "query"},
		{"query value", func(c *oracle.Captured) { c.Query = [][2]string{c.Query[0], {"id", "eq.2"}} }, "query"},
		{"missing header", func(c *oracle.Captured) { delete(c.Header, "Prefer") }, "header prefer"},
		{"extra header", func(c *oracle.Captured) { c.Header["Range"] = []string{"0-9"} }, "header range"},
		{"body value", func(c *oracle.Captured) { c.Body = []byte(`{"id":2,"tags":["a"]}`) }, "body"},
		{"body not json", func(c *oracle.Captured) { c.Body = []byte(`id=1`) }, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := same
			c.Header = map[string][]string{}
			for k, v := range same.Header {
				c.Header[k] = v
			}
			tt.mod(&c)
			d := oracle.Compare(want, c, oracle.DefaultHeaders)
			if len(d) != 1 || !strings.HasPrefix(d[0], tt.diff) {
				t.Errorf("diffs %q, want one about %s", d, tt.diff)
			}
		})
	}
}
