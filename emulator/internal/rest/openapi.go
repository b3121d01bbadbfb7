package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// obj is a JSON object that keeps its keys in insertion order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (o *obj) set(k string, v any) { *o = append(*o, kv{k, v}) }

var openAPIMedia = []string{"application/json", "application/vnd.pgrst.object+json;nulls=stripped", "application/vnd.pgrst.object+json", "text/csv"}

// swaggerType maps a PostgreSQL type (format_type output) to a Swagger
// type; "" means any JSON value.
func swaggerType(format string) string {
	if strings.HasSuffix(format, "[]") {
		return "array"
	}
	switch format {
	case "smallint", "integer", "bigint":
		return "integer"
	case "numeric", "real", "double precision":
		return "number"
	case "boolean":
		return "boolean"
	case "json", "jsonb":
		return ""
	}
	return "string"
}

var literalDefault = regexp.MustCompile(`^'((?:[^']|'')*)'::[\w\s."\[\]()]+$`)

// defaultValue renders a column default the way PostgREST's document
// does: literals as JSON values, expressions as their SQL text.
func defaultValue(expr string) any {
	if m := literalDefault.FindStringSubmatch(expr); m != nil {
		return strings.ReplaceAll(m[1], "''", "'")
	}
	switch expr {
	case "true":
		return true
	case "false":
		return false
	}
	if n, err := strconv.ParseFloat(expr, 64); err == nil {
		return json.Number(strconv.FormatFloat(n, 'f', -1, 64))
	}
	return expr
}

func property(format string, c *Column) obj {
	var p obj
	if c != nil && c.Default != "" && !c.Identity && !c.Generated {
		p.set("default", defaultValue(c.Default))
	}
	if c != nil && c.Comment != "" {
		p.set("description", c.Comment)
	}
	if c != nil && len(c.Enum) > 0 {
		p.set("enum", c.Enum)
	}
	p.set("format", format)
	if c != nil && c.MaxLength > 0 {
		p.set("maxLength", c.MaxLength)
	}
	if t := swaggerType(format); t != "" {
		if t == "array" {
			var items obj
			if et := swaggerType(strings.TrimSuffix(format, "[]")); et != "" && et != "array" {
				items.set("type", et)
			}
			p.set("items", items)
		}
		p.set("type", t)
	}
	return p
}

type privileges struct {
	sel, ins, upd, del bool
}

