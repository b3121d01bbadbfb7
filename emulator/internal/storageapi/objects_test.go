package storageapi_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/emulator/internal/storageapi"
)

// dataFiles lists the files under the data directory (bytes of object
// versions and leftovers in tmp).
func (e *env) dataFiles() (objects, tmp []string) {
	e.t.Helper()
	err := filepath.Walk(e.dir, func(p string, fi os.FileInfo, err error) error {
		if os.IsNotExist(err) {
			return nil // removed while walking
		}
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(e.dir, p)
		if strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			tmp = append(tmp, rel)
		} else {
			objects = append(objects, rel)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return objects, tmp
}

func TestSignedURLs(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"docs"}`), 200)
	wantStatus(t, e.do("POST", "/object/docs/a/report.txt", svc, strings.NewReader("secret report"), "Content-Type", "text/plain"), 200)
	wantStatus(t, e.do("POST", "/object/docs/a/other.txt", svc, strings.NewReader("other"), "Content-Type", "text/plain"), 200)

	r := e.doJSON("POST", "/object/sign/docs/a/report.txt", svc, `{"expiresIn":60}`)
	wantStatus(t, r, 200)
	signed := r.json(t).(map[string]any)["signedURL"].(string)
	if !strings.HasPrefix(signed, "/object/sign/docs/a/report.txt?token=") {
		t.Fatalf("signedURL %q", signed)
	}
	tok := strings.SplitN(signed, "?token=", 2)[1]

	// Valid: no Authorization needed.
	got := e.do("GET", signed, "", nil)
	wantStatus(t, got, 200)
	if string(got.body) != "secret report" || got.header.Get("Expires") == "" {
		t.Fatalf("signed download: %q, headers %v", got.body, got.header)
	}

	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := strings.Replace(string(payload), "a/report.txt", "a/other.txt", 1)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
	otherSecret, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"url": "docs/a/report.txt", "scope": "download", "exp": e.clock.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("another-secret-another-secret-another-secret"))

	tests := []struct {
		name, path, code, message string
	}{
		{"tampered payload", "/object/sign/docs/a/other.txt?token=" + tampered, "InvalidJWT", "signature verification failed"},
		{"another secret", "/object/sign/docs/a/report.txt?token=" + otherSecret, "InvalidJWT", "signature verification failed"},
		{"token for another object", "/object/sign/docs/a/other.txt?token=" + tok, "InvalidSignature", "Invalid signature"},
		{"garbage", "/object/sign/docs/a/report.txt?token=abc.def.ghi", "InvalidJWT", "JWS Protected Header is invalid"},
		{"missing", "/object/sign/docs/a/report.txt", "InvalidRequest", "querystring must have required property 'token'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", tt.path, "", nil)
			wantErr(t, r, 400, "400", tt.code)
			if !strings.Contains(string(r.body), tt.message) {
				t.Fatalf("message: %s", r.body)
			}
		})
	}

	// An upload token is not a download token, and the reverse.
	r = e.doJSON("POST", "/object/upload/sign/docs/a/new.txt", svc, `{}`)
	wantStatus(t, r, 200)
	upTok := r.json(t).(map[string]any)["token"].(string)
	wantErr(t, e.do("GET", "/object/sign/docs/a/new.txt?token="+upTok, "", nil), 400, "400", "InvalidSignature")
	wantErr(t, e.do("PUT", "/object/upload/sign/docs/a/report.txt?token="+tok, "", strings.NewReader("x")), 400, "400", "InvalidSignature")

	// Batch signing keeps order and marks what is missing.
	r = e.doJSON("POST", "/object/sign/docs", svc, `{"expiresIn":60,"paths":["a/other.txt","nope.txt","a/report.txt"]}`)
	wantStatus(t, r, 200)
	var batch []struct {
		Error     *string `json:"error"`
		Path      string  `json:"path"`
		SignedURL *string `json:"signedURL"`
	}
	if err := json.Unmarshal(r.body, &batch); err != nil || len(batch) != 3 {
		t.Fatalf("batch: %s", r.body)
	}
	if batch[0].SignedURL == nil || batch[1].Error == nil || batch[1].SignedURL != nil || batch[2].Path != "a/report.txt" {
		t.Fatalf("batch: %s", r.body)
	}
	if body := e.do("GET", *batch[0].SignedURL, "", nil).body; string(body) != "other" {
		t.Fatalf("batch URL downloads %q", body)
	}

	// Expiry: one second past exp the token is refused.
	e.clock.Add(61 * time.Second)
	r = e.do("GET", signed, "", nil)
	wantErr(t, r, 400, "400", "InvalidJWT")
	if !strings.Contains(string(r.body), `\"exp\" claim timestamp check failed`) {
		t.Fatalf("expired: %s", r.body)
	}
	// Signed upload URLs last two hours.
	wantStatus(t, e.do("PUT", "/object/upload/sign/docs/a/new.txt?token="+upTok, "", strings.NewReader("late but valid"), "Content-Type", "text/plain"), 200)
	e.clock.Add(2 * time.Hour)
	svc = e.service() // the first one has expired by now
	r = e.doJSON("POST", "/object/upload/sign/docs/a/later.txt", svc, `{}`)
	wantStatus(t, r, 200)
	lateTok := r.json(t).(map[string]any)["token"].(string)
	e.clock.Add(2*time.Hour + time.Second)
	wantErr(t, e.do("PUT", "/object/upload/sign/docs/a/later.txt?token="+lateTok, "", strings.NewReader("x")), 400, "400", "InvalidJWT")

	// Transforms are not emulated: refused, not silently ignored.
	wantStatus(t, e.doJSON("POST", "/object/sign/docs/a/report.txt", e.service(), `{"expiresIn":60,"transform":{"width":10}}`), 501)
}

