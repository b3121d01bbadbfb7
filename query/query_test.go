package query_test

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

type badTags struct {
	A string `db:"a,unknown"`
}

func (badTags) TableName() string { return "bad" }

type noName struct {
	ID int64 `db:"id"`
}

// Two relations to the same type make embedded filters ambiguous.
type Match struct {
	ID   int64 `db:"id"`
	Home *Team `db:"teams,rel,!home_fk,as=home"`
	Away *Team `db:"teams,rel,!away_fk,as=away"`
}

func (Match) TableName() string { return "matches" }

type Team struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

func TestErrors(t *testing.T) {
	mt := schema.Cols[Match]()
	team := schema.Cols[Team]()
	bad := schema.Cols[badTags]()
	stray := new(string)
	many := make([]int64, 2000)
	for i := range many {
		many[i] = int64(1000000 + i)
	}
	tests := []struct {
		name    string
		build   func() (query.Request, error)
		wantErr []error
		wantMsg []string
	}{
		{"pointer not into a sentinel", query.For[Character]().Where(query.Eq(stray, "x")).Read,
			[]error{query.ErrColumn, schema.ErrUnknownPointer}, []string{"*string"}},
		{"nil column", query.For[Character]().Where(query.Eq[string](nil, "x")).Read,
			[]error{query.ErrColumn}, []string{"nil column pointer"}},
		{"relation as a column", query.For[Country]().Where(query.Eq(&co.Cities, nil)).Read,
			[]error{query.ErrColumn, schema.ErrNotColumn}, []string{"Country.Cities is a relation"}},
		{"nested field", query.For[User]().Where(query.Eq(&us.Address.City, "x")).Read,
			[]error{query.ErrColumn, schema.ErrNotColumn}, []string{"User"}},
		{"type not embedded", query.For[Character]().Where(query.Eq(&ci.Name, "x")).Read,
			[]error{query.ErrColumn, schema.ErrNoPath}, []string{"City is not embedded in query_test.Character"}},
		{"ambiguous embedding", query.For[Match]().Where(query.Eq(&team.Name, "x")).Read,
			[]error{query.ErrColumn, schema.ErrNoPath}, []string{"2 paths"}},
		{"ambiguous embedding resolved with On", func() (query.Request, error) {
			r, err := query.For[Match]().Where(query.On(&mt.Away, query.Eq(&team.Name, "x"))).Read()
			if err == nil && !strings.Contains(r.RawQuery, "away.name=eq.x") {
				return r, errors.New("wrong query " + r.RawQuery)
			}
			return r, err
		}, nil, nil},
		{"untyped query, column of another table", query.Table("characters").Where(query.Eq(&ci.Name, "x")).Read,
			[]error{query.ErrColumn}, []string{"belongs to table cities"}},
		{"bad tags", query.For[badTags]().Read, []error{schema.ErrBadTag}, []string{"badTags.A", `unknown option "unknown"`}},
		{"bad tags through the sentinel", query.Table("bad").Where(query.Eq(&bad.A, "x")).Read,
			[]error{schema.ErrBadTag}, []string{"badTags.A"}},
		{"no table name", query.For[noName]().Read, []error{schema.ErrNoTableName}, []string{"TableName"}},
		{"all errors joined", query.For[Character]().Where(query.Eq(stray, "x"), query.Gt(&ch.Note, nil)).Select(ch.Name).Read,
			[]error{query.ErrColumn, query.ErrNilValue}, []string{"empty select item"}},
		{"zero filter", query.For[Character]().Where(query.Filter{}).Read, nil, []string{"zero Filter"}},
		{"unknown raw operator", query.Table("t").Where(query.Raw("a", "equals", "1")).Read, nil, []string{`unknown filter operator "equals"`}},
		{"raw like(all) is known", func() (query.Request, error) {
			return query.Table("t").Where(query.Raw("a", "not.like(all)", "{a}")).Read()
		}, nil, nil},
		{"bad fts config", query.For[Text]().Where(query.TextSearch(&txt.Content, "x", query.TextSearchOptions{Config: "en;drop"})).Read,
			[]error{query.ErrInvalidValue}, []string{"text search config"}},
		{"NUL byte", query.For[Character]().Where(query.Eq(&ch.Name, "a\x00b")).Read, []error{query.ErrInvalidValue}, []string{"NUL"}},
		{"empty or", query.For[Character]().Where(query.Or()).Read, nil, []string{"Or needs at least one filter"}},
		{"or across tables", query.For[Country]().Where(query.Or(query.Eq(&co.Name, "x"), query.Eq(&ci.Name, "y"))).Read,
			[]error{query.ErrColumn}, []string{"mixes columns"}},
		{"on inside or", query.For[Country]().Where(query.Or(query.On(&co.Cities, query.Eq(&ci.Name, "y")))).Read, nil, []string{"On inside Or"}},
		{"on a column", query.For[Country]().Where(query.On(&co.Name, query.Eq(&ci.Name, "y"))).Read, []error{query.ErrColumn}, []string{"is a column, not a relation"}},
		{"select value instead of pointer", query.For[Character]().Select(ch.ID).Read, nil, []string{"pass a field pointer"}},
		{"select column of another table", query.For[Character]().Select(&ci.Name).Read, []error{query.ErrColumn}, []string{"select it inside Embed"}},
		{"embed column of the wrong table", query.For[Country]().Select(query.Embed(&co.Cities, &co.Name)).Read, []error{query.ErrColumn}, []string{"not a column of query_test.City"}},
		{"bad cast", query.For[Character]().Select(query.Cast(&ch.ID, "text);--")).Read, nil, []string{"invalid cast type"}},
		{"url too long", query.For[Character]().Where(query.In(&ch.ID, many...)).Read,
			[]error{query.ErrURLTooLong}, []string{"RPC", "past 8000"}},
		{"update without filter", func() (query.Request, error) { return query.For[Character]().Update(query.Write{}) },
			[]error{query.ErrNoFilter}, nil},
		{"delete with only an empty And", func() (query.Request, error) { return query.For[Character]().Where(query.And()).Delete(query.Write{}) },
			[]error{query.ErrNoFilter}, nil},
		{"insert with a filter", func() (query.Request, error) {
			return query.For[Character]().Where(query.Eq(&ch.ID, 1)).Insert(query.Write{})
		},
			[]error{query.ErrUnsupported}, nil},
		{"insert with on conflict", func() (query.Request, error) {
			return query.For[Character]().Insert(query.Write{OnConflict: []string{"id"}})
		}, []error{query.ErrUnsupported}, nil},
		{"head on a write", func() (query.Request, error) { return query.For[Character]().Head().Insert(query.Write{}) },
			[]error{query.ErrUnsupported}, nil},
		{"max affected on a read", query.For[Character]().MaxAffected(1).Read, []error{query.ErrUnsupported}, nil},
		{"csv and single", query.For[Character]().CSV().Single().Read, []error{query.ErrUnsupported}, nil},
		{"read on a function", query.RPC("f").Read, []error{query.ErrUnsupported}, nil},
		{"call on a table", func() (query.Request, error) { return query.For[Character]().Call(query.Call{}) }, []error{query.ErrUnsupported}, nil},
		{"args on a POST call", func() (query.Request, error) {
			return query.RPC("f").Call(query.Call{Args: []query.Arg{query.NamedArg("a", 1)}})
		}, []error{query.ErrUnsupported}, nil},
		{"nil arg", func() (query.Request, error) {
			return query.RPC("f").Call(query.Call{Get: true, Args: []query.Arg{query.NamedArg[*int]("a", nil)}})
		}, []error{query.ErrNilValue}, nil},
		{"reserved arg name", func() (query.Request, error) {
			return query.RPC("f").Call(query.Call{Get: true, Args: []query.Arg{query.NamedArg("limit", 1)}})
		}, nil, []string{"invalid function argument name"}},
		{"header injection", query.For[Character]().Header("X-A", "v\r\nEvil: 1").Read, nil, []string{"invalid header"}},
		{"header owned by the query", query.For[Character]().Header("Prefer", "x").Read, nil, []string{"set by the query"}},
		{"header owned by the client", query.For[Character]().Header("authorization", "Bearer x").Read, nil, []string{"set by the client"}},
		{"apikey owned by the client", query.For[Character]().Header("Apikey", "k").Read, nil, []string{"set by the client"}},
		{"empty Col name", query.For[Character]().Where(query.Eq(query.Col[string](""), "x")).Read, []error{query.ErrColumn}, nil},
		{"bad JSON path", query.For[User]().Where(query.Eq(query.JSONPath[string](&us.Data, "a.b"), "x")).Read, []error{query.ErrColumn}, []string{"must start with ->"}},
		{"negative limit", query.For[Character]().Limit(-1).Read, nil, []string{"negative limit"}},
		{"bad range", query.For[Character]().Range(5, 2).Read, nil, []string{"invalid range"}},
		{"order by a relation", query.For[Country]().Order(query.Asc(&co.Cities)).Read, []error{query.ErrColumn}, []string{"is a relation"}},
		{"order by a string", query.For[Country]().Order(query.Asc("name")).Read, nil, []string{"order by a string"}},
		{"invalid table", query.Table("a/b").Read, nil, []string{"invalid table name"}},
		{"order of a resource by a parent column", query.For[Country]().OrderOf(&co.Cities, query.Asc(&co.Name)).Read, []error{query.ErrColumn}, []string{"not a column of query_test.City"}},
		{"limit of a column", query.For[Country]().LimitOf(&co.Name, 1).Read, []error{query.ErrColumn}, []string{"is a column, not a relation"}},
		{"zero query", query.Query{}.Read, nil, []string{"zero Query"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.build()
			if tt.wantErr == nil && tt.wantMsg == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; request %+v", r)
			}
			for _, w := range tt.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("error does not match %v: %v", w, err)
				}
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error lacks %q: %v", m, err)
				}
			}
		})
	}
}

