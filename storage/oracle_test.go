package storage_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// Refresh the pinned vectors with
//
//	go test ./storage -run TestOracleVectorsPinned -oracle /path/to/shared/oracle/vectors.json
var oracleSrc = flag.String("oracle", "", "refresh testdata/vectors.json from this oracle vectors.json")

type vector struct {
	Name     string          `json:"name"`
	Area     string          `json:"area"`
	JS       string          `json:"js"`
	Client   string          `json:"client"`
	Note     string          `json:"note"`
	Requests []vreq          `json:"requests"`
	Result   json.RawMessage `json:"result"`
}

type vreq struct {
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	RawQuery      string          `json:"rawQuery"`
	Query         [][2]string     `json:"query"`
	ClientHeaders [][2]string     `json:"clientHeaders"`
	FetchBodyKind string          `json:"fetchBodyKind"`
	BodyText      *string         `json:"bodyText"`
	BodyBase64    string          `json:"bodyBase64"`
	BodyJSON      json.RawMessage `json:"bodyJson"`
	Response      struct {
		Status     int               `json:"status"`
		Headers    map[string]string `json:"headers"`
		BodyText   string            `json:"bodyText"`
		BodyBase64 string            `json:"bodyBase64"`
	} `json:"response"`
}

func (r vreq) body() []byte {
	if r.BodyBase64 != "" {
		b, _ := base64.StdEncoding.DecodeString(r.BodyBase64)
		return b
	}
	if r.BodyText != nil {
		return []byte(*r.BodyText)
	}
	return nil
}

