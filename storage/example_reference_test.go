package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// The examples below run each call of the reference's Storage section
// against refStorage, an in-memory stand-in for /storage/v1 with buckets.

func refStorage() *httptest.Server {
	var mu sync.Mutex
	buckets := map[string]map[string]any{}
	objects := map[string]string{} // "bucket/key" -> content
	reply := func(w http.ResponseWriter, v any) { _ = json.NewEncoder(w).Encode(v) }
	notFound := func(w http.ResponseWriter, what string) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"statusCode":"404","error":"not_found","message":"%s not found"}`, what)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		p := strings.TrimPrefix(r.URL.Path, "/storage/v1")
		var in map[string]any
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			_ = json.NewDecoder(r.Body).Decode(&in)
		}
		switch {
		case r.Method == http.MethodPost && p == "/bucket":
			id := in["id"].(string)
			buckets[id] = map[string]any{"id": id, "name": id, "public": in["public"], "file_size_limit": in["file_size_limit"], "allowed_mime_types": in["allowed_mime_types"]}
			reply(w, map[string]string{"name": id})
		case r.Method == http.MethodGet && p == "/bucket":
			list := []map[string]any{}
			for _, b := range buckets {
				list = append(list, b)
			}
			sort.Slice(list, func(i, j int) bool { return list[i]["id"].(string) < list[j]["id"].(string) })
			reply(w, list)
		case strings.HasPrefix(p, "/bucket/"):
			id, action, _ := strings.Cut(strings.TrimPrefix(p, "/bucket/"), "/")
			b, ok := buckets[id]
			if !ok {
				notFound(w, "Bucket")
				return
			}
			switch {
			case r.Method == http.MethodGet:
				reply(w, b)
			case r.Method == http.MethodPost && action == "empty":
				for k := range objects {
					if strings.HasPrefix(k, id+"/") {
						delete(objects, k)
					}
				}
				reply(w, map[string]string{"message": "Successfully emptied"})
			case r.Method == http.MethodDelete:
				delete(buckets, id)
				reply(w, map[string]string{"message": "Successfully deleted"})
			}
		case r.Method == http.MethodPost && strings.HasPrefix(p, "/object/list/"):
			bucket := strings.TrimPrefix(p, "/object/list/")
			prefix, _ := in["prefix"].(string)
			list := []map[string]any{}
			for k := range objects {
				if name, ok := strings.CutPrefix(k, bucket+"/"+prefix); ok {
					list = append(list, map[string]any{"name": strings.TrimPrefix(name, "/"), "id": "id-" + name, "metadata": map[string]any{"size": len(objects[k])}})
				}
			}
			sort.Slice(list, func(i, j int) bool { return list[i]["name"].(string) < list[j]["name"].(string) })
			reply(w, list)
		case r.Method == http.MethodPost && p == "/object/move":
			from := in["bucketId"].(string) + "/" + in["sourceKey"].(string)
			objects[in["bucketId"].(string)+"/"+in["destinationKey"].(string)] = objects[from]
			delete(objects, from)
			reply(w, map[string]string{"message": "Successfully moved"})
		case r.Method == http.MethodDelete && strings.HasPrefix(p, "/object/"):
			bucket := strings.TrimPrefix(p, "/object/")
			removed := []map[string]any{}
			for _, k := range in["prefixes"].([]any) {
				if _, ok := objects[bucket+"/"+k.(string)]; ok {
					delete(objects, bucket+"/"+k.(string))
					removed = append(removed, map[string]any{"name": k, "bucket_id": bucket})
				}
			}
			reply(w, removed)
		case (r.Method == http.MethodPost || r.Method == http.MethodPut) && strings.HasPrefix(p, "/object/"):
			key := strings.TrimPrefix(p, "/object/")
			b, _ := io.ReadAll(r.Body)
			objects[key] = string(b)
			fmt.Fprintf(w, `{"Key":%q,"Id":"0b1c"}`, key)
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(p, "/object/"):
			v, ok := objects[strings.TrimPrefix(p, "/object/")]
			if !ok {
				notFound(w, "Object")
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, v)
		default:
			http.NotFound(w, r)
		}
	}))
}

func refClient(srv *httptest.Server) *storage.Client {
	// With the root package: storage.New(client.StorageTransport()).
	tr, _ := transport.New(transport.Config{BaseURL: srv.URL + "/storage/v1", APIKey: "service-role-key"})
	st, _ := storage.New(tr)
	return st
}

// supabase.storage.create_bucket(name, options={"public", "file_size_limit", "allowed_mime_types"})
func ExampleClient_CreateBucket() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)

	name, err := st.CreateBucket(context.Background(), "avatars",
		storage.Public(true), storage.FileSizeLimit(1<<20), storage.AllowedMIMETypes("image/png", "image/jpeg"))
	fmt.Println(name, err)
	// Output: avatars <nil>
}

// supabase.storage.get_bucket(name)
func ExampleClient_GetBucket() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	_, _ = st.CreateBucket(ctx, "avatars", storage.Public(true), storage.FileSizeLimit(1<<20))

	b, err := st.GetBucket(ctx, "avatars")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.ID, b.Public, *b.FileSizeLimit)
	// Output: avatars true 1048576
}

// supabase.storage.list_buckets()
func ExampleClient_ListBuckets() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	_, _ = st.CreateBucket(ctx, "avatars")
	_, _ = st.CreateBucket(ctx, "invoices")

	list, err := st.ListBuckets(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range list {
		fmt.Println(b.Name)
	}
	// Output:
	// avatars
	// invoices
}

// supabase.storage.delete_bucket(name)
func ExampleClient_DeleteBucket() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	_, _ = st.CreateBucket(ctx, "tmp")

	fmt.Println(st.DeleteBucket(ctx, "tmp"))
	_, err := st.GetBucket(ctx, "tmp")
	fmt.Println(err)
	// Output:
	// <nil>
	// storage: get bucket tmp: 404: Bucket not found
}

// supabase.storage.empty_bucket(name)
func ExampleClient_EmptyBucket() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	_, _ = st.CreateBucket(ctx, "tmp")
	_, _ = st.Bucket("tmp").Upload(ctx, "a.txt", strings.NewReader("a"))

	fmt.Println(st.EmptyBucket(ctx, "tmp"))
	left, _ := st.Bucket("tmp").List(ctx, "")
	fmt.Println(len(left))
	// Output:
	// <nil>
	// 0
}

// with open(filepath, 'rb') as f:
//
//	supabase.storage.from_("testbucket").upload(file=f, path=…, file_options={"content-type": "audio/mpeg"})
func ExampleBucket_Upload() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)

	f := bytes.NewReader([]byte("ID3…")) // an *os.File in practice: streamed, never read whole
	ref, err := st.Bucket("testbucket").Upload(context.Background(), "songs/intro.mp3", f, storage.ContentType("audio/mpeg"))
	fmt.Println(ref.FullPath, err)
	// Output: testbucket/songs/intro.mp3 <nil>
}

// with open(destination, 'wb+') as f:
//
//	res = supabase.storage.from_('bucket_name').download(source)
//	f.write(res)
func ExampleBucket_Download() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	docs := st.Bucket("bucket_name")
	_, _ = docs.Upload(ctx, "notes.txt", strings.NewReader("hello"))

	var f bytes.Buffer // an *os.File in practice: written as bytes arrive
	n, err := docs.Download(ctx, "notes.txt", &f)
	fmt.Println(n, err, f.String())
	// Output: 5 <nil> hello
}

// supabase.storage.from_('bucket_name').list()
func ExampleBucket_List() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	b := st.Bucket("bucket_name")
	_, _ = b.Upload(ctx, "folder/a.txt", strings.NewReader("a"))
	_, _ = b.Upload(ctx, "folder/b.txt", strings.NewReader("bb"))

	list, err := b.List(ctx, "folder", storage.Limit(100), storage.SortBy("name", storage.Asc))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range list {
		fmt.Println(o.Name, o.Metadata.Size)
	}
	// Output:
	// a.txt 1
	// b.txt 2
}

// with open(filepath, 'rb') as f:
//
//	supabase.storage.from_("bucket_name").update(file=f, path=…, file_options={"cache-control": "3600", "upsert": "true"})
func ExampleBucket_Update() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	b := st.Bucket("bucket_name")
	_, _ = b.Upload(ctx, "notes.txt", strings.NewReader("old"))

	_, err := b.Update(ctx, "notes.txt", strings.NewReader("new"), storage.CacheControl(time.Hour))
	var out strings.Builder
	_, _ = b.Download(ctx, "notes.txt", &out)
	fmt.Println(err, out.String())
	// Output: <nil> new
}

// supabase.storage.from_('bucket_name').move('public/avatar1.png', 'private/avatar2.png')
func ExampleBucket_Move() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	b := st.Bucket("bucket_name")
	_, _ = b.Upload(ctx, "public/avatar1.png", strings.NewReader("png"))

	err := b.Move(ctx, "public/avatar1.png", "private/avatar2.png")
	moved, _ := b.Exists(ctx, "private/avatar2.png")
	fmt.Println(err, moved)
	// Output: <nil> true
}

// supabase.storage.from_('bucket_name').remove('test.jpg')
func ExampleBucket_Remove() {
	srv := refStorage()
	defer srv.Close()
	st := refClient(srv)
	ctx := context.Background()
	b := st.Bucket("bucket_name")
	_, _ = b.Upload(ctx, "test.jpg", strings.NewReader("jpg"))

	removed, err := b.Remove(ctx, "test.jpg", "never-existed.jpg")
	fmt.Println(len(removed), removed[0].Name, err)
	// Output: 1 test.jpg <nil>
}