func TestPublicBucket(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"pub","public":true}`), 200)
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"priv"}`), 200)
	for _, b := range []string{"pub", "priv"} {
		wantStatus(t, e.do("POST", "/object/"+b+"/img/logo.png", svc, strings.NewReader("PNG"), "Content-Type", "image/png"), 200)
	}
	r := e.do("GET", "/object/public/pub/img/logo.png", "", nil)
	wantStatus(t, r, 200)
	if string(r.body) != "PNG" || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("public download: %q %v", r.body, r.header)
	}
	wantStatus(t, e.do("HEAD", "/object/public/pub/img/logo.png", "", nil), 200)
	wantStatus(t, e.do("GET", "/object/info/public/pub/img/logo.png", "", nil), 200)
	wantErr(t, e.do("GET", "/object/public/priv/img/logo.png", "", nil), 400, "404", "NoSuchBucket")
	wantErr(t, e.do("GET", "/object/info/public/priv/img/logo.png", "", nil), 400, "404", "NoSuchBucket")
	wantErr(t, e.do("GET", "/object/public/pub/img/none.png", "", nil), 400, "404", "NoSuchKey")
	// Public does not mean writable, and /object/{bucket}/… still needs a
	// token.
	wantErr(t, e.do("POST", "/object/pub/img/x.png", e.anon(), strings.NewReader("x"), "Content-Type", "image/png"), 400, "403", "AccessDenied")
	wantErr(t, e.do("GET", "/object/pub/img/logo.png", "", nil), 400, "400", "InvalidRequest")
	// Making the bucket private closes the public route.
	wantStatus(t, e.doJSON("PUT", "/bucket/pub", svc, `{"public":false}`), 200)
	wantErr(t, e.do("GET", "/object/public/pub/img/logo.png", "", nil), 400, "404", "NoSuchBucket")
}

