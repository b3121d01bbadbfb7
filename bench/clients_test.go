package bench_test

import (
	"context"
	"net/http"
	"testing"

	postgrest "github.com/supabase-community/postgrest-go"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// key is a legacy-style project key: sent as apikey and as the bearer.
const key = "bench-anon-key"

var c = schema.Cols[bench.Row]()

// supakitQuery builds the representative query with package query.
func supakitQuery() query.Query {
	return query.For[bench.Row]().
		Select(&c.ID, &c.Name, &c.Email, &c.Score, &c.CreatedAt).
		Where(
			query.In(&c.Name, bench.InNames...),
			query.Gt(&c.Score, bench.MinScore),
			query.Or(query.Eq(&c.Active, true), query.Lt(&c.ID, int64(bench.MaxID))),
		).
		Order(query.Desc(&c.Score).NullsLast()).
		Range(0, bench.RangeTo)
}

// repoQuery builds the same query with the typed repository's builder.
func repoQuery(r *repo.Repo[bench.Row]) *repo.Query[bench.Row] {
	return r.Query().
		Select(&c.ID, &c.Name, &c.Email, &c.Score, &c.CreatedAt).
		Where(
			query.In(&c.Name, bench.InNames...),
			query.Gt(&c.Score, bench.MinScore),
			query.Or(query.Eq(&c.Active, true), query.Lt(&c.ID, int64(bench.MaxID))),
		).
		Order(query.Desc(&c.Score).NullsLast()).
		Range(0, bench.RangeTo)
}

// peerQuery builds the same query with postgrest-go (its builders mutate
// and are built afresh each time).
func peerQuery(pc *postgrest.Client) *postgrest.FilterBuilder {
	return pc.From(bench.Table).
		Select("id,name,email,score,created_at", "", false).
		In("name", bench.InNames).
		Gt("score", "1.5").
		Or("active.eq.true,id.lt.100", "").
		Order("score", &postgrest.OrderOpts{Ascending: false, NullsFirst: false}).
		Range(0, bench.RangeTo, "")
}

func newSupakit(tb testing.TB, baseURL string, hc *http.Client) *supakit.Client {
	tb.Helper()
	var opts []supakit.Option
	if hc != nil {
		opts = append(opts, supakit.WithHTTPClient(hc))
	}
	cl, err := supakit.New(baseURL, key, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return cl
}

// newPeer returns postgrest-go's client as its README makes it; rt, when
// not nil, replaces the transport underneath (http.DefaultTransport
// otherwise).
func newPeer(tb testing.TB, restURL string, rt http.RoundTripper) *postgrest.Client {
	tb.Helper()
	pc := postgrest.NewClient(restURL, "public", map[string]string{
		"apikey":        key,
		"Authorization": "Bearer " + key,
	})
	if pc.ClientError != nil {
		tb.Fatal(pc.ClientError)
	}
	if rt != nil {
		pc.Transport.Parent = rt
	}
	return pc
}

// floorRequest builds the request by hand: the floor for request building.
func floorRequest(ctx context.Context, restURL string, buf []byte) (*http.Request, error) {
	buf = append(buf[:0], restURL...)
	buf = append(buf, "/rows?"...)
	buf = bench.AppendFloorQuery(buf)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, string(buf), nil)
	if err != nil {
		return nil, err
	}
	req.Header = http.Header{
		"Apikey":         {key},
		"Authorization":  {"Bearer " + key},
		"Accept-Profile": {"public"},
		"Accept":         {"application/json"},
	}
	return req, nil
}

func newHTTPClient(rt http.RoundTripper) *http.Client { return &http.Client{Transport: rt} }
