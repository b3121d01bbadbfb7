package rest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

func TestReadSQL(t *testing.T) {
	s := newServer(t, rest.Config{MaxRows: 50})
	tests := []struct {
		name     string
		query    string
		contains []string
		args     []any
	}{
		{
			name:     "filters are bound, identifiers quoted, max rows applied",
			query:    "select=id,n:name&name=eq.x&id=in.(1,2)",
			contains: []string{`SELECT "countries"."id" AS "id", "countries"."name" AS "n" FROM "public"."countries"`, `"countries"."name" = $1`, `"countries"."id" = ANY($2)`, "LIMIT 50"},
			args:     []any{"x", `{"1","2"}`},
		},
		{
			name:     "json path keys are parameters",
			query:    "select=data->a->>b&data->>c=like.*z",
			contains: []string{`("countries"."data"->$1::text->>$2::text) AS "b"`, `("countries"."data"->>$3::text) LIKE $4`},
			args:     []any{"a", "b", "c", "%z"},
		},
		{
			name:  "embedding is a lateral join with PostgREST's aliases",
			query: "select=name,cities!inner(name)&cities.name=eq.Rio&cities.order=name.desc&cities.limit=1",
			contains: []string{`INNER JOIN LATERAL (SELECT json_agg("pgrst_row".*) AS "pgrst_body"`, `FROM "public"."cities" AS "cities_1"`,
				`"cities_1"."country_id" = "countries"."id"`, `"cities_1"."name" = $1`, `ORDER BY "cities_1"."name" DESC LIMIT 1`, `AS "countries_cities_1" ON "countries_cities_1"."pgrst_n" > 0`},
			args: []any{"Rio"},
		},
		{
			name:     "logic trees and order",
			query:    "or=(id.eq.1,and(name.neq.x,continent.not.is.null))&order=name.desc.nullslast&limit=5&offset=2",
			contains: []string{`("countries"."id" = $1 OR ("countries"."name" <> $2 AND NOT ("countries"."continent" IS NULL)))`, `ORDER BY "countries"."name" DESC NULLS LAST LIMIT 5 OFFSET 2`},
			args:     []any{"1", "x"},
		},
		{
			name:     "aggregates group by the other columns",
			query:    "select=continent,total:population.sum()",
			contains: []string{`sum("countries"."population") AS "total"`, "GROUP BY 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args, err := rest.ReadSQL(s.h, "public", "countries", tt.query)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.contains {
				if !strings.Contains(sql, c) {
					t.Errorf("SQL lacks %s\n%s", c, sql)
				}
			}
			if tt.args != nil && !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args %#v, want %#v", args, tt.args)
			}
		})
	}
}
