package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator"
)

// oracleVerbose prints every response, to help write expectations.
var oracleVerbose = flag.Bool("oracle.v", false, "print every oracle vector's response")

// oracleVector is one Database call of testdata/oracle/vectors.json (a copy
// of the db, filter and mod areas of the wire oracle, refreshed with
// go run ./tools/oracle -dst emulator/testdata/oracle/vectors.json): the
// exact requests the official JavaScript client sends.
type oracleVector struct {
	Name     string          `json:"name"`
	JS       string          `json:"js"`
	Requests []oracleRequest `json:"requests"`
}

// oracleRequest is one recorded request of a vector.
type oracleRequest struct {
	Method        string      `json:"method"`
	Path          string      `json:"path"`
	RawQuery      string      `json:"rawQuery"`
	ClientHeaders [][2]string `json:"clientHeaders"`
	BodyText      string      `json:"bodyText"`
}

// oracleExpect is what PostgREST documents for a vector's request against
// the schema and seed in testdata/oracle (expectations.json).
type oracleExpect struct {
	// Why explains the expectation where it is not obvious.
	Why string `json:"why"`
	// Known, when set, marks a known mismatch of the emulator: the reason.
	// KnownHeaders names the headers it concerns: only their checks are
	// tolerated (logged), everything else must still match. Without
	// KnownHeaders the whole vector is tolerated. The test fails when a
	// known mismatch is gone, so that the entry is removed.
	Known        string   `json:"known"`
	KnownHeaders []string `json:"knownHeaders"`
	// Auth picks the credentials: "anon" (default), "service", "user" (the
	// vector's own user token, signed with the emulator's secret).
	Auth string `json:"auth"`
	// Setup is SQL run as postgres after the seed, before the request.
	Setup string `json:"setup"`

	Status    int   `json:"status"`
	StatusAny []int `json:"statusAny"`

	// Body is the expected JSON, compared by value. BodySQL computes it
	// with PostgreSQL from the seed instead (for wide rows). BodySubset
	// compares only the keys of an expected object (errors: code).
	Body       json.RawMessage `json:"body"`
	BodySQL    string          `json:"bodySQL"`
	BodySubset bool            `json:"bodySubset"`
	// Unordered compares arrays as multisets (no order is documented).
	Unordered bool `json:"unordered"`
	// OrderedBy is a dotted path into each row of the body (an array) whose
	// text values must not decrease, nulls last: the order asserted where
	// ties leave the exact sequence open.
	OrderedBy string `json:"orderedBy"`
	// BodyText is the exact body (CSV); BodyEmpty asserts no body.
	BodyText *string `json:"bodyText"`
	// BodyTextSQL computes the exact body text with PostgreSQL.
	BodyTextSQL string `json:"bodyTextSQL"`
	BodyEmpty   bool   `json:"bodyEmpty"`
	// Plan asserts an EXPLAIN body's shape: "text" or "json".
	Plan string `json:"plan"`
	// PlanContains lists text an EXPLAIN body must contain (an option's
	// mark, e.g. "actual time=" for analyze).
	PlanContains []string `json:"planContains"`

	// Headers are compared exactly; HeaderPatterns as regular
	// expressions; NoHeaders must be absent. For a JSON read, Content-Type
	// defaults to application/json; charset=utf-8 and Content-Range to
	// 0-(n-1)/* (or */*) from the expected body.
	Headers        map[string]string `json:"headers"`
	HeaderPatterns map[string]string `json:"headerPatterns"`
	NoHeaders      []string          `json:"noHeaders"`

	// After checks the database once the request is done.
	After *struct {
		SQL  string          `json:"sql"`
		Want json.RawMessage `json:"want"`
	} `json:"after"`
}

func readOracle(t *testing.T) ([]oracleVector, map[string]oracleExpect) {
	t.Helper()
	raw, err := os.ReadFile("testdata/oracle/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []oracleVector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile("testdata/oracle/expectations.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var want map[string]oracleExpect
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("expectations.json: %v", err)
	}
	return vectors, want
}

