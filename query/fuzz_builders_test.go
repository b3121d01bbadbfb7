package query_test

import (
	"strings"
	"testing"

	"github.com/supakit/supakit/query"
)

// FuzzBuildersNeverPanic feeds arbitrary names, operators, values and
// numbers to every public builder of the package. Whatever the input, a
// request is either built or refused with an error: no panic, no NUL byte
// or line break in the URL or a header, and a query string that decodes.
func FuzzBuildersNeverPanic(f *testing.F) {
	for _, s := range [][2]string{{"name", "eq"}, {"", ""}, {"a\x00b", "not.eq"}, {"cities.name", "in"},
		{"data->a->>b", "fts(english)"}, {"->a->>b", "like(any)"}, {"x\r\nEvil: 1", "prefer"}, {"select", "or"},
		{"(", ")"}, {`"quoted"`, "is"}, {"\xff", "cs"}} {
		f.Add(s[0], s[1], 3, -1)
	}
	f.Fuzz(func(t *testing.T, a, b string, n, m int) {
		name := query.Col[string](a)
		num := query.Col[int](b)
		path := query.JSONPath[string](&ch.Data, a)
		filters := []query.Filter{
			query.Eq(name, b), query.Neq(name, b), query.Gt(num, n), query.Lte(num, m),
			query.Like(name, b), query.ILike(&ch.Name, a), query.RegexMatch(name, b),
			query.In(name, a, b), query.NotIn(&ch.ID, int64(n), int64(m)),
			query.Is(name, query.Trilean(n%6)), query.IsDistinct(name, a),
			query.Contains(&ch.Tags, []string{a, b}), query.Overlaps(&ch.Tags, []string{b}),
			query.LikeAllOf(name, a, b), query.RangeAdjacent(name, a),
			query.TextSearch(name, a, query.TextSearchOptions{Type: query.TextSearchType(n % 5), Config: b}),
			query.Match(map[string]any{a: b, b: n}),
			query.Raw(a, b, a), query.OrRaw(a), query.Eq(path, b),
			query.Or(query.Eq(name, a), query.Not(query.In(num, n, m)), query.And(query.Eq(&ch.Name, b))),
			query.On(a, query.Eq(name, b)), query.On(b, query.OrRaw(a)),
			query.Not(query.Or()), query.And(),
		}
		items := []any{a, &ch.Name, query.As(a, &ch.ID), query.Cast(&ch.ID, b), query.Embed(a, b).Hint(b).Inner(),
			query.Embed(a).As(b).Spread(), query.As(b, name)}
		qs := []query.Query{
			query.For[Character](), query.Table(a), query.RPC(b), query.RPCFor[Character](a),
		}
		for _, q := range qs {
			for i := range filters {
				q2 := q.Select(items[i%len(items)]).Where(filters[i]).
					Order(query.Asc(name).NullsFirst(), query.Desc(&ch.ID), query.OrderRaw(b)).
					OrderOf(a, query.Asc(num)).
					Limit(n).Offset(m).Range(n, m).LimitOf(b, n).RangeOf(a, m, n).
					Schema(a).Header(a, b).Count(query.Count(n % 5)).
					Explain(query.ExplainOptions{Analyze: n%2 == 0, Format: query.ExplainFormat(m % 3)})
				check(t, q2.Read)
				check(t, q2.Head().Read)
				check(t, q2.Single().CSV().Read)
				check(t, q2.StripNulls().Rollback().MaxAffected(n).Read)
				w := query.Write{Returning: n%2 == 0, Columns: []string{a, b}, OnConflict: []string{b}, MissingDefault: m%2 == 0}
				check(t, func() (query.Request, error) { return q2.Insert(query.Write{Columns: []string{a}}) })
				check(t, func() (query.Request, error) { return q2.Upsert(w) })
				check(t, func() (query.Request, error) { return q2.Update(query.Write{AllowNoFilter: n%2 == 0}) })
				check(t, func() (query.Request, error) { return q2.Delete(query.Write{Returning: true}) })
				check(t, func() (query.Request, error) {
					return q2.Call(query.Call{Get: n%2 == 0, Args: []query.Arg{query.NamedArg(a, b), query.NamedArg(b, n), {}}})
				})
			}
		}
	})
}

func check(t *testing.T, build func() (query.Request, error)) {
	t.Helper()
	r, err := build()
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error without text")
		}
		return
	}
	if strings.ContainsAny(r.Path+r.RawQuery, "\x00\r\n ") {
		t.Fatalf("unsafe URL %q?%q", r.Path, r.RawQuery)
	}
	for _, h := range append([]query.Header{{Name: "Prefer", Value: r.Prefer}, {Name: "Accept", Value: r.Accept}, {Name: "Schema", Value: r.Schema}}, r.Headers...) {
		if strings.ContainsAny(h.Name+h.Value, "\x00\r\n") {
			t.Fatalf("unsafe header %q: %q", h.Name, h.Value)
		}
	}
	if _, err := r.Params(); err != nil {
		t.Fatalf("query string %q does not decode: %v", r.RawQuery, err)
	}
	if len(r.Path)+1+len(r.RawQuery) > query.MaxURLLength {
		t.Fatalf("URL of %d characters passed the limit", len(r.Path)+1+len(r.RawQuery))
	}
}
