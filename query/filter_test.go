package query_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

// params builds q and returns its decoded parameters after select,
// as "key=value" strings.
func params(t *testing.T, q query.Query) []string {
	t.Helper()
	r, err := q.Read()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	ps, err := r.Params()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		if p.Key == "select" {
			continue
		}
		out = append(out, p.Key+"="+p.Value)
	}
	return out
}

func one(t *testing.T, f query.Filter) string {
	t.Helper()
	ps := params(t, query.For[Character]().Select("*").Where(f))
	if len(ps) != 1 {
		t.Fatalf("want one parameter, got %q", ps)
	}
	return ps[0]
}

func TestQuoting(t *testing.T) {
	tests := []struct {
		in       string
		top      string // name=eq.<top>
		listElem string // in list and logic tree element
	}{
		{"plain", "plain", "plain"},
		{"Skywalker, Luke", "Skywalker, Luke", `"Skywalker, Luke"`},
		{"a.b", "a.b", `"a.b"`},
		{"x:y", "x:y", `"x:y"`},
		{"Luke (Jedi)", "Luke (Jedi)", `"Luke (Jedi)"`},
		{`say "hi"`, `say "hi"`, `"say \"hi\""`},
		{`a\b`, `a\b`, `"a\\b"`},
		{`\"`, `\"`, `"\\\""`},
		{"has space", "has space", `"has space"`},
		{" lead", " lead", `" lead"`},
		{"tab\there", "tab\there", "\"tab\there\""},
		{"nb\u00a0sp", "nb\u00a0sp", "\"nb\u00a0sp\""},
		{"ünïcødé 日本", "ünïcødé 日本", `"ünïcødé 日本"`},
		{"ünï", "ünï", "ünï"},
		{"👋", "👋", "👋"},
		{"", "", `""`},
		{"null", "null", `"null"`},
		{"NuLL", "NuLL", `"NuLL"`},
		{"nullable", "nullable", "nullable"},
		{"{a}", "{a}", `"{a}"`},
		{"[1,2)", "[1,2)", `"[1,2)"`},
		{"O'Brien", "O'Brien", "O'Brien"},
		{"50%_*", "50%_*", "50%_*"},
		{"a&b=c?d#e/f+g", "a&b=c?d#e/f+g", "a&b=c?d#e/f+g"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := one(t, query.Eq(&ch.Name, tt.in)); got != "name=eq."+tt.top {
				t.Errorf("eq: %q", got)
			}
			if got := one(t, query.In(&ch.Name, tt.in, "x")); got != "name=in.("+tt.listElem+",x)" {
				t.Errorf("in: %q", got)
			}
			if got := one(t, query.Or(query.Eq(&ch.Name, tt.in), query.Eq(&ch.ID, 1))); got != "or=(name.eq."+tt.listElem+",id.eq.1)" {
				t.Errorf("or: %q", got)
			}
		})
	}
}