// openAPI renders the Swagger 2.0 document PostgREST serves at its root,
// listing what the request's role may use (PostgREST's follow-privileges
// mode).
func (h *Handler) openAPI(ctx context.Context, req *request, host string) (*response, *Error) {
	c := req.cache
	privs := map[uint32]privileges{}
	exec := map[uint32]bool{}
	var schemaComment string
	e := h.run(ctx, req, true, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = $1`, req.schema).Scan(&schemaComment); err != nil && err != pgx.ErrNoRows {
			return err
		}
		rows, err := tx.Query(ctx, `
SELECT c.oid, has_table_privilege(c.oid, 'SELECT'),
  has_table_privilege(c.oid, 'INSERT') AND (c.relkind IN ('r','p') OR pg_relation_is_updatable(c.oid, true) & 8 = 8),
  has_table_privilege(c.oid, 'UPDATE') AND (c.relkind IN ('r','p') OR pg_relation_is_updatable(c.oid, true) & 4 = 4),
  has_table_privilege(c.oid, 'DELETE') AND (c.relkind IN ('r','p') OR pg_relation_is_updatable(c.oid, true) & 16 = 16)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r','v','m','f','p')`, req.schema)
		if err != nil {
			return err
		}
		for rows.Next() {
			var oid uint32
			var p privileges
			if err := rows.Scan(&oid, &p.sel, &p.ins, &p.upd, &p.del); err != nil {
				rows.Close()
				return err
			}
			privs[oid] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND has_function_privilege(p.oid, 'EXECUTE')`, req.schema)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var oid uint32
			if err := rows.Scan(&oid); err != nil {
				return err
			}
			exec[oid] = true
		}
		return rows.Err()
	})
	if e != nil {
		return nil, e
	}

	var tables []*Table
	for k, t := range c.tables {
		if k[0] == req.schema && t.Kind != "c" && (privs[t.OID].sel || privs[t.OID].ins || privs[t.OID].upd || privs[t.OID].del) {
			tables = append(tables, t)
		}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	var fnNames []string
	for k := range c.funcs {
		if k[0] == req.schema {
			fnNames = append(fnNames, k[1])
		}
	}
	sort.Strings(fnNames)

	params := obj{}
	params.set("preferParams", obj{{"name", "Prefer"}, {"description", "Preference"}, {"required", false}, {"enum", []string{"params=single-object"}}, {"in", "header"}, {"type", "string"}})
	params.set("preferReturn", obj{{"name", "Prefer"}, {"description", "Preference"}, {"required", false}, {"enum", []string{"return=representation", "return=minimal", "return=none"}}, {"in", "header"}, {"type", "string"}})
	params.set("preferCount", obj{{"name", "Prefer"}, {"description", "Preference"}, {"required", false}, {"enum", []string{"count=none"}}, {"in", "header"}, {"type", "string"}})
	params.set("preferPost", obj{{"name", "Prefer"}, {"description", "Preference"}, {"required", false}, {"enum", []string{"return=representation", "return=minimal", "return=none", "resolution=ignore-duplicates", "resolution=merge-duplicates"}}, {"in", "header"}, {"type", "string"}})
	params.set("select", obj{{"name", "select"}, {"description", "Filtering Columns"}, {"required", false}, {"in", "query"}, {"type", "string"}})
	params.set("on_conflict", obj{{"name", "on_conflict"}, {"description", "On Conflict"}, {"required", false}, {"in", "query"}, {"type", "string"}})
	params.set("order", obj{{"name", "order"}, {"description", "Ordering"}, {"required", false}, {"in", "query"}, {"type", "string"}})
	params.set("range", obj{{"name", "Range"}, {"description", "Limiting and Pagination"}, {"required", false}, {"in", "header"}, {"type", "string"}})
	params.set("rangeUnit", obj{{"name", "Range-Unit"}, {"description", "Limiting and Pagination"}, {"required", false}, {"default", "items"}, {"in", "header"}, {"type", "string"}})
	params.set("offset", obj{{"name", "offset"}, {"description", "Limiting and Pagination"}, {"required", false}, {"in", "query"}, {"type", "string"}})
	params.set("limit", obj{{"name", "limit"}, {"description", "Limiting and Pagination"}, {"required", false}, {"in", "query"}, {"type", "string"}})

	paths := obj{}
	paths.set("/", obj{{"get", obj{
		{"produces", []string{"application/openapi+json", "application/json"}},
		{"responses", obj{{"200", obj{{"description", "OK"}}}}},
		{"summary", "OpenAPI description (this document)"},
		{"tags", []string{"Introspection"}},
	}}})
	defs := obj{}
	ref := func(name string) obj { return obj{{"$ref", "#/parameters/" + name}} }
	for _, t := range tables {
		p := privs[t.OID]
		fkNotes := map[string]string{}
		for _, fk := range c.fks {
			if fk.From == t && !fk.Derived && len(fk.FromCols) == 1 {
				fkNotes[fk.FromCols[0]] = "This is a Foreign Key to `" + fk.To.Name + "." + fk.ToCols[0] + "`.<fk table='" + fk.To.Name + "' column='" + fk.ToCols[0] + "'/>"
			}
		}
		pk := map[string]bool{}
		for _, k := range t.PK {
			pk[k] = true
		}
		var required []string
		props := obj{}
		var rowFilters []obj
		for _, col := range t.Columns {
			prop := property(col.BaseType, col)
			var notes []string
			if pk[col.Name] {
				notes = append(notes, "This is a Primary Key.<pk/>")
			}
			if n := fkNotes[col.Name]; n != "" {
				notes = append(notes, n)
			}
			if len(notes) > 0 {
				d := "Note:\n" + strings.Join(notes, "\n")
				if col.Comment != "" {
					d = col.Comment + "\n\n" + d
				}
				prop = setKey(prop, "description", d)
			}
			props.set(col.Name, prop)
			if !col.Nullable {
				required = append(required, col.Name)
			}
			fname := "rowFilter." + t.Name + "." + col.Name
			params.set(fname, obj{{"name", col.Name}, {"required", false}, {"format", col.BaseType}, {"in", "query"}, {"type", "string"}})
			rowFilters = append(rowFilters, ref(fname))
		}
		def := obj{}
		if t.Comment != "" {
			def.set("description", t.Comment)
		}
		if len(required) > 0 {
			def.set("required", required)
		}
		def.set("properties", props)
		def.set("type", "object")
		defs.set(t.Name, def)
		params.set("body."+t.Name, obj{{"name", t.Name}, {"description", t.Name}, {"required", false}, {"in", "body"},
			{"schema", obj{{"$ref", "#/definitions/" + t.Name}}}})

		item := obj{}
		tags := []string{t.Name}
		if p.sel {
			ps := append(append([]obj{}, rowFilters...), ref("select"), ref("order"), ref("range"), ref("rangeUnit"), ref("offset"), ref("limit"), ref("preferCount"))
			item.set("get", obj{{"parameters", ps},
				{"responses", obj{{"200", obj{{"description", "OK"}, {"schema", obj{{"items", obj{{"$ref", "#/definitions/" + t.Name}}}, {"type", "array"}}}}}, {"206", obj{{"description", "Partial Content"}}}}},
				{"tags", tags}})
		}
		if p.ins {
			item.set("post", obj{{"parameters", []obj{ref("body." + t.Name), ref("select"), ref("preferPost")}},
				{"responses", obj{{"201", obj{{"description", "Created"}}}}}, {"tags", tags}})
		}
		if p.del {
			item.set("delete", obj{{"parameters", append(append([]obj{}, rowFilters...), ref("preferReturn"))},
				{"responses", obj{{"204", obj{{"description", "No Content"}}}}}, {"tags", tags}})
		}
		if p.upd {
			item.set("patch", obj{{"parameters", append(append(append([]obj{}, rowFilters...), ref("body."+t.Name)), ref("preferReturn"))},
				{"responses", obj{{"204", obj{{"description", "No Content"}}}}}, {"tags", tags}})
		}
		paths.set("/"+t.Name, item)
	}
	for _, name := range fnNames {
		var f *Func
		for _, cand := range c.callable(req.schema, name) {
			if exec[cand.OID] {
				f = cand
				break
			}
		}
		if f == nil {
			continue
		}
		tag := []string{"(rpc) " + f.Name}
		var getParams []obj
		argProps := obj{}
		var required []string
		for _, a := range f.Args {
			getParams = append(getParams, append(property(a.Type, nil), kv{"in", "query"}, kv{"name", a.Name}, kv{"required", !a.HasDefault}))
			argProps.set(a.Name, property(a.Type, nil))
			if !a.HasDefault {
				required = append(required, a.Name)
			}
		}
		schema := obj{{"properties", argProps}}
		if len(required) > 0 {
			schema.set("required", required)
		}
		schema.set("type", "object")
		summary, description, _ := strings.Cut(f.Comment, "\n")
		get := obj{{"parameters", getParams}, {"responses", obj{{"200", obj{{"description", "OK"}}}}}, {"tags", tag}}
		post := obj{{"parameters", []obj{{{"in", "body"}, {"name", "args"}, {"required", true}, {"schema", schema}}, ref("preferParams")}},
			{"produces", openAPIMedia[:3]}, {"responses", obj{{"200", obj{{"description", "OK"}}}}}, {"tags", tag}}
		if summary != "" {
			get.set("summary", strings.TrimSpace(summary))
			post.set("summary", strings.TrimSpace(summary))
		}
		if d := strings.TrimSpace(description); d != "" {
			get.set("description", d)
			post.set("description", d)
		}
		item := obj{}
		if f.Volatile != 'v' {
			item.set("get", get)
		}
		item.set("post", post)
		paths.set("/rpc/"+f.Name, item)
	}

	title, desc := "PostgREST API", "This is a dynamic API generated by PostgREST"
	if schemaComment != "" {
		t, d, _ := strings.Cut(schemaComment, "\n")
		title, desc = strings.TrimSpace(t), strings.TrimSpace(d)
	}
	doc := obj{
		{"swagger", "2.0"},
		{"info", obj{{"description", desc}, {"title", title}, {"version", "14.0"}}},
		{"host", host},
		{"basePath", "/"},
		{"schemes", []string{"http"}},
		{"consumes", openAPIMedia},
		{"produces", openAPIMedia},
		{"paths", paths},
		{"definitions", defs},
		{"parameters", params},
		{"externalDocs", obj{{"description", "PostgREST Documentation"}, {"url", "https://postgrest.org/en/v14/references/api.html"}}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, apiErr(500, "PGRST000", "Could not render the OpenAPI document", nil, nil)
	}
	body := string(b)
	return &response{status: 200, contentType: "application/openapi+json; charset=utf-8", body: &body}, nil
}

func setKey(o obj, k string, v any) obj {
	for i := range o {
		if o[i].k == k {
			o[i].v = v
			return o
		}
	}
	// keep "description" ahead of "format", as PostgREST prints it
	for i := range o {
		if o[i].k > k {
			out := append(obj{}, o[:i]...)
			out = append(out, kv{k, v})
			return append(out, o[i:]...)
		}
	}
	return append(o, kv{k, v})
}