func TestLimits(t *testing.T) {
	e := newEnv(t, func(c *storageapi.Config) { c.MaxFileSize = 1000 })
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"any"}`), 200)
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"img","file_size_limit":"100B","allowed_mime_types":["image/*","application/pdf"]}`), 200)

	// chunked hides the length until the body has been read past the limit.
	chunked := func(s string) io.Reader { return io.MultiReader(strings.NewReader(s)) }
	tests := []struct {
		name    string
		path    string
		body    io.Reader
		ctype   string
		wantErr string // statusCode; "" = success
	}{
		{"under global", "/object/any/ok.bin", strings.NewReader(strings.Repeat("x", 1000)), "application/octet-stream", ""},
		{"over global, known length", "/object/any/big.bin", strings.NewReader(strings.Repeat("x", 1001)), "application/octet-stream", "413"},
		{"over global, chunked", "/object/any/big2.bin", chunked(strings.Repeat("x", 5000)), "application/octet-stream", "413"},
		{"bucket limit", "/object/img/big.png", strings.NewReader(strings.Repeat("x", 101)), "image/png", "413"},
		{"bucket limit chunked", "/object/img/big2.png", chunked(strings.Repeat("x", 101)), "image/png", "413"},
		{"wildcard mime", "/object/img/ok.png", strings.NewReader("png"), "image/png", ""},
		{"wildcard mime with params", "/object/img/ok.svg", strings.NewReader("svg"), "image/svg+xml; charset=utf-8", ""},
		{"exact mime", "/object/img/doc.pdf", strings.NewReader("pdf"), "application/pdf", ""},
		{"refused mime", "/object/img/notes.txt", strings.NewReader("txt"), "text/plain", "415"},
		{"refused prefix lookalike", "/object/img/x.bin", strings.NewReader("x"), "imagex/png", "415"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", tt.path, svc, tt.body, "Content-Type", tt.ctype)
			if tt.wantErr == "" {
				wantStatus(t, r, 200)
				return
			}
			code := map[string]string{"413": "EntityTooLarge", "415": "InvalidMimeType"}[tt.wantErr]
			wantErr(t, r, 400, tt.wantErr, code)
		})
	}

	// Multipart: the file part's type is checked.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("cacheControl", "60")
	hdr := map[string][]string{"Content-Disposition": {`form-data; name=""; filename="a.txt"`}, "Content-Type": {"text/plain"}}
	pw, _ := mw.CreatePart(hdr)
	_, _ = pw.Write([]byte("text"))
	_ = mw.Close()
	wantErr(t, e.do("POST", "/object/img/form.txt", svc, &buf, "Content-Type", mw.FormDataContentType()), 400, "415", "InvalidMimeType")

	// Nothing refused left a row or a file behind.
	if n := e.query(`select count(*)::text from storage.objects`); n != "4" {
		t.Fatalf("%s rows", n)
	}
	objs, tmp := e.dataFiles()
	if len(objs) != 4 || len(tmp) != 0 {
		t.Fatalf("files %v, leftovers %v", objs, tmp)
	}

	// Bucket sizes: numbers, decimal units; bad values refused.
	for _, tt := range []struct{ body, want string }{
		{`{"name":"s1","file_size_limit":2048}`, "2048"},
		{`{"name":"s2","file_size_limit":"1MB"}`, "1000000"},
		{`{"name":"s3","file_size_limit":"1.5 kb"}`, "1500"},
	} {
		wantStatus(t, e.doJSON("POST", "/bucket", svc, tt.body), 200)
		var b struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal([]byte(tt.body), &b)
		if got := e.query(`select file_size_limit::text from storage.buckets where id = $1`, b.Name); got != tt.want {
			t.Errorf("%s: limit %s, want %s", tt.body, got, tt.want)
		}
	}
	wantErr(t, e.doJSON("POST", "/bucket", svc, `{"name":"s4","file_size_limit":"lots"}`), 400, "400", "InvalidRequest")
}

// TestDisconnectMidUpload: a client that goes away mid-body leaves neither
// a row nor bytes.
func TestDisconnectMidUpload(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	conn := e.dialRaw()
	fmt.Fprintf(conn, "POST /object/b/partial.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n", svc)
	_, _ = conn.Write(bytes.Repeat([]byte("y"), 100000))
	// Wait until the handler is streaming into its temporary file, then
	// vanish.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, tmp := e.dataFiles(); len(tmp) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the upload never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	conn.Close()
	for {
		objs, tmp := e.dataFiles()
		if len(objs) == 0 && len(tmp) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %v %v", objs, tmp)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.query(`select count(*)::text from storage.objects`); n != "0" {
		t.Fatalf("%s rows after an aborted upload", n)
	}
}

