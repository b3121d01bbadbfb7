package storageapi_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func tusMeta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// TestResumableUpload: a TUS upload in three pieces, one of them cut off by
// a dropped connection and resumed from the offset HEAD reports.
func TestResumableUpload(t *testing.T) {
	e := newEnv(t)
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"b","file_size_limit":100000}`), 200)
	data := bytes.Repeat([]byte("0123456789"), 3000) // 30,000 bytes
	tus := []string{"Tus-Resumable", "1.0.0"}

	create := func(length int, kv ...string) resp {
		return e.do("POST", "/upload/resumable", svc, nil, append(tus, "Upload-Length", strconv.Itoa(length), "Upload-Metadata", tusMeta(kv...))...)
	}
	r := create(len(data), "bucketName", "b", "objectName", "big/file.txt", "contentType", "text/plain", "cacheControl", "60", "metadata", `{"k":"v"}`)
	wantStatus(t, r, http.StatusCreated)
	loc := r.header.Get("Location")
	upPath := strings.TrimPrefix(loc, e.srv.URL)
	if !strings.HasPrefix(upPath, "/upload/resumable/") {
		t.Fatalf("Location %q", loc)
	}
	patch := func(offset int, body []byte, h ...string) resp {
		return e.do("PATCH", upPath, svc, bytes.NewReader(body), append(append(tus, "Upload-Offset", strconv.Itoa(offset),
			"Content-Type", "application/offset+octet-stream"), h...)...)
	}
	head := func() int {
		r := e.do("HEAD", upPath, svc, nil, tus...)
		wantStatus(t, r, 200)
		n, _ := strconv.Atoi(r.header.Get("Upload-Offset"))
		if r.header.Get("Upload-Length") != strconv.Itoa(len(data)) {
			t.Fatalf("Upload-Length %q", r.header.Get("Upload-Length"))
		}
		return n
	}

	r = patch(0, data[:10000])
	wantStatus(t, r, http.StatusNoContent)
	if r.header.Get("Upload-Offset") != "10000" || r.header.Get("Tus-Complete") != "" {
		t.Fatalf("after first piece: %v", r.header)
	}
	// Wrong offset, wrong type.
	wantStatus(t, patch(5, data[5:10]), http.StatusConflict)
	wantStatus(t, e.do("PATCH", upPath, svc, bytes.NewReader(data[10000:]), append(tus, "Upload-Offset", "10000", "Content-Type", "text/plain")...), http.StatusUnsupportedMediaType)

	// A piece cut off mid-way: what arrived is kept.
	conn := e.dialRaw()
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 10000\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 20000\r\n\r\n", upPath, svc)
	_, _ = conn.Write(data[10000:15000])
	deadline := time.Now().Add(30 * time.Second)
	for head() < 15000 {
		if time.Now().After(deadline) {
			t.Fatalf("offset stays at %d", head())
		}
		time.Sleep(5 * time.Millisecond)
	}
	conn.Close()
	// The cut-off request lets go of the upload; resume from HEAD.
	var off int
	for {
		off = head()
		r = patch(off, data[off:])
		if r.status != http.StatusLocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("upload stays locked")
		}
		time.Sleep(5 * time.Millisecond)
	}
	wantStatus(t, r, http.StatusNoContent)
	if r.header.Get("Tus-Complete") != "1" || r.header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("final piece: %v", r.header)
	}
	got := e.do("GET", "/object/b/big/file.txt", svc, nil)
	wantStatus(t, got, 200)
	if !bytes.Equal(got.body, data) || got.header.Get("Cache-Control") != "max-age=60" || got.header.Get("Content-Type") != "text/plain" {
		t.Fatalf("object: %d bytes, headers %v", len(got.body), got.header)
	}
	if info := e.do("GET", "/object/info/b/big/file.txt", svc, nil); !strings.Contains(string(info.body), `"metadata":{"k":"v"}`) {
		t.Fatalf("info: %s", info.body)
	}
	// The finished upload is gone.
	wantStatus(t, e.do("HEAD", upPath, svc, nil, tus...), http.StatusNotFound)

	// Refusals at creation: existing key, size, MIME, protocol version.
	wantErr(t, create(1, "bucketName", "b", "objectName", "big/file.txt"), 400, "409", "KeyAlreadyExists")
	wantErr(t, create(100001, "bucketName", "b", "objectName", "huge.bin"), 400, "413", "EntityTooLarge")
	wantErr(t, create(1, "bucketName", "nope", "objectName", "x"), 400, "404", "NoSuchBucket")
	wantStatus(t, e.do("POST", "/upload/resumable", svc, nil, "Upload-Length", "1"), http.StatusPreconditionFailed)

	// More bytes than announced abandon the upload; DELETE abandons too.
	r = create(10, "bucketName", "b", "objectName", "short.txt")
	upPath = strings.TrimPrefix(r.header.Get("Location"), e.srv.URL)
	wantErr(t, patch(0, data[:11]), 400, "413", "EntityTooLarge")
	wantStatus(t, e.do("HEAD", upPath, svc, nil, tus...), http.StatusNotFound)
	r = create(10, "bucketName", "b", "objectName", "gone.txt")
	upPath = strings.TrimPrefix(r.header.Get("Location"), e.srv.URL)
	wantStatus(t, patch(0, data[:3]), http.StatusNoContent)
	wantStatus(t, e.do("DELETE", upPath, svc, nil, tus...), http.StatusNoContent)
	if objs, tmp := e.dataFiles(); len(objs) != 1 || len(tmp) != 0 {
		t.Fatalf("files %v, leftovers %v", objs, tmp)
	}
	// Uploads idle for a day are forgotten (swept when another starts).
	r = create(10, "bucketName", "b", "objectName", "idle.txt")
	upPath = strings.TrimPrefix(r.header.Get("Location"), e.srv.URL)
	e.clock.Add(25 * time.Hour)
	svc = e.service()
	wantStatus(t, create(10, "bucketName", "b", "objectName", "fresh.txt"), http.StatusCreated)
	wantStatus(t, e.do("HEAD", upPath, svc, nil, tus...), http.StatusNotFound)
}

// TestResumableUploadRLS: the caller's policies decide, at creation and
// when the object is written.
func TestResumableUploadRLS(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.doJSON("POST", "/bucket", e.service(), `{"name":"avatars"}`), 200)
	e.exec(`create policy "own folder" on storage.objects for insert to authenticated
		with check ((storage.foldername(name))[1] = auth.uid()::text)`)
	a := e.user(alice)
	tus := []string{"Tus-Resumable", "1.0.0"}
	r := e.do("POST", "/upload/resumable", a, nil, append(tus, "Upload-Length", "2", "Upload-Metadata", tusMeta("bucketName", "avatars", "objectName", bob+"/x.txt"))...)
	wantErr(t, r, 400, "403", "AccessDenied")
	r = e.do("POST", "/upload/resumable", a, nil, append(tus, "Upload-Length", "2", "Upload-Metadata", tusMeta("bucketName", "avatars", "objectName", alice+"/x.txt"))...)
	wantStatus(t, r, http.StatusCreated)
	up := strings.TrimPrefix(r.header.Get("Location"), e.srv.URL)
	wantStatus(t, e.do("PATCH", up, a, strings.NewReader("hi"), append(tus, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")...), http.StatusNoContent)
	if got := e.query(`select owner_id from storage.objects where name = $1`, alice+"/x.txt"); got != alice {
		t.Fatalf("owner_id %q", got)
	}
}
