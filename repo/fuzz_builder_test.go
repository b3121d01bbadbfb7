package repo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/transport"
)

// FuzzBuilderNeverPanics drives every method of the untyped Builder (and
// RPC, Call, Func) with arbitrary text and numbers. Whatever the input,
// the call answers or fails with an error: no panic, and no NUL byte ever
// reaches a URL or a header (a JSON body carries it escaped, as \u0000).
func FuzzBuilderNeverPanics(f *testing.F) {
	for _, s := range [][2]string{{"name", "eq"}, {"", ""}, {"a\x00b", "x"}, {"cities", "in"}, {"x\r\nEvil: 1", "y"},
		{"(", ")"}, {`"q"`, "not.is"}, {"\xff", "cs"}} {
		f.Add(s[0], s[1], 2, 5)
	}
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump := r.URL.Path + "?" + r.URL.RawQuery
		if q, err := url.QueryUnescape(r.URL.RawQuery); err == nil {
			dump += q
		}
		for k, vs := range r.Header {
			dump += k + strings.Join(vs, "")
		}
		if strings.IndexByte(dump, 0) >= 0 {
			sent.Add(1)
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	f.Cleanup(srv.Close)
	cl, err := supakit.New(srv.URL, "anon-key", supakit.WithRetryPolicy(transport.RetryPolicy{}))
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, a, b string, n, m int) {
		calls := []func() error{
			func() error {
				_, err := repo.Table(cl, a).Select(b, repo.WithCount(query.Count(n%5))).
					Eq(a, b).Neq(b, a).Gt(a, n).Lte(b, m).Like(a, b).ILike(b, a).
					In(a, []any{a, b, n}).NotIn(b, []string{a}).Is(a, b).IsDistinct(a, b).
					Contains(a, []string{a, b}).Overlaps(b, b).RangeGt(a, b).RangeAdjacent(a, []int{n, m}).
					TextSearch(a, b, query.TextSearchOptions{Type: query.TextSearchType(n % 5), Config: b}).
					Match(map[string]any{a: b}).Not(a, b, a).Filter(a, b, m).Or(a, b).
					Order(a, repo.OrderOptions{Descending: n%2 == 0, Nulls: repo.Nulls(m % 4), ReferencedTable: b}).
					Limit(n, b).Range(n, m, a).RegexMatch(a, b).LikeAnyOf(a, []string{b}).
					SetHeader(a, b).Schema(b).Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Table(cl, a).Insert(map[string]any{a: b}, repo.DefaultToNull(n%2 == 0)).Select(b).Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Table(cl, "t").Upsert([]map[string]any{{a: n}, {b: m}}, repo.OnConflict(a), repo.IgnoreDuplicates()).Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Table(cl, "t").Update(map[string]string{a: b}).Eq(a, b).MaxAffected(int64(n)).Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Table(cl, "t").Delete().Filter(a, b, b).Single().Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Table(cl, "t").Select(a).Explain(query.ExplainOptions{Analyze: true, Format: query.ExplainFormat(n % 3)}).CSV().Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.RPC(cl, a, map[string]any{b: a}, repo.Get()).Eq(b, a).Execute(ctx)
				return err
			},
			func() error {
				_, err := repo.Call[[]int](ctx, cl, b, map[string]string{a: b}, repo.Get())
				return err
			},
			func() error {
				_, err := repo.Func[Country](cl, a, map[string]string{b: a}).Where(query.Raw(a, "eq", b)).Find(ctx)
				return err
			},
		}
		for i, call := range calls {
			before := sent.Load()
			err := call()
			if sent.Load() != before {
				t.Fatalf("call %d sent a NUL byte in its URL or headers (err %v)", i, err)
			}
			if err != nil && err.Error() == "" {
				t.Fatalf("call %d: an error without text", i)
			}
		}
	})
}
