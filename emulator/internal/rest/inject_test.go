package rest_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

// TestInjection sends SQL through every position the API reads from the
// request. None may reach the SQL text: the canary table must survive, and
// no answer may be an SQL syntax error, which would mean the input was
// spliced into a statement.
func TestInjection(t *testing.T) {
	s := newServer(t, rest.Config{Schemas: []string{"public"}})
	payloads := []string{
		`x"; drop table canary; --`,
		`x'); drop table canary; --`,
		`1; drop table canary`,
		`") or 1=1; delete from canary; --`,
		`$1; delete from canary`,
		`x\"); delete from canary; --`,
		"x`; delete from canary",
	}
	q := url.QueryEscape
	for _, p := range payloads {
		js, _ := json.Marshal(p)
		calls := map[string]call{
			"select column":     {target: "/countries?select=" + q(p)},
			"select alias":      {target: "/countries?select=" + q(p) + ":id"},
			"select quoted":     {target: "/countries?select=" + q(`"`+strings.ReplaceAll(p, `"`, `\"`)+`"`)},
			"select cast":       {target: "/countries?select=id::" + q(p)},
			"json path":         {target: "/countries?select=data->" + q(p) + "->>" + q(p)},
			"json path filter":  {target: "/countries?data->>" + q(p) + "=eq.1"},
			"embed name":        {target: "/countries?select=" + q(p) + "(*)"},
			"embed hint":        {target: "/countries?select=cities!" + q(p) + "(*)"},
			"filter column":     {target: "/countries?" + q(p) + "=eq.1"},
			"filter operator":   {target: "/countries?id=" + q(p) + ".1"},
			"filter value":      {target: "/countries?name=eq." + q(p)},
			"in values":         {target: "/countries?name=in.(" + q(p) + ",\"" + q(p) + "\")"},
			"like any":          {target: "/countries?name=like(any).{" + q(p) + "}"},
			"fts config":        {target: "/countries?name=fts(" + q(p) + ").x"},
			"fts value":         {target: "/countries?name=fts." + q(p)},
			"contains":          {target: "/countries?tags=cs." + q(p)},
			"or tree":           {target: "/countries?or=(name.eq." + q(p) + ",id.eq.1)"},
			"or tree quoted":    {target: "/countries?or=(name.eq.\"" + q(p) + "\")"},
			"order column":      {target: "/countries?order=" + q(p)},
			"order direction":   {target: "/countries?order=id." + q(p)},
			"limit":             {target: "/countries?limit=" + q(p)},
			"embedded filter":   {target: "/countries?select=cities(*)&cities." + q(p) + "=eq.1"},
			"on_conflict":       {method: "POST", target: "/countries?on_conflict=" + q(p), body: `{"name":"Albania"}`, headers: map[string]string{"Prefer": "resolution=merge-duplicates"}},
			"columns":           {method: "POST", target: "/countries?columns=" + q(p), body: `{"name":"Z"}`},
			"body key":          {method: "POST", target: "/countries", body: `{` + string(js) + `:1}`},
			"body value":        {method: "POST", target: "/countries?select=name", body: `{"name":` + string(js) + `}`, headers: map[string]string{"Prefer": "return=representation, tx=rollback"}},
			"patch value":       {method: "PATCH", target: "/countries?id=eq.1", body: `{"continent":` + string(js) + `}`, headers: map[string]string{"Prefer": "tx=rollback"}},
			"function name":     {method: "POST", target: "/rpc/" + url.PathEscape(p), body: `{}`},
			"function arg name": {method: "POST", target: "/rpc/add_them", body: `{` + string(js) + `:1}`},
			"function arg":      {method: "POST", target: "/rpc/countries_on", body: `{"cont":` + string(js) + `}`},
			"get function arg":  {target: "/rpc/countries_on?cont=" + q(p)},
			"profile":           {target: "/countries", headers: map[string]string{"Accept-Profile": p}},
			"content profile":   {method: "POST", target: "/countries", body: `{"name":"Q"}`, headers: map[string]string{"Content-Profile": p}},
			"prefer":            {target: "/countries", headers: map[string]string{"Prefer": "count=" + p}},
			"range":             {target: "/countries", headers: map[string]string{"Range": p}},
			"plan options":      {target: "/countries", headers: map[string]string{"Accept": `application/vnd.pgrst.plan+json; for="application/json"; options=` + p}},
			"table name":        {target: "/" + url.PathEscape(p)},
			"and tree":          {target: "/countries?and=(name.eq." + q(p) + ",id.eq.1)"},
			"not operator":      {target: "/countries?name=not.eq." + q(p)},
			"nested logic":      {target: "/countries?or=(and(name.eq." + q(p) + ",id.gt.0),not.id.eq." + q(p) + ")"},
			"embedded order":    {target: "/countries?select=id,cities(name)&cities.order=" + q(p)},
			"embedded limit":    {target: "/countries?select=id,cities(name)&cities.limit=" + q(p)},
			"embedded offset":   {target: "/countries?select=id,cities(name)&cities.offset=" + q(p)},
			"embedded or":       {target: "/countries?select=id,cities(name)&cities.or=(name.eq." + q(p) + ")"},
			"spread embed":      {target: "/cities?select=name,..." + q(p) + "(name)"},
			"aggregate":         {target: "/cities?select=" + q(p) + ".count()"},
			"aggregate cast":    {target: "/cities?select=id.sum()::" + q(p)},
			"offset":            {target: "/countries?offset=" + q(p)},
			"timezone":          {target: "/countries", headers: map[string]string{"Prefer": "timezone=" + p}},
			"missing default":   {method: "POST", target: "/countries?columns=name," + q(p), body: `{"name":"M"}`, headers: map[string]string{"Prefer": "missing=default, tx=rollback"}},
			"patch key":         {method: "PATCH", target: "/countries?id=eq.1", body: `{` + string(js) + `:1}`, headers: map[string]string{"Prefer": "tx=rollback"}},
			"csv header":        {method: "POST", target: "/countries", body: p + "\nx", headers: map[string]string{"Content-Type": "text/csv", "Prefer": "tx=rollback"}},
			"csv value":         {method: "POST", target: "/countries?select=name", body: "name\n\"" + strings.ReplaceAll(p, `"`, `""`) + "\"", headers: map[string]string{"Content-Type": "text/csv", "Prefer": "tx=rollback"}},
			"form value":        {method: "POST", target: "/rpc/shout", body: "x=" + q(p), headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			"text body":         {method: "POST", target: "/rpc/shout", body: p, headers: map[string]string{"Content-Type": "text/plain"}},
		}
		for name, c := range calls {
			rec := s.do(c)
			if rec.Code >= 500 && rec.Code != 501 {
				t.Errorf("%s with %q: status %d: %s", name, p, rec.Code, rec.Body.String())
			}
			// 42601 also comes from to_tsquery parsing a bound value; only the
			// SQL parser's own message means the statement text was changed.
			if strings.Contains(rec.Body.String(), `"42601"`) && strings.Contains(rec.Body.String(), "syntax error at") {
				t.Errorf("%s with %q reached SQL as text: %s", name, p, rec.Body.String())
			}
			var n int
			if err := s.pool.QueryRow(context.Background(), "select count(*) from canary").Scan(&n); err != nil || n != 1 {
				t.Fatalf("%s with %q damaged the canary: n=%d err=%v", name, p, n, err)
			}
		}
	}
	// Values come back exactly as sent: they were bound, not interpreted.
	p := payloads[1]
	js, _ := json.Marshal(p)
	rec := s.do(call{method: "POST", target: "/countries?select=name", body: `{"name":` + string(js) + `}`, headers: map[string]string{"Prefer": "return=representation"}})
	jsonEq(t, rec.Body.String(), `[{"name":`+string(js)+`}]`)
	rec = s.do(call{target: "/countries?select=name&name=eq." + url.QueryEscape(p)})
	jsonEq(t, rec.Body.String(), `[{"name":`+string(js)+`}]`)
	rec = s.do(call{target: "/countries?select=name&name=in.(\"" + url.QueryEscape(strings.ReplaceAll(p, `"`, `\"`)) + "\")"})
	jsonEq(t, rec.Body.String(), `[{"name":`+string(js)+`}]`)
}
