package schema_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/supakit/supakit/schema"
)

type Timestamps struct {
	CreatedAt time.Time  `db:"created_at,readonly"`
	UpdatedAt *time.Time `db:"updated_at,readonly,omitempty"`
}

type Meta struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type Country struct {
	ID        int64    `db:"id,pk,readonly"`
	Name      string   `db:"name"`
	Continent *string  `db:"continent,omitempty"`
	Meta      Meta     `db:"meta,json"`
	Tags      []string // untagged: column "tags"
	CountryID int64    // untagged: column "country_id"
	Skipped   chan int `db:"-"`
	hidden    int      //nolint:unused // unexported: skipped
	Cities    []City   `db:"cities,rel"`
	Capital   *City    `db:"cities,rel,!countries_capital_fkey,as=capital"`
	Timestamps
}

func (Country) TableName() string { return "countries" }

type City struct {
	ID        int64       `db:"id,pk"`
	Name      string      `db:"name"`
	CountryID int64       `db:"country_id"`
	Country   *Country    `db:"countries,rel,!inner"`
	Districts []*District `db:"districts,rel"`
}

func (*City) TableName() string { return "cities" }

type District struct {
	OrgID int64  `db:"org_id,pk"`
	Code  string `db:"code,pk"`
	Name  string `db:"name"`
}

func TestOf(t *testing.T) {
	tb, err := schema.Of[Country]()
	if err != nil {
		t.Fatal(err)
	}
	if tb.Name != "countries" || tb.Type != reflect.TypeFor[Country]() {
		t.Fatalf("table %q %v", tb.Name, tb.Type)
	}
	type col struct {
		name                        string
		pk, readonly, omitempty, js bool
	}
	want := []col{
		{"id", true, true, false, false},
		{"name", false, false, false, false},
		{"continent", false, false, true, false},
		{"meta", false, false, false, true},
		{"tags", false, false, false, false},
		{"country_id", false, false, false, false},
		{"created_at", false, true, false, false},
		{"updated_at", false, true, true, false},
	}
	if len(tb.Columns) != len(want) {
		var names []string
		for _, c := range tb.Columns {
			names = append(names, c.Name)
		}
		t.Fatalf("columns %v", names)
	}
	for i, w := range want {
		c := tb.Columns[i]
		got := col{c.Name, c.PK, c.ReadOnly, c.OmitEmpty, c.JSON}
		if got != w {
			t.Errorf("column %d: %+v, want %+v", i, got, w)
		}
		if c.Position != i || c.Table != tb {
			t.Errorf("column %s: position %d table %p", c.Name, c.Position, c.Table)
		}
	}
	var writable []string
	for _, c := range tb.Writable {
		writable = append(writable, c.Name)
	}
	if strings.Join(writable, ",") != "name,continent,meta,tags,country_id" {
		t.Errorf("writable %v", writable)
	}
	if len(tb.PrimaryKey) != 1 || tb.PrimaryKey[0].Name != "id" {
		t.Errorf("primary key %v", tb.PrimaryKey)
	}
	// promoted field: index path and offset
	ca, _ := tb.Column("created_at")
	f := reflect.TypeFor[Country]().FieldByIndex(ca.Index)
	if f.Name != "CreatedAt" || ca.Offset != unsafe.Offsetof(Country{}.Timestamps)+unsafe.Offsetof(Timestamps{}.CreatedAt) {
		t.Errorf("created_at index %v offset %d", ca.Index, ca.Offset)
	}
	if len(tb.Relations) != 2 {
		t.Fatalf("relations %d", len(tb.Relations))
	}
	cities, capital := tb.Relations[0], tb.Relations[1]
	if cities.Name != "cities" || cities.Key() != "cities" || cities.Cardinality != schema.ToMany || cities.Pointer || cities.Target.Name != "cities" {
		t.Errorf("cities %+v", cities)
	}
	if capital.Name != "cities" || capital.Alias != "capital" || capital.Key() != "capital" || capital.Hint != "countries_capital_fkey" ||
		capital.Cardinality != schema.ToOne || !capital.Pointer {
		t.Errorf("capital %+v", capital)
	}
	if r, ok := tb.Relation("capital"); !ok || r != capital {
		t.Errorf("Relation(capital)")
	}
	city := cities.Target
	back := city.Relations[0]
	if !back.Inner || back.Target != tb {
		t.Errorf("back reference %+v", back)
	}
	d := city.Relations[1]
	if d.Cardinality != schema.ToMany || !d.Pointer || d.Target.Name != "" {
		t.Errorf("districts %+v", d)
	}
	if pk := d.Target.PrimaryKey; len(pk) != 2 || pk[0].Name != "org_id" || pk[1].Name != "code" {
		t.Errorf("composite key %v", pk)
	}
	again, _ := schema.TypeOf(reflect.TypeFor[Country]())
	if again != tb {
		t.Error("metadata not cached")
	}
	if v := tb.WithName("countries_view"); v.Name != "countries_view" || tb.Name != "countries" || v.Columns[0] != tb.Columns[0] {
		t.Error("WithName")
	}
}

