package modelgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// OpenAPIOptions tunes [FromOpenAPI].
type OpenAPIOptions struct {
	// Schemas are read one after the other (Accept-Profile); empty means
	// the server's default schema, reported as "public".
	Schemas []string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// FromOpenAPI reads the schemas from the OpenAPI (Swagger 2.0) document
// PostgREST serves at its root, so it works against a hosted project with
// only its URL and a key. baseURL is the project URL
// (https://x.supabase.co: /rest/v1/ is appended) or, when it has a path,
// the REST root itself. The key is sent as apikey, and as a bearer token
// unless it is a new-format key (sb_…); use the service-role key to see
// every table.
//
// The document says less than the catalog: column types, nullability
// (required), defaults, primary keys and single-column foreign keys,
// enum labels and function arguments. It does not say identity or
// generated columns, composite type attributes, unique keys or function
// results; those are generated as plain writable columns, raw JSON and
// json.RawMessage results. Errors match [ErrUnreachable], [ErrAuth],
// [ErrUnknownSchema] or [ErrSource]; they never show the key.
func FromOpenAPI(ctx context.Context, baseURL, key string, o OpenAPIOptions) (*Database, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: REST URL %q: want http(s)://host[/path]", ErrConfig, redactURL(baseURL))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/rest/v1/"
	} else if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	schemas := o.Schemas
	header := true
	if len(schemas) == 0 {
		schemas, header = []string{"public"}, false
	}
	db := &Database{Schemas: schemas}
	for _, s := range schemas {
		doc, err := fetchOpenAPI(ctx, hc, u.String(), key, s, header)
		if err != nil {
			return nil, err
		}
		if err := doc.fill(db, s); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(db.Tables, func(i, j int) bool {
		a, b := db.Tables[i], db.Tables[j]
		return a.Schema < b.Schema || a.Schema == b.Schema && a.Name < b.Name
	})
	sort.SliceStable(db.Enums, func(i, j int) bool {
		a, b := db.Enums[i], db.Enums[j]
		return a.Schema < b.Schema || a.Schema == b.Schema && a.Name < b.Name
	})
	sort.SliceStable(db.Functions, func(i, j int) bool {
		a, b := db.Functions[i], db.Functions[j]
		return a.Schema < b.Schema || a.Schema == b.Schema && a.Name < b.Name
	})
	return db, nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparsable URL>"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

func fetchOpenAPI(ctx context.Context, hc *http.Client, root, key, schema string, profile bool) (*swagger, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, root, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	req.Header.Set("Accept", "application/openapi+json, application/json")
	if key != "" {
		req.Header.Set("apikey", key)
		if !strings.HasPrefix(key, "sb_") {
			req.Header.Set("Authorization", "Bearer "+key)
		}
	}
	if profile {
		req.Header.Set("Accept-Profile", schema)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("modelgen: GET %s: %w", redactURL(root), ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnreachable, redactURL(root), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnreachable, redactURL(root), err)
	}
	if resp.StatusCode != http.StatusOK {
		var pe struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &pe)
		msg := pe.Message
		if msg == "" {
			msg = strings.TrimSpace(string(body))
			if len(msg) > 200 {
				msg = msg[:200] + "..."
			}
		}
		if key != "" {
			msg = strings.ReplaceAll(msg, key, "<key>")
		}
		where := fmt.Sprintf("GET %s: %s", redactURL(root), resp.Status)
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return nil, fmt.Errorf("%w: %s: %s", ErrAuth, where, msg)
		case pe.Code == "PGRST106" || resp.StatusCode == http.StatusNotAcceptable && profile:
			return nil, fmt.Errorf("%w: %q: %s: %s", ErrUnknownSchema, schema, where, msg)
		}
		return nil, fmt.Errorf("%w: %s: %s", ErrSource, where, msg)
	}
	var doc swagger
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%w: GET %s: not an OpenAPI document: %v", ErrSource, redactURL(root), err)
	}
	if doc.Swagger == "" && doc.OpenAPI == "" {
		return nil, fmt.Errorf("%w: GET %s: not an OpenAPI document (no swagger field)", ErrSource, redactURL(root))
	}
	return &doc, nil
}