// TestOracleDatabaseVectors sends every Database request of the official
// client, as recorded, to the emulator over HTTP, and checks the response
// PostgREST documents for it: status, body and the headers that carry
// meaning.
func TestOracleDatabaseVectors(t *testing.T) {
	vectors, want := readOracle(t)
	if len(vectors) < 200 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	seen := map[string]bool{}
	for _, v := range vectors {
		if _, ok := want[v.Name]; !ok {
			t.Errorf("%s: no expectation in expectations.json", v.Name)
		}
		seen[v.Name] = true
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("expectations.json: %s names no vector", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	srv, seed := oracleServer(t)
	ctx := context.Background()

	dirty := true
	var known []string
	for _, v := range vectors {
		exp := want[v.Name]
		if dirty || exp.Setup != "" {
			if _, err := srv.Pool().Exec(ctx, seed); err != nil {
				t.Fatalf("seed: %v", err)
			}
			dirty = false
		}
		if exp.Setup != "" {
			if _, err := srv.Pool().Exec(ctx, exp.Setup); err != nil {
				t.Fatalf("%s: setup: %v", v.Name, err)
			}
			dirty = true
		}
		if len(v.Requests) != 1 {
			t.Errorf("%s: %d requests, want 1", v.Name, len(v.Requests))
			continue
		}
		if m := v.Requests[0].Method; m != http.MethodGet && m != http.MethodHead {
			dirty = true
		}
		t.Run(v.Name, func(t *testing.T) {
			problems := runOracleVector(t, srv, v, exp)
			var tolerated []string
			for _, p := range problems {
				switch {
				case exp.Known != "" && len(exp.KnownHeaders) == 0,
					p.header != "" && slices.ContainsFunc(exp.KnownHeaders, func(h string) bool { return strings.EqualFold(h, p.header) }):
					tolerated = append(tolerated, p.text)
				default:
					t.Error(p.text)
				}
			}
			switch {
			case exp.Known != "" && len(tolerated) == 0:
				t.Errorf("listed as a known mismatch (%s) but now matches: remove the entry", exp.Known)
			case len(tolerated) > 0:
				t.Logf("known mismatch: %s\n%s", exp.Known, strings.Join(tolerated, "\n"))
			}
		})
		if exp.Known != "" {
			known = append(known, v.Name+": "+exp.Known)
		}
	}
	t.Logf("%d vectors, %d known mismatches:\n%s", len(vectors), len(known), strings.Join(known, "\n"))
}

// oracleServer starts an emulator exposing public and private, loads
// schema.sql and fixtures.sql, and returns it with seed.sql, which the
// caller runs to (re)load the rows vectors write.
func oracleServer(t *testing.T) (*emulator.Server, string) {
	t.Helper()
	srv := start(t, emulator.Config{Schemas: []string{"public", "private"}})
	ctx := context.Background()
	for _, f := range []string{"testdata/oracle/schema.sql", "testdata/oracle/fixtures.sql"} {
		sql, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Pool().Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("testdata/oracle/seed.sql")
	if err != nil {
		t.Fatal(err)
	}
	return srv, string(seed)
}

// TestOracleDeliberateDifferences sends, for each vector where the
// JavaScript client sends a wrong request (see the oracle's README, "Where
// Go must deliberately differ"), the request Go sends instead, and checks
// that the emulator reads it as meant.
func TestOracleDeliberateDifferences(t *testing.T) {
	tests := []struct {
		name   string // the vector whose wrong request this corrects
		target string // path and query, under /rest/v1
		want   string // JSON body
	}{
		{"filter.eq.null", "/characters?select=name&name=is.null", `[{"name":null}]`},
		{"filter.match.special_values", "/characters?select=name&name=eq.Skywalker, Luke&note=is.null", `[{"name":"Skywalker, Luke"}]`},
		{"filter.in.strings_needing_quotes",
			`/characters?select=name&name=in.("Skywalker, Luke","Luke (Jedi)","a.b","has space","say \"hi\"","O'Brien","x:y","ünï")`,
			`[{"name":"Skywalker, Luke"},{"name":"Luke (Jedi)"},{"name":"say \"hi\""},{"name":"O'Brien"}]`},
		{"filter.in.backslash", `/characters?select=name&name=in.("a\\b","x")`, `[{"name":"a\\b"}]`},
		{"filter.likeAnyOf", `/characters?select=name&name=like(any).{"%Lu%","%a,b%"}`,
			`[{"name":"Luke"},{"name":"Skywalker, Luke"},{"name":"Luke (Jedi)"}]`},
		{"filter.contains.array_strings_with_commas", `/issues?select=title&tags=cs.{"a,b","c d","\"q\""}`, `[{"title":"Odd tags"}]`},
		{"filter.not.cs_array", `/issues?select=title&tags=not.cs.{a,b}&id=lt.5`,
			`[{"title":"Cache invalidation"},{"title":"Flaky test"},{"title":"Odd tags"}]`},
		{"filter.eq.array_value", `/characters?select=name&tags=eq.{a,"b,c"}`, `[{"name":"Leia"}]`},
		{"filter.eq.date_object", "/characters?select=name&born=eq.2023-01-02T03:04:05.678Z", `[{"name":"Luke"}]`},
		{"filter.eq.object_value", `/characters?select=name&data=eq.{"a":1}`, `[{"name":"Luke"}]`},
		{"filter.not.in_array", `/countries?select=name&name=not.in.("Han","Yoda","China")`, `[{"name":"Albania"},{"name":"Indonesia"}]`},
		{"filter.filter.array_value", "/characters?select=name&id=in.(1,2)", `[{"name":"Luke"},{"name":"Leia"}]`},
	}
	srv, seed := oracleServer(t)
	if _, err := srv.Pool().Exec(context.Background(), seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, query, _ := strings.Cut(tt.target, "?")
			u := url.URL{Path: "/rest/v1" + path, RawQuery: oracleEscapeQuery(query)}
			var v oracleVector
			v.Name = tt.name
			v.Requests = append(v.Requests, oracleRequest{Method: http.MethodGet, Path: u.EscapedPath(), RawQuery: u.RawQuery,
				ClientHeaders: [][2]string{{"accept-profile", "public"}, {"apikey", "anon-key"}, {"authorization", "Bearer anon-key"}}})
			for _, p := range runOracleVector(t, srv, v, oracleExpect{Status: 200, Body: json.RawMessage(tt.want)}) {
				t.Error(p.text)
			}
		})
	}
}

// oracleEscapeQuery percent-encodes each name and value of a query written
// plainly (pairs split on & and the first =), as a client would.
func oracleEscapeQuery(q string) string {
	var parts []string
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

// oracleProblem is one difference from the expectation; header names the
// header it concerns, if any.
type oracleProblem struct {
	header, text string
}

// runOracleVector sends the vector's request and returns what differs
// from the expectation.
func runOracleVector(t *testing.T, srv *emulator.Server, v oracleVector, exp oracleExpect) []oracleProblem {
	t.Helper()
	ctx := context.Background()
	r := v.Requests[0]
	target := srv.URL + r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	var body io.Reader
	if r.BodyText != "" {
		body = strings.NewReader(r.BodyText)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.ClientHeaders {
		k, val := h[0], h[1]
		switch strings.ToLower(k) {
		case "x-client-info":
			continue
		case "apikey":
			val = oracleKey(t, srv, val, exp.Auth)
		case "authorization":
			val = "Bearer " + oracleKey(t, srv, strings.TrimPrefix(val, "Bearer "), exp.Auth)
		}
		req.Header.Set(k, val)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if *oracleVerbose {
		t.Logf("%s %s -> %d %v\n%s", r.Method, r.Path+"?"+r.RawQuery, res.StatusCode, res.Header, raw)
	}

	var problems []oracleProblem
	bad := func(format string, args ...any) {
		problems = append(problems, oracleProblem{text: fmt.Sprintf(format, args...)})
	}
	badHeader := func(h, format string, args ...any) {
		problems = append(problems, oracleProblem{header: h, text: fmt.Sprintf(format, args...)})
	}
	if exp.Status == 0 && len(exp.StatusAny) == 0 {
		t.Fatal("expectation has no status")
	}
	if exp.Status != 0 && res.StatusCode != exp.Status || len(exp.StatusAny) > 0 && !slices.Contains(exp.StatusAny, res.StatusCode) {
		bad("status %d, want %d%v; body %s", res.StatusCode, exp.Status, exp.StatusAny, raw)
	}

	var wantBody any
	switch {
	case exp.BodySQL != "":
		var s *string
		if err := srv.Pool().QueryRow(ctx, exp.BodySQL).Scan(&s); err != nil {
			t.Fatalf("bodySQL: %v", err)
		}
		if s == nil {
			t.Fatal("bodySQL returned null")
		}
		if err := json.Unmarshal([]byte(*s), &wantBody); err != nil {
			t.Fatalf("bodySQL: %v", err)
		}
	case len(exp.Body) > 0:
		if err := json.Unmarshal(exp.Body, &wantBody); err != nil {
			t.Fatalf("body: %v", err)
		}
	}
	if wantBody != nil {
		var got any
		if err := json.Unmarshal(raw, &got); err != nil {
			bad("body is not JSON (%v): %s", err, raw)
		} else if !oracleEqual(wantBody, got, exp.BodySubset, exp.Unordered) {
			w, _ := json.Marshal(wantBody)
			bad("body\n got %s\nwant %s", raw, w)
		}
	}
	if exp.OrderedBy != "" {
		if err := oracleOrdered(raw, exp.OrderedBy); err != nil {
			bad("order by %s: %v", exp.OrderedBy, err)
		}
	}
	if exp.BodyText != nil && string(raw) != *exp.BodyText {
		bad("body\n got %q\nwant %q", raw, *exp.BodyText)
	}
	if exp.BodyTextSQL != "" {
		var s string
		if err := srv.Pool().QueryRow(ctx, exp.BodyTextSQL).Scan(&s); err != nil {
			t.Fatalf("bodyTextSQL: %v", err)
		}
		if string(raw) != s {
			bad("body\n got %q\nwant %q", raw, s)
		}
	}
	if exp.BodyEmpty && len(raw) != 0 {
		bad("body %q, want none", raw)
	}
	switch exp.Plan {
	case "text":
		if !regexp.MustCompile(`(?m)^\s*(Aggregate|Limit|Seq Scan|Result|Insert|Update|Delete|Subquery Scan|Hash|Nested Loop|Sort|Function Scan|CTE Scan)\b.*\(cost=\d+\.\d+\.\.\d+\.\d+ rows=\d+ width=\d+\)`).Match(raw) {
			bad("not a text plan: %s", raw)
		}
	case "json":
		var plans []map[string]any
		if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 || plans[0]["Plan"] == nil {
			bad("not a JSON plan: %s", raw)
		} else if p, _ := plans[0]["Plan"].(map[string]any); p["Node Type"] == nil || p["Total Cost"] == nil {
			bad("JSON plan lacks Node Type or Total Cost: %s", raw)
		}
	}

	for _, s := range exp.PlanContains {
		if !strings.Contains(string(raw), s) {
			bad("plan lacks %q: %s", s, raw)
		}
	}

	headers := map[string]string{}
	if wantBody != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && exp.Plan == "" {
		headers["Content-Type"] = "application/json; charset=utf-8"
		if list, ok := wantBody.([]any); ok && !exp.BodySubset {
			headers["Content-Range"] = "*/*"
			if len(list) > 0 {
				headers["Content-Range"] = fmt.Sprintf("0-%d/*", len(list)-1)
			}
		}
	}
	for k, val := range exp.Headers {
		headers[k] = val
	}
	for k, val := range headers {
		if val == "" {
			continue // an explicit "" lifts a default
		}
		if got := res.Header.Get(k); got != val {
			badHeader(k, "header %s: %q, want %q", k, got, val)
		}
	}
	for k, pat := range exp.HeaderPatterns {
		if got := res.Header.Get(k); !regexp.MustCompile(pat).MatchString(got) {
			badHeader(k, "header %s: %q, want /%s/", k, got, pat)
		}
	}
	for _, k := range exp.NoHeaders {
		if got, ok := res.Header[http.CanonicalHeaderKey(k)]; ok {
			badHeader(k, "header %s: %q, want none", k, got)
		}
	}

	if exp.After != nil {
		var s *string
		if err := srv.Pool().QueryRow(ctx, exp.After.SQL).Scan(&s); err != nil {
			t.Fatalf("after: %v", err)
		}
		var got, w any
		if s != nil {
			if err := json.Unmarshal([]byte(*s), &got); err != nil {
				t.Fatalf("after: %v", err)
			}
		}
		if err := json.Unmarshal(exp.After.Want, &w); err != nil {
			t.Fatalf("after: %v", err)
		}
		if !reflect.DeepEqual(got, w) {
			bad("after the request, %s\n got %s\nwant %s", exp.After.SQL, deref(s), exp.After.Want)
		}
	}
	return problems
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// oracleKey maps a key or token recorded by the oracle to the emulator's
// own: "anon-key" to the anon key (the service-role key when the vector
// acts as the service), the new-format keys to the emulator's, and the
// recorded user token (whose signature is fake) to the same claims signed
// with the emulator's secret.
func oracleKey(t *testing.T, srv *emulator.Server, recorded, auth string) string {
	t.Helper()
	switch {
	case recorded == "anon-key" && auth == "service":
		return srv.ServiceRoleKey
	case recorded == "anon-key":
		return srv.AnonKey
	case strings.HasPrefix(recorded, "sb_publishable_"):
		return srv.PublishableKey
	case strings.HasPrefix(recorded, "sb_secret_"):
		return srv.SecretKey
	case strings.Count(recorded, ".") == 2:
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(recorded, ".")[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		tok, err := srv.SignJWT(claims)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t.Fatalf("unknown recorded key %.12q…", recorded)
	return ""
}

// oracleEqual compares decoded JSON values: subset compares only the keys
// of an expected top-level object; unordered compares arrays as multisets.
func oracleEqual(want, got any, subset, unordered bool) bool {
	if subset {
		w, ok1 := want.(map[string]any)
		g, ok2 := got.(map[string]any)
		if !ok1 || !ok2 {
			return false
		}
		for k, wv := range w {
			if !reflect.DeepEqual(wv, g[k]) {
				return false
			}
		}
		return true
	}
	if unordered {
		w, ok1 := want.([]any)
		g, ok2 := got.([]any)
		if !ok1 || !ok2 || len(w) != len(g) {
			return false
		}
		used := make([]bool, len(g))
	next:
		for _, wv := range w {
			for i, gv := range g {
				if !used[i] && reflect.DeepEqual(wv, gv) {
					used[i] = true
					continue next
				}
			}
			return false
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// oracleOrdered checks that the text at path in each row of the JSON array
// body never decreases, with nulls (or missing values) last.
func oracleOrdered(raw []byte, path string) error {
	var rows []any
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	var prev *string
	seenNull := false
	for i, row := range rows {
		v := row
		for _, k := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if v == nil {
			seenNull = true
			continue
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("row %d: %v is not text", i, v)
		}
		if seenNull {
			return fmt.Errorf("row %d: %q after a null", i, s)
		}
		if prev != nil && s < *prev {
			return fmt.Errorf("row %d: %q after %q", i, s, *prev)
		}
		prev = &s
	}
	return nil
}
