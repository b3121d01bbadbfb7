package repo_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// serve starts a stand-in PostgREST that prints each request it gets and
// answers with body (and the extra headers, name then value).
func serve(status int, body string, headers ...string) (*supakit.Client, func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := url.QueryUnescape(r.URL.RawQuery)
		line := r.Method + " " + r.URL.Path
		if q != "" {
			line += "?" + q
		}
		fmt.Println(line)
		if p := r.Header.Get("Prefer"); p != "" {
			fmt.Println("  Prefer:", p)
		}
		if a := r.Header.Get("Accept"); a != "" {
			fmt.Println("  Accept:", a)
		}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			fmt.Println("  Body:", string(b))
		}
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	c, err := supakit.New(srv.URL, "anon-key")
	if err != nil {
		panic(err)
	}
	return c, srv.Close
}

func ExampleRepo_Find() {
	client, stop := serve(200, `[{"id":1,"name":"Indonesia","cities":[{"id":10,"name":"Bali","CountryID":1}]}]`)
	defer stop()
	ctx := context.Background()

	countries := repo.New[Country](client)
	c := schema.Cols[Country]()
	list, err := countries.Find(ctx, query.Eq(&c.Name, "Indonesia"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(list[0].Name, list[0].Cities[0].Name, list[0].Cities[0].CountryID)
	// Output:
	// GET /rest/v1/countries?select=id,name,continent,cities(id,name,CountryID:country_id)&name=eq.Indonesia
	// Indonesia Bali 1
}

func ExampleQuery_Find() {
	client, stop := serve(200, `[{"id":5,"name":"Zambia"},{"id":4,"name":"Yemen"}]`)
	defer stop()
	c := schema.Cols[Country]()
	list, err := repo.New[Country](client).Query().
		Select(&c.ID, &c.Name).
		Where(query.Gt(&c.ID, 2)).
		Order(query.Desc(&c.ID)).
		Limit(2).
		Find(context.Background())
	fmt.Println(len(list), list[0].Name, err)
	// Output:
	// GET /rest/v1/countries?select=id,name&id=gt.2&order=id.desc&limit=2
	// 2 Zambia <nil>
}

func ExampleRepo_Get() {
	client, stop := serve(200, `[{"OrgID":7,"UserID":"u1","role":"owner"}]`)
	defer stop()
	m, err := repo.New[Membership](client).Get(context.Background(), int64(7), "u1")
	fmt.Println(m.Role, err)
	// Output:
	// GET /rest/v1/memberships?select=OrgID:org_id,UserID:user_id,role&org_id=eq.7&user_id=eq.u1
	// owner <nil>
}

func ExampleRepo_Count() {
	client, stop := serve(200, ``, "Content-Range", "*/3")
	defer stop()
	c := schema.Cols[Country]()
	n, err := repo.New[Country](client).Count(context.Background(), query.ILike(&c.Name, "%land%"))
	fmt.Println(n, err)
	// Output:
	// HEAD /rest/v1/countries?select=*&name=ilike.%land%
	//   Prefer: count=exact
	// 3 <nil>
}

func ExampleRepo_Insert() {
	client, stop := serve(201, `[{"id":1,"name":"Denmark","continent":null,"cities":[]}]`)
	defer stop()
	dk, err := repo.New[Country](client).Insert(context.Background(), Country{Name: "Denmark"})
	fmt.Println(dk.ID, dk.Name, err)
	// Output:
	// POST /rest/v1/countries?select=id,name,continent,cities(id,name,CountryID:country_id)
	//   Prefer: return=representation
	//   Body: {"name":"Denmark","continent":null}
	// 1 Denmark <nil>
}

func ExampleRepo_InsertMany() {
	client, stop := serve(201, ``)
	defer stop()
	_, err := repo.New[Country](client).InsertMany(context.Background(),
		[]Country{{Name: "Nepal"}, {Name: "Vietnam"}}, repo.ReturnMinimal(), repo.DefaultToNull(false))
	fmt.Println(err)
	// Output:
	// POST /rest/v1/countries?columns="name","continent"
	//   Prefer: missing=default
	//   Body: [{"name":"Nepal","continent":null},{"name":"Vietnam","continent":null}]
	// <nil>
}

func ExampleRepo_Insert_validation() {
	client, stop := serve(201, ``)
	defer stop()
	_, err := repo.New[Country](client).Insert(context.Background(), Country{})
	var ve *repo.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Fields)
	// Output:
	// true [Country.Name (required)]
}

func ExampleRepo_Update() {
	client, stop := serve(200, `[{"id":1,"name":"Australia"}]`)
	defer stop()
	c := schema.Cols[Country]()
	rows, err := repo.New[Country](client).Update(context.Background(),
		[]query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, "Australia"))
	fmt.Println(rows[0].Name, err)
	// Output:
	// PATCH /rest/v1/countries?id=eq.1&select=id,name,continent,cities(id,name,CountryID:country_id)
	//   Prefer: return=representation
	//   Body: {"name":"Australia"}
	// Australia <nil>
}