type (
	dupCol struct {
		A string `db:"x"`
		B string `db:"x"`
	}
	unknownOpt struct {
		A string `db:"a,primary"`
	}
	chanField struct {
		C chan int
	}
	funcField struct {
		F func() `db:"f"`
	}
	structNoTag struct {
		M Meta
	}
	mapNoJSON struct {
		M map[string]any `db:"m"`
	}
	relOnInt struct {
		R int `db:"r,rel"`
	}
	relWithPK struct {
		R []District `db:"r,rel,pk"`
	}
	hintNoRel struct {
		A string `db:"a,!fk"`
	}
	emptyOpt struct {
		A string `db:"a,,pk"`
	}
	unexportedTagged struct {
		a string `db:"a"` //nolint:unused
	}
	embeddedPtr struct {
		*Timestamps
	}
	zeroSize struct {
		Z struct{} `db:"z"`
	}
	dupRel struct {
		A []District `db:"districts,rel"`
		B []District `db:"districts,rel"`
	}
	innerLeft struct {
		A []District `db:"d,rel,!inner,!left"`
	}
	badAlias struct {
		A []District `db:"d,rel,as=a-b"`
	}
	complexField struct {
		C complex128 `db:"c"`
	}
	relColCollide struct {
		D string     `db:"d"`
		R []District `db:"d,rel"`
	}
	badTarget struct {
		R []chanField `db:"r,rel"`
	}
	ptrPtr struct {
		P **string `db:"p"`
	}
	sliceOfStruct struct {
		S []Meta `db:"s"`
	}
)

func TestTagErrors(t *testing.T) {
	tests := []struct {
		name      string
		typ       reflect.Type
		wantType  string
		wantField string
		wantMsg   string
	}{
		{"duplicate column", reflect.TypeFor[dupCol](), "dupCol", "B", `duplicate column "x"`},
		{"unknown option", reflect.TypeFor[unknownOpt](), "unknownOpt", "A", `unknown option "primary"`},
		{"chan", reflect.TypeFor[chanField](), "chanField", "C", "unsupported field type chan int"},
		{"func", reflect.TypeFor[funcField](), "funcField", "F", "unsupported field type func()"},
		{"struct without tag", reflect.TypeFor[structNoTag](), "structNoTag", "M", "needs db:\"name,json\""},
		{"map without json", reflect.TypeFor[mapNoJSON](), "mapNoJSON", "M", "needs db:\"name,json\""},
		{"rel on int", reflect.TypeFor[relOnInt](), "relOnInt", "R", "a relation must be a struct"},
		{"rel with pk", reflect.TypeFor[relWithPK](), "relWithPK", "R", "a relation takes only"},
		{"hint without rel", reflect.TypeFor[hintNoRel](), "hintNoRel", "A", `option "!fk" needs rel`},
		{"empty option", reflect.TypeFor[emptyOpt](), "emptyOpt", "A", "empty option"},
		{"unexported tagged", reflect.TypeFor[unexportedTagged](), "unexportedTagged", "a", "unexported field has a db tag"},
		{"embedded pointer", reflect.TypeFor[embeddedPtr](), "embeddedPtr", "Timestamps", "embedded struct pointers"},
		{"zero size", reflect.TypeFor[zeroSize](), "zeroSize", "Z", ""},
		{"duplicate relation", reflect.TypeFor[dupRel](), "dupRel", "B", `duplicate relation "districts"`},
		{"inner and left", reflect.TypeFor[innerLeft](), "innerLeft", "A", "!inner and !left"},
		{"bad alias", reflect.TypeFor[badAlias](), "badAlias", "A", "invalid alias"},
		{"complex", reflect.TypeFor[complexField](), "complexField", "C", "unsupported field type complex128"},
		{"relation collides with column", reflect.TypeFor[relColCollide](), "relColCollide", "R", "collides with column"},
		{"bad relation target", reflect.TypeFor[badTarget](), "chanField", "C", "unsupported field type chan int"},
		{"pointer to pointer", reflect.TypeFor[ptrPtr](), "ptrPtr", "P", "pointer to pointer"},
		{"slice of struct", reflect.TypeFor[sliceOfStruct](), "sliceOfStruct", "S", "needs db:\"name,rel\""},
		{"not a struct", reflect.TypeFor[int](), "int", "-", "not a struct type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := schema.TypeOf(tt.typ)
			if err == nil {
				t.Fatalf("no error, table %v", tb)
			}
			if !errors.Is(err, schema.ErrBadTag) {
				t.Errorf("not ErrBadTag: %v", err)
			}
			var te *schema.TagError
			if !errors.As(err, &te) {
				t.Fatalf("not a *TagError: %T %v", err, err)
			}
			if te.Type.Name() != tt.wantType || te.Field != tt.wantField {
				t.Errorf("type %v field %s, want %s.%s", te.Type, te.Field, tt.wantType, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantType+"."+tt.wantField) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q lacks %s.%s / %q", err, tt.wantType, tt.wantField, tt.wantMsg)
			}
			// cached: the same error again
			if _, err2 := schema.TypeOf(tt.typ); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second call: %v", err2)
			}
		})
	}
}

