package storageapi_test

import (
	"strings"
	"testing"
)

const (
	alice = "e48b743e-0546-4e69-8c1d-7433e07afb12"
	bob   = "69f546cf-9bb1-43a6-85b0-af54dc8f4bee"
)

// TestOwnFolderPolicy: a policy that lets an authenticated user write only
// under their own folder, applied through storage.foldername and
// auth.uid() exactly as on Supabase.
func TestOwnFolderPolicy(t *testing.T) {
	e := newEnv(t)
	svc, a, b, anon := e.service(), e.user(alice), e.user(bob), e.anon()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"avatars"}`), 200)
	e.exec(`create policy "own folder insert" on storage.objects for insert to authenticated
		with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text)`)
	e.exec(`create policy "own select" on storage.objects for select to authenticated
		using (bucket_id = 'avatars' and owner_id = auth.uid()::text)`)

	put := func(tok, key, body string, h ...string) resp {
		return e.do("POST", "/object/avatars/"+key, tok, strings.NewReader(body), append([]string{"Content-Type", "text/plain"}, h...)...)
	}
	tests := []struct {
		name   string
		token  string
		key    string
		status string // "" = success
	}{
		{"own folder", a, alice + "/avatar.txt", ""},
		{"own nested folder", a, alice + "/sub/deep.txt", ""},
		{"other user's folder", a, bob + "/avatar.txt", "403"},
		{"bucket root", a, "avatar.txt", "403"},
		{"anon", anon, alice + "/anon.txt", "403"},
		{"bob in his folder", b, bob + "/avatar.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := put(tt.token, tt.key, "x")
			if tt.status == "" {
				wantStatus(t, r, 200)
				return
			}
			wantErr(t, r, 400, tt.status, "AccessDenied")
			if !strings.Contains(string(r.body), "row-level security") {
				t.Fatalf("message: %s", r.body)
			}
		})
	}

	// The row carries the uploader as owner.
	if got := e.query(`select owner_id from storage.objects where name = $1`, alice+"/avatar.txt"); got != alice {
		t.Fatalf("owner_id %q", got)
	}
	if got := e.query(`select owner::text from storage.objects where name = $1`, alice+"/avatar.txt"); got != alice {
		t.Fatalf("owner %q", got)
	}

	// Reading: the owner sees it; another user gets "not found".
	wantStatus(t, e.do("GET", "/object/authenticated/avatars/"+alice+"/avatar.txt", a, nil), 200)
	wantErr(t, e.do("GET", "/object/avatars/"+alice+"/avatar.txt", b, nil), 400, "404", "NoSuchKey")
	wantErr(t, e.do("GET", "/object/info/avatars/"+alice+"/avatar.txt", b, nil), 400, "404", "NoSuchKey")
	wantErr(t, e.doJSON("POST", "/object/sign/avatars/"+alice+"/avatar.txt", b, `{"expiresIn":60}`), 400, "404", "NoSuchKey")

	// Listing shows only what the caller may select.
	list := func(tok string) string {
		r := e.doJSON("POST", "/object/list/avatars", tok, `{"prefix":"`+alice+`"}`)
		wantStatus(t, r, 200)
		var names []string
		for _, x := range r.json(t).([]any) {
			names = append(names, x.(map[string]any)["name"].(string))
		}
		return strings.Join(names, ",")
	}
	if got := list(a); got != "avatar.txt,sub" {
		t.Fatalf("alice lists %q", got)
	}
	if got := list(b); got != "" {
		t.Fatalf("bob lists %q", got)
	}

	// Upsert needs an UPDATE policy as well.
	wantErr(t, put(a, alice+"/avatar.txt", "v2", "x-upsert", "true"), 400, "403", "AccessDenied")
	e.exec(`create policy "own update" on storage.objects for update to authenticated
		using (owner_id = auth.uid()::text) with check ((storage.foldername(name))[1] = auth.uid()::text)`)
	wantStatus(t, put(a, alice+"/avatar.txt", "v2", "x-upsert", "true"), 200)
	if r := e.do("GET", "/object/avatars/"+alice+"/avatar.txt", a, nil); string(r.body) != "v2" {
		t.Fatalf("after upsert: %s", r.body)
	}
	// Moving out of one's folder violates the UPDATE policy's check.
	wantErr(t, e.doJSON("POST", "/object/move", a, `{"bucketId":"avatars","sourceKey":"`+alice+`/avatar.txt","destinationKey":"`+bob+`/stolen.txt"}`),
		400, "403", "AccessDenied")

	// Signed upload URLs are refused where the caller may not insert.
	wantErr(t, e.doJSON("POST", "/object/upload/sign/avatars/"+bob+"/x.txt", a, `{}`), 400, "403", "AccessDenied")
	r := e.doJSON("POST", "/object/upload/sign/avatars/"+alice+"/signed.txt", a, `{}`)
	wantStatus(t, r, 200)
	upURL := r.json(t).(map[string]any)["url"].(string)
	wantStatus(t, e.do("PUT", upURL, "", strings.NewReader("via token"), "Content-Type", "text/plain"), 200)
	if got := e.query(`select owner_id from storage.objects where name = $1`, alice+"/signed.txt"); got != alice {
		t.Fatalf("signed upload owner_id %q", got)
	}

	// Deleting needs a DELETE policy: without one the object stays.
	wantErr(t, e.do("DELETE", "/object/avatars/"+alice+"/avatar.txt", a, nil), 400, "403", "AccessDenied")
	r = e.doJSON("DELETE", "/object/avatars", b, `{"prefixes":["`+alice+`/avatar.txt"]}`)
	wantStatus(t, r, 200)
	if n := len(r.json(t).([]any)); n != 0 {
		t.Fatalf("bob deleted %d objects", n)
	}
	wantStatus(t, e.do("GET", "/object/avatars/"+alice+"/avatar.txt", a, nil), 200)
	e.exec(`create policy "own delete" on storage.objects for delete to authenticated using (owner_id = auth.uid()::text)`)
	wantStatus(t, e.do("DELETE", "/object/avatars/"+alice+"/avatar.txt", a, nil), 200)
	wantErr(t, e.do("GET", "/object/avatars/"+alice+"/avatar.txt", a, nil), 400, "404", "NoSuchKey")

	// Buckets: RLS on storage.buckets too (no policy: users see none,
	// cannot create).
	if r := e.do("GET", "/bucket", a, nil); string(r.body) != "[]" {
		t.Fatalf("user bucket list: %s", r.body)
	}
	wantErr(t, e.doJSON("POST", "/bucket", a, `{"name":"mine"}`), 400, "403", "AccessDenied")
	wantErr(t, e.do("GET", "/bucket/avatars", anon, nil), 400, "404", "NoSuchBucket")
}

// TestPathHelpers: storage.foldername, filename and extension split an
// object name as Supabase's helpers do, and policies may call them as
// any API role.
func TestPathHelpers(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ name, folders, file, ext string }{
		{"a/b/c.tar.gz", "{a,b}", "c.tar.gz", "gz"},
		{"top.txt", "{}", "top.txt", "txt"},
		{"dir/noext", "{dir}", "noext", "noext"},
		{"u 1/ü/x.PNG", `{"u 1",ü}`, "x.PNG", "PNG"},
	} {
		got := e.query(`select concat_ws('|', storage.foldername($1)::text, storage.filename($1), storage.extension($1))`, tt.name)
		if want := tt.folders + "|" + tt.file + "|" + tt.ext; got != want {
			t.Errorf("%s: %s, want %s", tt.name, got, want)
		}
	}
	if got := e.query(`select string_agg(r, ',' order by r) from unnest(array['anon', 'authenticated', 'service_role']) r
		where has_function_privilege(r, 'storage.extension(text)', 'execute')`); got != "anon,authenticated,service_role" {
		t.Errorf("roles that may call the helpers: %s", got)
	}
}
