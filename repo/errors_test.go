package repo_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		is      []error
		isNot   []error
		code    string
		message string
		text    string
	}{
		{"unique", 409, `{"code":"23505","details":"Key (id)=(1) already exists.","hint":null,"message":"duplicate key value violates unique constraint \"countries_pkey\""}`,
			[]error{repo.ErrUniqueViolation}, []error{repo.ErrForeignKeyViolation, repo.ErrNotFound}, "23505", `duplicate key value violates unique constraint "countries_pkey"`,
			`repo: insert countries: postgrest 23505 (HTTP 409): duplicate key`},
		{"foreign key", 409, `{"code":"23503","details":"x","hint":null,"message":"insert or update violates foreign key constraint"}`,
			[]error{repo.ErrForeignKeyViolation}, []error{repo.ErrUniqueViolation}, "23503", "insert or update violates foreign key constraint", "postgrest 23503 (HTTP 409)"},
		{"rls", 403, `{"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \"countries\""}`,
			[]error{repo.ErrPermissionDenied}, nil, "42501", `new row violates row-level security policy for table "countries"`, "(HTTP 403)"},
		{"jwt expired", 401, `{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}`,
			[]error{repo.ErrJWTExpired}, nil, "PGRST303", "JWT expired", "PGRST303 (HTTP 401)"},
		{"jwt invalid", 401, `{"code":"PGRST301","details":null,"hint":null,"message":"No suitable key or wrong key type"}`,
			[]error{repo.ErrJWTExpired}, nil, "PGRST301", "No suitable key or wrong key type", "PGRST301"},
		{"unknown column", 400, `{"code":"PGRST204","details":null,"hint":null,"message":"Could not find the 'nme' column of 'countries' in the schema cache"}`,
			[]error{repo.ErrUnknownColumn}, []error{repo.ErrUnknownTable}, "PGRST204", "Could not find the 'nme' column of 'countries' in the schema cache", "PGRST204"},
		{"unknown table", 404, `{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table 'public.countries'","message":"Could not find the table 'public.countrie' in the schema cache"}`,
			[]error{repo.ErrUnknownTable}, nil, "PGRST205", "Could not find the table 'public.countrie' in the schema cache", "PGRST205"},
		{"single none", 406, `{"code":"PGRST116","details":"The result contains 0 rows","hint":null,"message":"Cannot coerce the result to a single JSON object"}`,
			[]error{repo.ErrNotFound}, []error{repo.ErrMultipleRows}, "PGRST116", "Cannot coerce the result to a single JSON object", "PGRST116 (HTTP 406)"},
		{"single many", 406, `{"code":"PGRST116","details":"The result contains 2 rows","hint":null,"message":"Cannot coerce the result to a single JSON object"}`,
			[]error{repo.ErrMultipleRows}, []error{repo.ErrNotFound}, "PGRST116", "Cannot coerce the result to a single JSON object", "PGRST116"},
		{"gateway page", 502, `<html><body>Bad Gateway</body></html>`,
			nil, []error{repo.ErrNotFound, repo.ErrUniqueViolation}, "", "<html><body>Bad Gateway</body></html>", "postgrest (HTTP 502)"},
		{"empty body", 500, ``, nil, nil, "", "Internal Server Error", "(HTTP 500): Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			f.status, f.body = tt.status, tt.body
			_, err := repo.New[Country](cl).Insert(context.Background(), Country{Name: "x"})
			if err == nil {
				t.Fatal("want an error")
			}
			var pe *repo.Error
			if !errors.As(err, &pe) {
				t.Fatalf("errors.As *repo.Error failed: %v", err)
			}
			if pe.Status != tt.status || pe.Code != tt.code || pe.Message != tt.message {
				t.Errorf("got status %d code %q message %q", pe.Status, pe.Code, pe.Message)
			}
			for _, s := range tt.is {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = false", s)
				}
			}
			for _, s := range tt.isNot {
				if errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = true", s)
				}
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
}

func TestErrorDetailsKept(t *testing.T) {
	f, cl := newFake(t)
	f.status = 404
	f.body = `{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table 'public.countries'","message":"m"}`
	_, err := repo.Table(cl, "countrie").Select("*").Execute(context.Background())
	var pe *repo.Error
	if !errors.As(err, &pe) || pe.Hint != "Perhaps you meant the table 'public.countries'" || pe.Details != "" {
		t.Fatalf("got %#v", pe)
	}
	if !strings.HasPrefix(err.Error(), "repo: select countrie: ") {
		t.Errorf("prefix: %q", err)
	}
}

func TestClientSideSingles(t *testing.T) {
	c := schema.Cols[Country]()
	ctx := context.Background()
	f, cl := newFake(t)
	r := repo.New[Country](cl)

	f.body = `[]`
	if _, err := r.Get(ctx, int64(1)); !errors.Is(err, repo.ErrNotFound) || !strings.HasPrefix(err.Error(), "repo: get countries") {
		t.Errorf("Get none: %v", err)
	}
	if _, err := r.First(ctx); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("First none: %v", err)
	}
	got, err := r.Query().Where(query.Eq(&c.ID, 1)).MaybeSingle(ctx)
	if err != nil || got != nil {
		t.Errorf("MaybeSingle none: %v %v", got, err)
	}
	if _, err := r.Save(ctx, Country{ID: 1, Name: "x"}); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("Save of a missing row: %v", err)
	}
	f.body = `[{"id":1,"name":"a"},{"id":2,"name":"b"}]`
	if _, err := r.Query().MaybeSingle(ctx); !errors.Is(err, repo.ErrMultipleRows) {
		t.Errorf("MaybeSingle two: %v", err)
	}
	res, err := repo.Table(cl, "countries").Select("*").MaybeSingle().Execute(ctx)
	if !errors.Is(err, repo.ErrMultipleRows) || res != nil {
		t.Errorf("untyped MaybeSingle two: %v", err)
	}
	f.body = `[{"id":1,"name":"a"}]`
	res, err = repo.Table(cl, "countries").Select("*").MaybeSingle().Execute(ctx)
	if err != nil || string(res.Data) != `{"id":1,"name":"a"}` {
		t.Errorf("untyped MaybeSingle one: %s %v", res.Data, err)
	}
	one, err := r.Query().MaybeSingle(ctx)
	if err != nil || one == nil || one.Name != "a" {
		t.Errorf("MaybeSingle one: %v %v", one, err)
	}
}

