package integration_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
)

func storageAdmin(t *testing.T) *storage.Client { return serviceClient(t).Storage() }

// newBucket creates a bucket with a unique id (prefix first) and removes it,
// emptied, when the test ends.
func newBucket(t *testing.T, prefix string, opts ...storage.Option) string {
	t.Helper()
	ctx := ctxFor(t)
	id := uniq(prefix)
	name, err := storageAdmin(t).CreateBucket(ctx, id, opts...)
	if err != nil || name != id {
		t.Fatalf("create bucket %s: %q, %v", id, name, err)
	}
	t.Cleanup(func() {
		ctx := ctxFor(t)
		_ = storageAdmin(t).EmptyBucket(ctx, id)
		_ = storageAdmin(t).DeleteBucket(ctx, id)
	})
	return id
}

func download(t *testing.T, b *storage.Bucket, key string) string {
	t.Helper()
	var buf bytes.Buffer
	n, err := b.Download(ctxFor(t), key, &buf)
	if err != nil {
		t.Fatalf("download %s: %v", key, err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("download %s: reported %d bytes, wrote %d", key, n, buf.Len())
	}
	return buf.String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxFor(t), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStorageBuckets: create_bucket, get_bucket, list_buckets,
// update_bucket, empty_bucket, delete_bucket.
func TestStorageBuckets(t *testing.T) {
	ctx := ctxFor(t)
	st := storageAdmin(t)
	id := newBucket(t, "bkt-", storage.Public(false), storage.FileSizeLimit(1024), storage.AllowedMIMETypes("text/plain"))

	info, err := st.GetBucket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Name != id || info.Public || info.FileSizeLimit == nil || *info.FileSizeLimit != 1024 ||
		len(info.AllowedMIMETypes) != 1 || info.AllowedMIMETypes[0] != "text/plain" {
		t.Fatalf("get bucket: %+v", info)
	}
	all, err := st.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range all {
		found = found || b.ID == id
	}
	if !found {
		t.Fatalf("list buckets: %s missing from %d buckets", id, len(all))
	}

	if err := st.UpdateBucket(ctx, id, storage.Public(true), storage.NoFileSizeLimit()); err != nil {
		t.Fatal(err)
	}
	info, err = st.GetBucket(ctx, id)
	if err != nil || !info.Public || info.FileSizeLimit != nil {
		t.Fatalf("after update: %+v, %v", info, err)
	}

	// The MIME restriction holds.
	b := st.Bucket(id)
	if _, err := b.Upload(ctx, "x.bin", strings.NewReader("\x00\x01"), storage.ContentType("application/octet-stream")); !errors.Is(err, storage.ErrInvalidMIMEType) {
		t.Fatalf("upload of a refused type: %v", err)
	}
	if _, err := b.Upload(ctx, "a.txt", strings.NewReader("a"), storage.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteBucket(ctx, id); !errors.Is(err, storage.ErrBucketNotEmpty) {
		t.Fatalf("delete of a non-empty bucket: %v", err)
	}
	if err := st.EmptyBucket(ctx, id); err != nil {
		t.Fatal(err)
	}
	// Supabase may finish emptying in the background: wait for it.
	deadline := time.Now().Add(15 * time.Second)
	for {
		objs, err := b.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bucket still holds %d objects after emptying", len(objs))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := st.DeleteBucket(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetBucket(ctx, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deleted bucket: %v", err)
	}
}

// TestStorageObjects: upload, download, list, update, move, copy, remove,
// info, exists, signed URLs, public URL, signed upload URL.
func TestStorageObjects(t *testing.T) {
	ctx := ctxFor(t)
	id := newBucket(t, "obj-", storage.Public(true))
	b := storageAdmin(t).Bucket(id)

	ref, err := b.Upload(ctx, "docs/hello.txt", strings.NewReader("hello, storage"), storage.ContentType("text/plain"), storage.CacheControl(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Path != "docs/hello.txt" || ref.FullPath != id+"/docs/hello.txt" {
		t.Fatalf("upload ref %+v", ref)
	}
	if got := download(t, b, "docs/hello.txt"); got != "hello, storage" {
		t.Fatalf("download = %q", got)
	}
	if _, err := b.Upload(ctx, "docs/hello.txt", strings.NewReader("again")); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("second upload without upsert: %v", err)
	}
	if _, err := b.Upload(ctx, "docs/more/deep.txt", strings.NewReader("deep"), storage.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}

	info, err := b.Info(ctx, "docs/hello.txt")
	if err != nil || info.Size != int64(len("hello, storage")) || !strings.HasPrefix(info.ContentType, "text/plain") {
		t.Fatalf("info: %+v, %v", info, err)
	}
	if ok, err := b.Exists(ctx, "docs/hello.txt"); err != nil || !ok {
		t.Fatalf("exists: %v, %v", ok, err)
	}
	if ok, err := b.Exists(ctx, "docs/nope.txt"); err != nil || ok {
		t.Fatalf("exists (missing): %v, %v", ok, err)
	}

	list, err := b.List(ctx, "docs")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range list {
		names = append(names, o.Name)
		if o.Name == "more" && !o.IsFolder() {
			t.Fatalf("more is not a folder: %+v", o)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "hello.txt,more" {
		t.Fatalf("list docs = %v", names)
	}
	list, err = b.List(ctx, "docs", storage.Search("hel"), storage.Limit(10))
	if err != nil || len(list) != 1 || list[0].Name != "hello.txt" {
		t.Fatalf("list with search: %+v, %v", list, err)
	}

	// Replace (update) keeps the key, changes the bytes.
	if _, err := b.Update(ctx, "docs/hello.txt", strings.NewReader("replaced"), storage.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}
	if got := download(t, b, "docs/hello.txt"); got != "replaced" {
		t.Fatalf("after update: %q", got)
	}
	// Range download.
	var part bytes.Buffer
	if _, err := b.Download(ctx, "docs/hello.txt", &part, storage.Range(0, 3)); err != nil || part.String() != "repl" {
		t.Fatalf("range download: %q, %v", part.String(), err)
	}

	// Move and copy.
	if err := b.Move(ctx, "docs/hello.txt", "archive/hello.txt"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.Exists(ctx, "docs/hello.txt"); ok {
		t.Fatal("moved object still at its old key")
	}
	if _, err := b.Copy(ctx, "archive/hello.txt", "copies/hello.txt"); err != nil {
		t.Fatal(err)
	}
	if got := download(t, b, "copies/hello.txt"); got != "replaced" {
		t.Fatalf("copy holds %q", got)
	}

	// Signed URLs download without credentials.
	signed, err := b.CreateSignedURL(ctx, "archive/hello.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := httpGet(t, signed); status != http.StatusOK || body != "replaced" {
		t.Fatalf("signed URL: %d %q", status, body)
	}
	many, err := b.CreateSignedURLs(ctx, []string{"archive/hello.txt", "copies/hello.txt", "missing.txt"}, time.Minute)
	if err != nil || len(many) != 3 {
		t.Fatalf("signed URLs: %+v, %v", many, err)
	}
	for _, s := range many {
		switch s.Path {
		case "missing.txt":
			if s.Error == "" || s.URL != "" {
				t.Fatalf("signed URL of a missing key: %+v", s)
			}
		default:
			if status, body := httpGet(t, s.URL); status != http.StatusOK || body != "replaced" {
				t.Fatalf("signed URL %s: %d %q", s.Path, status, body)
			}
		}
	}

	// Public URL of a public bucket.
	pub, err := b.GetPublicURL("copies/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := httpGet(t, pub); status != http.StatusOK || body != "replaced" {
		t.Fatalf("public URL %s: %d %q", pub, status, body)
	}

	// Upload to a signed upload URL, without the service key.
	up, err := b.CreateSignedUploadURL(ctx, "uploads/signed.txt")
	if err != nil || up.Token == "" {
		t.Fatalf("signed upload URL: %+v, %v", up, err)
	}
	if _, err := anonClient(t).Storage().Bucket(id).UploadToSignedURL(ctx, "uploads/signed.txt", up.Token, strings.NewReader("via token"), storage.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}
	if got := download(t, b, "uploads/signed.txt"); got != "via token" {
		t.Fatalf("signed upload holds %q", got)
	}

	// Remove returns what it deleted.
	removed, err := b.Remove(ctx, "archive/hello.txt", "copies/hello.txt", "never/was.txt")
	if err != nil || len(removed) != 2 {
		t.Fatalf("remove: %+v, %v", removed, err)
	}
	if _, err := b.Info(ctx, "copies/hello.txt"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("removed object: %v", err)
	}
}

// TestStorageOwnFolderPolicy: under the suite's policy, a signed-in user
// writes and reads under their own folder only, and sees no one else's.
func TestStorageOwnFolderPolicy(t *testing.T) {
	ctx := ctxFor(t)
	id := newBucket(t, "own-")
	alice, bob := newUser(t), newUser(t)
	ab := alice.Client.Storage().Bucket(id)
	bb := bob.Client.Storage().Bucket(id)

	if _, err := ab.Upload(ctx, alice.ID+"/notes.txt", strings.NewReader("alice's"), storage.ContentType("text/plain")); err != nil {
		t.Fatalf("upload to own folder: %v", err)
	}
	if _, err := ab.Upload(ctx, bob.ID+"/intrusion.txt", strings.NewReader("x"), storage.ContentType("text/plain")); err == nil {
		t.Fatal("upload into another user's folder was allowed")
	}
	if _, err := ab.Upload(ctx, "shared/x.txt", strings.NewReader("x"), storage.ContentType("text/plain")); err == nil {
		t.Fatal("upload outside any user folder was allowed")
	}
	if got := download(t, ab, alice.ID+"/notes.txt"); got != "alice's" {
		t.Fatalf("own download: %q", got)
	}
	var buf bytes.Buffer
	if _, err := bb.Download(ctx, alice.ID+"/notes.txt", &buf); err == nil {
		t.Fatalf("bob read alice's file: %q", buf.String())
	}
	if list, err := bb.List(ctx, alice.ID); err != nil || len(list) != 0 {
		t.Fatalf("bob lists alice's folder: %+v, %v", list, err)
	}
	if removed, err := bb.Remove(ctx, alice.ID+"/notes.txt"); err != nil || len(removed) != 0 {
		t.Fatalf("bob removed alice's file: %+v, %v", removed, err)
	}
	// The object is still there, and anon sees nothing.
	if got := download(t, storageAdmin(t).Bucket(id), alice.ID+"/notes.txt"); got != "alice's" {
		t.Fatalf("after bob's attempts: %q", got)
	}
	if _, err := anonClient(t).Storage().Bucket(id).Download(ctx, alice.ID+"/notes.txt", io.Discard); err == nil {
		t.Fatal("anon read a private object")
	}
	// Alice replaces and removes her own file.
	if _, err := ab.Update(ctx, alice.ID+"/notes.txt", strings.NewReader("v2"), storage.ContentType("text/plain")); err != nil {
		t.Fatalf("update own file: %v", err)
	}
	if removed, err := ab.Remove(ctx, alice.ID+"/notes.txt"); err != nil || len(removed) != 1 {
		t.Fatalf("remove own file: %+v, %v", removed, err)
	}
}
