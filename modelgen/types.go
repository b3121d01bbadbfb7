package modelgen

import (
	"fmt"
	"strings"
)

// goType is the Go type of a column, argument or result.
type goType struct {
	expr    string   // Go type expression
	imports []string // import paths it needs
	json    bool     // a json column (db tag option json)
	nilable bool     // nil already means NULL (slices, json.RawMessage)
	note    string   // a comment to emit (fallbacks)
	scalar  string   // "bool", "int", "float", "string", "decimal" for default handling
}

const (
	pkgPgtypes = "github.com/supakit/supakit/modelgen/pgtypes"
	pkgUUID    = "github.com/google/uuid"
)

var rawJSON = goType{expr: "json.RawMessage", imports: []string{"encoding/json"}, nilable: true}

// baseTypes is the documented mapping of PostgreSQL base types.
var baseTypes = map[string]goType{
	"bool":        {expr: "bool", scalar: "bool"},
	"int2":        {expr: "int16", scalar: "int"},
	"int4":        {expr: "int32", scalar: "int"},
	"int8":        {expr: "int64", scalar: "int"},
	"oid":         {expr: "uint32", scalar: "int"},
	"xid":         {expr: "uint32", scalar: "int"},
	"cid":         {expr: "uint32", scalar: "int"},
	"xid8":        {expr: "uint64", scalar: "int"},
	"float4":      {expr: "float32", scalar: "float"},
	"float8":      {expr: "float64", scalar: "float"},
	"numeric":     {expr: "pgtypes.Decimal", imports: []string{pkgPgtypes}, scalar: "decimal"},
	"money":       {expr: "string", scalar: "string"},
	"text":        {expr: "string", scalar: "string"},
	"varchar":     {expr: "string", scalar: "string"},
	"bpchar":      {expr: "string", scalar: "string"},
	"char":        {expr: "string", scalar: "string"},
	"name":        {expr: "string", scalar: "string"},
	"citext":      {expr: "string", scalar: "string"},
	"uuid":        {expr: "uuid.UUID", imports: []string{pkgUUID}},
	"timestamptz": {expr: "time.Time", imports: []string{"time"}},
	"timestamp":   {expr: "pgtypes.Timestamp", imports: []string{pkgPgtypes}},
	"date":        {expr: "pgtypes.Date", imports: []string{pkgPgtypes}},
	"time":        {expr: "string", scalar: "string"},
	"timetz":      {expr: "string", scalar: "string"},
	"interval":    {expr: "string", scalar: "string"},
	"json":        {expr: "json.RawMessage", imports: []string{"encoding/json"}, json: true, nilable: true},
	"jsonb":       {expr: "json.RawMessage", imports: []string{"encoding/json"}, json: true, nilable: true},
	"bytea":       {expr: "pgtypes.Bytea", imports: []string{pkgPgtypes}, nilable: true},
	"inet":        {expr: "string", scalar: "string"},
	"cidr":        {expr: "netip.Prefix", imports: []string{"net/netip"}},
	"macaddr":     {expr: "string", scalar: "string"},
	"macaddr8":    {expr: "string", scalar: "string"},
	"tsvector":    {expr: "string", scalar: "string"},
	"tsquery":     {expr: "string", scalar: "string"},
	"xml":         {expr: "string", scalar: "string"},
	"bit":         {expr: "string", scalar: "string"},
	"varbit":      {expr: "string", scalar: "string"},
	"jsonpath":    {expr: "string", scalar: "string"},
	"ltree":       {expr: "string", scalar: "string"},
	"lquery":      {expr: "string", scalar: "string"},
}

// TypeMapping documents the mapping for the README and -help: PostgreSQL
// type, Go type.
func TypeMapping() [][2]string {
	return [][2]string{
		{"boolean", "bool"},
		{"smallint, integer, bigint", "int16, int32, int64"},
		{"real, double precision", "float32, float64"},
		{"numeric, decimal", "pgtypes.Decimal (exact decimal text)"},
		{"text, varchar, char, name, citext, money", "string"},
		{"uuid", "uuid.UUID"},
		{"timestamp with time zone", "time.Time"},
		{"timestamp without time zone", "pgtypes.Timestamp"},
		{"date", "pgtypes.Date"},
		{"time, timetz, interval", "string (PostgreSQL's text form)"},
		{"json, jsonb", "json.RawMessage, or the type given with -json-type or -type"},
		{"bytea", "pgtypes.Bytea"},
		{"inet, macaddr", "string"},
		{"cidr", "netip.Prefix"},
		{"tsvector, tsquery, xml, bit, varbit", "string"},
		{"enum types", "a named string type with one constant per label"},
		{"composite types", "a struct (json column)"},
		{"range types", "pgtypes.Range (the range literal)"},
		{"multirange types", "string"},
		{"arrays", "slices of the element type ([][]T for declared 2-D arrays)"},
		{"anything else", "json.RawMessage, with a comment naming the type"},
		{"nullable columns", "pointers (slices, json.RawMessage and pgtypes.Bytea use nil)"},
	}
}