func TestNesting(t *testing.T) {
	a := query.Eq(&ch.Name, "a")
	b := query.Gt(&ch.ID, 1)
	c := query.Lt(&ch.ID, 9)
	co := schema.Cols[Country]()
	ci := schema.Cols[City]()
	countries := query.For[Country]().Select("*")
	tests := []struct {
		name string
		q    query.Query
		want []string
	}{
		{"and at top level is flat", query.For[Character]().Where(query.And(a, b)), []string{"name=eq.a", "id=gt.1"}},
		{"not and", query.For[Character]().Where(query.Not(query.And(a, b))), []string{"not.and=(name.eq.a,id.gt.1)"}},
		{"not or", query.For[Character]().Where(query.Not(query.Or(a, b))), []string{"not.or=(name.eq.a,id.gt.1)"}},
		{"or with not and", query.For[Character]().Where(query.Or(a, query.Not(query.And(b, c)))), []string{"or=(name.eq.a,not.and(id.gt.1,id.lt.9))"}},
		{"or in or", query.For[Character]().Where(query.Or(query.Or(a, b), c)), []string{"or=(or(name.eq.a,id.gt.1),id.lt.9)"}},
		{"not inside or", query.For[Character]().Where(query.Or(query.Not(a), b)), []string{"or=(name.not.eq.a,id.gt.1)"}},
		{"double not", query.For[Character]().Where(query.Not(query.Not(a))), []string{"name=eq.a"}},
		{"not in inside or", query.For[Character]().Where(query.Or(query.NotIn(&ch.ID, 1, 2), a)), []string{"or=(id.not.in.(1,2),name.eq.a)"}},
		{"is null inside or", query.For[Character]().Where(query.Or(query.Eq(&ch.Note, nil), query.IsNotNull(&ch.Name))), []string{"or=(note.is.null,name.not.is.null)"}},
		{"array inside or", query.For[Character]().Where(query.Or(query.Contains(&ch.Tags, []string{"a", "b c"}), a)), []string{`or=(tags.cs."{a,\"b c\"}",name.eq.a)`}},
		{"like(any) inside or", query.For[Character]().Where(query.Or(query.LikeAnyOf(&ch.Name, "a%", "b%"), b)), []string{`or=(name.like(any)."{a%,b%}",id.gt.1)`}},
		{"raw inside or", query.For[Character]().Where(query.Or(query.Raw("name", "in", `("x","y")`), b)), []string{`or=(name.in.("x","y"),id.gt.1)`}},
		{"or raw inside or", query.For[Character]().Where(query.Or(query.OrRaw("id.eq.1,id.eq.2"), b)), []string{"or=(or(id.eq.1,id.eq.2),id.gt.1)"}},
		{"not or raw", query.For[Character]().Where(query.Not(query.OrRaw("id.eq.1,id.eq.2"))), []string{"not.or=(id.eq.1,id.eq.2)"}},
		{"json path inside or", query.For[User]().Where(query.Or(query.Eq(query.JSONPath[string](&us.Data, "->>k"), "v"), query.Eq(&us.ID, 1))), []string{"or=(data->>k.eq.v,id.eq.1)"}},
		{"embedded or", countries.Where(query.Or(query.Eq(&ci.Name, "x"), query.Eq(&ci.ID, 2))), []string{"cities.or=(name.eq.x,id.eq.2)"}},
		{"embedded not and", countries.Where(query.Not(query.And(query.Eq(&ci.Name, "x"), query.Eq(&ci.ID, 2)))), []string{"cities.not.and=(name.eq.x,id.eq.2)"}},
		{"on with a typed relation", countries.Where(query.On(&co.Cities, query.Eq(&ci.Name, "x"), query.OrRaw("id.eq.1"))), []string{"cities.name=eq.x", "cities.or=(id.eq.1)"}},
		{"on with a path and named columns", countries.Where(query.On("cities", query.Eq(query.Col[string]("name"), "x"))), []string{"cities.name=eq.x"}},
		{"not on", countries.Where(query.Not(query.On(&co.Cities, query.Eq(&ci.Name, "x")))), []string{"cities.name=not.eq.x"}},
		{"nested on", countries.Where(query.On("cities", query.On("districts", query.In(query.Col[int]("id"), 1)))), []string{"cities.districts.id=in.(1)"}},
		{"in on embedded", countries.Where(query.In(&ci.Name, "Bali", "Jakarta")), []string{"cities.name=in.(Bali,Jakarta)"}},
		{"relation is null", countries.Where(query.Is(&co.Cities, query.Null), query.Not(query.Is(&co.Cities, query.Null))), []string{"cities=is.null", "cities=not.is.null"}},
		{"match sorted", query.Table("t").Where(query.Match(map[string]any{"b": 2, "a": "x", "c": nil})), []string{"a=eq.x", "b=eq.2", "c=is.null"}},
		{"same column twice", query.For[Character]().Where(query.Gte(&ch.ID, 1), query.Lte(&ch.ID, 10)), []string{"id=gte.1", "id=lte.10"}},
		{"fts config", query.For[Character]().Where(query.TextSearch(&ch.Name, "a & b", query.TextSearchOptions{Type: query.Websearch, Config: "simple"})), []string{"name=wfts(simple).a & b"}},
		{"quoted column name", query.For[Character]().Where(query.Eq(&ch.FullName, "x"), query.Or(query.Eq(&ch.FullName, "y"))), []string{`"full name"=eq.x`, `or=("full name".eq.y)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := params(t, tt.q)
			if strings.Join(got, "&") != strings.Join(tt.want, "&") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

type customText struct{ s string }

func (c customText) MarshalText() ([]byte, error) { return []byte("T:" + c.s), nil }

type customJSON int

func (c customJSON) MarshalJSON() ([]byte, error) {
	return []byte(`"j` + string(rune('0'+int(c))) + `"`), nil
}

type Status string

type Values struct {
	I8   int8              `db:"i8"`
	U64  uint64            `db:"u64"`
	F    float64           `db:"f"`
	F32  float32           `db:"f32"`
	T    time.Time         `db:"t"`
	B    []byte            `db:"b"`
	M    [][]int           `db:"m"`
	PS   []*string         `db:"ps"`
	U    uuid.UUID         `db:"u"`
	CT   customText        `db:"ct"`
	CJ   customJSON        `db:"cj"`
	S    Status            `db:"s"`
	PT   *time.Time        `db:"pt"`
	J    string            `db:"j,json"`
	JM   map[string]string `db:"jm,json"`
	Bool *bool             `db:"bool"`
}

func (Values) TableName() string { return "values" }

func TestValues(t *testing.T) {
	v := schema.Cols[Values]()
	x := "x"
	tests := []struct {
		name string
		f    query.Filter
		want string
	}{
		{"int8 min", query.Eq(&v.I8, math.MinInt8), "i8=eq.-128"},
		{"uint64 max", query.Eq(&v.U64, math.MaxUint64), "u64=eq.18446744073709551615"},
		{"float", query.Eq(&v.F, 0.1), "f=eq.0.1"},
		{"float integral", query.Eq(&v.F, 100), "f=eq.100"},
		{"float big", query.Eq(&v.F, 1e21), "f=eq.1e+21"},
		{"float small", query.Eq(&v.F, 1e-7), "f=eq.1e-07"},
		{"float NaN", query.Eq(&v.F, math.NaN()), "f=eq.NaN"},
		{"float -Inf", query.Eq(&v.F, math.Inf(-1)), "f=eq.-Infinity"},
		{"float32", query.Eq(&v.F32, 1.5), "f32=eq.1.5"},
		{"time offset", query.Gt(&v.T, time.Date(2024, 2, 3, 4, 5, 6, 0, time.FixedZone("", 2*3600))), "t=gt.2024-02-03T04:05:06+02:00"},
		{"time pointer", query.Gt(&v.PT, ptr(time.Date(2024, 2, 3, 4, 5, 6, 7, time.UTC))), "pt=gt.2024-02-03T04:05:06.000000007Z"},
		{"bytea", query.Eq(&v.B, []byte{0xde, 0xad}), `b=eq.\xdead`},
		{"nested array", query.Contains(&v.M, [][]int{{1, 2}, {3, 4}}), "m=cs.{{1,2},{3,4}}"},
		{"array with null", query.Overlaps(&v.PS, []*string{&x, nil}), "ps=ov.{x,NULL}"},
		{"empty array", query.Eq(&v.PS, []*string{}), "ps=eq.{}"},
		{"uuid", query.Eq(&v.U, uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")), "u=eq.6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
		{"in uuid", query.In(&v.U, uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")), "u=in.(6ba7b810-9dad-11d1-80b4-00c04fd430c8)"},
		{"text marshaler", query.Eq(&v.CT, customText{"a"}), "ct=eq.T:a"},
		{"json marshaler string", query.Eq(&v.CJ, 3), "cj=eq.j3"},
		{"named string", query.In(&v.S, "open", "a b"), `s=in.(open,"a b")`},
		{"json string", query.Eq(&v.J, "x"), `j=eq."x"`},
		{"json map", query.Contains(&v.JM, map[string]string{"k": "v"}), `jm=cs.{"k":"v"}`},
		{"json nil", query.Eq(&v.JM, nil), "jm=is.null"},
		{"bool pointer", query.Eq(&v.Bool, ptr(false)), "bool=eq.false"},
		{"bool nil", query.Neq(&v.Bool, nil), "bool=not.is.null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := params(t, query.For[Values]().Where(tt.f))
			if len(ps) != 1 || ps[0] != tt.want {
				t.Errorf("got %q, want %q", ps, tt.want)
			}
		})
	}
}

func TestNil(t *testing.T) {
	var nilSlice []string
	tests := []struct {
		name    string
		f       query.Filter
		want    string
		wantErr error
	}{
		{"eq nil pointer", query.Eq(&ch.Note, nil), "note=is.null", nil},
		{"neq nil pointer", query.Neq(&ch.Note, nil), "note=not.is.null", nil},
		{"not eq nil", query.Not(query.Eq(&ch.Note, nil)), "note=not.is.null", nil},
		{"not neq nil", query.Not(query.Neq(&ch.Note, nil)), "note=is.null", nil},
		{"is distinct nil", query.IsDistinct(&ch.Note, nil), "note=not.is.null", nil},
		{"eq nil slice", query.Eq(&ch.Tags, nilSlice), "tags=is.null", nil},
		{"eq empty slice", query.Eq(&ch.Tags, []string{}), "tags=eq.{}", nil},
		{"eq string null is the string", query.Eq(&ch.Name, "null"), "name=eq.null", nil},
		{"eq pointer to null string", query.Eq(&ch.Note, ptr("null")), "note=eq.null", nil},
		{"gt nil", query.Gt(&ch.Note, nil), "", query.ErrNilValue},
		{"contains nil", query.Contains(&ch.Tags, nil), "", query.ErrNilValue},
		{"in with nil", query.In(&ch.Note, ptr("a"), nil), "", query.ErrNilValue},
		{"match nil", query.Match(map[string]any{"note": nil}), "note=is.null", nil},
		{"match typed nil", query.Match(map[string]any{"note": (*string)(nil)}), "note=is.null", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := checkFilter(t, tt.f, tt.want, tt.wantErr)
			if strings.Contains(r.RawQuery, "eq.null") && !strings.Contains(tt.name, "string") {
				t.Errorf("eq.null sent: %s", r.RawQuery)
			}
		})
	}
}

// checkFilter reads f on a Character query and checks that it fails with
// wantErr or gives the one parameter want (key=value).
func checkFilter(t *testing.T, f query.Filter, want string, wantErr error) query.Request {
	t.Helper()
	r, err := query.For[Character]().Select("*").Where(f).Read()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("err %v, want %v", err, wantErr)
		}
		return r
	}
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := r.Params()
	if len(ps) != 2 || ps[1].Key+"="+ps[1].Value != want {
		t.Errorf("got %v, want %s", ps, want)
	}
	return r
}

// Untyped values (rows as maps) go through the same encoder with Col[any].
func TestUntypedValues(t *testing.T) {
	col := query.Col[any]("v")
	tests := []struct {
		f    query.Filter
		want string
	}{
		{query.Eq(col, any("a b")), "v=eq.a b"},
		{query.Eq(col, any(3)), "v=eq.3"},
		{query.Eq(col, any(nil)), "v=is.null"},
		{query.In(col, any("(x)"), any(2.5), any(true)), `v=in.("(x)",2.5,true)`},
		{query.Contains(col, any([]any{"a,b", 1, nil})), `v=cs.{"a,b",1,NULL}`},
		{query.Eq(col, any(map[string]any{"k": []int{1}})), `v=eq.{"k":[1]}`},
	}
	for _, tt := range tests {
		ps := params(t, query.Table("t").Select("*").Where(tt.f))
		if len(ps) != 1 || ps[0] != tt.want {
			t.Errorf("got %q, want %s", ps, tt.want)
		}
	}
}

func TestNumbersInLists(t *testing.T) {
	ps := params(t, query.For[Character]().Select("*").Where(query.In(&ch.Score, 1.5, -2e-9, 1e21), query.Or(query.Eq(&ch.Score, 0.25), query.Eq(&ch.Active, false))))
	if strings.Join(ps, "&") != "score=in.(1.5,-2e-09,1e+21)&or=(score.eq.0.25,active.eq.false)" {
		t.Errorf("got %q", ps)
	}
}

func TestInSingleEmptyString(t *testing.T) {
	ps := params(t, query.For[Character]().Select("*").Where(
		query.In(&ch.Name, ""), query.NotIn(&ch.Name, ""), query.In(&ch.Name, "", "a"), query.Or(query.In(&ch.Name, ""), query.In(&ch.ID))))
	want := `name=eq.&name=not.eq.&name=in.("",a)&or=(name.eq."",id.in.())`
	if strings.Join(ps, "&") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(ps, "&"), want)
	}
}
