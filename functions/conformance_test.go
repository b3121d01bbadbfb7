package functions_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supakit/supakit/functions"
	"github.com/supakit/supakit/transport"
)

// Refresh the pinned vectors with
//
//	go test ./functions -run TestOracleVectorsPinned -oracle /path/to/shared/oracle/vectors.json
var oracleSrc = flag.String("oracle", "", "refresh testdata/vectors.json from this oracle vectors.json")

type vector struct {
	Name     string          `json:"name"`
	Area     string          `json:"area"`
	JS       string          `json:"js"`
	Client   string          `json:"client"`
	Requests []vreq          `json:"requests"`
	Result   json.RawMessage `json:"result"`
}

type vreq struct {
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	Query         [][2]string     `json:"query"`
	ClientHeaders [][2]string     `json:"clientHeaders"`
	FetchBodyKind string          `json:"fetchBodyKind"`
	BodyText      *string         `json:"bodyText"`
	BodyBase64    string          `json:"bodyBase64"`
	BodyJSON      json.RawMessage `json:"bodyJson"`
	Response      struct {
		Status   int               `json:"status"`
		Headers  map[string]string `json:"headers"`
		BodyText string            `json:"bodyText"`
	} `json:"response"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

func TestOracleVectorsPinned(t *testing.T) {
	if *oracleSrc == "" {
		loadVectors(t)
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
		if v["area"] == "functions" {
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
}

type captured struct {
	Method, RawPath, RawQuery string
	Header                    http.Header
	Body                      []byte
}

func formData() (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("field", "value")
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

var cases = map[string][]functions.InvokeOption{
	"functions.invoke.no_body":             nil,
	"functions.invoke.json_body":           {functions.JSON(map[string]string{"name": "Functions"})},
	"functions.invoke.string_body":         {functions.Text("plain text body")},
	"functions.invoke.custom_headers":      {functions.Header("my-custom-header", "my-custom-header-value"), functions.JSON(map[string]string{"foo": "bar"})},
	"functions.invoke.custom_content_type": {functions.Header("Content-Type", "application/xml"), functions.Text("<a/>")},
	"functions.invoke.method_get":          {functions.Method("GET")},
	"functions.invoke.method_delete":       {functions.Method("DELETE")},
	"functions.invoke.region":              {functions.JSON(map[string]string{"foo": "bar"}), functions.Region("us-east-1")},
	"functions.invoke.region_any":          {functions.JSON(map[string]string{"foo": "bar"}), functions.Region("any")},
	"functions.invoke.arraybuffer_body":    {functions.Bytes([]byte{1, 2, 3, 255})},
	// A JS Blob's own type is ignored: octet-stream, as Bytes sends.
	"functions.invoke.blob_body":            {functions.Bytes([]byte("blobdata"))},
	"functions.invoke.formdata_body":        nil, // the streamed body is built per run below
	"functions.invoke.name_with_path":       {functions.Query("x", "1")},
	"functions.invoke.global_custom_header": {functions.JSON(map[string]int{"a": 1})},
	"functions.invoke.with_user_session":    {functions.JSON(map[string]int{"a": 1})},
}

// names maps vectors whose Go call names the function differently.
var names = map[string]string{
	// JS appends the name raw, so "?x=1" becomes the query; Go refuses '?'
	// in names and takes query parameters through Query.
	"functions.invoke.name_with_path": "hello-world/sub path",
}

var clientRe = regexp.MustCompile(`^createClient\('\{\{BASE_URL\}\}', '([^']*)', (\{.*\})\)$`)

var ignored = map[string]bool{"user-agent": true, "accept-encoding": true, "content-length": true, "x-client-info": true, "transfer-encoding": true}