func TestColumnOf(t *testing.T) {
	c := schema.Cols[Country]()
	if c != schema.Cols[Country]() {
		t.Fatal("sentinel not unique")
	}
	tests := []struct {
		name    string
		resolve func() (*schema.Column, error)
		want    string
		wantErr error
	}{
		{"first field", func() (*schema.Column, error) { return schema.ColumnOf(&c.ID) }, "id", nil},
		{"pointer field", func() (*schema.Column, error) { return schema.ColumnOf(&c.Continent) }, "continent", nil},
		{"json column", func() (*schema.Column, error) { return schema.ColumnOf(&c.Meta) }, "meta", nil},
		{"untagged", func() (*schema.Column, error) { return schema.ColumnOf(&c.CountryID) }, "country_id", nil},
		{"promoted", func() (*schema.Column, error) { return schema.ColumnOf(&c.UpdatedAt) }, "updated_at", nil},
		{"promoted first", func() (*schema.Column, error) { return schema.ColumnOf(&c.CreatedAt) }, "created_at", nil},
		{"relation", func() (*schema.Column, error) { return schema.ColumnOf(&c.Cities) }, "", schema.ErrNotColumn},
		{"nested json field at offset 0 of the column", func() (*schema.Column, error) { return schema.ColumnOf(&c.Meta.Street) }, "", schema.ErrNotColumn},
		{"nested json field", func() (*schema.Column, error) { return schema.ColumnOf(&c.Meta.City) }, "", schema.ErrNotColumn},
		{"embedded struct itself", func() (*schema.Column, error) { return schema.ColumnOf(&c.Timestamps) }, "", schema.ErrNotColumn},
		{"skipped field", func() (*schema.Column, error) { return schema.ColumnOf(&c.Skipped) }, "", schema.ErrNotColumn},
		{"not a sentinel", func() (*schema.Column, error) { return schema.ColumnOf(new(string)) }, "", schema.ErrUnknownPointer},
		{"copy of the sentinel", func() (*schema.Column, error) { cp := *c; return schema.ColumnOf(&cp.Name) }, "", schema.ErrUnknownPointer},
		{"nil", func() (*schema.Column, error) { return schema.ColumnOf[string](nil) }, "", schema.ErrUnknownPointer},
		{"wrong type at a column offset", func() (*schema.Column, error) {
			return schema.ColumnOf((*uint64)(unsafe.Pointer(&c.ID)))
		}, "", schema.ErrNotColumn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col, err := tt.resolve()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				var pe *schema.PointerError
				if !errors.As(err, &pe) {
					t.Fatalf("not a *PointerError: %T", err)
				}
				if tt.wantErr == schema.ErrNotColumn && !strings.Contains(err.Error(), "Country") {
					t.Errorf("message does not name the type: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if col.Name != tt.want || col.Table.Type != reflect.TypeFor[Country]() {
				t.Errorf("column %s of %v, want %s", col.Name, col.Table.Type, tt.want)
			}
		})
	}
}

func TestRelationOfAndResolve(t *testing.T) {
	c := schema.Cols[Country]()
	r, err := schema.RelationOf(&c.Capital)
	if err != nil || r.Key() != "capital" {
		t.Fatalf("RelationOf: %v %v", r, err)
	}
	if _, err := schema.RelationOf(&c.Name); !errors.Is(err, schema.ErrNotRelation) {
		t.Errorf("RelationOf(column): %v", err)
	}
	if _, err := schema.RelationOf(&c.Meta.City); !errors.Is(err, schema.ErrNotRelation) {
		t.Errorf("RelationOf(nested): %v", err)
	}
	city := schema.Cols[City]()
	f, err := schema.Resolve(&city.Name)
	if err != nil || f.Column == nil || f.Column.Name != "name" || f.Table.Name != "cities" {
		t.Errorf("Resolve(&city.Name): %+v %v", f, err)
	}
	f, err = schema.Resolve(&city.Districts)
	if err != nil || f.Relation == nil || f.Relation.Name != "districts" {
		t.Errorf("Resolve(&city.Districts): %+v %v", f, err)
	}
	for _, bad := range []any{nil, 3, "x", (*int)(nil), new(int)} {
		if _, err := schema.Resolve(bad); !errors.Is(err, schema.ErrUnknownPointer) {
			t.Errorf("Resolve(%T): %v", bad, err)
		}
	}
}