func ExampleRepo_Update_noFilter() {
	client, stop := serve(200, `[]`)
	defer stop()
	c := schema.Cols[Country]()
	_, err := repo.New[Country](client).Update(context.Background(), nil, repo.Set(&c.Name, "x"))
	fmt.Println(errors.Is(err, repo.ErrNoFilter))
	// Output:
	// true
}

func ExampleRepo_Save() {
	client, stop := serve(200, `[{"id":3,"name":"France","continent":"Europe"}]`)
	defer stop()
	c := schema.Cols[Country]()
	europe := "Europe"
	row, err := repo.New[Country](client).Save(context.Background(),
		Country{ID: 3, Name: "France", Continent: &europe}, &c.Continent)
	fmt.Println(*row.Continent, err)
	// Output:
	// PATCH /rest/v1/countries?id=eq.3&select=id,name,continent,cities(id,name,CountryID:country_id)
	//   Prefer: return=representation
	//   Body: {"continent":"Europe"}
	// Europe <nil>
}

func ExampleRepo_Upsert() {
	client, stop := serve(201, `[{"OrgID":1,"UserID":"u","role":"owner"}]`)
	defer stop()
	m := schema.Cols[Membership]()
	row, err := repo.New[Membership](client).Upsert(context.Background(),
		Membership{OrgID: 1, UserID: "u", Role: "owner"}, repo.OnConflictColumns(&m.OrgID, &m.UserID))
	fmt.Println(row.Role, err)
	// Output:
	// POST /rest/v1/memberships?on_conflict=org_id,user_id&select=OrgID:org_id,UserID:user_id,role
	//   Prefer: resolution=merge-duplicates, return=representation
	//   Body: {"org_id":1,"user_id":"u","role":"owner"}
	// owner <nil>
}

func ExampleRepo_Delete() {
	client, stop := serve(200, `[{"id":1,"name":"Spain"}]`)
	defer stop()
	c := schema.Cols[Country]()
	gone, err := repo.New[Country](client).Delete(context.Background(), query.Eq(&c.ID, 1))
	fmt.Println(len(gone), gone[0].Name, err)
	// Output:
	// DELETE /rest/v1/countries?id=eq.1&select=id,name,continent,cities(id,name,CountryID:country_id)
	//   Prefer: return=representation
	// 1 Spain <nil>
}

func ExampleCall() {
	client, stop := serve(200, `"Hello world"`)
	defer stop()
	s, err := repo.Call[string](context.Background(), client, "hello_world", nil)
	fmt.Println(s, err)
	// Output:
	// POST /rest/v1/rpc/hello_world
	//   Body: {}
	// Hello world <nil>
}

func ExampleFunc() {
	client, stop := serve(200, `[{"id":2,"name":"Germany"}]`)
	defer stop()
	c := schema.Cols[Country]()
	rows, err := repo.Func[Country](client, "list_stored_countries", map[string]string{"region": "EU"}, repo.Get()).
		Select(&c.ID, &c.Name).
		Where(query.Eq(&c.ID, 2)).
		Find(context.Background())
	fmt.Println(rows[0].Name, err)
	// Output:
	// GET /rest/v1/rpc/list_stored_countries?region=EU&select=id,name&id=eq.2
	//   Prefer: return=representation
	// Germany <nil>
}

