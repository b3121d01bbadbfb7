package repo_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

const countrySelect = "id,name,continent,cities(id,name,CountryID:country_id)"

func unq(t *testing.T, raw string) string {
	t.Helper()
	s, err := url.QueryUnescape(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTypedRequests(t *testing.T) {
	c := schema.Cols[Country]()
	m := schema.Cols[Membership]()
	ctx := context.Background()
	tests := []struct {
		name string
		call func(cl repo.Conn) error
		want seen // RawQuery decoded; Profile as recorded
	}{
		{"find derived select", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Find(ctx, query.Eq(&c.Name, "Albania"))
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=" + countrySelect + "&name=eq.Albania", Profile: "public"}},
		{"query order limit", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().Select(&c.ID, &c.Name).Where(query.Gt(&c.ID, 2)).
				Order(query.Desc(&c.ID)).Limit(10).Find(ctx)
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=id,name&id=gt.2&order=id.desc&limit=10", Profile: "public"}},
		{"first orders by key", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).First(ctx)
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=" + countrySelect + "&order=id.asc&limit=1", Profile: "public"}},
		{"get composite key", func(cl repo.Conn) error {
			_, err := repo.New[Membership](cl).Get(ctx, int64(7), "u1")
			return err
		}, seen{Method: "GET", Path: "/rest/v1/memberships", RawQuery: "select=OrgID:org_id,UserID:user_id,role&org_id=eq.7&user_id=eq.u1", Profile: "public"}},
		{"count", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Count(ctx, query.ILike(&c.Name, "%alba%"))
			return err
		}, seen{Method: "HEAD", Path: "/rest/v1/countries", RawQuery: "select=*&name=ilike.%alba%", Prefer: "count=exact", Profile: "public"}},
		{"count planned", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().Count(ctx, query.CountPlanned)
			return err
		}, seen{Method: "HEAD", Path: "/rest/v1/countries", RawQuery: "select=*", Prefer: "count=planned", Profile: "public"}},
		{"insert one", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Insert(ctx, Country{ID: 99, Name: "Denmark"})
			return err
		}, seen{Method: "POST", Path: "/rest/v1/countries", RawQuery: "select=" + countrySelect, Prefer: "return=representation",
			Profile: "content:public", ContentType: "application/json", Body: `{"name":"Denmark","continent":null}`}},
		{"insert minimal", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Insert(ctx, Country{Name: "Denmark"}, repo.ReturnMinimal())
			return err
		}, seen{Method: "POST", Path: "/rest/v1/countries", Profile: "content:public", ContentType: "application/json", Body: `{"name":"Denmark","continent":null}`}},
		{"insert many default to null false", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).InsertMany(ctx, []Country{{Name: "Nepal"}, {Name: "Vietnam"}}, repo.DefaultToNull(false))
			return err
		}, seen{Method: "POST", Path: "/rest/v1/countries", RawQuery: `columns="name","continent"&select=` + countrySelect,
			Prefer: "missing=default, return=representation", Profile: "content:public", ContentType: "application/json",
			Body: `[{"name":"Nepal","continent":null},{"name":"Vietnam","continent":null}]`}},
		{"upsert on conflict columns ignore duplicates", func(cl repo.Conn) error {
			_, err := repo.New[Membership](cl).Upsert(ctx, Membership{OrgID: 1, UserID: "u", Role: "owner"},
				repo.OnConflictColumns(&m.OrgID, &m.UserID), repo.IgnoreDuplicates())
			return err
		}, seen{Method: "POST", Path: "/rest/v1/memberships", RawQuery: "on_conflict=org_id,user_id&select=OrgID:org_id,UserID:user_id,role",
			Prefer: "resolution=ignore-duplicates, return=representation", Profile: "content:public", ContentType: "application/json",
			Body: `{"org_id":1,"user_id":"u","role":"owner"}`}},
		{"update set", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, "Australia"))
			return err
		}, seen{Method: "PATCH", Path: "/rest/v1/countries", RawQuery: "id=eq.1&select=" + countrySelect, Prefer: "return=representation",
			Profile: "content:public", ContentType: "application/json", Body: `{"name":"Australia"}`}},
		{"save chosen columns by key", func(cl repo.Conn) error {
			cont := "Europe"
			_, err := repo.New[Country](cl).Save(ctx, Country{ID: 3, Name: "X", Continent: &cont}, &c.Continent)
			return err
		}, seen{Method: "PATCH", Path: "/rest/v1/countries", RawQuery: "id=eq.3&select=" + countrySelect, Prefer: "return=representation",
			Profile: "content:public", ContentType: "application/json", Body: `{"continent":"Europe"}`}},
		{"delete returning", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Delete(ctx, query.In(&c.ID, 1, 2))
			return err
		}, seen{Method: "DELETE", Path: "/rest/v1/countries", RawQuery: "id=in.(1,2)&select=" + countrySelect, Prefer: "return=representation",
			Profile: "content:public", ContentType: "application/json"}},
		{"delete unfiltered opted in", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().AllowUnfiltered().Delete(ctx, repo.ReturnMinimal())
			return err
		}, seen{Method: "DELETE", Path: "/rest/v1/countries", Profile: "content:public", ContentType: "application/json"}},
		{"csv", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().Select(&c.Name).CSV(ctx)
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=name", Accept: "text/csv", Profile: "public"}},
		{"explain", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().Select(&c.Name).Explain(ctx, query.ExplainOptions{Analyze: true})
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=name",
			Accept: `application/vnd.pgrst.plan+text; for="application/json"; options=analyze;`, Profile: "public"}},
		{"single", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Query().Where(query.Eq(&c.ID, 1)).Single(ctx)
			return err
		}, seen{Method: "GET", Path: "/rest/v1/countries", RawQuery: "select=" + countrySelect + "&id=eq.1",
			Accept: "application/vnd.pgrst.object+json", Profile: "public"}},
		{"func set-returning", func(cl repo.Conn) error {
			_, err := repo.Func[Country](cl, "list_stored_countries", map[string]string{"region": "EU"}).
				Where(query.Eq(&c.ID, 1)).Order(query.Asc(&c.Name)).Find(ctx)
			return err
		}, seen{Method: "POST", Path: "/rest/v1/rpc/list_stored_countries", RawQuery: "select=" + countrySelect + "&id=eq.1&order=name.asc",
			Prefer: "return=representation", Profile: "content:public", ContentType: "application/json", Body: `{"region":"EU"}`}},
		{"func count is a HEAD", func(cl repo.Conn) error {
			_, err := repo.Func[Country](cl, "list_stored_countries", map[string]string{"region": "EU"}).Count(ctx)
			return err
		}, seen{Method: "HEAD", Path: "/rest/v1/rpc/list_stored_countries", RawQuery: "region=EU", Prefer: "count=exact", Profile: "public"}},
		{"call scalar by GET", func(cl repo.Conn) error {
			_, err := repo.Call[string](ctx, cl, "hello_world", nil, repo.Get())
			return err
		}, seen{Method: "GET", Path: "/rest/v1/rpc/hello_world", Profile: "public"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			f.header = map[string]string{"Content-Range": "*/3"}
			switch {
			case tt.want.Accept == "application/vnd.pgrst.object+json":
				f.body = `{"id":1,"name":"x"}`
			case strings.HasPrefix(tt.want.Path, "/rest/v1/rpc/hello"):
				f.body = `"Hello world"`
			case tt.want.Method == "GET" && strings.Contains(tt.want.Path, "memberships"):
				f.body = `[{"OrgID":7,"UserID":"u1","role":"owner"}]`
			default:
				f.body = `[{"id":1,"name":"x"}]`
			}
			if err := tt.call(cl); err != nil {
				t.Fatal(err)
			}
			got := f.last(t)
			got.RawQuery = unq(t, got.RawQuery)
			if got != tt.want {
				t.Errorf("request\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeObjectGraph(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[{"id":1,"name":"Indonesia","continent":"Asia","cities":[{"id":10,"name":"Bali","CountryID":1},{"id":11,"name":"Jakarta","CountryID":1}]},
	          {"id":2,"name":"Nowhere","continent":null,"cities":[]}]`
	got, err := repo.New[Country](cl).Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Indonesia" || got[0].Continent == nil || *got[0].Continent != "Asia" ||
		len(got[0].Cities) != 2 || got[0].Cities[1].Name != "Jakarta" || got[0].Cities[1].CountryID != 1 ||
		got[1].Continent != nil || got[1].Cities == nil || len(got[1].Cities) != 0 {
		t.Fatalf("decoded %+v", got)
	}
}

func TestRefusals(t *testing.T) {
	c := schema.Cols[Country]()
	ctx := context.Background()
	tests := []struct {
		name string
		call func(cl repo.Conn) error
		want error
		text string
	}{
		{"update without filter", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Update(ctx, nil, repo.Set(&c.Name, "x"))
			return err
		}, repo.ErrNoFilter, "repo: update countries:"},
		{"delete without filter", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Delete(ctx)
			return err
		}, repo.ErrNoFilter, "repo: delete countries:"},
		{"untyped update without filter", func(cl repo.Conn) error {
			_, err := repo.Table(cl, "countries").Update(map[string]any{"name": "x"}).Execute(ctx)
			return err
		}, repo.ErrNoFilter, "repo: update countries:"},
		{"insert fails validation", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Insert(ctx, Country{})
			return err
		}, nil, "Country.Name (required)"},
		{"bulk insert fails validation on row 1", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).InsertMany(ctx, []Country{{Name: "ok"}, {Name: strings.Repeat("x", 101)}})
			return err
		}, nil, "row 1: Country.Name (max=100)"},
		{"set fails validation", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, ""))
			return err
		}, nil, "Country.Name (required)"},
		{"set read-only column", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.ID, 5))
			return err
		}, repo.ErrInvalid, "read-only"},
		{"set a pointer of another type", func(cl repo.Conn) error {
			city := schema.Cols[City]()
			_, err := repo.New[Country](cl).Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&city.Name, "x"))
			return err
		}, repo.ErrInvalid, "not of repo_test.Country"},
		{"get with a wrong key type", func(cl repo.Conn) error {
			_, err := repo.New[Country](cl).Get(ctx, "1")
			return err
		}, repo.ErrInvalid, "is int64, got string"},
		{"get with too few key values", func(cl repo.Conn) error {
			_, err := repo.New[Membership](cl).Get(ctx, int64(1))
			return err
		}, repo.ErrInvalid, "2 primary-key columns, got 1"},
		{"all with a limit", func(cl repo.Conn) error {
			for _, err := range repo.New[Country](cl).Query().Limit(3).All(ctx) {
				return err
			}
			return nil
		}, repo.ErrInvalid, "All pages by itself"},
		{"option that does not apply", func(cl repo.Conn) error {
			_, err := repo.Table(cl, "countries").Select("*", repo.IgnoreDuplicates()).Execute(ctx)
			return err
		}, repo.ErrInvalid, "does not apply to select"},
		{"nil in an in list", func(cl repo.Conn) error {
			_, err := repo.Table(cl, "countries").Select("*").In("name", []any{"a", nil}).Execute(ctx)
			return err
		}, repo.ErrInvalid, "nil value in the list"},
		{"no operation", func(cl repo.Conn) error {
			_, err := repo.Table(cl, "countries").Eq("id", 1).Execute(ctx)
			return err
		}, repo.ErrInvalid, "no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			err := tt.call(cl)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not mention %q", err, tt.text)
			}
			if n := f.count(); n != 0 {
				t.Errorf("a refused call sent %d requests", n)
			}
		})
	}
	var ve *repo.ValidationError
	_, err := repo.New[Country](nil).Insert(ctx, Country{})
	if err == nil || errors.As(err, &ve) {
		t.Errorf("nil connection: got %v", err)
	}
}

func TestValidationErrorFields(t *testing.T) {
	_, cl := newFake(t)
	_, err := repo.New[Membership](cl).Insert(context.Background(), Membership{OrgID: 1, UserID: "u", Role: "boss"})
	var ve *repo.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	if len(ve.Fields) != 1 || ve.Fields[0] != "Membership.Role (oneof=owner member)" {
		t.Errorf("fields %q", ve.Fields)
	}
}

func TestZeroRepoDoesNotPanic(t *testing.T) {
	var r repo.Repo[Country]
	ctx := context.Background()
	c := schema.Cols[Country]()
	checks := map[string]error{}
	_, checks["find"] = r.Find(ctx)
	_, checks["get"] = r.Get(ctx, int64(1))
	_, checks["insert"] = r.Insert(ctx, Country{Name: "x"})
	_, checks["update"] = r.Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, "x"))
	_, checks["save"] = r.Save(ctx, Country{ID: 1, Name: "x"})
	_, checks["count"] = r.Count(ctx)
	for name, err := range checks {
		if !errors.Is(err, repo.ErrInvalid) {
			t.Errorf("%s on a zero Repo: %v", name, err)
		}
	}

	// a nil *Repo and a zero Query fail the same way
	var nilRepo *repo.Repo[Country]
	var zq repo.Query[Country]
	checks = map[string]error{}
	_, checks["nil find"] = nilRepo.Find(ctx)
	_, checks["nil get"] = nilRepo.Get(ctx, int64(1))
	_, checks["nil insert"] = nilRepo.Insert(ctx, Country{Name: "x"})
	_, checks["nil delete"] = nilRepo.Delete(ctx, query.Eq(&c.ID, 1))
	_, checks["nil query first"] = nilRepo.Query().Where(query.Eq(&c.ID, 1)).First(ctx)
	_, checks["zero query find"] = zq.Find(ctx)
	_, checks["zero query single"] = zq.Single(ctx)
	_, checks["zero query maybe"] = zq.MaybeSingle(ctx)
	_, checks["zero query count"] = zq.Count(ctx)
	_, _, checks["zero query find and count"] = zq.FindAndCount(ctx, query.CountExact)
	_, checks["zero query csv"] = zq.CSV(ctx)
	_, checks["zero query update"] = zq.Where(query.Eq(&c.ID, 1)).Update(ctx, repo.Set(&c.Name, "x"))
	_, checks["zero query update row"] = zq.Where(query.Eq(&c.ID, 1)).UpdateRow(ctx, Country{Name: "x"})
	_, checks["zero query delete"] = zq.Where(query.Eq(&c.ID, 1)).Delete(ctx)
	for _, err := range zq.All(ctx) {
		checks["zero query all"] = err
	}
	for name, err := range checks {
		if !errors.Is(err, repo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if nilRepo.Meta() != nil {
		t.Error("Meta of a nil Repo")
	}
}

func TestSaveWithoutColumnsKeepsTheKey(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[{"OrgID":1,"UserID":"u","role":"member"}]`
	_, err := repo.New[Membership](cl).Save(context.Background(), Membership{OrgID: 1, UserID: "u", Role: "member"})
	if err != nil {
		t.Fatal(err)
	}
	got := f.last(t)
	if got.Body != `{"role":"member"}` || unq(t, got.RawQuery) != "org_id=eq.1&user_id=eq.u&select=OrgID:org_id,UserID:user_id,role" {
		t.Errorf("request %+v", got)
	}
	_, err = repo.New[Membership](cl).Save(context.Background(), Membership{OrgID: 1, UserID: "u", Role: "boss"})
	var ve *repo.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("Save of an invalid row: %v", err)
	}
}

type unnamed struct {
	ID int64 `db:"id,pk" json:"id"`
}

type hiddenColumn struct {
	ID     int64  `db:"id,pk"`
	Secret string `db:"secret" json:"-"`
}

func (hiddenColumn) TableName() string { return "hidden" }

type badRelationKey struct {
	ID     int64  `db:"id,pk"`
	Cities []City `db:"cities,rel" json:"towns"`
}

func (badRelationKey) TableName() string { return "bad" }

func TestModelErrors(t *testing.T) {
	f, cl := newFake(t)
	ctx := context.Background()
	if _, err := repo.New[unnamed](cl).Find(ctx); !errors.Is(err, schema.ErrNoTableName) {
		t.Errorf("no table name: %v", err)
	}
	f.body = `[{"id":1}]`
	rows, err := repo.New[unnamed](cl, repo.WithTableName("things")).Find(ctx)
	if err != nil || len(rows) != 1 || f.last(t).Path != "/rest/v1/things" {
		t.Errorf("WithTableName: %v %v", rows, err)
	}
	n := f.count()
	if _, err := repo.New[hiddenColumn](cl).Find(ctx); !errors.Is(err, repo.ErrInvalid) || !strings.Contains(err.Error(), `json:"-"`) {
		t.Errorf("json:\"-\" column: %v", err)
	}
	if _, err := repo.New[badRelationKey](cl).Find(ctx); !errors.Is(err, repo.ErrInvalid) || !strings.Contains(err.Error(), `"towns"`) {
		t.Errorf("relation key mismatch: %v", err)
	}
	if f.count() != n {
		t.Error("an invalid model sent requests")
	}
}

// badValidate has a validate tag naming no validation function.
type badValidate struct {
	ID   int64  `db:"id,pk"`
	Name string `db:"name" validate:"required,nosuchtag"`
}

func (badValidate) TableName() string { return "bad_validate" }

// TestBadValidateTagIsAnError checks that a malformed validate tag fails
// each validating call with an error (the validator panics on it).
func TestBadValidateTagIsAnError(t *testing.T) {
	f, cl := newFake(t)
	ctx := context.Background()
	r := repo.New[badValidate](cl)
	c := schema.Cols[badValidate]()
	calls := map[string]func() error{
		"Insert":     func() error { _, err := r.Insert(ctx, badValidate{Name: "x"}); return err },
		"InsertMany": func() error { _, err := r.InsertMany(ctx, []badValidate{{Name: "x"}}); return err },
		"Upsert":     func() error { _, err := r.Upsert(ctx, badValidate{ID: 1, Name: "x"}); return err },
		"Update": func() error {
			_, err := r.Update(ctx, []query.Filter{query.Eq(&c.ID, 1)}, repo.Set(&c.Name, "x"))
			return err
		},
		"Save": func() error { _, err := r.Save(ctx, badValidate{ID: 1, Name: "x"}); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, repo.ErrInvalid) || !strings.Contains(err.Error(), "nosuchtag") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if f.count() != 0 {
		t.Errorf("%d requests sent", f.count())
	}
}

// password has rules comparing with another field next to rules of its own.
type password struct {
	ID      int64  `db:"id,pk"`
	Pass    string `db:"pass" validate:"required,min=8,eqfield=Confirm"`
	Confirm string `db:"confirm"`
}

func (password) TableName() string { return "passwords" }

// TestSetValidatesOwnFieldRules checks that Set applies a field's own
// rules and skips those needing another field, which it cannot see.
func TestSetValidatesOwnFieldRules(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[]`
	ctx := context.Background()
	r := repo.New[password](cl)
	c := schema.Cols[password]()
	byID := []query.Filter{query.Eq(&c.ID, 1)}
	if _, err := r.Update(ctx, byID, repo.Set(&c.Pass, "long enough")); err != nil {
		t.Fatalf("a valid value was refused: %v", err)
	}
	var ve *repo.ValidationError
	if _, err := r.Update(ctx, byID, repo.Set(&c.Pass, "short")); !errors.As(err, &ve) || !strings.Contains(err.Error(), "min=8") {
		t.Errorf("short value: %v", err)
	}
	if _, err := r.Query().Where(byID...).UpdateRow(ctx, password{Pass: "long enough", Confirm: "other"}); !errors.As(err, &ve) || !strings.Contains(err.Error(), "eqfield") {
		t.Errorf("whole row: %v", err)
	}
}
