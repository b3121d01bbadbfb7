package repo_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
)

type mood string

type point struct {
	X int `json:"x"`
}

type shouter string

func (s shouter) String() string { return strings.ToUpper(string(s)) }

func TestScalarFormatting(t *testing.T) {
	str := "p"
	var nilStr *string
	tests := []struct {
		name  string
		value any
		want  string
		err   bool
	}{
		{"int8", int8(-3), "eq.-3", false},
		{"uint64", uint64(18446744073709551615), "eq.18446744073709551615", false},
		{"float32", float32(0.1), "eq.0.1", false},
		{"float64 large", 1e21, "eq.1e+21", false},
		{"bool", false, "eq.false", false},
		{"time with zone", time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("x", 3600)), "eq.2024-05-06T07:08:09.00000001+01:00", false},
		{"uuid", uuid.MustParse("123e4567-e89b-12d3-a456-426614174000"), "eq.123e4567-e89b-12d3-a456-426614174000", false},
		{"raw json", json.RawMessage(`{"a":1}`), `eq.{"a":1}`, false},
		{"json number", json.Number("12.50"), "eq.12.50", false},
		{"named string", mood("happy"), "eq.happy", false},
		{"named string with String", shouter("hi"), "eq.hi", false},
		{"pointer", &str, "eq.p", false},
		{"nil pointer", nilStr, "is.null", false},
		{"struct", point{2}, `eq.{"x":2}`, false},
		{"map", map[string]int{"b": 1}, `eq.{"b":1}`, false},
		{"int slice", []int{1, 2}, "eq.{1,2}", false},
		{"bytes", []byte("raw"), `eq.\x726177`, false},
		{"channel", make(chan int), "", true},
		{"complex", complex(1, 2), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			f.body = `[]`
			_, err := repo.Table(cl, "t").Select("*").Eq("c", tt.value).Execute(context.Background())
			if tt.err {
				if !errors.Is(err, repo.ErrInvalid) {
					t.Fatalf("want an error, got %v", err)
				}
				if f.count() != 0 {
					t.Error("an invalid value was sent")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := unq(t, f.last(t).RawQuery); got != "select=*&c="+tt.want {
				t.Errorf("got %s, want c=%s", got, tt.want)
			}
		})
	}
}

func TestIsValues(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[]`
	ctx := context.Background()
	for v, want := range map[any]string{"NULL": "is.null", "unknown": "is.unknown", true: "is.true"} {
		if _, err := repo.Table(cl, "t").Select("*").Is("c", v).Execute(ctx); err != nil {
			t.Fatal(err)
		}
		if got := unq(t, f.last(t).RawQuery); got != "select=*&c="+want {
			t.Errorf("Is(%v): %s", v, got)
		}
	}
	if _, err := repo.Table(cl, "t").Select("*").Is("c", 3).Execute(ctx); !errors.Is(err, repo.ErrInvalid) {
		t.Errorf("Is(3): %v", err)
	}
}

type blob struct {
	ID   int64          `db:"id,pk,readonly" json:"id"`
	Data []byte         `db:"data" json:"data"`
	Meta map[string]any `db:"meta,json" json:"meta"`
	Seen time.Time      `db:"seen,omitempty" json:"seen"`
}

func (blob) TableName() string { return "blobs" }

func TestWriteEncoding(t *testing.T) {
	f, cl := newFake(t)
	_, err := repo.New[blob](cl).Insert(context.Background(), blob{ID: 9, Data: []byte{0xde, 0xad}, Meta: map[string]any{"k": []int{1}}}, repo.ReturnMinimal())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.last(t).Body, `{"data":"\\xdead","meta":{"k":[1]}}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	// omitempty columns left out of some rows of a bulk write take their
	// default (missing=default); a set time is sent.
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err = repo.New[blob](cl).InsertMany(context.Background(), []blob{{}, {Seen: at}}, repo.ReturnMinimal())
	if err != nil {
		t.Fatal(err)
	}
	got := f.last(t)
	if got.Prefer != "missing=default" || got.Body != `[{"data":null,"meta":null},{"data":null,"meta":null,"seen":"2024-01-02T03:04:05Z"}]` ||
		unq(t, got.RawQuery) != `columns="data","meta","seen"` {
		t.Errorf("bulk %+v", got)
	}
}

func TestGetErrorIsLabelled(t *testing.T) {
	f, cl := newFake(t)
	f.status, f.body = 403, `{"code":"42501","message":"permission denied for table countries"}`
	_, err := repo.New[Country](cl).Get(context.Background(), int64(1))
	if !errors.Is(err, repo.ErrPermissionDenied) || !strings.HasPrefix(err.Error(), "repo: get countries: postgrest 42501 (HTTP 403)") {
		t.Errorf("got %v", err)
	}
}

func TestInOnlyEmptyString(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[]`
	_, err := repo.Table(cl, "t").Select("*").In("c", []string{""}).NotIn("c", []string{"", ""}).In("c", []string{"", "a"}).Execute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := unq(t, f.last(t).RawQuery), `select=*&c=eq.&c=not.in.("","")&c=in.("",a)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestInNumbersBare(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[]`
	_, err := repo.Table(cl, "t").Select("*").In("score", []float64{1.5, -2e-7}).In("ok", []bool{true}).Execute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := unq(t, f.last(t).RawQuery), `select=*&score=in.(1.5,-2e-07)&ok=in.(true)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestTextSearchConfigChecked(t *testing.T) {
	f, cl := newFake(t)
	ctx := context.Background()
	for _, cfg := range []string{"english).x", "a b", "x,y", "é"} {
		_, err := repo.Table(cl, "texts").Select("*").TextSearch("content", "cat", query.TextSearchOptions{Config: cfg}).Execute(ctx)
		if !errors.Is(err, repo.ErrInvalid) {
			t.Errorf("config %q: %v", cfg, err)
		}
	}
	if f.count() != 0 {
		t.Fatalf("%d requests sent", f.count())
	}
	if _, err := repo.Table(cl, "texts").Select("*").TextSearch("content", "cat", query.TextSearchOptions{Type: query.Plain, Config: "pg_catalog_english"}).Execute(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).RawQuery; got != "select=*&content=plfts%28pg_catalog_english%29.cat" {
		t.Errorf("query %s", got)
	}
}

// TestIsDistinctNil checks that a nil operand of IsDistinct never becomes
// the string 'null', in the untyped Builder as in package query.
func TestIsDistinctNil(t *testing.T) {
	f, cl := newFake(t)
	ctx := context.Background()
	var none *string
	for _, v := range []any{nil, none} {
		if _, err := repo.Table(cl, "countries").Select("name").IsDistinct("capital", v).Execute(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.last(t).RawQuery; got != "select=name&capital=not.is.null" {
			t.Errorf("IsDistinct(%#v): %s", v, got)
		}
	}
	r, err := query.Table("countries").Select("name").Where(query.IsDistinct(query.Col[*string]("capital"), nil)).Read()
	if err != nil || r.RawQuery != "select=name&capital=not.is.null" {
		t.Errorf("query.IsDistinct: %s %v", r.RawQuery, err)
	}
}
