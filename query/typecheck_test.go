package query_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

// TestFilterValuesAreTypeChecked type-checks small programs with go/types:
// a filter value of another type than its column's must not compile.
func TestFilterValuesAreTypeChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks package sources")
	}
	const header = `package p

import (
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

type Country struct {
	ID         int64   ` + "`db:\"id,pk\"`" + `
	Name       string  ` + "`db:\"name\"`" + `
	Population int64   ` + "`db:\"population\"`" + `
	Continent  *string ` + "`db:\"continent\"`" + `
}

var c = schema.Cols[Country]()

`
	tests := []struct {
		name, expr string
		wantErr    string // "" means it must compile
	}{
		{"matching types", `query.Eq(&c.Population, 5)`, ""},
		{"string into int64", `query.Eq(&c.Population, "x")`, "cannot use"},
		{"int into string", `query.Gt(&c.Name, 3)`, "cannot use"},
		{"in list", `query.In(&c.ID, 1, 2, "3")`, "cannot use"},
		{"pointer column takes pointer", `query.Eq(&c.Continent, "Asia")`, "cannot use"},
		{"pointer column nil", `query.Eq(&c.Continent, nil)`, ""},
		{"contains", `query.Contains(&c.Name, 1.5)`, "cannot use"},
		{"not a pointer", `query.Eq(c.Name, "x")`, "does not match"},
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := header + "\nvar _ = " + tt.expr + "\n"
			f, err := parser.ParseFile(fset, "p.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.Error()) }}
			_, _ = conf.Check("p", fset, []*ast.File{f}, nil)
			got := strings.Join(errs, "; ")
			switch {
			case tt.wantErr == "" && got != "":
				t.Errorf("%s does not compile: %s", tt.expr, got)
			case tt.wantErr != "" && !strings.Contains(got, tt.wantErr):
				t.Errorf("%s: errors %q, want one containing %q", tt.expr, got, tt.wantErr)
			}
		})
	}
}
