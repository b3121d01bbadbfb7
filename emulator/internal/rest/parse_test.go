package rest_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

func TestParseSelect(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []rest.SelectItem
		wantErr bool
	}{
		{name: "star", in: "*", want: []rest.SelectItem{{Field: rest.Field{Name: "*"}}}},
		{name: "columns", in: "id,name", want: []rest.SelectItem{{Field: rest.Field{Name: "id"}}, {Field: rest.Field{Name: "name"}}}},
		{name: "alias and cast", in: "n:id::text", want: []rest.SelectItem{{Alias: "n", Field: rest.Field{Name: "id"}, Cast: "text"}}},
		{name: "quoted", in: `"column whitespace",id`, want: []rest.SelectItem{{Field: rest.Field{Name: "column whitespace"}}, {Field: rest.Field{Name: "id"}}}},
		{name: "json path", in: "data->foo->>bar", want: []rest.SelectItem{{Field: rest.Field{Name: "data", Path: []rest.JSONStep{{Key: "foo"}, {Text: true, Key: "bar"}}}}}},
		{name: "aggregate", in: "s:id.sum()", want: []rest.SelectItem{{Alias: "s", Field: rest.Field{Name: "id"}, Agg: "sum"}}},
		{name: "bare count", in: "count()::text", want: []rest.SelectItem{{Agg: "count", AggCast: "text"}}},
		{name: "embed with hint and inner", in: "a:users!fk!inner(id)", want: []rest.SelectItem{{Embed: &rest.Embed{Name: "users", Alias: "a", Hint: "fk", Inner: true, Select: []rest.SelectItem{{Field: rest.Field{Name: "id"}}}}}}},
		{name: "spread", in: "...users(id)", want: []rest.SelectItem{{Embed: &rest.Embed{Name: "users", Spread: true, Select: []rest.SelectItem{{Field: rest.Field{Name: "id"}}}}}}},
		{name: "empty embed", in: "users()", want: []rest.SelectItem{{Embed: &rest.Embed{Name: "users"}}}},
		{name: "unclosed embed", in: "users(id", wantErr: true},
		{name: "bad cast", in: "id::text;drop", wantErr: true},
		{name: "cast with space", in: "id::text union", wantErr: true},
		{name: "unknown aggregate", in: "id.drop()", wantErr: true},
		{name: "trailing garbage", in: "id)", wantErr: true},
		{name: "two hints", in: "users!a!b(id)", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rest.ParseSelect(tt.in)
			if tt.wantErr {
				var e *rest.Error
				if !errors.As(err, &e) || e.Code != "PGRST100" || e.Status != 400 {
					t.Fatalf("want a PGRST100 error, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseFilterValue(t *testing.T) {
	f := rest.Field{Name: "c"}
	tests := []struct {
		name    string
		in      string
		want    rest.Filter
		wantErr bool
	}{
		{name: "eq", in: "eq.1", want: rest.Filter{Field: f, Op: "eq", Value: "1"}},
		{name: "value with dots", in: "eq.a.b.c", want: rest.Filter{Field: f, Op: "eq", Value: "a.b.c"}},
		{name: "not", in: "not.like.*x*", want: rest.Filter{Field: f, Not: true, Op: "like", Value: "*x*"}},
		{name: "in with quotes", in: `in.(a,"b,c","d\"e")`, want: rest.Filter{Field: f, Op: "in", Value: `(a,"b,c","d\"e")`, List: []string{"a", "b,c", `d"e`}, IsList: true}},
		{name: "empty in", in: "in.()", want: rest.Filter{Field: f, Op: "in", Value: "()", List: nil, IsList: true}},
		{name: "is null", in: "is.NULL", want: rest.Filter{Field: f, Op: "is", Value: "null"}},
		{name: "fts config", in: "fts(english).cat", want: rest.Filter{Field: f, Op: "fts", Config: "english", Value: "cat"}},
		{name: "like any", in: "like(any).{a%,b%}", want: rest.Filter{Field: f, Op: "like", Mod: "any", Value: "{a%,b%}", List: []string{"a%", "b%"}, IsList: true}},
		{name: "unknown operator", in: "drop.x", wantErr: true},
		{name: "no operator", in: "x", wantErr: true},
		{name: "bad is", in: "is.maybe", wantErr: true},
		{name: "bad modifier", in: "cs(any).{a}", wantErr: true},
		{name: "unterminated in", in: `in.("a)`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rest.ParseFilterValue(f, tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %#v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseLogic(t *testing.T) {
	l, err := rest.ParseLogic(true, false, `(a.eq.1,and(b.in.(1,2),c.not.is.null),d.eq."x,y)",not.or(e.gt.2))`)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Or || len(l.Filters) != 2 || len(l.Children) != 2 {
		t.Fatalf("shape: %#v", l)
	}
	if l.Filters[1].Value != "x,y)" {
		t.Fatalf("quoted value: %q", l.Filters[1].Value)
	}
	and := l.Children[0]
	if and.Or || len(and.Filters) != 2 || and.Filters[0].Op != "in" || !reflect.DeepEqual(and.Filters[0].List, []string{"1", "2"}) || !and.Filters[1].Not {
		t.Fatalf("and branch: %#v", and)
	}
	if !l.Children[1].Not || !l.Children[1].Or {
		t.Fatalf("not.or branch: %#v", l.Children[1])
	}
	for _, bad := range []string{"a.eq.1", "(a.eq.1", "(a)", "(a.zz.1)", "(and(a.eq.1)"} {
		if _, err := rest.ParseLogic(true, false, bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestParseOrder(t *testing.T) {
	got, err := rest.ParseOrder("a.desc.nullslast,b,data->>x.asc.nullsfirst")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[0].Desc || got[0].NullsFirst == nil || *got[0].NullsFirst || got[1].Desc || got[2].Field.Path[0].Key != "x" || !*got[2].NullsFirst {
		t.Fatalf("got %#v", got)
	}
	if _, err := rest.ParseOrder("a.sideways"); err == nil {
		t.Fatal("want an error for an unknown direction")
	}
	rel, err := rest.ParseOrder("rel(col).desc")
	if err != nil || len(rel) != 1 || rel[0].Embed != "rel" || rel[0].Field.Name != "col" || !rel[0].Desc {
		t.Fatalf("related order: %#v %v", rel, err)
	}
	if _, err := rest.ParseOrder("rel(col.asc"); err == nil {
		t.Fatal("want an error for an unclosed related order")
	}
}

func FuzzParseSelect(f *testing.F) {
	for _, s := range []string{"*", "id,name", "a:users!fk!inner(id,b:c(*))", "...x(y)", `"q""x":data->a->>0::text`, "count()", "id.sum()::int"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := rest.ParseSelect(s)
		if err == nil {
			checkCasts(t, items)
		}
	})
}

func checkCasts(t *testing.T, items []rest.SelectItem) {
	for _, it := range items {
		for _, c := range []string{it.Cast, it.AggCast} {
			for i := 0; i < len(c); i++ {
				b := c[i]
				if !(b == '_' || b == '[' || b == ']' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
					t.Fatalf("cast %q carries %q", c, b)
				}
			}
		}
		if it.Embed != nil {
			checkCasts(t, it.Embed.Select)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"eq.1", `in.(a,"b,c")`, "not.fts(english).x", "like(all).{a,b}", "is.null", "cs.{1,2}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = rest.ParseFilterValue(rest.Field{Name: "c"}, s)
		_, _ = rest.ParseLogic(true, false, s)
		_, _ = rest.ParseLogic(false, true, "("+s+")")
		_, _ = rest.ParseOrder(s)
		_, _ = rest.ParseField(s)
		_, _ = rest.ParseColumns(s)
	})
}

func TestSplitKey(t *testing.T) {
	tests := []struct{ in, path, col string }{
		{"name", "", "name"},
		{"cities.name", "cities", "name"},
		{"a.b.c", "a.b", "c"},
		{`"a.b"`, "", `"a.b"`},
		{`cities."x.y"`, "cities", `"x.y"`},
		{"data->a.b", "", "data->a.b"},
		{"cities.data->>x.y", "cities", "data->>x.y"},
	}
	for _, tt := range tests {
		p, c := rest.SplitKey(tt.in)
		if p != tt.path || c != tt.col {
			t.Errorf("SplitKey(%q) = %q, %q; want %q, %q", tt.in, p, c, tt.path, tt.col)
		}
	}
}