func TestURLLimit(t *testing.T) {
	ids := make([]int64, 0, 2000)
	var last query.Request
	for i := 0; ; i++ {
		ids = append(ids, int64(1000000+i))
		r, err := query.For[Character]().Select("*").Where(query.In(&ch.ID, ids...)).Read()
		if err != nil {
			if !errors.Is(err, query.ErrURLTooLong) {
				t.Fatal(err)
			}
			if n := len(last.Path) + 1 + len(last.RawQuery); n > query.MaxURLLength || n < query.MaxURLLength-10 {
				t.Errorf("last accepted URL is %d characters", n)
			}
			return
		}
		last = r
	}
}

func TestDefaultSelect(t *testing.T) {
	tests := []struct {
		name string
		q    query.Query
		want string
	}{
		{"back reference left out", query.For[Country](), "id,name,capital,active,continent,cities(id,name,country_id)"},
		{"to-one with back reference left out", query.For[City](), "id,name,country_id,countries(id,name,capital,active,continent)"},
		{"aliases and hints", query.For[Message](), "id,content,from:sender_id(id,name,handle,display_name,org,data,address),to:users!messages_receiver_id_fkey(id,name,handle,display_name,org,data,address)"},
		{"nested", query.For[Section](), "id,name,instruments(id,name,section_id,players(id,name))"},
		{"alias and nesting", query.For[Instrument](), "id,name,section_id,section:orchestral_sections(id,name),players(id,name)"},
		{"quoted names", query.For[Character](), `id,name,"full name",score,active,born,tags,data,note,home:planets(id,name)`},
		{"embed without items", query.For[Country]().Select(&co.Name, query.Embed(&co.Cities).Inner()), "name,cities!inner(id,name,country_id)"},
		{"relation pointer in select", query.For[Country]().Select(&co.ID, &co.Cities), "id,cities(id,name,country_id)"},
		{"embed overrides", query.For[Message]().Select(query.Embed(&msg.To, &us.ID).As("receiver").Hint("fk2").Left()), "receiver:users!fk2!left(id)"},
		{"untyped", query.Table("things"), "*"},
		{"untyped embed", query.Table("things").Select("id", query.Embed("owners", "name").Inner().As("o")), "id,o:owners!inner(name)"},
		{"raw with spaces", query.Table("things").Select(` id , "a b" , c ( d ) `), `id,"a b",c(d)`},
		{"named and cast", query.Table("t").Select(query.Cast(query.Col[int]("id"), "text"), query.As("x", query.Col[string]("data->>x"))), "id::text,x:data->>x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.q.Read()
			if err != nil {
				t.Fatal(err)
			}
			ps, _ := r.Params()
			if len(ps) == 0 || ps[0].Key != "select" || ps[0].Value != tt.want {
				t.Errorf("got %v\nwant select=%s", ps, tt.want)
			}
		})
	}
	if tb, _ := schema.Of[Country](); query.DefaultSelect(tb) != "id,name,capital,active,continent,cities(id,name,country_id)" {
		t.Error("DefaultSelect")
	}
}