func TestOracleConformance(t *testing.T) {
	var mu sync.Mutex
	var got []captured
	var answer vreq
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p, q, _ := strings.Cut(r.RequestURI, "?")
		mu.Lock()
		got = append(got, captured{r.Method, p, q, r.Header.Clone(), b})
		a := answer
		mu.Unlock()
		for k, v := range a.Response.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.Response.Status)
		_, _ = io.WriteString(w, a.Response.BodyText)
	}))
	defer srv.Close()
	vs := loadVectors(t)
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			opts, ok := cases[v.Name]
			if !ok {
				t.Fatalf("no Go case for %s", v.Name)
			}
			m := clientRe.FindStringSubmatch(v.Client)
			if m == nil {
				t.Fatalf("client %q", v.Client)
			}
			var cfg struct {
				Global struct{ Headers map[string]string } `json:"global"`
			}
			_ = json.Unmarshal([]byte(m[2]), &cfg)
			hdr := http.Header{}
			for k, val := range cfg.Global.Headers {
				hdr.Set(k, val)
			}
			var tokens transport.TokenSource
			for _, h := range v.Requests[0].ClientHeaders {
				if h[0] == "authorization" && strings.HasPrefix(h[1], "Bearer ey") {
					tokens = transport.StaticToken(strings.TrimPrefix(h[1], "Bearer "))
				}
			}
			tr, err := transport.New(transport.Config{BaseURL: srv.URL + "/functions/v1", APIKey: m[1], Header: hdr, Tokens: tokens})
			if err != nil {
				t.Fatal(err)
			}
			c, err := functions.New(tr)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			got, answer = nil, v.Requests[0]
			mu.Unlock()
			if v.Name == "functions.invoke.formdata_body" {
				opts = []functions.InvokeOption{functions.Body(formData())}
			}
			name := "hello-world"
			if n, ok := names[v.Name]; ok {
				name = n
			}
			resp, err := c.Invoke(context.Background(), name, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var out map[string]string
			if err := resp.DecodeJSON(&out); err != nil || out["message"] != "Hello from function" {
				t.Errorf("response %v %v", out, err)
			}
			if len(got) != 1 {
				t.Fatalf("%d requests", len(got))
			}
			for _, d := range compare(v.Requests[0], got[0]) {
				t.Error(d)
			}
		})
	}
	if len(vs) != len(cases) {
		t.Errorf("%d vectors, %d cases", len(vs), len(cases))
	}
}

func compare(w vreq, g captured) []string {
	var diffs []string
	if w.Method != g.Method {
		diffs = append(diffs, fmt.Sprintf("method %s, want %s", g.Method, w.Method))
	}
	if w.Path != g.RawPath {
		diffs = append(diffs, fmt.Sprintf("path %s, want %s", g.RawPath, w.Path))
	}
	var gq [][2]string
	if g.RawQuery != "" {
		for _, kv := range strings.Split(g.RawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			gq = append(gq, [2]string{k, v})
		}
	}
	if (len(w.Query) != 0 || len(gq) != 0) && !reflect.DeepEqual(w.Query, gq) {
		diffs = append(diffs, fmt.Sprintf("query %q, want %q", gq, w.Query))
	}
	want := map[string]string{}
	for _, h := range w.ClientHeaders {
		if n := strings.ToLower(h[0]); !ignored[n] {
			want[n] = h[1]
		}
	}
	gh := map[string]string{}
	for k, vs := range g.Header {
		if n := strings.ToLower(k); !ignored[n] {
			gh[n] = strings.Join(vs, ", ")
		}
	}
	wantBody := []byte(nil)
	if w.BodyText != nil {
		wantBody = []byte(*w.BodyText)
	}
	if w.BodyBase64 != "" {
		wantBody, _ = base64.StdEncoding.DecodeString(w.BodyBase64)
	}
	gotBody := g.Body
	if w.FetchBodyKind == "FormData" {
		// fetch sets the multipart type; Go's caller passes it to Body.
		_, params, _ := mime.ParseMediaType(gh["content-type"])
		b := params["boundary"]
		want["content-type"] = "multipart/form-data; boundary={{BOUNDARY}}"
		gh["content-type"] = strings.ReplaceAll(gh["content-type"], b, "{{BOUNDARY}}")
		gotBody = bytes.ReplaceAll(gotBody, []byte(b), []byte("{{BOUNDARY}}"))
	}
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range gh {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		wv, wok := want[k]
		gv, gok := gh[k]
		if wok != gok || wv != gv {
			diffs = append(diffs, fmt.Sprintf("header %s: got %q (%v), want %q (%v)", k, gv, gok, wv, wok))
		}
	}
	if len(w.BodyJSON) > 0 && string(w.BodyJSON) != "null" {
		var a, b any
		if json.Unmarshal(w.BodyJSON, &a) != nil || json.Unmarshal(gotBody, &b) != nil || !reflect.DeepEqual(a, b) {
			diffs = append(diffs, fmt.Sprintf("body %s, want %s", gotBody, w.BodyJSON))
		}
	} else if !bytes.Equal(wantBody, gotBody) {
		diffs = append(diffs, fmt.Sprintf("body %q, want %q", gotBody, wantBody))
	}
	return diffs
}
