package rest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
	"github.com/supakit/supakit/emulator/internal/rest"
)

// suiteDir is the postgrest-js suite turned into (request, response) cases:
// $POSTGREST_SUITE, else the copy in testdata (refresh.sh updates it).
func suiteDir(t *testing.T) string {
	d := os.Getenv("POSTGREST_SUITE")
	if d == "" {
		d = filepath.Join("testdata", "postgrest-suite")
	}
	if _, err := os.Stat(filepath.Join(d, "cases.json")); err != nil {
		t.Fatalf("postgrest suite not found at %s: %v", d, err)
	}
	return d
}

type suiteCase struct {
	Seq     int    `json:"seq"`
	Name    string `json:"name"`
	Request struct {
		Method   string            `json:"method"`
		Path     string            `json:"path"`
		RawQuery string            `json:"raw_query"`
		Headers  map[string]string `json:"headers"`
		Body     json.RawMessage   `json:"body"`
	} `json:"request"`
	HTTP   map[string]json.RawMessage `json:"http"`
	Checks []struct {
		Path    []any  `json:"path"`
		Matcher string `json:"matcher"`
		Not     bool   `json:"not"`
		Args    []any  `json:"args"`
	} `json:"checks"`
	Needs []string `json:"needs"`
}

// loadSuiteSchema loads db/*.sql into the test database, leaving out what
// needs PostGIS.
func loadSuiteSchema(t *testing.T, ctx context.Context, pool *pgxpool.Pool, dir string) {
	for _, f := range []string{"00-setup-roles.sql", "01-schema.sql", "02-seed.sql"} {
		b, err := os.ReadFile(filepath.Join(dir, "db", f))
		if err != nil {
			t.Fatal(err)
		}
		sql := string(b)
		sql = regexp.MustCompile(`(?im)^alter role authenticator set .*$`).ReplaceAllString(sql, "")
		sql = regexp.MustCompile(`(?is)create extension if not exists postgis schema extensions;\s*create table public\.shops \(.*?\);`).ReplaceAllString(sql, "")
		sql = regexp.MustCompile(`(?is)INSERT INTO shops\(.*?\);`).ReplaceAllString(sql, "")
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
	}
}

func readKnown(t *testing.T) map[int]string {
	known := map[int]string{}
	f, err := os.Open("testdata/replay-known-mismatches.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		num, reason, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("bad line in known mismatches: %q", line)
		}
		known[n] = strings.TrimSpace(reason)
	}
	return known
}

