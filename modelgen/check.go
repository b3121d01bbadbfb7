package modelgen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/supakit/supakit/schema"
)

// model is a struct type mapped to a table, as read from Go source.
type model struct {
	goName  string
	table   string
	columns []modelColumn
	file    string
}

type modelColumn struct {
	name   string // column name
	field  string
	goType string // type expression as written
	opts   []string
}

// Check compares the Go models in dir (every struct with a TableName
// method returning a string literal, generated or written by hand) with
// the models [Generate] makes from db with cfg, and returns each
// difference as one line: a table or column dropped, a column added,
// renamed (a column gone and one of the same type new), retyped, made
// nullable or NOT NULL, or whose tag options (pk, readonly, omitempty,
// json) changed, and enum labels added or removed (for string types whose
// constants are the labels, as generated). Nothing found is a nil slice. The error is for an
// unreadable directory or configuration.
func Check(dir string, db *Database, cfg Config) ([]string, error) {
	have, haveEnums, err := modelsInDir(dir)
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("%w: no models (structs with a TableName method) in %s", ErrConfig, dir)
	}
	cfg.NoFunctions = true
	files, err := Generate(db, cfg)
	if err != nil {
		return nil, err
	}
	want := map[string]*model{}
	wantEnums := enumLabels{}
	fset := token.NewFileSet()
	for _, f := range files {
		ms, es, err := parseSource(fset, f.Name, f.Content)
		if err != nil {
			return nil, fmt.Errorf("modelgen: read generated %s: %w", f.Name, err)
		}
		for _, m := range ms {
			want[m.table] = m
		}
		for k, v := range es {
			wantEnums[k] = append(wantEnums[k], v...)
		}
	}
	var diffs []string
	tables := make([]string, 0, len(have))
	for t := range have {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		h := have[t]
		w := want[t]
		if w == nil {
			diffs = append(diffs, fmt.Sprintf("table %s (%s in %s): not in the database (dropped, renamed or excluded)", t, h.goName, h.file))
			continue
		}
		diffs = append(diffs, compareModel(h, w)...)
	}
	var extra []string
	for t, w := range want {
		if have[t] == nil {
			extra = append(extra, fmt.Sprintf("table %s: in the database, no model (would be %s)", t, w.goName))
		}
	}
	sort.Strings(extra)
	diffs = append(diffs, extra...)
	// enum labels, for the enum types present on both sides
	enumNames := make([]string, 0, len(wantEnums))
	for n := range wantEnums {
		if _, ok := haveEnums[n]; ok {
			enumNames = append(enumNames, n)
		}
	}
	sort.Strings(enumNames)
	for _, n := range enumNames {
		h, w := haveEnums[n], wantEnums[n]
		for _, l := range h {
			if !slices.Contains(w, l) {
				diffs = append(diffs, fmt.Sprintf("enum %s: label %q not in the database", n, l))
			}
		}
		for _, l := range w {
			if !slices.Contains(h, l) {
				diffs = append(diffs, fmt.Sprintf("enum %s: label %q in the database, not in the model", n, l))
			}
		}
	}
	return diffs, nil
}

func compareModel(h, w *model) []string {
	var out []string
	prefix := "table " + h.table + ": column "
	wantBy := map[string]modelColumn{}
	for _, c := range w.columns {
		wantBy[c.name] = c
	}
	haveBy := map[string]modelColumn{}
	for _, c := range h.columns {
		haveBy[c.name] = c
	}
	var added []modelColumn
	for _, c := range w.columns {
		if _, ok := haveBy[c.name]; !ok {
			added = append(added, c)
		}
	}
	usedAdded := map[string]bool{}
	for _, c := range h.columns {
		wc, ok := wantBy[c.name]
		if !ok {
			msg := prefix + c.name + " (" + h.goName + "." + c.field + "): not in the database"
			for _, a := range added {
				if !usedAdded[a.name] && baseType(a.goType) == baseType(c.goType) {
					usedAdded[a.name] = true
					msg += " (renamed to " + a.name + "?)"
					break
				}
			}
			out = append(out, msg)
			continue
		}
		if c.goType != wc.goType {
			switch {
			case "*"+c.goType == wc.goType:
				out = append(out, fmt.Sprintf("%s%s: made nullable (model %s, database %s)", prefix, c.name, c.goType, wc.goType))
			case c.goType == "*"+wc.goType:
				out = append(out, fmt.Sprintf("%s%s: made NOT NULL or given a default (model %s, database %s)", prefix, c.name, c.goType, wc.goType))
			default:
				out = append(out, fmt.Sprintf("%s%s: retyped (model %s, database %s)", prefix, c.name, c.goType, wc.goType))
			}
		}
		if !slices.Equal(c.opts, wc.opts) {
			out = append(out, fmt.Sprintf("%s%s: tag options [%s] in the model, [%s] from the database", prefix, c.name,
				strings.Join(c.opts, ","), strings.Join(wc.opts, ",")))
		}
	}
	for _, a := range added {
		out = append(out, fmt.Sprintf("%s%s: in the database, not in the model (%s %s)", prefix, a.name, a.field, a.goType))
	}
	return out
}