// TestStalledUploadIsAbandoned: a client that sends part of a body and
// then nothing, with its connection still open, is answered once the idle
// period passes, and its partial bytes are removed; the handler does not
// wait forever (nor does closing the server).
func TestStalledUploadIsAbandoned(t *testing.T) {
	e := newEnv(t, func(c *storageapi.Config) { c.BodyIdleTimeout = 300 * time.Millisecond })
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	conn := e.dialRaw()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST /object/b/stalled.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n", svc)
	_, _ = conn.Write(bytes.Repeat([]byte("y"), 1000))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a stalled upload is never answered: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	wantErr(t, resp{res.StatusCode, res.Header, b}, 400, "408", "RequestTimeout")
	if objs, tmp := e.dataFiles(); len(objs) != 0 || len(tmp) != 0 {
		t.Fatalf("left behind: %v %v", objs, tmp)
	}
	if n := e.query(`select count(*)::text from storage.objects`); n != "0" {
		t.Fatalf("%s rows after a stalled upload", n)
	}
}

// TestBytesFollowRows: replaced, moved, copied and deleted objects keep
// disk and database in agreement.
func TestBytesFollowRows(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"c"}`), 200)
	up := func(key, body string, h ...string) resp {
		return e.do("POST", "/object/b/"+key, svc, strings.NewReader(body), append([]string{"Content-Type", "text/plain"}, h...)...)
	}
	wantStatus(t, up("one.txt", "v1"), 200)
	wantStatus(t, up("one.txt", "v2", "x-upsert", "true"), 200)
	wantStatus(t, e.do("PUT", "/object/b/one.txt", svc, strings.NewReader("v3"), "Content-Type", "text/plain"), 200)
	if objs, _ := e.dataFiles(); len(objs) != 1 {
		t.Fatalf("after two replacements: %v", objs)
	}
	wantStatus(t, e.doJSON("POST", "/object/copy", svc, `{"bucketId":"b","sourceKey":"one.txt","destinationBucket":"c","destinationKey":"copy.txt"}`), 200)
	wantStatus(t, e.doJSON("POST", "/object/move", svc, `{"bucketId":"b","sourceKey":"one.txt","destinationKey":"dir/moved.txt"}`), 200)
	for path, want := range map[string]string{"/object/c/copy.txt": "v3", "/object/b/dir/moved.txt": "v3"} {
		if r := e.do("GET", path, svc, nil); string(r.body) != want {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	wantErr(t, e.do("GET", "/object/b/one.txt", svc, nil), 400, "404", "NoSuchKey")
	// Copy onto an existing key needs x-upsert.
	wantErr(t, e.doJSON("POST", "/object/copy", svc, `{"bucketId":"b","sourceKey":"dir/moved.txt","destinationBucket":"c","destinationKey":"copy.txt"}`), 400, "409", "KeyAlreadyExists")
	wantStatus(t, e.doJSON("POST", "/object/copy", svc, `{"bucketId":"b","sourceKey":"dir/moved.txt","destinationBucket":"c","destinationKey":"copy.txt"}`, "x-upsert", "true"), 200)
	if objs, _ := e.dataFiles(); len(objs) != 2 {
		t.Fatalf("after copy and move: %v", objs)
	}
	wantStatus(t, e.do("DELETE", "/object/b/dir/moved.txt", svc, nil), 200)
	wantStatus(t, e.doJSON("POST", "/bucket/c/empty", svc, `{}`), 200)
	if objs, tmp := e.dataFiles(); len(objs) != 0 || len(tmp) != 0 {
		t.Fatalf("after delete and empty: %v %v", objs, tmp)
	}
	wantStatus(t, e.do("DELETE", "/bucket/c", svc, nil), 200)
}

func TestNotImplemented(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	for _, tt := range []struct{ method, path, feature string }{
		{"GET", "/render/image/authenticated/b/x.png?width=10", "image transformation"},
		{"GET", "/render/image/public/b/x.png", "image transformation"},
		{"DELETE", "/cdn/b/x.png", "CDN"},
	} {
		r := e.do(tt.method, tt.path, svc, nil)
		wantErr(t, r, 501, "501", "NotImplemented")
		if !strings.Contains(string(r.body), tt.feature) {
			t.Errorf("%s: %s", tt.path, r.body)
		}
	}
	r := e.do("GET", "/nope", svc, nil)
	wantErr(t, r, 404, "404", "NotFound")
}

func TestListV2Paging(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	keys := []string{"d/a.txt", "d/b.txt", "d/sub/c.txt", "d/sub/d.txt", "d/z.txt", "top.txt"}
	for _, k := range keys {
		wantStatus(t, e.do("POST", "/object/b/"+k, svc, strings.NewReader(k), "Content-Type", "text/plain"), 200)
	}
	type page struct {
		HasNext    bool   `json:"hasNext"`
		NextCursor string `json:"nextCursor"`
		Folders    []struct {
			Key, Name string
		} `json:"folders"`
		Objects []struct {
			Key, Name string
		} `json:"objects"`
	}
	walk := func(body func(cursor string) string) []string {
		var seen []string
		cursor := ""
		for range 10 {
			r := e.doJSON("POST", "/object/list-v2/b", svc, body(cursor))
			wantStatus(t, r, 200)
			var p page
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Folders {
				seen = append(seen, "F:"+f.Name+"|"+f.Key)
			}
			for _, o := range p.Objects {
				seen = append(seen, o.Name+"|"+o.Key)
			}
			if !p.HasNext {
				return seen
			}
			cursor = p.NextCursor
		}
		t.Fatal("paging did not end")
		return nil
	}
	got := walk(func(c string) string {
		return `{"prefix":"d/","limit":2,"with_delimiter":true,"cursor":"` + c + `"}`
	})
	want := []string{"d/a.txt|a.txt", "d/b.txt|b.txt", "F:d/sub/|sub/", "d/z.txt|z.txt"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delimited pages %v, want %v", got, want)
	}
	got = walk(func(c string) string {
		return `{"prefix":"d/","limit":4,"sortBy":{"column":"name","order":"desc"},"cursor":"` + c + `"}`
	})
	want = []string{"d/z.txt|z.txt", "d/sub/d.txt|sub/d.txt", "d/sub/c.txt|sub/c.txt", "d/b.txt|b.txt", "d/a.txt|a.txt"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("recursive desc pages %v, want %v", got, want)
	}
	got = walk(func(c string) string {
		return `{"limit":1,"sortBy":{"column":"created_at"},"cursor":"` + c + `"}`
	})
	if len(got) != len(keys) {
		t.Fatalf("created_at pages %v", got)
	}
}

func TestListLevels(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b"}`), 200)
	for _, k := range []string{"d/a_b.txt", "d/axb.txt", "d/B.txt", "d/sub/x.txt", "d/sub/y.txt", "d/sub.txt", "e/z.txt"} {
		wantStatus(t, e.do("POST", "/object/b/"+k, svc, strings.NewReader(k), "Content-Type", "text/plain"), 200)
		e.clock.Add(time.Second)
	}
	list := func(body string) string {
		r := e.doJSON("POST", "/object/list/b", svc, body)
		wantStatus(t, r, 200)
		var names []string
		for _, x := range r.json(t).([]any) {
			m := x.(map[string]any)
			n := m["name"].(string)
			if m["id"] == nil {
				n += "/"
			}
			names = append(names, n)
		}
		return strings.Join(names, ",")
	}
	tests := []struct{ body, want string }{
		{`{"prefix":""}`, "d/,e/"},
		{`{"prefix":"d"}`, "a_b.txt,axb.txt,B.txt,sub.txt,sub/"},
		{`{"prefix":"D/"}`, "a_b.txt,axb.txt,B.txt,sub.txt,sub/"}, // case-insensitive, as Storage
		{`{"prefix":"d","search":"a_"}`, "a_b.txt"},               // '_' is not a wildcard
		{`{"prefix":"d","search":"SU"}`, "sub.txt,sub/"},
		{`{"prefix":"d","sortBy":{"column":"name","order":"desc"}}`, "sub/,sub.txt,B.txt,axb.txt,a_b.txt"},
		{`{"prefix":"d","limit":2,"offset":1}`, "axb.txt,B.txt"},
		{`{"prefix":"d","sortBy":{"column":"created_at","order":"desc"}}`, "sub/,sub.txt,B.txt,axb.txt,a_b.txt"},
		{`{"prefix":"d","sortBy":{"column":"updated_at","order":"asc"},"limit":3}`, "sub/,a_b.txt,axb.txt"},
		{`{"prefix":"d/sub"}`, "x.txt,y.txt"},
		{`{"prefix":"nothing"}`, ""},
	}
	for _, tt := range tests {
		if got := list(tt.body); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.body, got, tt.want)
		}
	}
	wantErr(t, e.doJSON("POST", "/object/list/b", svc, `{"prefix":"d","sortBy":{"column":"size"}}`), 400, "400", "InvalidRequest")
}