func TestReplayPostgrestSuite(t *testing.T) {
	dir := suiteDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []suiteCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	sort.Slice(doc.Cases, func(i, j int) bool { return doc.Cases[i].Seq < doc.Cases[j].Seq })

	env := pgtest.New(t)
	ctx := context.Background()
	loadSuiteSchema(t, ctx, env.Pool, dir)
	h, err := rest.New(ctx, env.Pool, rest.Config{Schemas: []string{"public", "personal"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	known := readKnown(t)
	id := reqctx.Identity{Role: "anon", Claims: json.RawMessage(`{"role":"anon"}`)}

	pass := 0
	var failed []string
	for _, c := range doc.Cases {
		var body []byte
		if len(c.Request.Body) > 0 && string(c.Request.Body) != "null" {
			body = c.Request.Body
		}
		target := c.Request.Path
		if c.Request.RawQuery != "" {
			target += "?" + c.Request.RawQuery
		}
		req := httptest.NewRequest(c.Request.Method, "http://localhost"+strings.ReplaceAll(target, " ", "%20"), bytes.NewReader(body))
		for k, v := range c.Request.Headers {
			req.Header.Set(k, v)
		}
		req = req.WithContext(reqctx.With(req.Context(), id))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if lo, hi, ok := strings.Cut(os.Getenv("REPLAY_DEBUG"), "-"); ok {
			l, _ := strconv.Atoi(lo)
			u, _ := strconv.Atoi(hi)
			if c.Seq >= l && c.Seq <= u {
				t.Logf("#%d %s %s -> %d %v %s", c.Seq, c.Request.Method, target, rec.Code, rec.Header(), truncate(rec.Body.String(), 500))
			}
		}
		problems := checkCase(c, rec)
		if len(c.Needs) > 0 {
			problems = append(problems, "needs "+strings.Join(c.Needs, ","))
		}
		if len(problems) == 0 {
			pass++
			if reason, ok := known[c.Seq]; ok {
				t.Logf("case %d now matches; remove it from the known mismatches (%s)", c.Seq, reason)
			}
			continue
		}
		line := fmt.Sprintf("#%d %s: %s (got %d %s)", c.Seq, c.Name, strings.Join(problems, "; "), rec.Code, truncate(rec.Body.String(), 300))
		failed = append(failed, line)
		if _, ok := known[c.Seq]; !ok {
			t.Errorf("regression: %s", line)
		}
	}
	t.Logf("postgrest suite: %d/%d cases match", pass, len(doc.Cases))
	if testing.Verbose() {
		for _, f := range failed {
			t.Log(f)
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func checkCase(c suiteCase, rec *httptest.ResponseRecorder) []string {
	var probs []string
	hp := c.HTTP
	got := rec.Body.Bytes()
	if c.Request.Method == http.MethodHead {
		got = nil
	}
	if v, ok := hp["status"]; ok {
		var st int
		_ = json.Unmarshal(v, &st)
		if rec.Code != st {
			probs = append(probs, fmt.Sprintf("status %d, want %d", rec.Code, st))
		}
	} else if rec.Code >= 500 {
		probs = append(probs, fmt.Sprintf("status %d", rec.Code))
	}
	if _, ok := hp["status_class"]; ok && (rec.Code < 200 || rec.Code > 299) {
		probs = append(probs, fmt.Sprintf("status %d, want 2xx", rec.Code))
	}
	if v, ok := hp["body"]; ok {
		var want, have any
		_ = json.Unmarshal(v, &want)
		if err := json.Unmarshal(got, &have); err != nil {
			probs = append(probs, "body is not JSON")
		} else if !matchJSON(want, have, false) {
			probs = append(probs, "body differs: want "+truncate(string(v), 300))
		}
	}
	if v, ok := hp["body_subset"]; ok {
		var want, have any
		_ = json.Unmarshal(v, &want)
		if err := json.Unmarshal(got, &have); err != nil || !matchJSON(want, have, true) {
			probs = append(probs, "body lacks "+string(v))
		}
	}
	if v, ok := hp["body_text"]; ok {
		var want string
		_ = json.Unmarshal(v, &want)
		if string(got) != want {
			probs = append(probs, "text body differs: want "+truncate(want, 200))
		}
	}
	if _, ok := hp["body_empty"]; ok && len(bytes.TrimSpace(got)) != 0 {
		probs = append(probs, "body not empty")
	}
	if _, ok := hp["body_empty_or_null"]; ok {
		if s := string(bytes.TrimSpace(got)); s != "" && s != "null" {
			probs = append(probs, "body neither empty nor null")
		}
	}
	if v, ok := hp["body_rows"]; ok {
		var n int
		_ = json.Unmarshal(v, &n)
		var rows []any
		if err := json.Unmarshal(got, &rows); err != nil || len(rows) != n {
			probs = append(probs, fmt.Sprintf("want %d rows", n))
		}
	}
	if v, ok := hp["content_range_total"]; ok {
		var want any
		_ = json.Unmarshal(v, &want)
		cr := rec.Header().Get("Content-Range")
		_, tot, _ := strings.Cut(cr, "/")
		n, err := strconv.ParseFloat(tot, 64)
		if err != nil || !matchJSON(want, n, false) {
			probs = append(probs, fmt.Sprintf("Content-Range %q, want total %v", cr, want))
		}
	}
	// The client's view, for the test's other assertions.
	if len(c.Checks) > 0 {
		result := map[string]any{"status": float64(rec.Code), "statusText": http.StatusText(rec.Code), "data": nil, "error": nil, "count": nil}
		var parsed any
		if len(bytes.TrimSpace(got)) > 0 {
			if err := json.Unmarshal(got, &parsed); err != nil {
				parsed = string(got)
			}
		}
		if rec.Code >= 200 && rec.Code < 300 {
			result["data"] = parsed
		} else {
			result["error"] = parsed
		}
		for _, ch := range c.Checks {
			v, found := walk(result, ch.Path)
			ok := evalMatcher(ch.Matcher, v, found, ch.Args)
			if ch.Not {
				ok = !ok
			}
			if !ok {
				probs = append(probs, fmt.Sprintf("check %v %s%s %v failed (value %v)", ch.Path, map[bool]string{true: "not ", false: ""}[ch.Not], ch.Matcher, ch.Args, v))
			}
		}
	}
	return probs
}

func walk(v any, path []any) (any, bool) {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[k]; !ok {
				return nil, false
			}
		case float64:
			a, ok := v.([]any)
			if !ok || int(k) >= len(a) {
				return nil, false
			}
			v = a[int(k)]
		case map[string]any:
			find, _ := k["$find"].(map[string]any)
			a, ok := v.([]any)
			if !ok {
				return nil, false
			}
			var hit any
			for _, el := range a {
				if matchJSON(find, el, true) {
					hit = el
					break
				}
			}
			if hit == nil {
				return nil, false
			}
			v = hit
		}
	}
	return v, true
}

func evalMatcher(m string, v any, found bool, args []any) bool {
	switch m {
	case "toBeNull":
		return found && v == nil
	case "toBeDefined":
		return found
	case "toBe", "toEqual":
		return found && len(args) == 1 && matchJSON(args[0], v, false)
	case "toMatchObject":
		return found && len(args) == 1 && matchJSON(args[0], v, true)
	case "toHaveLength":
		a, ok := v.([]any)
		return ok && len(args) == 1 && float64(len(a)) == args[0]
	case "toHaveProperty":
		mm, ok := v.(map[string]any)
		if !ok || len(args) == 0 {
			return false
		}
		pv, has := mm[fmt.Sprint(args[0])]
		if len(args) > 1 {
			return has && matchJSON(args[1], pv, false)
		}
		return has
	case "toBeGreaterThanOrEqual":
		f, ok := v.(float64)
		return ok && len(args) == 1 && f >= args[0].(float64)
	case "toMatch":
		s, ok := v.(string)
		if !ok || len(args) != 1 {
			return false
		}
		re := ""
		switch a := args[0].(type) {
		case string:
			re = regexp.QuoteMeta(a)
		case map[string]any:
			re, _ = a["$regex"].(string)
		}
		ok, _ = regexp.MatchString(re, s)
		return ok
	}
	return false
}

// matchJSON compares by value, honouring $any / $stringMatching
// placeholders; subset lets have carry extra object keys.
func matchJSON(want, have any, subset bool) bool {
	switch w := want.(type) {
	case map[string]any:
		if kind, ok := w["$any"].(string); ok && len(w) == 1 {
			switch kind {
			case "Number":
				_, ok := have.(float64)
				return ok
			case "String":
				_, ok := have.(string)
				return ok
			case "Object":
				return have != nil
			case "Array":
				_, ok := have.([]any)
				return ok
			}
			return have != nil
		}
		if re, ok := w["$stringMatching"].(string); ok && len(w) == 1 {
			s, ok := have.(string)
			if !ok {
				return false
			}
			m, _ := regexp.MatchString(re, s)
			return m
		}
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		if !subset && len(h) != len(w) {
			return false
		}
		for k, wv := range w {
			hv, ok := h[k]
			if !ok || !matchJSON(wv, hv, subset) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !matchJSON(w[i], h[i], subset) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(want, have)
	}
}
