package query_test

import (
	"fmt"
	"net/url"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

// show prints a request the way it goes on the wire, with the query
// string decoded for reading.
func show(r query.Request, err error) {
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	q, _ := url.QueryUnescape(r.RawQuery)
	if q != "" {
		q = "?" + q
	}
	fmt.Println(r.Method, r.Path+q)
	if r.Prefer != "" {
		fmt.Println("Prefer:", r.Prefer)
	}
	if r.Accept != "" {
		fmt.Println("Accept:", r.Accept)
	}
}

func ExampleEq() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Select(&c.ID, &c.Name).
		Where(query.Eq(&c.Name, "Albania"), query.Eq(&c.Continent, nil)).Read())
	// Output:
	// GET /countries?select=id,name&name=eq.Albania&continent=is.null
}

func ExampleIn() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Select(&c.Name).
		Where(query.In(&c.Name, "Chad", "Congo, Republic of the", `Côte d'Ivoire`, "St. Lucia")).Read())
	// Output:
	// GET /countries?select=name&name=in.(Chad,"Congo, Republic of the","Côte d'Ivoire","St. Lucia")
}

func ExampleOr() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Select(&c.Name).Where(
		query.Or(query.Gt(&c.ID, 10), query.And(query.Eq(&c.Name, "Nepal"), query.Not(query.IsNull(&c.Capital)))),
	).Read())
	// Output:
	// GET /countries?select=name&or=(id.gt.10,and(name.eq.Nepal,capital.not.is.null))
}

func ExampleNot() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Select(&c.Name).Where(
		query.Not(query.In(&c.ID, 1, 2)),
		query.Not(query.Or(query.Like(&c.Name, "A%"), query.Like(&c.Name, "B%"))),
	).Read())
	// Output:
	// GET /countries?select=name&id=not.in.(1,2)&not.or=(name.like.A%,name.like.B%)
}

// Filters on the columns of an embedded type reach the embedded resource.
func ExampleEmbed() {
	c := schema.Cols[Country]()
	city := schema.Cols[City]()
	show(query.For[Country]().
		Select(&c.Name, query.Embed(&c.Cities, &city.Name).Inner()).
		Where(query.Eq(&city.Name, "Bali")).
		Order(query.Desc(&city.Name)).
		LimitOf(&c.Cities, 1).
		Read())
	// Output:
	// GET /countries?select=name,cities!inner(name)&cities.name=eq.Bali&cities.order=name.desc&cities.limit=1
}

func ExampleOn() {
	c := schema.Cols[Country]()
	city := schema.Cols[City]()
	show(query.For[Country]().Select("*").Where(
		query.On(&c.Cities, query.Or(query.Eq(&city.CountryID, 1), query.Eq(&city.Name, "Beijing"))),
	).Read())
	// Output:
	// GET /countries?select=*&cities.or=(country_id.eq.1,name.eq.Beijing)
}

// Without Select, a typed query selects the type's columns and embeds its
// relations, nested, leaving out back references.
func ExampleDefaultSelect() {
	show(query.For[Country]().Read())
	show(query.For[Message]().Read())
	// Output:
	// GET /countries?select=id,name,capital,active,continent,cities(id,name,country_id)
	// GET /messages?select=id,content,from:sender_id(id,name,handle,display_name,org,data,address),to:users!messages_receiver_id_fkey(id,name,handle,display_name,org,data,address)
}

func ExampleQuery_Select() {
	c := schema.Cols[Character]()
	p := schema.Cols[Planet]()
	show(query.For[Character]().Select(
		query.As("display_name", &c.Name),
		query.Cast(&c.ID, "text"),
		query.Embed(&c.Home, query.As("planet_name", &p.Name)),
	).Read())
	// Output:
	// GET /characters?select=display_name:name,id::text,home:planets(planet_name:name)
}

func ExampleQuery_Range() {
	c := schema.Cols[Character]()
	show(query.For[Character]().Select(&c.Name).
		Order(query.Desc(&c.Score).NullsLast(), query.Asc(&c.ID)).
		Range(20, 29).Read())
	// Output:
	// GET /characters?select=name&order=score.desc.nullslast,id.asc&offset=20&limit=10
}