func baseType(s string) string { return strings.TrimLeft(s, "*") }

func modelsInDir(dir string) (map[string]*model, enumLabels, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: models folder: %v", ErrConfig, err)
	}
	fset := token.NewFileSet()
	out := map[string]*model{}
	enums := enumLabels{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		ms, es, err := parseSource(fset, n, src)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: parse %s: %v", ErrConfig, n, err)
		}
		for _, m := range ms {
			out[m.table] = m
		}
		for k, v := range es {
			enums[k] = append(enums[k], v...)
		}
	}
	return out, enums, nil
}

// modelsInSource finds the structs of a file that have a TableName method
// returning a string literal, and their db-tagged columns.
func modelsInSource(fset *token.FileSet, name string, src []byte) ([]*model, error) {
	ms, _, err := parseSource(fset, name, src)
	return ms, err
}

// enumLabels are the string constants of each named type of a file:
// type name -> labels.
type enumLabels map[string][]string

// parseSource reads the models and the string constants of named types
// (enum labels) of a file.
func parseSource(fset *token.FileSet, name string, src []byte) ([]*model, enumLabels, error) {
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	enums := enumLabels{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, sp := range gd.Specs {
			vs, ok := sp.(*ast.ValueSpec)
			if !ok || vs.Type == nil || len(vs.Values) != len(vs.Names) {
				continue
			}
			id, ok := vs.Type.(*ast.Ident)
			if !ok {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						enums[id.Name] = append(enums[id.Name], s)
					}
				}
			}
		}
	}
	tableOf := map[string]string{}
	structs := map[string]*ast.StructType{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Name != "TableName" || d.Recv == nil || len(d.Recv.List) != 1 || d.Body == nil || len(d.Body.List) != 1 {
				continue
			}
			recv := types.ExprString(d.Recv.List[0].Type)
			recv = strings.TrimPrefix(recv, "*")
			ret, ok := d.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			lit, ok := ret.Results[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			if v, err := strconv.Unquote(lit.Value); err == nil {
				tableOf[recv] = v
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[ts.Name.Name] = st
					}
				}
			}
		}
	}
	var out []*model
	for goName, table := range tableOf {
		st := structs[goName]
		if st == nil {
			continue
		}
		m := &model{goName: goName, table: table, file: name}
		for _, fld := range st.Fields.List {
			if len(fld.Names) == 0 {
				continue // embedded structs: not followed
			}
			tag := ""
			if fld.Tag != nil {
				if v, err := strconv.Unquote(fld.Tag.Value); err == nil {
					tag = reflect.StructTag(v).Get("db")
				}
			}
			if tag == "-" {
				continue
			}
			parts := strings.Split(tag, ",")
			if slices.Contains(parts[1:], "rel") {
				continue
			}
			for _, n := range fld.Names {
				if !n.IsExported() {
					continue
				}
				col := parts[0]
				if col == "" {
					col = schema.SnakeCase(n.Name)
				}
				opts := slices.Clone(parts[1:])
				sort.Strings(opts)
				m.columns = append(m.columns, modelColumn{name: col, field: n.Name, goType: types.ExprString(fld.Type), opts: opts})
			}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table < out[j].table })
	return out, enums, nil
}