func loadVectors(t *testing.T, path, area string) []vector {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	var out []vector
	for _, v := range vs {
		if v.Area == area {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s vectors in %s", area, path)
	}
	return out
}

// TestOracleVectorsPinned rewrites testdata/vectors.json from the shared
// oracle when -oracle is given, and otherwise checks the pinned copy loads.
func TestOracleVectorsPinned(t *testing.T) {
	if *oracleSrc == "" {
		loadVectors(t, "testdata/vectors.json", "storage")
		return
	}
	b, err := os.ReadFile(*oracleSrc)
	if err != nil {
		t.Fatal(err)
	}
	var all []map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	var keep []map[string]any
	for _, v := range all {
		if v["area"] == "storage" {
			keep = append(keep, v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(keep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/vectors.json", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d storage vectors", len(keep))
}

// captured is one request as the test server saw it.
type captured struct {
	Method   string
	RawPath  string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// capture is an httptest server that records requests and answers each
// with the next canned response.
type capture struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []captured
	answers []func(http.ResponseWriter)
}

func newCapture(t *testing.T) *capture {
	c := &capture{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p, q, _ := strings.Cut(r.RequestURI, "?")
		c.mu.Lock()
		i := len(c.reqs)
		c.reqs = append(c.reqs, captured{Method: r.Method, RawPath: p, RawQuery: q, Header: r.Header.Clone(), Body: body})
		var answer func(http.ResponseWriter)
		if i < len(c.answers) {
			answer = c.answers[i]
		}
		c.mu.Unlock()
		if answer == nil {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		answer(w)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *capture) reset(answers ...func(http.ResponseWriter)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs, c.answers = nil, answers
}

func (c *capture) requests() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.reqs...)
}

func cannedAnswer(r vreq) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range r.Response.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(r.Response.Status)
		if r.Response.BodyBase64 != "" {
			b, _ := base64.StdEncoding.DecodeString(r.Response.BodyBase64)
			_, _ = w.Write(b)
			return
		}
		_, _ = io.WriteString(w, r.Response.BodyText)
	}
}

// newStorage builds a storage client over a transport rooted at base.
func newStorage(t *testing.T, base, key string, header http.Header, tokens transport.TokenSource) *storage.Client {
	t.Helper()
	tr, err := transport.New(transport.Config{BaseURL: base + "/storage/v1", APIKey: key, Header: header, Tokens: tokens, ClientInfo: "supakit-go/test"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := storage.New(tr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ignoredHeaders are added by Go's HTTP stack or carry no meaning to compare.
var ignoredHeaders = map[string]bool{
	"user-agent": true, "accept-encoding": true, "content-length": true,
	"x-client-info": true, "transfer-encoding": true, "connection": true,
}

// expect is what the Go request must look like: the vector's request with
// deliberate deviations applied.
type expect struct {
	Method   string
	Path     string
	Query    [][2]string
	Header   map[string]string
	Body     []byte
	JSON     json.RawMessage
	Boundary bool // body is multipart with {{BOUNDARY}} placeholders
}

func expectFrom(r vreq) *expect {
	e := &expect{Method: r.Method, Path: r.Path, Query: r.Query, Header: map[string]string{}}
	for _, h := range r.ClientHeaders {
		if n := strings.ToLower(h[0]); !ignoredHeaders[n] {
			e.Header[n] = h[1]
		}
	}
	if len(r.BodyJSON) > 0 && string(r.BodyJSON) != "null" {
		e.JSON = r.BodyJSON
	}
	e.Body = r.body()
	if r.FetchBodyKind == "FormData" {
		e.Boundary = true
		// fetch sets the multipart content type itself.
		e.Header["content-type"] = "multipart/form-data; boundary={{BOUNDARY}}"
	}
	return e
}

func decodeQuery(raw string) [][2]string {
	if raw == "" {
		return nil
	}
	var out [][2]string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		out = append(out, [2]string{k, v})
	}
	return out
}

// compareRequest returns the differences between e and got.
func compareRequest(e *expect, got captured) []string {
	var diffs []string
	if e.Method != got.Method {
		diffs = append(diffs, fmt.Sprintf("method: want %s, got %s", e.Method, got.Method))
	}
	if e.Path != got.RawPath {
		diffs = append(diffs, fmt.Sprintf("path: want %s, got %s", e.Path, got.RawPath))
	}
	gq := decodeQuery(got.RawQuery)
	if len(e.Query) != 0 || len(gq) != 0 {
		if !reflect.DeepEqual(e.Query, gq) {
			diffs = append(diffs, fmt.Sprintf("query: want %q, got %q", e.Query, gq))
		}
	}
	gh := map[string]string{}
	for k, vs := range got.Header {
		if n := strings.ToLower(k); !ignoredHeaders[n] {
			gh[n] = strings.Join(vs, ", ")
		}
	}
	boundary := ""
	if e.Boundary {
		if _, params, err := mime.ParseMediaType(gh["content-type"]); err == nil {
			boundary = params["boundary"]
		}
		if boundary == "" {
			diffs = append(diffs, "multipart: no boundary in "+gh["content-type"])
		} else {
			gh["content-type"] = strings.ReplaceAll(gh["content-type"], boundary, "{{BOUNDARY}}")
		}
	}
	names := map[string]bool{}
	for n := range e.Header {
		names[n] = true
	}
	for n := range gh {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, wok := e.Header[n]
		g, gok := gh[n]
		if n == "x-metadata" && wok && gok {
			if !sameJSON(b64(w), b64(g)) {
				diffs = append(diffs, fmt.Sprintf("header x-metadata: want JSON %s, got %s", b64(w), b64(g)))
			}
			continue
		}
		if wok != gok || w != g {
			diffs = append(diffs, fmt.Sprintf("header %s: want %q (present %v), got %q (present %v)", n, w, wok, g, gok))
		}
	}
	switch {
	case e.JSON != nil:
		if !sameJSON(e.JSON, got.Body) {
			diffs = append(diffs, fmt.Sprintf("body: want JSON %s, got %s", e.JSON, got.Body))
		}
	case e.Boundary && boundary != "":
		g := strings.ReplaceAll(string(got.Body), boundary, "{{BOUNDARY}}")
		if g != string(e.Body) {
			diffs = append(diffs, fmt.Sprintf("multipart body:\n want %q\n got  %q", e.Body, g))
		}
	default:
		if !bytes.Equal(e.Body, got.Body) {
			diffs = append(diffs, fmt.Sprintf("body: want %q, got %q", e.Body, got.Body))
		}
	}
	return diffs
}

func b64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return []byte(s)
	}
	return b
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func b64enc(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
