package schema_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/supakit/supakit/schema"
)

// FuzzTag builds struct types with arbitrary db tags: the metadata is
// either an error naming the field or a column/relation whose name and
// flags are those of the tag.
func FuzzTag(f *testing.F) {
	for _, s := range []string{"name", "name,pk", "id,pk,readonly,omitempty", "d,json", ",pk", "-", "-,", "x,rel",
		"x,rel,!fk,!inner,as=y", "a,,b", "a,pk,pk", "a,as=b", "a,rel,!left,!inner", "ü,omitempty", "a,rel,as="} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, tag string, slice bool) {
		if !strconv.CanBackquote(tag) || strings.ContainsAny(tag, "`\"") {
			return // not expressible as a struct tag literal
		}
		typ := reflect.TypeFor[string]()
		if slice {
			typ = reflect.TypeFor[[]District]()
		}
		st := reflect.StructOf([]reflect.StructField{
			{Name: "F", Type: typ, Tag: reflect.StructTag(`db:"` + tag + `"`)},
			{Name: "G", Type: reflect.TypeFor[int]()},
		})
		if got, ok := st.Field(0).Tag.Lookup("db"); !ok || got != tag {
			return // the tag literal is read differently (escapes)
		}
		tb, err := schema.TypeOf(st)
		if err != nil {
			var te *schema.TagError
			if !errors.As(err, &te) || !errors.Is(err, schema.ErrBadTag) {
				t.Fatalf("tag %q: error %v", tag, err)
			}
			// F's column name may clash with G's default name "g"
			clash := te.Field == "G" && (strings.Contains(te.Reason, "duplicate") || strings.Contains(te.Reason, "collides"))
			if te.Field != "F" && !clash {
				t.Fatalf("tag %q: error names %s: %v", tag, te.Field, err)
			}
			return
		}
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" {
			if len(tb.Columns) != 1 || tb.Columns[0].GoName != "G" {
				t.Fatalf("skipped field kept: %+v", tb.Columns)
			}
			return
		}
		if name == "" {
			name = "f"
		}
		switch {
		case len(tb.Relations) == 1:
			if !slice || tb.Relations[0].Name != name || !strings.Contains(tag, "rel") {
				t.Fatalf("tag %q: relation %+v", tag, tb.Relations[0])
			}
		case len(tb.Columns) == 2:
			c := tb.Columns[0]
			if c.Name != name || c.GoName != "F" || c.PK != strings.Contains(tag, ",pk") || c.JSON != strings.Contains(tag, ",json") {
				t.Fatalf("tag %q: column %+v", tag, c)
			}
		default:
			t.Fatalf("tag %q: %d columns, %d relations", tag, len(tb.Columns), len(tb.Relations))
		}
	})
}