type swagger struct {
	Swagger     string                     `json:"swagger"`
	OpenAPI     string                     `json:"openapi"`
	Paths       map[string]json.RawMessage `json:"paths"`
	Definitions json.RawMessage            `json:"definitions"`
}

type property struct {
	Type        string          `json:"type"`
	Format      string          `json:"format"`
	Description string          `json:"description"`
	Default     json.RawMessage `json:"default"`
	Enum        []string        `json:"enum"`
	MaxLength   int             `json:"maxLength"`
	Items       *property       `json:"items"`
}

type objectSchema struct {
	Description string          `json:"description"`
	Required    []string        `json:"required"`
	Properties  json.RawMessage `json:"properties"`
}

type operation struct {
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Parameters  []struct {
		In     string        `json:"in"`
		Name   string        `json:"name"`
		Schema *objectSchema `json:"schema"`
	} `json:"parameters"`
}

// ordered decodes a JSON object keeping its key order.
func ordered(raw json.RawMessage) ([]string, map[string]json.RawMessage, error) {
	vals := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, vals, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	t, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("want an object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := vals[k]; !dup {
			keys = append(keys, k)
		}
		vals[k] = v
	}
	return keys, vals, nil
}

var (
	pkNote = regexp.MustCompile(`<pk/>`)
	fkNote = regexp.MustCompile(`<fk table='([^']*)' column='([^']*)'/>`)
)

// splitNote separates a column comment from PostgREST's "Note:" suffix.
func splitNote(desc string) string {
	if i := strings.Index(desc, "Note:\nThis is a"); i >= 0 {
		return strings.TrimSpace(desc[:i])
	}
	return strings.TrimSpace(desc)
}

func (doc *swagger) fill(db *Database, schema string) error {
	bad := func(what string, err error) error {
		return fmt.Errorf("%w: OpenAPI document of schema %q: %s: %v", ErrSource, schema, what, err)
	}
	names, defs, err := ordered(doc.Definitions)
	if err != nil {
		return bad("definitions", err)
	}
	enums := map[string]*Enum{}
	for _, name := range names {
		var os objectSchema
		if err := json.Unmarshal(defs[name], &os); err != nil {
			return bad("definition "+name, err)
		}
		t := &Table{Schema: schema, Name: name, Kind: KindTable, Comment: strings.TrimSpace(os.Description)}
		if p, ok := doc.Paths["/"+name]; ok {
			var ops map[string]json.RawMessage
			_ = json.Unmarshal(p, &ops)
			if _, ok := ops["post"]; !ok {
				if _, ok := ops["patch"]; !ok {
					t.Kind = KindView
				}
			}
		}
		required := map[string]bool{}
		for _, r := range os.Required {
			required[r] = true
		}
		cols, props, err := ordered(os.Properties)
		if err != nil {
			return bad("properties of "+name, err)
		}
		for _, cn := range cols {
			var p property
			if err := json.Unmarshal(props[cn], &p); err != nil {
				return bad("property "+name+"."+cn, err)
			}
			c := &Column{Name: cn, Nullable: !required[cn], Comment: splitNote(p.Description)}
			c.Type = formatType(p, schema, enums, db)
			if len(p.Default) > 0 {
				var s string
				if json.Unmarshal(p.Default, &s) == nil {
					c.Default = s
				} else {
					c.Default = string(p.Default)
				}
			}
			if pkNote.MatchString(p.Description) {
				t.PrimaryKey = append(t.PrimaryKey, cn)
			}
			if m := fkNote.FindStringSubmatch(p.Description); m != nil {
				t.ForeignKeys = append(t.ForeignKeys, &ForeignKey{Name: name + "_" + cn + "_fkey", Columns: []string{cn},
					RefSchema: schema, RefTable: m[1], RefColumns: []string{m[2]}})
			}
			t.Columns = append(t.Columns, c)
		}
		db.Tables = append(db.Tables, t)
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		if strings.HasPrefix(p, "/rpc/") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		var ops map[string]operation
		if err := json.Unmarshal(doc.Paths[p], &ops); err != nil {
			return bad("path "+p, err)
		}
		op, ok := ops["post"]
		if !ok {
			op = ops["get"]
		}
		f := &Function{Schema: schema, Name: strings.TrimPrefix(p, "/rpc/"), ReturnsUnknown: true,
			Comment: strings.TrimSpace(strings.TrimSpace(op.Summary + "\n\n" + op.Description))}
		var sigs []string
		for _, prm := range op.Parameters {
			if prm.In != "body" || prm.Schema == nil {
				continue
			}
			req := map[string]bool{}
			for _, r := range prm.Schema.Required {
				req[r] = true
			}
			keys, props, err := ordered(prm.Schema.Properties)
			if err != nil {
				return bad("arguments of "+p, err)
			}
			for _, k := range keys {
				var pp property
				if err := json.Unmarshal(props[k], &pp); err != nil {
					return bad("argument "+k+" of "+p, err)
				}
				typ := formatType(pp, schema, enums, db)
				f.Args = append(f.Args, &Arg{Name: k, Type: typ, HasDefault: !req[k]})
				sigs = append(sigs, k+" "+typ.Display)
			}
		}
		f.Signature = strings.Join(sigs, ", ")
		db.Functions = append(db.Functions, f)
	}
	for _, e := range enums {
		db.Enums = append(db.Enums, e)
	}
	// an enum array's items carry no labels: its element type is known as
	// an enum only from another column
	fix := func(t *Type) {
		for t != nil {
			if t.Kind == TypeComposite && enums[t.Schema+"."+t.Name] != nil {
				t.Kind = TypeEnum
			}
			t = t.Elem
		}
	}
	for _, t := range db.Tables {
		for _, c := range t.Columns {
			fix(&c.Type)
		}
	}
	for _, f := range db.Functions {
		for _, a := range f.Args {
			fix(&a.Type)
		}
	}
	return nil
}

