package integration_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// world is one test's own countries: four rows in a continent no other test
// uses, names starting with a unique prefix.
type world struct {
	prefix, continent string
	byName            map[string]Country // by suffix: alpha, Beta, gamma, delta
}

func (w world) name(suffix string) string { return w.prefix + suffix }

// names strips the prefix from the rows' names and sorts them.
func (w world) names(rows []Country) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, strings.TrimPrefix(r.Name, w.prefix))
	}
	sort.Strings(out)
	return out
}

func seedWorld(t *testing.T) world {
	t.Helper()
	ctx := ctxFor(t)
	w := world{prefix: uniq("c") + "-", continent: uniq("cont-"), byName: map[string]Country{}}
	rows := []Country{
		{Name: w.name("alpha"), Continent: &w.continent, Population: ptr(int64(10))},
		{Name: w.name("Beta"), Continent: &w.continent, Population: ptr(int64(20))},
		{Name: w.name("gamma"), Continent: &w.continent, Population: ptr(int64(30))},
		{Name: w.name("delta"), Continent: &w.continent},
	}
	got, err := repo.New[Country](serviceClient(t)).InsertMany(ctx, rows)
	if err != nil {
		t.Fatalf("seed countries: %v", err)
	}
	if len(got) != len(rows) {
		t.Fatalf("seed returned %d rows", len(got))
	}
	for _, c := range got {
		if c.ID == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("inserted row lacks its generated columns: %+v", c)
		}
		w.byName[strings.TrimPrefix(c.Name, w.prefix)] = c
	}
	return w
}