// mapper maps database types to Go types for one generation.
type mapper struct {
	db        *Database
	cfg       *Config
	enums     map[string]string // schema.name -> Go type
	comps     map[string]string // schema.name -> Go type
	tables    map[string]string // schema.name -> Go type (row types)
	overrides map[string]goType
}

// override parses a -type value: "string", "[]byte", "pkg/path.Type".
func parseOverride(v string) (goType, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return goType{}, fmt.Errorf("%w: empty type override", ErrConfig)
	}
	prefix := ""
	rest := v
	for {
		switch {
		case strings.HasPrefix(rest, "[]"):
			prefix += "[]"
			rest = rest[2:]
			continue
		case strings.HasPrefix(rest, "*"):
			prefix += "*"
			rest = rest[1:]
			continue
		}
		break
	}
	dot := strings.LastIndex(rest, ".")
	slash := strings.LastIndex(rest, "/")
	if dot < 0 || dot < slash {
		if !isGoIdent(rest) {
			return goType{}, fmt.Errorf("%w: type override %q: want a predeclared type or import/path.Type", ErrConfig, v)
		}
		return goType{expr: prefix + rest, nilable: strings.HasPrefix(prefix, "[]") || strings.HasPrefix(prefix, "*")}, nil
	}
	path, name := rest[:dot], rest[dot+1:]
	pkg := path[slash+1:]
	if !isGoIdent(name) || path == "" {
		return goType{}, fmt.Errorf("%w: type override %q: want import/path.Type", ErrConfig, v)
	}
	pkg = strings.NewReplacer("-", "", ".", "").Replace(pkg)
	return goType{expr: prefix + pkg + "." + name, imports: []string{path}, nilable: prefix != ""}, nil
}

func isGoIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// column maps a column of table (schema, table; empty for composites and
// functions).
func (m *mapper) column(schema, table string, c *Column) goType {
	for _, k := range []string{schema + "." + table + "." + c.Name, table + "." + c.Name} {
		if table == "" {
			break
		}
		if o, ok := m.overrides[k]; ok {
			o.json = m.of(c.Type).json
			return o
		}
	}
	return m.of(c.Type)
}

// of maps a type.
func (m *mapper) of(t Type) goType {
	for _, k := range []string{t.Domain, t.Schema + "." + t.Name, t.Name, t.Display} {
		if k == "" || k == "." {
			continue
		}
		if o, ok := m.overrides[k]; ok {
			o.json = t.Kind == TypeComposite || t.Name == "json" || t.Name == "jsonb"
			return o
		}
	}
	switch t.Kind {
	case TypeArray:
		if t.Elem == nil {
			g := rawJSON
			g.note = "array of unknown element type " + t.Display + ": raw JSON"
			return g
		}
		e := m.of(*t.Elem)
		g := e
		g.expr = strings.Repeat("[]", max(t.Dims, 1)) + e.expr
		g.nilable = true
		g.scalar = ""
		return g
	case TypeEnum:
		if n, ok := m.enums[t.Schema+"."+t.Name]; ok {
			return goType{expr: n}
		}
		return goType{expr: "string", scalar: "string", note: "enum " + t.Schema + "." + t.Name + " is outside the generated schemas"}
	case TypeComposite:
		if n, ok := m.comps[t.Schema+"."+t.Name]; ok {
			return goType{expr: n, json: true}
		}
		if n, ok := m.tables[t.Schema+"."+t.Name]; ok {
			return goType{expr: n, json: true}
		}
		g := rawJSON
		g.json = true
		g.note = "composite type " + t.Schema + "." + t.Name + " is not generated: raw JSON"
		return g
	case TypeRange:
		return goType{expr: "pgtypes.Range", imports: []string{pkgPgtypes}}
	case TypeMulti:
		return goType{expr: "string", scalar: "string"}
	}
	if t.Schema == "pg_catalog" || t.Schema == "" || t.Kind == TypeBase {
		if g, ok := baseTypes[t.Name]; ok {
			return g
		}
	}
	g := rawJSON
	name := t.Display
	if name == "" {
		name = t.Name
	}
	g.note = "unmapped type " + name + ": raw JSON"
	return g
}