func TestOrderAndPages(t *testing.T) {
	sections := query.For[Section]().Select("*")
	tests := []struct {
		name string
		q    query.Query
		want string
	}{
		{"merged order per resource", sections.Order(query.Desc(&sec.Name)).Order(query.Asc(&ins.Name)).Order(query.Asc(&sec.ID).NullsLast()),
			"order=name.desc,id.asc.nullslast&instruments.order=name.asc"},
		{"to-one column orders the parent", query.For[Instrument]().Select("*").Order(query.Asc(&sec.Name), query.Desc(&ins.ID)),
			"order=section(name).asc,id.desc"},
		{"to-one column ordered within the resource", query.For[Instrument]().Select("*").OrderOf(&ins.Section, query.Asc(&sec.Name)),
			"section.order=name.asc"},
		{"raw order", query.Table("t").Select("*").Order(query.OrderRaw("a->b.desc"), query.Asc(query.Col[int]("c"))), "order=a->b.desc,c.asc"},
		{"order by path", query.Table("t").Select("*").OrderOf("x.y", query.Asc(query.Col[int]("c"))), "x.y.order=c.asc"},
		{"range replaces limit", query.Table("t").Select("*").Limit(5).Range(2, 3), "limit=2&offset=2"},
		{"offset then limit", query.Table("t").Select("*").Offset(3).Limit(4), "offset=3&limit=4"},
		{"pages per resource", sections.LimitOf(&sec.Instruments, 2).Limit(1).OffsetOf("instruments", 4),
			"instruments.limit=2&limit=1&instruments.offset=4"},
		{"filters then select", query.Table("t").Where(query.Eq(query.Col[int]("id"), 1)).Select("a"), "id=eq.1&select=a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.q.Read()
			if err != nil {
				t.Fatal(err)
			}
			ps, _ := r.Params()
			var parts []string
			for _, p := range ps {
				if p.Key == "select" && p.Value == "*" {
					continue
				}
				parts = append(parts, p.Key+"="+p.Value)
			}
			if got := strings.Join(parts, "&"); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestWrites(t *testing.T) {
	countries := query.For[Country]()
	tests := []struct {
		name   string
		build  func() (query.Request, error)
		method string
		query  string
		prefer string
	}{
		{"insert returning default select after nothing", func() (query.Request, error) { return countries.Insert(query.Write{Returning: true}) },
			"POST", "select=id%2Cname%2Ccapital%2Cactive%2Ccontinent%2Ccities%28id%2Cname%2Ccountry_id%29", "return=representation"},
		{"update returning default select after the filters", func() (query.Request, error) {
			return countries.Where(query.Eq(&co.ID, 1)).Update(query.Write{Returning: true})
		}, "PATCH", "id=eq.1&select=id%2Cname%2Ccapital%2Cactive%2Ccontinent%2Ccities%28id%2Cname%2Ccountry_id%29", "return=representation"},
		{"update with columns", func() (query.Request, error) {
			return countries.Where(query.Eq(&co.ID, 1)).Update(query.Write{Columns: []string{"name", `we"ird`}})
		}, "PATCH", "columns=%22name%22%2C%22we%5C%22ird%22&id=eq.1", ""},
		{"upsert quoted conflict column", func() (query.Request, error) {
			return countries.Upsert(query.Write{OnConflict: []string{"name", "full name"}})
		}, "POST", "on_conflict=name%2C%22full+name%22", "resolution=merge-duplicates"},
		{"delete with everything", func() (query.Request, error) {
			return countries.Where(query.Eq(&co.ID, 1)).Count(query.CountExact).Rollback().MaxAffected(1).Order(query.Asc(&co.ID)).Limit(1).Delete(query.Write{Returning: true})
		}, "DELETE", "id=eq.1&order=id.asc&limit=1&select=id%2Cname%2Ccapital%2Cactive%2Ccontinent%2Ccities%28id%2Cname%2Ccountry_id%29",
			"count=exact, return=representation, tx=rollback, handling=strict, max-affected=1"},
		{"rpc with max affected", func() (query.Request, error) { return query.RPC("f").MaxAffected(3).Call(query.Call{}) },
			"POST", "", "handling=strict, max-affected=3"},
		{"rpc get with time and array args", func() (query.Request, error) {
			return query.RPC("f").Call(query.Call{Get: true, Args: []query.Arg{
				query.NamedArg("at", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), query.NamedArg("ids", []int64{1, 2})}})
		}, "GET", "at=2024-01-02T03%3A04%3A05Z&ids=%7B1%2C2%7D", ""},
		{"rpc head with args and filters", func() (query.Request, error) {
			return query.RPCFor[Country]("f").Head().Count(query.CountExact).Where(query.Eq(&co.ID, 1)).Call(query.Call{Args: []query.Arg{query.NamedArg("r", "EU")}})
		}, "HEAD", "r=EU&id=eq.1", "count=exact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != tt.method || r.RawQuery != tt.query || r.Prefer != tt.prefer {
				t.Errorf("got %s %s [%s]\nwant %s %s [%s]", r.Method, r.RawQuery, r.Prefer, tt.method, tt.query, tt.prefer)
			}
		})
	}
	r, _ := countries.Insert(query.Write{})
	if r.Returning || r.ProfileHeader() != "Content-Profile" {
		t.Errorf("minimal insert: %+v", r)
	}
	r, _ = countries.Head().Count(query.CountExact).Read()
	if r.Returning || r.Method != "HEAD" || r.ProfileHeader() != "Accept-Profile" || r.Count != query.CountExact {
		t.Errorf("head: %+v", r)
	}
	r, _ = countries.Select("*").Single().StripNulls().Read()
	if r.Accept != "application/vnd.pgrst.object+json;nulls=stripped" || r.Expect != query.ExpectOne {
		t.Errorf("single strip nulls: %+v", r)
	}
	if u := r.URL("https://x.supabase.co/rest/v1/"); u != "https://x.supabase.co/rest/v1/countries?select=*" {
		t.Errorf("URL %s", u)
	}
}

func TestImmutable(t *testing.T) {
	base := query.For[Character]().Select(&ch.ID).Where(query.Eq(&ch.Name, "a")).Order(query.Asc(&ch.ID))
	before, _ := base.Read()
	q1 := base.Where(query.Gt(&ch.ID, 1)).Order(query.Desc(&ch.Name)).Limit(1).Count(query.CountExact).Header("X-A", "1")
	q2 := base.Where(query.Lt(&ch.ID, 2)).Order(query.Asc(&ch.Name)).Range(0, 9).Header("X-B", "2")
	r1, _ := q1.Read()
	r2, _ := q2.Read()
	after, _ := base.Read()
	if before.RawQuery != after.RawQuery || before.Prefer != after.Prefer || len(after.Headers) != 0 {
		t.Errorf("base changed: %s -> %s", before.RawQuery, after.RawQuery)
	}
	if r1.RawQuery != "select=id&name=eq.a&order=id.asc%2Cname.desc&id=gt.1&limit=1" {
		t.Errorf("q1 %s", r1.RawQuery)
	}
	if r2.RawQuery != "select=id&name=eq.a&order=id.asc%2Cname.asc&id=lt.2&offset=0&limit=10" {
		t.Errorf("q2 %s", r2.RawQuery)
	}
	if len(r1.Headers) != 1 || r1.Headers[0].Name != "X-A" || len(r2.Headers) != 1 || r2.Headers[0].Name != "X-B" {
		t.Errorf("headers %v %v", r1.Headers, r2.Headers)
	}
	// a slice passed to Or and Where is copied
	fs := []query.Filter{query.Eq(&ch.ID, 1), query.Eq(&ch.ID, 2)}
	q := query.For[Character]().Select("*").Where(query.Or(fs...))
	fs[0] = query.Eq(&ch.ID, 99)
	if r, _ := q.Read(); !strings.Contains(r.RawQuery, "id.eq.1") {
		t.Errorf("Or kept the caller's slice: %s", r.RawQuery)
	}
}

func TestConcurrentBuild(t *testing.T) {
	q := query.For[Country]().Where(query.In(&co.Name, "a b", "c"), query.Eq(&ci.Name, "x")).Order(query.Desc(&co.ID)).Range(0, 9)
	want, err := q.Read()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				r, err := q.Where(query.Gt(&co.ID, int64(i*1000+j))).Read()
				if err != nil || !strings.HasPrefix(r.RawQuery, want.RawQuery[:strings.Index(want.RawQuery, "&order")]) ||
					!strings.Contains(r.RawQuery, "id=gt."+strconv.Itoa(i*1000+j)) {
					t.Errorf("got %s %v", r.RawQuery, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestColForgotten(t *testing.T) {
	start := query.NamedCount()
	for i := range 1000 {
		_ = query.Eq(query.Col[string]("c"+strconv.Itoa(i)), "x")
	}
	if query.NamedCount() < start+900 {
		t.Skip("registrations already collected")
	}
	deadline := time.Now().Add(5 * time.Second)
	for query.NamedCount() > start+100 {
		if time.Now().After(deadline) {
			t.Fatalf("named columns not forgotten: %d registered, started with %d", query.NamedCount(), start)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestColumnFilters(t *testing.T) {
	tb, _ := schema.Of[Character]()
	id, _ := tb.Column("id")
	note, _ := tb.Column("note")
	data, _ := tb.Column("data")
	tests := []struct {
		name    string
		f       query.Filter
		want    string
		wantErr error
	}{
		{"eq", query.ColumnEq(id, int64(7)), "id=eq.7", nil},
		{"eq pointer column with element", query.ColumnEq(note, "a b"), "note=eq.a b", nil},
		{"eq pointer column with pointer", query.ColumnEq(note, ptr("x")), "note=eq.x", nil},
		{"eq nil", query.ColumnEq(note, nil), "note=is.null", nil},
		{"eq json", query.ColumnEq(data, map[string]any{"a": 1}), `data=eq.{"a":1}`, nil},
		{"in", query.ColumnIn(id, int64(1), int64(2)), "id=in.(1,2)", nil},
		{"in strings", query.ColumnIn(note, "a,b", "c"), `note=in.("a,b",c)`, nil},
		{"wrong type", query.ColumnEq(id, 7), "", query.ErrInvalidValue},
		{"in nil", query.ColumnIn(note, "a", nil), "", query.ErrNilValue},
		{"nil column", query.ColumnEq(nil, 1), "", query.ErrColumn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFilter(t, tt.f, tt.want, tt.wantErr) })
	}
}

func TestItemsImmutable(t *testing.T) {
	base := query.Embed(&co.Cities, &ci.Name)
	a := base.Inner().Hint("fk_a")
	b := base.As("towns")
	sel := func(it query.Item) string {
		r, err := query.For[Country]().Select(it).Read()
		if err != nil {
			t.Fatal(err)
		}
		ps, _ := r.Params()
		return ps[0].Value
	}
	if got := sel(base); got != "cities(name)" {
		t.Errorf("base %s", got)
	}
	if got := sel(a); got != "cities!fk_a!inner(name)" {
		t.Errorf("a %s", got)
	}
	if got := sel(b); got != "towns:cities(name)" {
		t.Errorf("b %s", got)
	}
	c := query.Cast(&ch.ID, "text")
	d := c.As("id_text")
	if r, _ := query.For[Character]().Select(c, d).Read(); !strings.Contains(r.RawQuery, "select=id%3A%3Atext%2Cid_text%3Aid%3A%3Atext") {
		t.Errorf("cast %s", r.RawQuery)
	}
}