// formatNames maps PostgreSQL's display names to internal type names.
var formatNames = map[string]string{
	"bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
	"character varying": "varchar", "character": "bpchar", "double precision": "float8", "real": "float4",
	"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
	"time without time zone": "time", "time with time zone": "timetz", "bit varying": "varbit",
	"\"char\"": "char",
}

var ranges = map[string]bool{"int4range": true, "int8range": true, "numrange": true, "tsrange": true, "tstzrange": true, "daterange": true}

func formatType(p property, schema string, enums map[string]*Enum, db *Database) Type {
	format := p.Format
	if format == "" {
		format = p.Type
	}
	t := Type{Display: format}
	if strings.HasSuffix(format, "[]") {
		ep := property{Format: strings.TrimSuffix(format, "[]")}
		if p.Items != nil {
			ep.Enum = p.Items.Enum
		}
		e := formatType(ep, schema, enums, db)
		t.Kind, t.Elem, t.Dims = TypeArray, &e, 1
		return t
	}
	name := format
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = strings.TrimSpace(name[:i]) + name[strings.IndexByte(name, ')')+1:]
	}
	if n, ok := formatNames[name]; ok {
		name = n
	}
	if s, n, ok := strings.Cut(name, "."); ok && !strings.Contains(n, " ") {
		t.Schema, t.Name = strings.Trim(s, `"`), strings.Trim(n, `"`)
		if len(p.Enum) > 0 {
			t.Kind = TypeEnum
			key := t.Schema + "." + t.Name
			if enums[key] == nil && t.Schema == schema {
				enums[key] = &Enum{Schema: t.Schema, Name: t.Name, Values: p.Enum}
			}
			return t
		}
		t.Kind = TypeComposite
		return t
	}
	t.Schema, t.Name = "pg_catalog", name
	switch {
	case ranges[name]:
		t.Kind = TypeRange
	case len(p.Enum) > 0 && baseTypes[name].expr == "":
		t.Kind = TypeEnum
	default:
		t.Kind = TypeBase
	}
	return t
}