func TestCounts(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		contentRange string
		want         int64
		wantErr      bool
	}{{"*/42", 42, false}, {"0-9/1234", 1234, false}, {"0-9/*", 0, true}, {"", 0, true}} {
		t.Run(tt.contentRange, func(t *testing.T) {
			f, cl := newFake(t)
			f.header = map[string]string{"Content-Range": tt.contentRange}
			n, err := repo.New[Country](cl).Count(ctx)
			if (err != nil) != tt.wantErr || n != tt.want {
				t.Errorf("Count = %d, %v", n, err)
			}
			res, err := repo.Table(cl, "countries").Select("*", repo.WithCount(query.CountExact), repo.Head()).Execute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.wantErr {
				want = -1
			}
			if res.Count != want || len(res.Data) != 0 {
				t.Errorf("untyped count = %d (data %q)", res.Count, res.Data)
			}
		})
	}
	f, cl := newFake(t)
	f.header = map[string]string{"Content-Range": "0-1/57"}
	f.body = `[{"id":1,"name":"a"},{"id":2,"name":"b"}]`
	rows, n, err := repo.New[Country](cl).Query().Range(0, 1).FindAndCount(ctx, query.CountExact)
	if err != nil || n != 57 || len(rows) != 2 {
		t.Errorf("FindAndCount = %d rows, %d, %v", len(rows), n, err)
	}
	if got := f.last(t).Prefer; got != "count=exact" {
		t.Errorf("Prefer %q", got)
	}
	f.header = map[string]string{"Content-Range": "0-1/*"}
	if _, n, err := repo.New[Country](cl).Query().FindAndCount(ctx, query.CountExact); err == nil || !strings.Contains(err.Error(), "no count") {
		t.Errorf("FindAndCount without a total = %d, %v", n, err)
	}
	if _, _, err := repo.New[Country](cl).Query().FindAndCount(ctx, query.CountNone); !errors.Is(err, repo.ErrInvalid) {
		t.Errorf("FindAndCount(CountNone): %v", err)
	}
}

func TestCancellation(t *testing.T) {
	f, cl := newFake(t)
	block := make(chan struct{})
	defer close(block)
	f.handler = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := repo.New[Country](cl).Find(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "repo: select countries: ") {
		t.Errorf("Find after deadline: %v", err)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	n := f.count()
	if _, err := repo.Table(cl, "countries").Select("*").Execute(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Execute with a cancelled context: %v", err)
	}
	if f.count() != n {
		t.Error("a cancelled call sent a request")
	}
}

func TestCallDecodes(t *testing.T) {
	ctx := context.Background()
	f, cl := newFake(t)
	f.body = `"Hello world"`
	s, err := repo.Call[string](ctx, cl, "hello_world", nil)
	if err != nil || s != "Hello world" {
		t.Fatalf("scalar: %q %v", s, err)
	}
	if got := f.last(t); got.Method != "POST" || got.Body != "{}" || got.Profile != "content:public" {
		t.Errorf("request %+v", got)
	}
	f.body = `{"id":5,"name":"Chad"}`
	row, err := repo.Call[Country](ctx, cl, "get_country", map[string]int{"id": 5})
	if err != nil || row.ID != 5 || row.Name != "Chad" {
		t.Fatalf("row: %+v %v", row, err)
	}
	f.body = `[1,2,3]`
	ns, err := repo.Call[[]int](ctx, cl, "add_one_each", map[string][]int{"arr": {0, 1, 2}})
	if err != nil || len(ns) != 3 || ns[2] != 3 {
		t.Fatalf("set: %v %v", ns, err)
	}
	f.status, f.body = 204, ""
	if _, err := repo.Call[struct{}](ctx, cl, "void_fn", nil); err != nil {
		t.Fatalf("void: %v", err)
	}
	if _, err := repo.Call[int](ctx, cl, "bad", []int{1}); !errors.Is(err, repo.ErrInvalid) {
		t.Errorf("array args: %v", err)
	}
}

func TestBulkColumnsUnion(t *testing.T) {
	f, cl := newFake(t)
	_, err := repo.Table(cl, "countries").Insert([]map[string]any{{"id": 1}, {"name": "x", "id": 2}, {"capital": "c"}}).Execute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := unq(t, f.last(t).RawQuery), `columns="id","name","capital"`; got != want {
		t.Errorf("columns %q, want %q", got, want)
	}
	if _, err := repo.Table(cl, "countries").Insert([]int{1}).Execute(context.Background()); !errors.Is(err, repo.ErrInvalid) {
		t.Errorf("insert of non-objects: %v", err)
	}
	if _, err := repo.Table(cl, "countries").Update([]map[string]any{{"a": 1}}).Eq("id", 1).Execute(context.Background()); !errors.Is(err, repo.ErrInvalid) {
		t.Errorf("update with a list: %v", err)
	}
}