func TestColumnNames(t *testing.T) {
	c := schema.Cols[Country]()
	names, err := schema.ColumnNames(&c.Name, &c.ID, &c.CreatedAt)
	if err != nil || strings.Join(names, ",") != "name,id,created_at" {
		t.Errorf("%v %v", names, err)
	}
	if _, err := schema.ColumnNames(&c.Name, &c.Cities); !errors.Is(err, schema.ErrNotColumn) {
		t.Errorf("relation accepted: %v", err)
	}
	if _, err := schema.ColumnNames(c.Name); !errors.Is(err, schema.ErrUnknownPointer) {
		t.Errorf("value accepted: %v", err)
	}
}

func TestColsOfBadType(t *testing.T) {
	d := schema.Cols[dupCol]()
	_, err := schema.ColumnOf(&d.A)
	if !errors.Is(err, schema.ErrBadTag) || !strings.Contains(err.Error(), "dupCol.B") {
		t.Fatalf("want the tag error through the sentinel, got %v", err)
	}
	z := schema.Cols[struct{}]()
	if _, err := schema.ColumnOf(z); err == nil {
		t.Error("zero-size sentinel resolved")
	}
}

type Message struct {
	ID   int64 `db:"id"`
	From *User `db:"sender_id,rel,as=from"`
	To   *User `db:"users,rel,!receiver_fkey,as=to"`
}

type User struct {
	ID   int64 `db:"id"`
	Name string
}

func TestEmbedPath(t *testing.T) {
	country, _ := schema.Of[Country]()
	city, _ := schema.Of[City]()
	msg, err := schema.Of[Message]()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		from    *schema.Table
		target  reflect.Type
		want    string
		wantErr bool
	}{
		{"direct, two relations to City", country, reflect.TypeFor[City](), "", true},
		{"nested", country, reflect.TypeFor[District](), "", true}, // via cities and capital
		{"from city", city, reflect.TypeFor[District](), "districts", false},
		{"back reference", city, reflect.TypeFor[Country](), "countries", false},
		{"ambiguous", msg, reflect.TypeFor[User](), "", true},
		{"not embedded", msg, reflect.TypeFor[City](), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, rels, err := tt.from.EmbedPath(tt.target)
			if tt.wantErr {
				if !errors.Is(err, schema.ErrNoPath) {
					t.Fatalf("err %v, path %q", err, p)
				}
				return
			}
			if err != nil || p != tt.want || rels[len(rels)-1].Target.Type != tt.target {
				t.Fatalf("path %q %v, want %q", p, err, tt.want)
			}
		})
	}
}

type Root struct {
	ID   int64 `db:"id"`
	Mids []Mid `db:"mids,rel"`
}
type Mid struct {
	ID    int64  `db:"id"`
	Leafs []Leaf `db:"leafs,rel,as=l"`
	Root  *Root  `db:"roots,rel"`
}
type Leaf struct {
	ID int64 `db:"id"`
}

func TestEmbedPathNested(t *testing.T) {
	r, _ := schema.Of[Root]()
	p, rels, err := r.EmbedPath(reflect.TypeFor[Leaf]())
	if err != nil || p != "mids.l" || len(rels) != 2 {
		t.Fatalf("path %q %v", p, err)
	}
	p2, _, _ := r.EmbedPath(reflect.TypeFor[Leaf]())
	if p2 != p {
		t.Error("cache")
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "CountryID": "country_id", "HTTPServer": "http_server", "FullName": "full_name",
		"Address2": "address2", "A": "a", "already_snake": "already_snake", "UserIDs": "user_ids", "URLPath": "url_path",
	} {
		if got := schema.SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// Distinct types built and resolved concurrently (run with -race).
type (
	conc1 struct{ A, B string }
	conc2 struct{ A, B int64 }
	conc3 struct {
		A string
		R []conc1 `db:"r,rel"`
	}
)

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				switch i % 3 {
				case 0:
					c := schema.Cols[conc1]()
					if col, err := schema.ColumnOf(&c.B); err != nil || col.Name != "b" {
						t.Errorf("conc1: %v %v", col, err)
					}
				case 1:
					c := schema.Cols[conc2]()
					if col, err := schema.ColumnOf(&c.B); err != nil || col.Name != "b" {
						t.Errorf("conc2: %v %v", col, err)
					}
				case 2:
					c := schema.Cols[conc3]()
					if r, err := schema.RelationOf(&c.R); err != nil || r.Target.Type != reflect.TypeFor[conc1]() {
						t.Errorf("conc3: %v %v", r, err)
					}
				}
			}
		}()
	}
	wg.Wait()
}
