package modelgen_test

import (
	"fmt"
	"strings"

	"github.com/supakit/supakit/modelgen"
)

// Generate works on a Database from any source; here one written by hand.
func ExampleGenerate() {
	db := &modelgen.Database{
		Schemas: []string{"public"},
		Tables: []*modelgen.Table{{
			Schema: "public", Name: "countries", Kind: modelgen.KindTable,
			PrimaryKey: []string{"id"},
			Columns: []*modelgen.Column{
				{Name: "id", Type: modelgen.Type{Kind: modelgen.TypeBase, Name: "int8", Display: "bigint"}, Identity: "always"},
				{Name: "name", Type: modelgen.Type{Kind: modelgen.TypeBase, Name: "varchar", Display: "character varying(100)"}},
				{Name: "continent", Type: modelgen.Type{Kind: modelgen.TypeBase, Name: "text", Display: "text"}, Nullable: true},
				{Name: "gdp", Type: modelgen.Type{Kind: modelgen.TypeBase, Name: "numeric", Display: "numeric"}, Nullable: true},
			},
		}},
	}
	files, err := modelgen.Generate(db, modelgen.Config{Package: "models"})
	if err != nil {
		fmt.Println(err)
		return
	}
	src := string(files[0].Content)
	start := strings.Index(src, "type Country struct")
	end := strings.Index(src[start:], "}\n") + start + 2
	fmt.Println(files[0].Name)
	fmt.Print(src[start:end])
	// Output:
	// models.go
	// type Country struct {
	// 	ID        int64            `db:"id,pk,readonly" json:"id"`            // bigint not null, identity always
	// 	Name      string           `db:"name" json:"name" validate:"max=100"` // character varying(100) not null
	// 	Continent *string          `db:"continent" json:"continent"`          // text
	// 	Gdp       *pgtypes.Decimal `db:"gdp" json:"gdp"`                      // numeric
	// }
}
