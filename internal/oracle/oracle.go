// Package oracle loads the wire vectors recorded from the official Supabase
// JavaScript clients (see tools/oracle) and compares a request captured by
// an httptest server against them.
//
// A vector names one reference call and lists the HTTP requests it put on
// the wire. Tests reproduce the call with the Go client, capture what it
// sends and call [Compare].
package oracle

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Vector is one recorded reference call.
type Vector struct {
	Name     string    `json:"name"`
	Area     string    `json:"area"`
	JS       string    `json:"js"`
	Client   string    `json:"client"`
	Note     string    `json:"note,omitempty"`
	Requests []Request `json:"requests"`
}

// Request is one recorded HTTP request.
type Request struct {
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	DecodedPath   string          `json:"decodedPath"`
	RawQuery      string          `json:"rawQuery"`
	Query         [][2]string     `json:"query"`
	ClientHeaders [][2]string     `json:"clientHeaders"`
	BodyText      string          `json:"bodyText,omitempty"`
	BodyJSON      json.RawMessage `json:"bodyJson,omitempty"`
	BodyLength    int             `json:"bodyLength"`
	Response      *Response       `json:"response,omitempty"`
}

// Response is the canned answer the capture server gave.
type Response struct {
	Status   int               `json:"status"`
	Headers  map[string]string `json:"headers,omitempty"`
	BodyText string            `json:"bodyText,omitempty"`
}

// Load reads a JSON array of vectors.
func Load(path string) ([]Vector, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var vs []Vector
	if err := json.Unmarshal(b, &vs); err != nil {
		return nil, fmt.Errorf("oracle: %s: %w", path, err)
	}
	return vs, nil
}

// Captured is a request as an httptest handler saw it.
type Captured struct {
	Method   string
	RawPath  string // r.URL.EscapedPath()
	RawQuery string
	Query    [][2]string // decoded pairs in order
	Header   map[string][]string
	Body     []byte
}

// DefaultHeaders are the headers whose values carry meaning and are compared.
var DefaultHeaders = []string{
	"prefer", "accept", "range", "range-unit", "accept-profile",
	"content-profile", "content-type", "apikey", "authorization",
}

// Compare reports the differences between the recorded request want and the
// captured one, comparing the method, the raw path, the decoded query pairs
// in order, the headers named in headers (case-insensitively; a header the
// vector does not carry must be absent, except "accept", which the JS
// transport adds as */*) and the body (JSON by value, else bytes).
func Compare(want Request, got Captured, headers []string) []string {
	var diffs []string
	if want.Method != got.Method {
		diffs = append(diffs, fmt.Sprintf("method: want %s, got %s", want.Method, got.Method))
	}
	if want.Path != got.RawPath {
		diffs = append(diffs, fmt.Sprintf("path: want %s, got %s", want.Path, got.RawPath))
	}
	if !equalPairs(want.Query, got.Query) {
		diffs = append(diffs, fmt.Sprintf("query:\n  want %q\n  got  %q", want.Query, got.Query))
	}
	wh := map[string]string{}
	for _, h := range want.ClientHeaders {
		wh[strings.ToLower(h[0])] = h[1]
	}
	gh := map[string]string{}
	for k, vs := range got.Header {
		gh[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	for _, name := range headers {
		w, wok := wh[name]
		g, gok := gh[name]
		if name == "accept" && !wok && (g == "*/*" || g == "application/json") {
			continue
		}
		if wok != gok || w != g {
			diffs = append(diffs, fmt.Sprintf("header %s: want %q (present %v), got %q (present %v)", name, w, wok, g, gok))
		}
	}
	if d := compareBody(want, got.Body); d != "" {
		diffs = append(diffs, d)
	}
	return diffs
}

func equalPairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func compareBody(want Request, got []byte) string {
	if want.BodyText == "" {
		if len(got) != 0 {
			return fmt.Sprintf("body: want none, got %q", got)
		}
		return ""
	}
	if len(want.BodyJSON) > 0 {
		var w, g any
		if err := json.Unmarshal(want.BodyJSON, &w); err != nil {
			return "body: vector JSON: " + err.Error()
		}
		if err := json.Unmarshal(got, &g); err != nil {
			return fmt.Sprintf("body: want JSON %s, got %q (%v)", want.BodyJSON, got, err)
		}
		if !jsonEqual(w, g) {
			return fmt.Sprintf("body: want %s, got %s", want.BodyText, got)
		}
		return ""
	}
	if want.BodyText != string(got) {
		return fmt.Sprintf("body: want %q, got %q", want.BodyText, got)
	}
	return ""
}

func jsonEqual(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		keys := make([]string, 0, len(av))
		for k := range av {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !jsonEqual(av[k], bv[k]) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !jsonEqual(av[i], bv[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}
