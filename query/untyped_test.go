package query_test

import (
	"strings"
	"testing"

	"github.com/supakit/supakit/query"
)

// TestAnyColumnValues checks the encodings the untyped repo.Builder relies
// on: Col[any] filters take the dynamic type of each value.
func TestAnyColumnValues(t *testing.T) {
	tests := []struct {
		name string
		f    query.Filter
		want string
	}{
		{"float32 shortest", query.Eq(query.Col[any]("x"), any(float32(0.1))), "x=eq.0.1"},
		{"float32 in list", query.In(query.Col[any]("x"), any(float32(1.5)), any(float32(0.3))), "x=in.(1.5,0.3)"},
		{"int bare in list", query.In(query.Col[any]("x"), any(1), any("a b")), `x=in.(1,"a b")`},
		{"bytes as bytea", query.Eq(query.Col[any]("x"), any([]byte("hi"))), `x=eq.\x6869`},
		{"nil is is.null", query.Eq(query.Col[any]("x"), nil), "x=is.null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := query.Table("t").Where(tt.f).Read()
			if err != nil {
				t.Fatal(err)
			}
			ps, err := r.Params()
			if err != nil {
				t.Fatal(err)
			}
			if got := ps[len(ps)-1].Key + "=" + ps[len(ps)-1].Value; got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWriteColumnsRefuseNUL(t *testing.T) {
	for _, w := range []query.Write{
		{Columns: []string{"a", "b\x00c"}},
		{OnConflict: []string{"a\x00"}},
	} {
		_, err := query.Table("t").Upsert(w)
		if err == nil || !strings.Contains(err.Error(), "invalid column") {
			t.Errorf("%+v: err %v, want an invalid column error", w, err)
		}
	}
	if _, err := query.Table("t").Upsert(query.Write{Columns: []string{"a", "b"}, OnConflict: []string{"a"}}); err != nil {
		t.Errorf("plain columns refused: %v", err)
	}
}