func ExampleQuery_All() {
	client, stop := serve(200, `[]`)
	defer stop()
	c := schema.Cols[Country]()
	n := 0
	for _, err := range repo.New[Country](client).Query().Where(query.Gte(&c.ID, 0)).PageSize(500).All(context.Background()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println(n, "rows")
	// Output:
	// GET /rest/v1/countries?select=id,name,continent,cities(id,name,CountryID:country_id)&id=gte.0&order=id.asc&offset=0&limit=500
	// 0 rows
}

func ExampleQuery_Single() {
	client, stop := serve(406, `{"code":"PGRST116","details":"The result contains 0 rows","hint":null,"message":"Cannot coerce the result to a single JSON object"}`)
	defer stop()
	c := schema.Cols[Country]()
	_, err := repo.New[Country](client).Query().Select(&c.Name).Where(query.Eq(&c.ID, 42)).Single(context.Background())
	fmt.Println(errors.Is(err, repo.ErrNotFound))
	fmt.Println(err)
	// Output:
	// GET /rest/v1/countries?select=name&id=eq.42
	//   Accept: application/vnd.pgrst.object+json
	// true
	// repo: select countries: postgrest PGRST116 (HTTP 406): Cannot coerce the result to a single JSON object
}

func ExampleQuery_MaybeSingle() {
	client, stop := serve(200, `[]`)
	defer stop()
	c := schema.Cols[Country]()
	row, err := repo.New[Country](client).Query().Select(&c.Name).Where(query.Eq(&c.Name, "Katniss")).MaybeSingle(context.Background())
	fmt.Println(row == nil, err)
	// Output:
	// GET /rest/v1/countries?select=name&name=eq.Katniss
	// true <nil>
}

func ExampleQuery_CSV() {
	client, stop := serve(200, "id,name\n1,Afghanistan\n")
	defer stop()
	c := schema.Cols[Country]()
	csv, err := repo.New[Country](client).Query().Select(&c.ID, &c.Name).CSV(context.Background())
	fmt.Print(csv)
	fmt.Println(err)
	// Output:
	// GET /rest/v1/countries?select=id,name
	//   Accept: text/csv
	// id,name
	// 1,Afghanistan
	// <nil>
}

func ExampleQuery_Explain() {
	client, stop := serve(200, "Seq Scan on countries  (cost=0.00..22.00 rows=1200 width=40)")
	defer stop()
	plan, err := repo.New[Country](client).Query().Select("*").Explain(context.Background(), query.ExplainOptions{Analyze: true})
	fmt.Println(plan, err)
	// Output:
	// GET /rest/v1/countries?select=*
	//   Accept: application/vnd.pgrst.plan+text; for="application/json"; options=analyze;
	// Seq Scan on countries  (cost=0.00..22.00 rows=1200 width=40) <nil>
}

func ExampleTable() {
	client, stop := serve(200, `[{"id":1,"name":"Albania"}]`)
	defer stop()
	res, err := repo.Table(client, "countries").Select("id, name").Eq("name", "Albania").Execute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := res.Rows()
	fmt.Println(rows[0]["name"])
	// Output:
	// GET /rest/v1/countries?select=id,name&name=eq.Albania
	// Albania
}

func ExampleBuilder_Insert() {
	client, stop := serve(201, ``)
	defer stop()
	_, err := repo.Table(client, "countries").Insert(map[string]any{"id": 1, "name": "Denmark"}).Execute(context.Background())
	fmt.Println(err)
	// Output:
	// POST /rest/v1/countries
	//   Body: {"id":1,"name":"Denmark"}
	// <nil>
}

func ExampleBuilder_Update() {
	client, stop := serve(204, ``)
	defer stop()
	_, err := repo.Table(client, "countries").Update(map[string]any{"name": "Australia"}).Eq("id", 1).Execute(context.Background())
	fmt.Println(err)
	// Output:
	// PATCH /rest/v1/countries?id=eq.1
	//   Body: {"name":"Australia"}
	// <nil>
}

func ExampleBuilder_Upsert() {
	client, stop := serve(201, `[{"id":1,"name":"Australia"}]`)
	defer stop()
	res, err := repo.Table(client, "countries").Upsert(map[string]any{"id": 1, "name": "Australia"}).Select("*").Execute(context.Background())
	fmt.Println(string(res.Data), err)
	// Output:
	// POST /rest/v1/countries?select=*
	//   Prefer: resolution=merge-duplicates, return=representation
	//   Body: {"id":1,"name":"Australia"}
	// [{"id":1,"name":"Australia"}] <nil>
}

func ExampleBuilder_Delete() {
	client, stop := serve(204, ``)
	defer stop()
	_, err := repo.Table(client, "countries").Delete().Eq("id", 1).Execute(context.Background())
	fmt.Println(err)
	_, err = repo.Table(client, "countries").Delete().Execute(context.Background())
	fmt.Println(errors.Is(err, repo.ErrNoFilter))
	// Output:
	// DELETE /rest/v1/countries?id=eq.1
	// <nil>
	// true
}

func ExampleRPC() {
	client, stop := serve(200, `"Hello world"`)
	defer stop()
	res, err := repo.RPC(client, "hello_world", nil).Execute(context.Background())
	fmt.Println(string(res.Data), err)
	// Output:
	// POST /rest/v1/rpc/hello_world
	//   Body: {}
	// "Hello world" <nil>
}

// filters prints the request of each filter of the reference on the
// untyped builder.
func ExampleBuilder_Eq() {
	client, stop := serve(200, `[]`)
	defer stop()
	ctx := context.Background()
	t := repo.Table(client, "countries").Select("*")
	for _, b := range []*repo.Builder{
		t.Eq("name", "Albania"),
		t.Neq("name", "Albania"),
		t.Gt("id", 2),
		t.Gte("id", 2),
		t.Lt("id", 2),
		t.Lte("id", 2),
		t.Like("name", "%Alba%"),
		t.ILike("name", "%alba%"),
		t.Is("name", nil),
		t.In("name", []string{"Albania", "Algeria"}),
		t.Match(map[string]any{"id": 2, "name": "Albania"}),
		t.Not("name", "is", nil),
		t.Or("id.eq.2,name.eq.Algeria"),
		t.Filter("name", "in", `("Algeria","Japan")`),
	} {
		if _, err := b.Execute(ctx); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// GET /rest/v1/countries?select=*&name=eq.Albania
	// GET /rest/v1/countries?select=*&name=neq.Albania
	// GET /rest/v1/countries?select=*&id=gt.2
	// GET /rest/v1/countries?select=*&id=gte.2
	// GET /rest/v1/countries?select=*&id=lt.2
	// GET /rest/v1/countries?select=*&id=lte.2
	// GET /rest/v1/countries?select=*&name=like.%Alba%
	// GET /rest/v1/countries?select=*&name=ilike.%alba%
	// GET /rest/v1/countries?select=*&name=is.null
	// GET /rest/v1/countries?select=*&name=in.(Albania,Algeria)
	// GET /rest/v1/countries?select=*&id=eq.2&name=eq.Albania
	// GET /rest/v1/countries?select=*&name=not.is.null
	// GET /rest/v1/countries?select=*&or=(id.eq.2,name.eq.Algeria)
	// GET /rest/v1/countries?select=*&name=in.("Algeria","Japan")
}

func ExampleBuilder_Contains() {
	client, stop := serve(200, `[]`)
	defer stop()
	ctx := context.Background()
	for _, b := range []*repo.Builder{
		repo.Table(client, "issues").Select("*").Contains("tags", []string{"is:open", "priority:low"}),
		repo.Table(client, "classes").Select("name").ContainedBy("days", []string{"monday", "tuesday"}),
		repo.Table(client, "reservations").Select("*").RangeGt("during", "[2000-01-02 08:00, 2000-01-02 09:00)"),
		repo.Table(client, "reservations").Select("*").RangeGte("during", []string{"2000-01-02 08:30", "2000-01-02 09:30"}),
		repo.Table(client, "reservations").Select("*").RangeLt("during", "[2000-01-01 15:00, 2000-01-01 16:00)"),
		repo.Table(client, "reservations").Select("*").RangeLte("during", "[2000-01-01 14:00, 2000-01-01 16:00)"),
		repo.Table(client, "reservations").Select("*").RangeAdjacent("during", "[2000-01-01 12:00, 2000-01-01 13:00)"),
		repo.Table(client, "issues").Select("title").Overlaps("tags", []string{"is:closed", "severity:high"}),
		repo.Table(client, "texts").Select("content").TextSearch("content", "'eggs' & 'ham'", query.TextSearchOptions{Config: "english"}),
	} {
		if _, err := b.Execute(ctx); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// GET /rest/v1/issues?select=*&tags=cs.{is:open,priority:low}
	// GET /rest/v1/classes?select=name&days=cd.{monday,tuesday}
	// GET /rest/v1/reservations?select=*&during=sr.[2000-01-02 08:00, 2000-01-02 09:00)
	// GET /rest/v1/reservations?select=*&during=nxl.[2000-01-02 08:30,2000-01-02 09:30)
	// GET /rest/v1/reservations?select=*&during=sl.[2000-01-01 15:00, 2000-01-01 16:00)
	// GET /rest/v1/reservations?select=*&during=nxr.[2000-01-01 14:00, 2000-01-01 16:00)
	// GET /rest/v1/reservations?select=*&during=adj.[2000-01-01 12:00, 2000-01-01 13:00)
	// GET /rest/v1/issues?select=title&tags=ov.{is:closed,severity:high}
	// GET /rest/v1/texts?select=content&content=fts(english).'eggs' & 'ham'
}

func ExampleBuilder_Order() {
	client, stop := serve(200, `[]`)
	defer stop()
	ctx := context.Background()
	t := repo.Table(client, "countries")
	for _, b := range []*repo.Builder{
		t.Select("*").Order("name", repo.OrderOptions{Descending: true}),
		t.Select("name").Limit(1),
		t.Select("name").Range(0, 1),
		t.Select("name").Limit(1).Single(),
		t.Select("*").Eq("name", "Albania").MaybeSingle(),
		t.Select("*").CSV(),
		t.Select("*").Explain(query.ExplainOptions{}),
	} {
		if _, err := b.Execute(ctx); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// GET /rest/v1/countries?select=*&order=name.desc
	// GET /rest/v1/countries?select=name&limit=1
	// GET /rest/v1/countries?select=name&offset=0&limit=2
	// GET /rest/v1/countries?select=name&limit=1
	//   Accept: application/vnd.pgrst.object+json
	// GET /rest/v1/countries?select=*&name=eq.Albania
	// GET /rest/v1/countries?select=*
	//   Accept: text/csv
	// GET /rest/v1/countries?select=*
	//   Accept: application/vnd.pgrst.plan+text; for="application/json"; options=;
}
