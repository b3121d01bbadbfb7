package modelgen_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supakit/supakit"
	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/modelgen"
	"github.com/supakit/supakit/modelgen/internal/testmodels"
	"github.com/supakit/supakit/modelgen/pgtypes"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
)

// startEmulator runs the emulator on a fresh database loaded with
// testdata/schema.sql, or skips when no PostgreSQL is available.
func startEmulator(t *testing.T) (*emulator.Server, *supakit.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if err != nil {
		t.Skipf("modelgen: emulator unavailable (no PostgreSQL?), skipping: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	sql, err := os.ReadFile(filepath.Join("testdata", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Pool().Exec(ctx, string(sql)); err != nil {
		t.Fatalf("load schema: %v", err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	client, err := supakit.New(srv.URL, srv.ServiceRoleKey)
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// TestRoundTripEmulator writes and reads rows of every generated model
// through repo.Repo[T] against the emulator, and calls the generated RPC
// functions.
func TestRoundTripEmulator(t *testing.T) {
	srv, client := startEmulator(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	countries := repo.New[testmodels.Country](client)
	dk, err := countries.Insert(ctx, testmodels.Country{Name: "Denmark", Code: "DK", Population: new(int64(5_900_000))})
	if err != nil {
		t.Fatal(err)
	}
	if dk.ID == 0 || dk.CreatedAt.IsZero() || dk.Continent != nil || *dk.Population != 5_900_000 {
		t.Fatalf("inserted country = %+v: want an identity, the default created_at, a NULL continent", dk)
	}
	// validate tags from the schema are checked before anything is sent
	var ve *repo.ValidationError
	if _, err := countries.Insert(ctx, testmodels.Country{Name: "Sweden", Code: "SWE"}); !errors.As(err, &ve) {
		t.Fatalf("char(2) given 3 letters: %v, want a *repo.ValidationError", err)
	}
	bad := testmodels.Mood("angry")
	if _, err := repo.New[testmodels.User](client).Insert(ctx, testmodels.User{Email: "x@y", Mood: &bad}); !errors.As(err, &ve) {
		t.Fatalf("enum label not in the type: %v, want a *repo.ValidationError", err)
	}
	cities := repo.New[testmodels.City](client)
	cph, err := cities.Insert(ctx, testmodels.City{CountryID: dk.ID, Name: "Copenhagen", Location: json.RawMessage(`"(12.57,55.68)"`)})
	if err != nil {
		t.Fatal(err)
	}
	if cph.ID == 0 {
		t.Fatalf("serial id not returned: %+v", cph)
	}

	users := repo.New[testmodels.User](client)
	uc := testmodels.UserCols
	mood := testmodels.MoodSoSo
	net, _ := parsePrefix("10.1.0.0/16")
	in := testmodels.User{
		Email:       "ada@example.org",
		DisplayName: new("Ada"),
		Mood:        &mood,
		Tags:        []string{"a,b", `q"uote`, "plain"},
		Home:        &testmodels.Address{Street: new("1 Main St"), City: new("Copenhagen"), Zip: new("1000")},
		Settings:    json.RawMessage(`{"theme":"dark","n":1}`),
		LastIP:      new("192.168.1.7"),
		Network:     &net,
		Avatar:      pgtypes.Bytea{0, 1, 2, 0xff},
		Balance:     "12345678.91",
		Score:       new(0.5),
		Rank:        new(int16(3)),
		Active:      new(false), // the default is true: a pointer tells false from "use the default"
		Birthday:    &pgtypes.Date{Year: 1815, Month: 12, Day: 10},
		WakeAt:      new("07:30:00"),
		Meta:        json.RawMessage(`[1,2,3]`),
		CityID:      &cph.ID,
		SignedUp:    pgtypes.NewTimestamp(time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)),
	}
	ada, err := users.Insert(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if ada.ID == uuid.Nil {
		t.Fatal("default uuid not applied")
	}
	if ada.EmailDomain == nil || *ada.EmailDomain != "example.org" {
		t.Fatalf("generated column = %v, want example.org", ada.EmailDomain)
	}
	if *ada.Active != false || ada.Balance != "12345678.91" || *ada.Mood != testmodels.MoodSoSo ||
		!slices.Equal(ada.Tags, in.Tags) || *ada.Home.Street != "1 Main St" || *ada.Home.Zip != "1000" ||
		string(ada.Avatar) != string(in.Avatar) || *ada.Birthday != *in.Birthday || *ada.WakeAt != "07:30:00" ||
		!ada.SignedUp.Equal(in.SignedUp.Time) || ada.Network.String() != "10.1.0.0/16" || *ada.LastIP != "192.168.1.7" {
		t.Fatalf("user read back differs:\n got %+v\nsent %+v", ada, in)
	}
	var settings map[string]any
	if err := json.Unmarshal(ada.Settings, &settings); err != nil || settings["theme"] != "dark" {
		t.Fatalf("settings = %s (%v)", ada.Settings, err)
	}
	// defaults apply when the pointer is nil
	bob, err := users.Insert(ctx, testmodels.User{Email: "bob@example.org", ManagerID: &ada.ID})
	if err != nil {
		t.Fatal(err)
	}
	if bob.Active == nil || !*bob.Active || bob.Balance != "0.00" || bob.Tags == nil || len(bob.Tags) != 0 {
		t.Fatalf("defaults not applied: active=%v balance=%q tags=%#v", bob.Active, bob.Balance, bob.Tags)
	}

	// a patch sets only the columns named; a nil pointer is an explicit NULL
	upd, err := users.Update(ctx, []query.Filter{query.Eq(uc.ID, ada.ID)},
		repo.Set(uc.DisplayName, (*string)(nil)), repo.Set(uc.Rank, new(int16(4))))
	if err != nil {
		t.Fatal(err)
	}
	if len(upd) != 1 || upd[0].DisplayName != nil || *upd[0].Rank != 4 || *upd[0].Mood != testmodels.MoodSoSo || upd[0].Balance != "12345678.91" {
		t.Fatalf("after the patch: %+v", upd)
	}

	products := repo.New[testmodels.Product](client)
	pr, err := products.InsertMany(ctx, []testmodels.Product{
		{SKU: "BOOK-1", Price: "19.99", Sizes: []int32{1, 2}, Grid: [][]int32{{1, 2}, {3, 4}}, Available: new(pgtypes.Range("[2024-01-01,2024-02-01)")), PriceBand: new(pgtypes.Range("[10,20)"))},
		{SKU: "PEN-2", Price: "0.10000000000000000001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr) != 2 || pr[1].Price != "0.10000000000000000001" || pr[0].Grid[1][0] != 3 || *pr[0].Available != "[2024-01-01,2024-02-01)" {
		t.Fatalf("products read back: %+v", pr)
	}

	orders := repo.New[testmodels.Order](client)
	o, err := orders.Insert(ctx, testmodels.Order{UserID: ada.ID, History: []testmodels.OrderStatus{testmodels.OrderStatusPending},
		Shipping: &testmodels.Address{City: new("Aarhus")}, During: new(pgtypes.Range(`["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")`))})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != testmodels.OrderStatusPending || o.Shipping == nil || *o.Shipping.City != "Aarhus" || o.Shipping.Street != nil {
		t.Fatalf("order read back: %+v", o)
	}
	items := repo.New[testmodels.OrderItem](client)
	if _, err := items.InsertMany(ctx, []testmodels.OrderItem{{OrderID: o.ID, ProductID: pr[0].ID, Quantity: 2}, {OrderID: o.ID, ProductID: pr[1].ID, Quantity: 10}}); err != nil {
		t.Fatal(err)
	}

	// relation fields: to-one, to-many, many-to-many through order_items,
	// two foreign keys to one table (hints), a self reference
	full, err := orders.Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if full.User == nil || full.User.Email != "ada@example.org" || len(full.OrderItems) != 2 || len(full.Products) != 2 {
		t.Fatalf("embedded order: user=%v items=%d products=%d", full.User, len(full.OrderItems), len(full.Products))
	}
	messages := repo.New[testmodels.Message](client)
	if _, err := messages.Insert(ctx, testmodels.Message{SenderID: ada.ID, ReceiverID: bob.ID, Body: "hi"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := messages.Find(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Sender == nil || msgs[0].Sender.ID != ada.ID || msgs[0].Receiver == nil || msgs[0].Receiver.ID != bob.ID {
		t.Fatalf("messages with sender and receiver: %+v", msgs)
	}
	b1, err := users.Get(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(b1.MessagesByReceiver) != 1 || len(b1.MessagesBySender) != 0 {
		t.Fatalf("bob: received=%d sent=%d", len(b1.MessagesByReceiver), len(b1.MessagesBySender))
	}
	// repo leaves self references out of the default select (cycles):
	// select the relation field explicitly
	b1, err = users.Query().Select(uc.ID, uc.Manager).Where(query.Eq(uc.ID, bob.ID)).Single(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b1.Manager == nil || b1.Manager.ID != ada.ID {
		t.Fatalf("bob's manager = %+v, want ada", b1.Manager)
	}

	// reads with the descriptors, and the view
	got, err := countries.Query().Where(query.Eq(testmodels.CountryCols.Name, "Denmark")).Find(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != dk.ID {
		t.Fatalf("find by name: %+v", got)
	}
	totals, err := repo.New[testmodels.OrderTotal](client).Find(ctx, query.Eq(testmodels.OrderTotalCols.OrderID, &o.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(totals) != 1 || *totals[0].Total != "40.98000000000000000010" || *totals[0].Items != 2 {
		t.Fatalf("view order_totals: %+v", totals)
	}

	// typed RPC
	sum, err := testmodels.AddNumbers(ctx, client, testmodels.AddNumbersArgs{A: 2, B: 40})
	if err != nil || sum != 42 {
		t.Fatalf("AddNumbers = %d, %v", sum, err)
	}
	found, err := testmodels.SearchProducts(ctx, client, testmodels.SearchProductsArgs{Query: "book"})
	if err != nil || len(found) != 1 || found[0].SKU != "BOOK-1" {
		t.Fatalf("SearchProducts = %+v, %v", found, err)
	}
	cheap, err := testmodels.SearchProductsQuery(client, testmodels.SearchProductsArgs{Query: "", MaxPrice: new(pgtypes.Decimal("1"))}).Find(ctx)
	if err != nil || len(cheap) != 1 || cheap[0].SKU != "PEN-2" {
		t.Fatalf("SearchProductsQuery = %+v, %v", cheap, err)
	}
	stats, err := testmodels.UserStats(ctx, client, testmodels.UserStatsArgs{UID: ada.ID})
	if err != nil || len(stats) != 1 || *stats[0].OrderCount != 1 || *stats[0].Spent != "40.98000000000000000010" {
		t.Fatalf("UserStats = %+v, %v", stats, err)
	}
	if err := testmodels.SetMood(ctx, client, testmodels.SetMoodArgs{UID: bob.ID, M: testmodels.MoodHappy}); err != nil {
		t.Fatal(err)
	}
	addr, err := testmodels.UserAddress(ctx, client, testmodels.UserAddressArgs{UID: ada.ID})
	if err != nil || addr.City == nil || *addr.City != "Copenhagen" {
		t.Fatalf("UserAddress = %+v, %v", addr, err)
	}
	or, err := testmodels.OrderRange(ctx, client, testmodels.OrderRangeArgs{Oid: o.ID})
	if err != nil || or.ItemCount == nil || *or.ItemCount != 2 || or.FirstAt == nil || !or.FirstAt.Equal(o.PlacedAt) {
		t.Fatalf("OrderRange = %+v, %v", or, err)
	}
	if _, err := srv.Pool().Exec(ctx, "refresh materialized view country_stats"); err != nil {
		t.Fatal(err)
	}
	stats2, err := repo.New[testmodels.CountryStat](client).Find(ctx, query.Eq(testmodels.CountryStatCols.Name, new("Denmark")))
	if err != nil || len(stats2) != 1 || *stats2[0].Cities != 1 || *stats2[0].CountryID != dk.ID {
		t.Fatalf("materialized view: %+v, %v", stats2, err)
	}
	moods, err := testmodels.CurrentMoods(ctx, client)
	if err != nil || !slices.Equal(moods, testmodels.MoodValues) {
		t.Fatalf("CurrentMoods = %v, %v", moods, err)
	}
	b2, err := users.Get(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b2.Mood == nil || *b2.Mood != testmodels.MoodHappy {
		t.Fatalf("set_mood did not persist: mood is %v", b2.Mood)
	}

}

func parsePrefix(s string) (netip.Prefix, error) { return netip.ParsePrefix(s) }

// TestOpenAPIFromEmulator reads PostgREST's OpenAPI document at the
// emulator's REST root: it must describe the schema's tables.
func TestOpenAPIFromEmulator(t *testing.T) {
	srv, _ := startEmulator(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := modelgen.FromOpenAPI(ctx, srv.URL, srv.ServiceRoleKey, modelgen.OpenAPIOptions{})
	if err != nil {
		t.Fatalf("FromOpenAPI on the emulator: %v", err)
	}
	for _, name := range []string{"countries", "users", "orders", "order_totals"} {
		if db.Table("public", name) == nil {
			t.Errorf("OpenAPI document of the emulator lacks %s", name)
		}
	}
}
