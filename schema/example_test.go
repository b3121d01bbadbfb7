package schema_test

import (
	"errors"
	"fmt"

	"github.com/supakit/supakit/schema"
)

type Order struct {
	ID       int64       `db:"id,pk,readonly"`
	Customer string      `db:"customer"`
	Status   string      `db:"status,omitempty"`
	Extra    Meta        `db:"extra,json"`
	Lines    []OrderLine `db:"order_lines,rel,as=lines"`
}

func (Order) TableName() string { return "orders" }

type OrderLine struct {
	OrderID int64  `db:"order_id,pk"`
	LineNo  int    `db:"line_no,pk"`
	SKU     string `db:"sku"`
}

func ExampleOf() {
	t, err := schema.Of[Order]()
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Name)
	for _, c := range t.Columns {
		fmt.Println(c.Name, c.PK, c.ReadOnly, c.OmitEmpty, c.JSON)
	}
	r := t.Relations[0]
	fmt.Println(r.Name, r.Key(), r.Cardinality, len(r.Target.PrimaryKey))
	// Output:
	// orders
	// id true true false false
	// customer false false false false
	// status false false true false
	// extra false false false true
	// order_lines lines to-many 2
}

func ExampleCols() {
	o := schema.Cols[Order]()
	col, err := schema.ColumnOf(&o.Customer)
	fmt.Println(col.Name, err)
	rel, err := schema.RelationOf(&o.Lines)
	fmt.Println(rel.Key(), err)
	_, err = schema.ColumnOf(&o.Lines) // a relation, not a column
	fmt.Println(errors.Is(err, schema.ErrNotColumn))
	_, err = schema.ColumnOf(&o.Extra.City) // inside a json column
	fmt.Println(errors.Is(err, schema.ErrNotColumn))
	_, err = schema.ColumnOf(new(string)) // not into a sentinel
	fmt.Println(errors.Is(err, schema.ErrUnknownPointer))
	// Output:
	// customer <nil>
	// lines <nil>
	// true
	// true
	// true
}