func ExampleQuery_Single() {
	c := schema.Cols[Character]()
	show(query.For[Character]().Select(&c.Name).Where(query.Eq(&c.ID, 1)).Single().Read())
	// Output:
	// GET /characters?select=name&id=eq.1
	// Accept: application/vnd.pgrst.object+json
}

func ExampleQuery_Count() {
	c := schema.Cols[Character]()
	show(query.For[Character]().Select("*").Where(query.Gt(&c.Score, 9.5)).Count(query.CountExact).Head().Read())
	// Output:
	// HEAD /characters?select=*&score=gt.9.5
	// Prefer: count=exact
}

func ExampleQuery_Explain() {
	show(query.Table("characters").CSV().Explain(query.ExplainOptions{Analyze: true, Verbose: true, Format: query.ExplainJSON}).Read())
	// Output:
	// GET /characters?select=*
	// Accept: application/vnd.pgrst.plan+json; for="text/csv"; options=analyze|verbose;
}

func ExampleQuery_Insert() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Select(&c.ID, &c.Name).
		Insert(query.Write{Columns: []string{"name", "capital"}, MissingDefault: true}))
	// Output:
	// POST /countries?columns="name","capital"&select=id,name
	// Prefer: missing=default, return=representation
}

func ExampleQuery_Upsert() {
	show(query.For[User]().Upsert(query.Write{OnConflict: []string{"handle"}, IgnoreDuplicates: true}))
	// Output:
	// POST /users?on_conflict=handle
	// Prefer: resolution=ignore-duplicates
}

func ExampleQuery_Update() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Where(query.Eq(&c.ID, 1)).MaxAffected(1).Update(query.Write{Returning: true}))
	show(query.For[Country]().Update(query.Write{}))
	// Output:
	// PATCH /countries?id=eq.1&select=id,name,capital,active,continent,cities(id,name,country_id)
	// Prefer: return=representation, handling=strict, max-affected=1
	// error: query: update or delete without a filter
}

func ExampleQuery_Delete() {
	c := schema.Cols[Country]()
	show(query.For[Country]().Where(query.In(&c.ID, 1, 2, 3)).Count(query.CountExact).Delete(query.Write{}))
	// Output:
	// DELETE /countries?id=in.(1,2,3)
	// Prefer: count=exact
}

func ExampleQuery_Call() {
	c := schema.Cols[Country]()
	show(query.RPCFor[Country]("list_stored_countries").
		Where(query.Eq(&c.Active, true)).Order(query.Asc(&c.Name)).Limit(5).
		Call(query.Call{Get: true, Args: []query.Arg{query.NamedArg("region", "EU"), query.NamedArg("ids", []int{1, 2})}}))
	show(query.RPC("hello_world").Call(query.Call{}))
	// Output:
	// GET /rpc/list_stored_countries?region=EU&ids={1,2}&active=eq.true&order=name.asc&limit=5
	// POST /rpc/hello_world
}

func ExampleCol() {
	show(query.Table("characters").Select("id, name").
		Where(query.Eq(query.Col[string]("first name"), "Luke"), query.Gte(query.Col[int]("address->postcode"), 90000)).Read())
	// Output:
	// GET /characters?select=id,name&first name=eq.Luke&address->postcode=gte.90000
}

func ExampleJSONPath() {
	u := schema.Cols[User]()
	show(query.For[User]().Select(&u.ID, query.JSONPath[string](&u.Data, "->a->>b")).
		Where(query.Eq(query.JSONPath[string](&u.Address, "->>city"), "Paris"), query.Eq(query.JSONPath[string](&u.Data, "->kind"), "x")).Read())
	// Output:
	// GET /users?select=id,data->a->>b&address->>city=eq.Paris&data->kind=eq."x"
}