// TestDatabaseTypedFilters: every filter of the reference through the typed
// API, each checked against the exact rows it must match.
func TestDatabaseTypedFilters(t *testing.T) {
	ctx := ctxFor(t)
	w := seedWorld(t)
	countries := repo.New[Country](serviceClient(t))
	c := schema.Cols[Country]()
	p := w.prefix
	tests := []struct {
		name   string
		filter query.Filter
		want   []string
	}{
		{"eq", query.Eq(&c.Name, p+"alpha"), []string{"alpha"}},
		{"neq", query.Neq(&c.Name, p+"alpha"), []string{"Beta", "delta", "gamma"}},
		{"gt", query.Gt(&c.Population, ptr(int64(20))), []string{"gamma"}},
		{"gte", query.Gte(&c.Population, ptr(int64(20))), []string{"Beta", "gamma"}},
		{"lt", query.Lt(&c.Population, ptr(int64(20))), []string{"alpha"}},
		{"lte", query.Lte(&c.Population, ptr(int64(20))), []string{"Beta", "alpha"}},
		{"like", query.Like(&c.Name, p+"%mm%"), []string{"gamma"}},
		{"like is case-sensitive", query.Like(&c.Name, p+"b%"), nil},
		{"ilike", query.ILike(&c.Name, p+"b%"), []string{"Beta"}},
		{"is null", query.IsNull(&c.Population), []string{"delta"}},
		{"is not null", query.IsNotNull(&c.Population), []string{"Beta", "alpha", "gamma"}},
		{"in", query.In(&c.Name, p+"alpha", p+"gamma", p+"nope"), []string{"alpha", "gamma"}},
		{"not in", query.NotIn(&c.Name, p+"alpha", p+"gamma"), []string{"Beta", "delta"}},
		{"not", query.Not(query.Eq(&c.Name, p+"alpha")), []string{"Beta", "delta", "gamma"}},
		{"or", query.Or(query.Eq(&c.Name, p+"alpha"), query.Gt(&c.Population, ptr(int64(25)))), []string{"alpha", "gamma"}},
		{"and inside or", query.Or(query.And(query.Gte(&c.Population, ptr(int64(20))), query.Lt(&c.Population, ptr(int64(30)))), query.IsNull(&c.Population)), []string{"Beta", "delta"}},
		{"or raw", query.OrRaw(fmt.Sprintf("name.eq.%salpha,population.eq.30", p)), []string{"alpha", "gamma"}},
		{"match", query.Match(map[string]any{"name": p + "Beta", "population": 20}), []string{"Beta"}},
		{"filter (raw)", query.Raw("name", "in", fmt.Sprintf(`("%salpha","%sBeta")`, p, p)), []string{"Beta", "alpha"}},
		{"like any of", query.LikeAnyOf(&c.Name, p+"a%", p+"g%"), []string{"alpha", "gamma"}},
		{"ilike all of", query.ILikeAllOf(&c.Name, "%A%", "%L%"), []string{"alpha", "delta"}},
		{"regex", query.RegexMatch(&c.Name, "^"+p+"[a-d]"), []string{"alpha", "delta"}},
		{"regex, case-insensitive", query.RegexIMatch(&c.Name, "^"+p+"[a-d]"), []string{"Beta", "alpha", "delta"}},
		{"is distinct", query.IsDistinct(&c.Population, ptr(int64(20))), []string{"alpha", "delta", "gamma"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := countries.Query().Where(query.Eq(&c.Continent, &w.continent), tt.filter).Find(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.names(rows); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDatabaseArrayJSONRangeTextFilters: contains, contained_by, overlaps
// on arrays, jsonb and ranges; the range operators; text search; JSON paths.
func TestDatabaseArrayJSONRangeTextFilters(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	p := uniq("i") + "-"
	issues := repo.New[Issue](svc)
	seed := []Issue{
		{Title: p + "one", Tags: []string{"bug", "ui"}, Data: map[string]any{"priority": 1, "owner": map[string]any{"name": "ann"}}, Body: ptr("The button crashes when clicked")},
		{Title: p + "two", Tags: []string{"bug"}, Data: map[string]any{"priority": 2}, Body: ptr("Slow database queries")},
		{Title: p + "three", Tags: []string{"feature", "ui"}, Data: map[string]any{"priority": 3}, Body: ptr("Add a dark theme")},
	}
	if _, err := issues.InsertMany(ctx, seed); err != nil {
		t.Fatal(err)
	}
	i := schema.Cols[Issue]()
	titles := func(rows []Issue) []string {
		var out []string
		for _, r := range rows {
			out = append(out, strings.TrimPrefix(r.Title, p))
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		name   string
		filter query.Filter
		want   []string
	}{
		{"array contains", query.Contains(&i.Tags, []string{"bug"}), []string{"one", "two"}},
		{"array contained by", query.ContainedBy(&i.Tags, []string{"bug", "ui", "docs"}), []string{"one", "two"}},
		{"array overlaps", query.Overlaps(&i.Tags, []string{"feature", "docs"}), []string{"three"}},
		{"jsonb contains", query.Contains(&i.Data, map[string]any{"priority": 2}), []string{"two"}},
		{"json path", query.Eq(query.JSONPath[string](&i.Data, "->owner->>name"), "ann"), []string{"one"}},
		{"text search (plain)", query.TextSearch(&i.FTS, "crash", query.TextSearchOptions{Type: query.Plain, Config: "english"}), []string{"one"}},
		{"text search (websearch)", query.TextSearch(&i.FTS, "database -theme", query.TextSearchOptions{Type: query.Websearch, Config: "english"}), []string{"two"}},
		{"text search (phrase)", query.TextSearch(&i.FTS, "dark theme", query.TextSearchOptions{Type: query.Phrase, Config: "english"}), []string{"three"}},
		{"text search (tsquery)", query.TextSearch(&i.FTS, "slow & queri", query.TextSearchOptions{Config: "english"}), []string{"two"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := issues.Query().Where(query.Like(&i.Title, p+"%"), tt.filter).Find(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(rows); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}

	room := uniq("room-")
	res := repo.New[Reservation](svc)
	if _, err := res.InsertMany(ctx, []Reservation{
		{Room: room, During: "[2000-01-01 08:00, 2000-01-01 09:00)"},
		{Room: room, During: "[2000-01-01 10:00, 2000-01-01 11:00)"},
	}); err != nil {
		t.Fatal(err)
	}
	r := schema.Cols[Reservation]()
	ranges := []struct {
		name   string
		filter query.Filter
		want   []string // start hours
	}{
		{"range gt", query.RangeGt(&r.During, "[2000-01-01 08:30, 2000-01-01 09:30)"), []string{"10"}},
		{"range gte", query.RangeGte(&r.During, "[2000-01-01 08:30, 2000-01-01 09:30)"), []string{"10"}},
		{"range lt", query.RangeLt(&r.During, "[2000-01-01 09:30, 2000-01-01 10:30)"), []string{"08"}},
		{"range lte", query.RangeLte(&r.During, "[2000-01-01 07:00, 2000-01-01 10:30)"), []string{"08"}},
		{"range adjacent", query.RangeAdjacent(&r.During, "[2000-01-01 09:00, 2000-01-01 10:00)"), []string{"08", "10"}},
		{"range overlaps", query.Overlaps(&r.During, "[2000-01-01 08:30, 2000-01-01 08:45)"), []string{"08"}},
		{"range contains", query.Contains(&r.During, "[2000-01-01 10:15, 2000-01-01 10:30)"), []string{"10"}},
	}
	for _, tt := range ranges {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := res.Query().Where(query.Eq(&r.Room, room), tt.filter).Order(query.Asc(&r.ID)).Find(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, row := range rows {
				// "[\"2000-01-01 08:00:00+00\",…)": the hour follows the date.
				k := strings.Index(row.During, "2000-01-01 ")
				if k < 0 {
					t.Fatalf("range %q", row.During)
				}
				got = append(got, row.During[k+11:k+13])
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDatabaseModifiers: order (with nulls), limit, range, single,
// maybe_single, csv, explain, counts.
func TestDatabaseModifiers(t *testing.T) {
	ctx := ctxFor(t)
	w := seedWorld(t)
	countries := repo.New[Country](serviceClient(t))
	c := schema.Cols[Country]()
	inW := countries.Query().Where(query.Eq(&c.Continent, &w.continent))
	order := func(rows []Country) []string {
		var out []string
		for _, r := range rows {
			out = append(out, strings.TrimPrefix(r.Name, w.prefix))
		}
		return out
	}
	check := func(name string, q *repo.Query[Country], want ...string) {
		t.Helper()
		rows, err := q.Find(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := order(rows); !slices.Equal(got, want) {
			t.Fatalf("%s: got %v, want %v", name, got, want)
		}
	}
	check("desc, nulls first", inW.Order(query.Desc(&c.Population).NullsFirst()), "delta", "gamma", "Beta", "alpha")
	check("asc, nulls last", inW.Order(query.Asc(&c.Population).NullsLast()), "alpha", "Beta", "gamma", "delta")
	check("asc, nulls first", inW.Order(query.Asc(&c.Population).NullsFirst()), "delta", "alpha", "Beta", "gamma")
	check("limit", inW.Order(query.Asc(&c.Population)).Limit(2), "alpha", "Beta")
	check("range", inW.Order(query.Asc(&c.Population)).Range(1, 2), "Beta", "gamma")
	check("offset", inW.Order(query.Asc(&c.Population)).Offset(3), "delta")

	one, err := inW.Where(query.Eq(&c.Name, w.name("gamma"))).Single(ctx)
	if err != nil || one.ID != w.byName["gamma"].ID || *one.Population != 30 {
		t.Fatalf("single: %+v, %v", one, err)
	}
	if _, err := inW.Single(ctx); !errors.Is(err, repo.ErrMultipleRows) {
		t.Fatalf("single of several: %v", err)
	}
	if _, err := inW.Where(query.Eq(&c.Name, w.name("nope"))).Single(ctx); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("single of none: %v", err)
	}
	maybe, err := inW.Where(query.Eq(&c.Name, w.name("nope"))).MaybeSingle(ctx)
	if err != nil || maybe != nil {
		t.Fatalf("maybe_single of none: %+v, %v", maybe, err)
	}
	maybe, err = inW.Where(query.Eq(&c.Name, w.name("Beta"))).MaybeSingle(ctx)
	if err != nil || maybe == nil || maybe.Name != w.name("Beta") {
		t.Fatalf("maybe_single of one: %+v, %v", maybe, err)
	}
	if _, err := inW.MaybeSingle(ctx); !errors.Is(err, repo.ErrMultipleRows) {
		t.Fatalf("maybe_single of several: %v", err)
	}

	csv, err := inW.Select(&c.Name, &c.Population).Order(query.Asc(&c.Population).NullsLast()).CSV(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := fmt.Sprintf("name,population\n%salpha,10\n%sBeta,20\n%sgamma,30\n%sdelta,", w.prefix, w.prefix, w.prefix, w.prefix)
	if strings.TrimRight(csv, "\n") != wantCSV {
		t.Fatalf("csv:\n%s\nwant:\n%s", csv, wantCSV)
	}

	n, err := countries.Count(ctx, query.Eq(&c.Continent, &w.continent))
	if err != nil || n != 4 {
		t.Fatalf("count: %d, %v", n, err)
	}
	n, err = inW.Where(query.IsNotNull(&c.Population)).Count(ctx, query.CountExact)
	if err != nil || n != 3 {
		t.Fatalf("head count: %d, %v", n, err)
	}
	rows, total, err := inW.Order(query.Asc(&c.Name)).Limit(1).FindAndCount(ctx, query.CountExact)
	if err != nil || len(rows) != 1 || total != 4 {
		t.Fatalf("select with count: %d rows of %d, %v", len(rows), total, err)
	}
	if planned, err := inW.Count(ctx, query.CountPlanned); err != nil || planned < 0 {
		t.Fatalf("planned count: %d, %v", planned, err)
	}

	if !need(t).Explain {
		t.Logf("explain: the %s tier does not serve plans (db-plan-enabled off); skipped that part", need(t).Tier)
		return
	}
	plan, err := inW.Explain(ctx, query.ExplainOptions{})
	if err != nil || !strings.Contains(plan, "countries") {
		t.Fatalf("explain (text): %q, %v", plan, err)
	}
	plan, err = inW.Explain(ctx, query.ExplainOptions{Analyze: true, Format: query.ExplainJSON})
	if err != nil {
		t.Fatal(err)
	}
	var parsed []map[string]any
	if err := json.Unmarshal([]byte(plan), &parsed); err != nil || len(parsed) == 0 || parsed[0]["Plan"] == nil {
		t.Fatalf("explain (json, analyze): %q, %v", plan, err)
	}
	if _, ok := parsed[0]["Execution Time"]; !ok {
		t.Fatalf("explain analyze lacks the execution time: %q", plan)
	}
}

// TestDatabaseEmbedding: one-to-many, many-to-one, many-to-many, inner
// joins with filters on the embedded resource, and limits and order on it.
func TestDatabaseEmbedding(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	w := seedWorld(t)
	cities := repo.New[City](svc)
	alpha, beta := w.byName["alpha"], w.byName["Beta"]
	if _, err := cities.InsertMany(ctx, []City{
		{CountryID: alpha.ID, Name: "Aville", Population: ptr(int64(5)), IsCapital: true},
		{CountryID: alpha.ID, Name: "Atown", Population: ptr(int64(3))},
		{CountryID: alpha.ID, Name: "Aburg", Population: ptr(int64(1))},
		{CountryID: beta.ID, Name: "Bcity", IsCapital: true},
	}); err != nil {
		t.Fatal(err)
	}
	countries := repo.New[Country](svc)
	c := schema.Cols[Country]()
	cc := schema.Cols[City]()

	// One-to-many: the derived select embeds the cities.
	got, err := countries.Get(ctx, alpha.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range got.Cities {
		if x.CountryID != alpha.ID {
			t.Fatalf("city %+v under country %d", x, alpha.ID)
		}
		names = append(names, x.Name)
	}
	sort.Strings(names)
	if !slices.Equal(names, []string{"Aburg", "Atown", "Aville"}) {
		t.Fatalf("embedded cities %v", names)
	}

	// Order and limit on the embedded resource.
	top, err := countries.Query().Where(query.Eq(&c.ID, alpha.ID)).
		OrderOf(&c.Cities, query.Desc(&cc.Population)).LimitOf(&c.Cities, 2).Single(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Cities) != 2 || top.Cities[0].Name != "Aville" || top.Cities[1].Name != "Atown" {
		t.Fatalf("ordered, limited cities: %+v", top.Cities)
	}
	second, err := countries.Query().Where(query.Eq(&c.ID, alpha.ID)).
		OrderOf(&c.Cities, query.Asc(&cc.Name)).RangeOf(&c.Cities, 1, 1).Single(ctx)
	if err != nil || len(second.Cities) != 1 || second.Cities[0].Name != "Atown" {
		t.Fatalf("range on the embedded cities: %+v, %v", second.Cities, err)
	}
	// Filter on the embedded resource (left join: the parent stays).
	filtered, err := countries.Query().Where(query.Eq(&c.ID, alpha.ID), query.On(&c.Cities, query.Eq(&cc.IsCapital, true))).Single(ctx)
	if err != nil || len(filtered.Cities) != 1 || filtered.Cities[0].Name != "Aville" {
		t.Fatalf("embedded filter: %+v, %v", filtered, err)
	}
	// Inner join: only countries with a capital named Bcity.
	inner, err := countries.Query().
		Select(&c.ID, &c.Name, query.Embed(&c.Cities).Inner()).
		Where(query.Eq(&c.Continent, &w.continent), query.On(&c.Cities, query.Eq(&cc.Name, "Bcity"))).Find(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(inner) != 1 || inner[0].ID != beta.ID || len(inner[0].Cities) != 1 {
		t.Fatalf("inner join: %+v", inner)
	}

	// Many-to-one.
	withCountry, err := repo.New[CityWithCountry](svc).Query().
		Where(query.Eq(&schema.Cols[CityWithCountry]().Name, "Bcity"), query.Eq(query.Col[int64]("country_id"), beta.ID)).Single(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if withCountry.Country == nil || withCountry.Country.ID != beta.ID || withCountry.Country.Name != beta.Name {
		t.Fatalf("many-to-one: %+v", withCountry)
	}

	// Many-to-many through team_members.
	team, err := repo.New[Team](svc).Insert(ctx, Team{Name: uniq("team-")})
	if err != nil {
		t.Fatal(err)
	}
	profiles := repo.New[Profile](svc)
	ann, bob, eve := uuid.NewString(), uuid.NewString(), uuid.NewString()
	if _, err := profiles.InsertMany(ctx, []Profile{{ID: ann, Username: uniq("ann-")}, {ID: bob, Username: uniq("bob-")}, {ID: eve, Username: uniq("eve-")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.New[TeamMember](svc).InsertMany(ctx, []TeamMember{{TeamID: team.ID, ProfileID: ann}, {TeamID: team.ID, ProfileID: bob, Role: "owner"}}); err != nil {
		t.Fatal(err)
	}
	gotTeam, err := repo.New[Team](svc).Get(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, m := range gotTeam.Profiles {
		members = append(members, m.ID)
	}
	sort.Strings(members)
	want := []string{ann, bob}
	sort.Strings(want)
	if !slices.Equal(members, want) {
		t.Fatalf("many-to-many members %v, want %v", members, want)
	}
}

// TestDatabaseWrites: insert, update, upsert, delete through Repo[T], with
// the rows as stored checked after each write.
func TestDatabaseWrites(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	countries := repo.New[CountryRow](svc)
	c := schema.Cols[CountryRow]()
	cont := uniq("cont-")
	name := uniq("Denmark-")

	dk, err := countries.Insert(ctx, CountryRow{Name: name, Continent: &cont, Population: ptr(int64(5))})
	if err != nil || dk.ID == 0 || dk.Name != name {
		t.Fatalf("insert: %+v, %v", dk, err)
	}
	if _, err := countries.Insert(ctx, CountryRow{Name: name}); !errors.Is(err, repo.ErrUniqueViolation) {
		t.Fatalf("duplicate insert: %v", err)
	}
	var re *repo.Error
	if _, err := repo.New[City](svc).Insert(ctx, City{CountryID: -1, Name: "Nowhere"}); !errors.Is(err, repo.ErrForeignKeyViolation) || !errors.As(err, &re) || re.Code != "23503" {
		t.Fatalf("foreign key violation: %v", err)
	}
	if _, err := countries.Insert(ctx, CountryRow{Name: strings.Repeat("x", 101)}); err == nil {
		t.Fatal("a row failing validation was sent")
	}
	minimal, err := countries.Insert(ctx, CountryRow{Name: uniq("Minimal-"), Continent: &cont}, repo.ReturnMinimal())
	if err != nil || minimal.ID != 0 {
		t.Fatalf("insert returning minimal: %+v, %v", minimal, err)
	}

	upd, err := countries.Update(ctx, []query.Filter{query.Eq(&c.ID, dk.ID)}, repo.Set(&c.Population, ptr(int64(6))))
	if err != nil || len(upd) != 1 || *upd[0].Population != 6 {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	dk.Population = ptr(int64(7))
	dk.ISO2 = ptr("DK")
	saved, err := countries.Save(ctx, dk, &c.Population)
	if err != nil || *saved.Population != 7 || saved.ISO2 != nil {
		t.Fatalf("save of one column: %+v, %v", saved, err)
	}
	if _, err := countries.Update(ctx, nil, repo.Set(&c.Population, ptr(int64(0)))); !errors.Is(err, repo.ErrNoFilter) {
		t.Fatalf("update without filter: %v", err)
	}
	if _, err := countries.Delete(ctx); !errors.Is(err, repo.ErrNoFilter) {
		t.Fatalf("delete without filter: %v", err)
	}

	// Upsert on the unique name: merge, then ignore.
	up, err := countries.Upsert(ctx, CountryRow{Name: name, Continent: &cont, Population: ptr(int64(8))}, repo.OnConflictColumns(&c.Name))
	if err != nil || up.ID != dk.ID || *up.Population != 8 {
		t.Fatalf("upsert (merge): %+v, %v", up, err)
	}
	if _, err := countries.Upsert(ctx, CountryRow{Name: name, Continent: &cont, Population: ptr(int64(9))}, repo.OnConflictColumns(&c.Name), repo.IgnoreDuplicates()); err != nil {
		t.Fatal(err)
	}
	after, err := countries.Get(ctx, dk.ID)
	if err != nil || *after.Population != 8 {
		t.Fatalf("after ignored upsert: %+v, %v", after, err)
	}
	many, err := countries.UpsertMany(ctx, []CountryRow{
		{Name: name, Continent: &cont, Population: ptr(int64(10))},
		{Name: uniq("Norway-"), Continent: &cont, Population: ptr(int64(11))},
	}, repo.OnConflictColumns(&c.Name))
	if err != nil || len(many) != 2 {
		t.Fatalf("upsert many: %+v, %v", many, err)
	}
	n, err := countries.Count(ctx, query.Eq(&c.Continent, &cont))
	if err != nil || n != 3 {
		t.Fatalf("count after upserts: %d, %v", n, err)
	}

	deleted, err := countries.Delete(ctx, query.Eq(&c.ID, dk.ID))
	if err != nil || len(deleted) != 1 || deleted[0].Name != name {
		t.Fatalf("delete: %+v, %v", deleted, err)
	}
	if _, err := countries.Get(ctx, dk.ID); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	rest, err := countries.Query().Where(query.Eq(&c.Continent, &cont)).Delete(ctx)
	if err != nil || len(rest) != 2 {
		t.Fatalf("delete by query: %+v, %v", rest, err)
	}
}

// TestDatabasePagingBeyondMaxRows: a plain select stops at the server's
// max rows; All pages through every row.
func TestDatabasePagingBeyondMaxRows(t *testing.T) {
	ctx := ctxFor(t)
	s := need(t)
	if s.MaxRows <= 0 {
		t.Skipf("capability missing on the %s tier: a known max rows", s.Tier)
	}
	svc := serviceClient(t)
	countries := repo.New[CountryRow](svc)
	c := schema.Cols[CountryRow]()
	cont := uniq("many-")
	total := s.MaxRows + 50
	rows := make([]CountryRow, total)
	for i := range rows {
		rows[i] = CountryRow{Name: fmt.Sprintf("%s-%05d", cont, i), Continent: &cont}
	}
	if _, err := countries.InsertMany(ctx, rows, repo.ReturnMinimal()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = countries.Delete(ctxFor(t), query.Eq(&c.Continent, &cont)) })

	found, err := countries.Find(ctx, query.Eq(&c.Continent, &cont))
	if err != nil || len(found) != s.MaxRows {
		t.Fatalf("plain select: %d rows, want max rows %d (%v)", len(found), s.MaxRows, err)
	}
	n, err := countries.Count(ctx, query.Eq(&c.Continent, &cont))
	if err != nil || n != int64(total) {
		t.Fatalf("count %d, %v", n, err)
	}
	seen, last := 0, int64(0)
	for row, err := range countries.Query().Where(query.Eq(&c.Continent, &cont)).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if row.ID <= last {
			t.Fatalf("All out of order: %d after %d", row.ID, last)
		}
		last = row.ID
		seen++
	}
	if seen != total {
		t.Fatalf("All saw %d rows, want %d", seen, total)
	}
	// The untyped range past the cap.
	res, err := repo.Table(svc, "countries").Select("name").Eq("continent", cont).Order("name").Range(s.MaxRows, s.MaxRows+100).Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tail, err := res.Rows()
	if err != nil || len(tail) != 50 || tail[0]["name"] != fmt.Sprintf("%s-%05d", cont, s.MaxRows) {
		t.Fatalf("range past max rows: %d rows, %v", len(tail), err)
	}
}

// TestDatabaseRPC: functions called typed and untyped: scalar, composite,
// set-returning with filters and modifiers, void, GET and HEAD.
func TestDatabaseRPC(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	w := seedWorld(t)

	sum, err := repo.Call[int](ctx, svc, "add", map[string]int{"a": 2, "b": 3})
	if err != nil || sum != 5 {
		t.Fatalf("add: %d, %v", sum, err)
	}
	sum, err = repo.Call[int](ctx, svc, "add", map[string]int{"a": 20, "b": 22}, repo.Get())
	if err != nil || sum != 42 {
		t.Fatalf("add by GET: %d, %v", sum, err)
	}
	hello, err := repo.Call[string](ctx, svc, "hello", nil)
	if err != nil || hello != "hello" {
		t.Fatalf("hello: %q, %v", hello, err)
	}
	alpha := w.byName["alpha"]
	// iso2 is unique and has few values: take a free one.
	c := schema.Cols[CountryRow]()
	var code string
	for range 50 {
		code = strings.ToUpper(uniq("")[:2])
		_, err = repo.New[CountryRow](svc).Update(ctx, []query.Filter{query.Eq(&c.ID, alpha.ID)}, repo.Set(&c.ISO2, &code))
		if !errors.Is(err, repo.ErrUniqueViolation) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	byISO, err := repo.Call[CountryRow](ctx, svc, "country_by_iso", map[string]string{"code": code})
	if err != nil || byISO.ID != alpha.ID || byISO.ISO2 == nil || *byISO.ISO2 != code {
		t.Fatalf("composite result: %+v, %v", byISO, err)
	}
	set, err := repo.Func[CountryRow](svc, "countries_on", map[string]string{"continent_name": w.continent}).
		Where(query.Gt(&c.Population, ptr(int64(15)))).Order(query.Desc(&c.Population)).Find(ctx)
	if err != nil || len(set) != 2 || set[0].Name != w.name("gamma") || set[1].Name != w.name("Beta") {
		t.Fatalf("set-returning with filter and order: %+v, %v", set, err)
	}
	n, err := repo.Func[CountryRow](svc, "countries_on", map[string]string{"continent_name": w.continent}).Count(ctx)
	if err != nil || n != 4 {
		t.Fatalf("count of a function's rows: %d, %v", n, err)
	}

	// Untyped: rpc(...).select().eq() and HEAD with a count.
	res, err := repo.RPC(svc, "countries_on", map[string]string{"continent_name": w.continent}).
		Select("name").Eq("name", w.name("delta")).Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := res.Rows()
	if err != nil || len(rows) != 1 || rows[0]["name"] != w.name("delta") || len(rows[0]) != 1 {
		t.Fatalf("untyped rpc: %v, %v", rows, err)
	}
	res, err = repo.RPC(svc, "countries_on", map[string]string{"continent_name": w.continent}, repo.Head(), repo.WithCount(query.CountExact)).Execute(ctx)
	if err != nil || res.Count != 4 || len(res.Data) != 0 {
		t.Fatalf("rpc head count: %+v, %v", res, err)
	}

	if _, err := repo.Call[int](ctx, svc, "no_such_function", nil); err == nil {
		t.Fatal("unknown function answered")
	}

	// Void: 204, and the function's side effect is kept.
	before := alpha.CreatedAt
	res, err = repo.RPC(svc, "touch_country", map[string]int64{"country_id": alpha.ID}).Execute(ctx)
	if err != nil || res.Status != 204 || len(res.Data) != 0 {
		t.Fatalf("void function: %+v, %v", res, err)
	}
	after, err := repo.New[Country](svc).Get(ctx, alpha.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.CreatedAt.After(before) {
		t.Fatalf("void function had no effect: created_at %v -> %v", before, after.CreatedAt)
	}
}

// TestDatabaseUntyped: the reference's method names on repo.Table, with
// every filter and modifier, reads and writes.
func TestDatabaseUntyped(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	w := seedWorld(t)
	p := w.prefix
	tbl := func() *repo.Builder {
		return repo.Table(svc, "countries").Select("name", repo.WithCount(query.CountExact)).Eq("continent", w.continent)
	}
	tests := []struct {
		name string
		b    *repo.Builder
		want []string
	}{
		{"eq", tbl().Eq("name", p+"alpha"), []string{"alpha"}},
		{"neq", tbl().Neq("name", p+"alpha"), []string{"Beta", "delta", "gamma"}},
		{"gt", tbl().Gt("population", 20), []string{"gamma"}},
		{"gte", tbl().Gte("population", 20), []string{"Beta", "gamma"}},
		{"lt", tbl().Lt("population", 20), []string{"alpha"}},
		{"lte", tbl().Lte("population", 20), []string{"Beta", "alpha"}},
		{"like", tbl().Like("name", "%mm%"), []string{"gamma"}},
		{"ilike", tbl().ILike("name", p+"B%"), []string{"Beta"}},
		{"is null", tbl().Is("population", nil), []string{"delta"}},
		{"in", tbl().In("name", []string{p + "alpha", p + "Beta"}), []string{"Beta", "alpha"}},
		{"not", tbl().Not("population", "is", nil), []string{"Beta", "alpha", "gamma"}},
		{"not in", tbl().Not("name", "in", fmt.Sprintf(`("%salpha","%sBeta")`, p, p)), []string{"delta", "gamma"}},
		{"or", tbl().Or(fmt.Sprintf("name.eq.%salpha,population.gte.30", p)), []string{"alpha", "gamma"}},
		{"match", tbl().Match(map[string]any{"name": p + "Beta", "population": 20}), []string{"Beta"}},
		{"filter", tbl().Filter("name", "in", fmt.Sprintf(`("%sgamma")`, p)), []string{"gamma"}},
		{"like any of", tbl().LikeAnyOf("name", []string{p + "a%", p + "d%"}), []string{"alpha", "delta"}},
		{"regex", tbl().RegexIMatch("name", "^"+p+"b"), []string{"Beta"}},
		{"is distinct", tbl().IsDistinct("population", 10), []string{"Beta", "delta", "gamma"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.b.Execute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := res.Rows()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, strings.TrimPrefix(r["name"].(string), p))
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) || res.Count != int64(len(tt.want)) {
				t.Fatalf("got %v (count %d), want %v", got, res.Count, tt.want)
			}
		})
	}

	// Modifiers.
	res, err := tbl().Order("population", repo.OrderOptions{Descending: true, Nulls: repo.NullsLast}).Limit(2).Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var top []struct{ Name string }
	if err := res.Decode(&top); err != nil || len(top) != 2 || top[0].Name != p+"gamma" || top[1].Name != p+"Beta" || res.Count != 4 {
		t.Fatalf("order+limit: %+v (count %d), %v", top, res.Count, err)
	}
	res, err = repo.Table(svc, "countries").Select("name").Eq("name", p+"Beta").Single().Execute(ctx)
	if err != nil || !strings.Contains(string(res.Data), `"name":"`+p+`Beta"`) || res.Data[0] != '{' {
		t.Fatalf("single: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Select("name").Eq("name", p+"none").MaybeSingle().Execute(ctx)
	if err != nil || strings.TrimSpace(string(res.Data)) != "null" && len(res.Data) != 0 {
		t.Fatalf("maybe single of none: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Select("name,population").Eq("continent", w.continent).Order("name").CSV().Execute(ctx)
	if err != nil || !strings.HasPrefix(string(res.Data), "name,population\n"+p+"Beta,20\n") {
		t.Fatalf("csv: %q, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Select("*", repo.WithCount(query.CountExact), repo.Head()).Eq("continent", w.continent).Execute(ctx)
	if err != nil || res.Count != 4 || len(res.Data) != 0 {
		t.Fatalf("head count: %+v, %v", res, err)
	}
	// Embedding with a limit and an or on the referenced table.
	alpha := w.byName["alpha"]
	if _, err := repo.Table(svc, "cities").Insert([]map[string]any{
		{"country_id": alpha.ID, "name": "X1", "is_capital": false}, {"country_id": alpha.ID, "name": "X2", "is_capital": true}, {"country_id": alpha.ID, "name": "X3", "is_capital": false},
	}).Execute(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = repo.Table(svc, "countries").Select("name, cities(name)").Eq("id", alpha.ID).
		Or("is_capital.eq.true,name.eq.X3", "cities").Order("name", repo.OrderOptions{ReferencedTable: "cities", Descending: true}).Limit(1, "cities").Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var emb []struct {
		Name   string
		Cities []struct{ Name string }
	}
	if err := res.Decode(&emb); err != nil || len(emb) != 1 || len(emb[0].Cities) != 1 || emb[0].Cities[0].Name != "X3" {
		t.Fatalf("embedded or/order/limit: %s, %v", res.Data, err)
	}

	// Writes, each returning rows with Select.
	name := uniq("U-")
	res, err = repo.Table(svc, "countries").Insert(map[string]any{"name": name, "continent": w.continent, "population": 1}).Select("id,name,population").Execute(ctx)
	if err != nil || res.Status != 201 || !strings.Contains(string(res.Data), `"population":1`) {
		t.Fatalf("insert: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Update(map[string]any{"population": 2}).Eq("name", name).Select("population").Execute(ctx)
	if err != nil || !strings.Contains(string(res.Data), `"population":2`) {
		t.Fatalf("update: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Upsert(map[string]any{"name": name, "continent": w.continent, "population": 3}, repo.OnConflict("name")).Select("population").Execute(ctx)
	if err != nil || !strings.Contains(string(res.Data), `"population":3`) {
		t.Fatalf("upsert: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Upsert(map[string]any{"name": name, "continent": w.continent, "population": 4}, repo.OnConflict("name"), repo.IgnoreDuplicates()).Select("population").Execute(ctx)
	if err != nil || strings.Contains(string(res.Data), `"population":4`) {
		t.Fatalf("upsert ignoring duplicates: %s, %v", res.Data, err)
	}
	// Bulk insert with missing columns: defaults, not nulls.
	bulk := uniq("B-")
	res, err = repo.Table(svc, "cities").Insert([]map[string]any{
		{"country_id": alpha.ID, "name": bulk},
		{"country_id": alpha.ID, "name": bulk, "is_capital": true},
	}, repo.DefaultToNull(false)).Select("is_capital").Execute(ctx)
	if err != nil || !strings.Contains(string(res.Data), `"is_capital":false`) || !strings.Contains(string(res.Data), `"is_capital":true`) {
		t.Fatalf("insert with default_to_null=false: %s, %v", res.Data, err)
	}
	// Counts on writes: insert, update and delete with count="exact".
	res, err = repo.Table(svc, "cities").Insert([]map[string]any{
		{"country_id": alpha.ID, "name": bulk + "c", "is_capital": false}, {"country_id": alpha.ID, "name": bulk + "c", "is_capital": false},
	}, repo.WithCount(query.CountExact)).Execute(ctx)
	if err != nil || res.Count != 2 {
		t.Fatalf("insert with count: %+v, %v", res, err)
	}
	res, err = repo.Table(svc, "cities").Update(map[string]any{"is_capital": true}, repo.WithCount(query.CountExact)).Eq("name", bulk+"c").Execute(ctx)
	if err != nil || res.Count != 2 {
		t.Fatalf("update with count: %+v, %v", res, err)
	}
	res, err = repo.Table(svc, "cities").Delete(repo.WithCount(query.CountExact)).Eq("name", bulk+"c").Eq("is_capital", true).Execute(ctx)
	if err != nil || res.Count != 2 {
		t.Fatalf("delete with count: %+v, %v", res, err)
	}
	// Range on a referenced table.
	res, err = repo.Table(svc, "countries").Select("name, cities(name)").Eq("id", alpha.ID).
		Like("cities.name", "X%").Order("name", repo.OrderOptions{ReferencedTable: "cities"}).Range(1, 2, "cities").Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	emb = nil
	if err := res.Decode(&emb); err != nil || len(emb) != 1 || len(emb[0].Cities) != 2 || emb[0].Cities[0].Name != "X2" || emb[0].Cities[1].Name != "X3" {
		t.Fatalf("range on the referenced table: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Delete().Eq("name", name).Select("name").Execute(ctx)
	if err != nil || !strings.Contains(string(res.Data), name) {
		t.Fatalf("delete: %s, %v", res.Data, err)
	}
	res, err = repo.Table(svc, "countries").Select("id", repo.WithCount(query.CountExact)).Eq("name", name).Execute(ctx)
	if err != nil || res.Count != 0 {
		t.Fatalf("after delete: %+v, %v", res, err)
	}
	if _, err := repo.Table(svc, "countries").Delete().Execute(ctx); !errors.Is(err, repo.ErrNoFilter) {
		t.Fatalf("delete without filter: %v", err)
	}
	if _, err := repo.Table(svc, "no_such_table").Select("*").Execute(ctx); !errors.Is(err, repo.ErrUnknownTable) {
		t.Fatalf("unknown table: %v", err)
	}
}

// TestDatabaseUntypedArraysRangesText: contains, contained_by, overlaps,
// the range operators, text search and explain on repo.Table.
func TestDatabaseUntypedArraysRangesText(t *testing.T) {
	ctx := ctxFor(t)
	svc := serviceClient(t)
	p := uniq("u") + "-"
	if _, err := repo.Table(svc, "issues").Insert([]map[string]any{
		{"title": p + "one", "tags": []string{"bug", "ui"}, "data": map[string]any{"priority": 1}, "body": "The button crashes"},
		{"title": p + "two", "tags": []string{"bug"}, "data": map[string]any{"priority": 2}, "body": "Slow database queries"},
		{"title": p + "three", "tags": []string{"feature"}, "data": map[string]any{"priority": 3}, "body": "Add a dark theme"},
	}).Execute(ctx); err != nil {
		t.Fatal(err)
	}
	room := uniq("room-")
	if _, err := repo.Table(svc, "reservations").Insert([]map[string]any{
		{"room": room, "during": "[2000-01-01 08:00, 2000-01-01 09:00)"},
		{"room": room, "during": "[2000-01-01 10:00, 2000-01-01 11:00)"},
	}).Execute(ctx); err != nil {
		t.Fatal(err)
	}
	issues := func() *repo.Builder { return repo.Table(svc, "issues").Select("title").Like("title", p+"%") }
	rooms := func() *repo.Builder { return repo.Table(svc, "reservations").Select("title:during").Eq("room", room) }
	tests := []struct {
		name string
		b    *repo.Builder
		want []string
	}{
		{"contains (array)", issues().Contains("tags", []string{"bug"}), []string{"one", "two"}},
		{"contained by (array)", issues().ContainedBy("tags", []string{"bug", "ui"}), []string{"one", "two"}},
		{"overlaps (array)", issues().Overlaps("tags", []string{"feature", "docs"}), []string{"three"}},
		{"contains (jsonb)", issues().Contains("data", map[string]any{"priority": 3}), []string{"three"}},
		{"json path", issues().Eq("data->>priority", "2"), []string{"two"}},
		{"text search", issues().TextSearch("fts", "crash", query.TextSearchOptions{Type: query.Plain, Config: "english"}), []string{"one"}},
		{"text search (websearch)", issues().TextSearch("fts", "database -theme", query.TextSearchOptions{Type: query.Websearch, Config: "english"}), []string{"two"}},
		{"range gt", rooms().RangeGt("during", "[2000-01-01 08:30, 2000-01-01 09:30)"), []string{"10"}},
		{"range gte", rooms().RangeGte("during", "[2000-01-01 08:30, 2000-01-01 09:30)"), []string{"10"}},
		{"range lt", rooms().RangeLt("during", "[2000-01-01 09:30, 2000-01-01 10:30)"), []string{"08"}},
		{"range lte", rooms().RangeLte("during", "[2000-01-01 07:00, 2000-01-01 10:30)"), []string{"08"}},
		{"range adjacent", rooms().RangeAdjacent("during", "[2000-01-01 09:00, 2000-01-01 10:00)"), []string{"08", "10"}},
		{"range overlaps", rooms().Overlaps("during", "[2000-01-01 08:30, 2000-01-01 08:45)"), []string{"08"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.b.Execute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var rows []struct{ Title string }
			if err := res.Decode(&rows); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				if k := strings.Index(r.Title, "2000-01-01 "); k >= 0 {
					got = append(got, r.Title[k+11:k+13]) // a range: its start hour
				} else {
					got = append(got, strings.TrimPrefix(r.Title, p))
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}

	if !need(t).Explain {
		t.Skipf("capability missing on the %s tier: explain (db-plan-enabled)", need(t).Tier)
	}
	res, err := issues().Explain(query.ExplainOptions{Format: query.ExplainJSON}).Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var plan []map[string]any
	if err := json.Unmarshal(res.Data, &plan); err != nil || len(plan) != 1 || plan[0]["Plan"] == nil {
		t.Fatalf("explain: %s, %v", res.Data, err)
	}
}