func ExampleRaw() {
	show(query.Table("characters").Where(query.Raw("name", "not.in", `("Han","Yoda")`), query.OrRaw("id.eq.2,name.eq.Han")).Read())
	// Output:
	// GET /characters?select=*&name=not.in.("Han","Yoda")&or=(id.eq.2,name.eq.Han)
}

func ExampleTextSearch() {
	t := schema.Cols[Text]()
	show(query.For[Text]().Select(&t.Content).
		Where(query.TextSearch(&t.Content, `"fat cat" -rat`, query.TextSearchOptions{Type: query.Websearch, Config: "english"})).Read())
	// Output:
	// GET /texts?select=content&content=wfts(english)."fat cat" -rat
}

func ExampleContains() {
	i := schema.Cols[Issue]()
	u := schema.Cols[User]()
	r := schema.Cols[Reservation]()
	show(query.For[Issue]().Select(&i.Title).Where(query.Contains(&i.Tags, []string{"is:open", "needs review"})).Read())
	show(query.For[User]().Select(&u.Name).Where(query.Contains(&u.Address, Address{Postcode: 90210})).Read())
	show(query.For[Reservation]().Select(&r.RoomName).Where(query.RangeAdjacent(&r.During, "[2000-01-01 12:00,2000-01-01 13:00)")).Read())
	// Output:
	// GET /issues?select=title&tags=cs.{is:open,"needs review"}
	// GET /users?select=name&address=cs.{"postcode":90210}
	// GET /reservations?select=room_name&during=adj.[2000-01-01 12:00,2000-01-01 13:00)
}

// The reference's remaining filters in their typed form, one request each.
func ExampleQuery_Where() {
	c := schema.Cols[Country]()
	cl := schema.Cols[Class]()
	i := schema.Cols[Issue]()
	r := schema.Cols[Reservation]()
	asia := "Asia"
	countries := query.For[Country]().Select(&c.Name)
	show(countries.Where(query.Neq(&c.Name, "Albania")).Read())
	show(countries.Where(query.Gte(&c.ID, 2), query.Lt(&c.ID, 10), query.Lte(&c.ID, 9)).Read())
	show(countries.Where(query.ILike(&c.Name, "%alba%"), query.Neq(&c.Continent, &asia)).Read())
	show(countries.Where(query.Is(&c.Active, query.True), query.IsNull(&c.Capital)).Read())
	show(countries.Where(query.Match(map[string]any{"name": "Albania", "id": 2})).Limit(1).Read())
	show(query.For[Class]().Select(&cl.Name).Where(query.ContainedBy(&cl.Days, []string{"monday", "tuesday"})).Read())
	show(query.For[Issue]().Select(&i.Title).Where(query.Overlaps(&i.Tags, []string{"is:closed", "severity:high"})).Read())
	show(query.For[Reservation]().Select(&r.RoomName).Where(
		query.RangeGt(&r.During, "[2000-01-02 08:00,2000-01-02 09:00)"),
		query.RangeGte(&r.During, "[2000-01-02 08:30,2000-01-02 09:30)"),
		query.RangeLt(&r.During, "[2000-01-01 15:00,2000-01-01 16:00)"),
		query.RangeLte(&r.During, "[2000-01-01 14:00,2000-01-01 16:00)"),
	).Read())
	// Output:
	// GET /countries?select=name&name=neq.Albania
	// GET /countries?select=name&id=gte.2&id=lt.10&id=lte.9
	// GET /countries?select=name&name=ilike.%alba%&continent=neq.Asia
	// GET /countries?select=name&active=is.true&capital=is.null
	// GET /countries?select=name&id=eq.2&name=eq.Albania&limit=1
	// GET /classes?select=name&days=cd.{monday,tuesday}
	// GET /issues?select=title&tags=ov.{is:closed,severity:high}
	// GET /reservations?select=room_name&during=sr.[2000-01-02 08:00,2000-01-02 09:00)&during=nxl.[2000-01-02 08:30,2000-01-02 09:30)&during=sl.[2000-01-01 15:00,2000-01-01 16:00)&during=nxr.[2000-01-01 14:00,2000-01-01 16:00)
}
