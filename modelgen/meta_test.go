package modelgen_test

import (
	"errors"
	"testing"

	"github.com/supakit/supakit/modelgen/internal/testmodels"
	"github.com/supakit/supakit/modelgen/pgtypes"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

// TestGeneratedMetadataMatchesReflection proves that the metadata the
// generator wrote (from the database) equals what package schema derives
// from the generated tags by reflection, for every model.
func TestGeneratedMetadataMatchesReflection(t *testing.T) {
	if err := testmodels.VerifyModels(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDetectsMismatch makes sure the comparison can fail.
func TestVerifyDetectsMismatch(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *pgtypes.Table)
	}{
		{"table name", func(m *pgtypes.Table) { m.Name = "nations" }},
		{"column name", func(m *pgtypes.Table) { m.Columns[1].Name = "title" }},
		{"pk", func(m *pgtypes.Table) { m.Columns[0].PK = false }},
		{"readonly", func(m *pgtypes.Table) { m.Columns[0].ReadOnly = false }},
		{"omitempty", func(m *pgtypes.Table) { m.Columns[5].OmitEmpty = false }},
		{"nullable not a pointer", func(m *pgtypes.Table) { m.Columns[1].Nullable = true }},
		{"missing column", func(m *pgtypes.Table) { m.Columns = m.Columns[:3] }},
		{"relation", func(m *pgtypes.Table) { m.Relations[0].Many = false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testmodels.CountryMeta
			m.Columns = append([]pgtypes.Column(nil), m.Columns...)
			m.Relations = append([]pgtypes.Relation(nil), m.Relations...)
			tc.mutate(&m)
			err := pgtypes.Verify[testmodels.Country](m)
			if !errors.Is(err, pgtypes.ErrMismatch) {
				t.Fatalf("Verify = %v, want ErrMismatch", err)
			}
		})
	}
}

// TestDescriptorsResolve checks that every descriptor is a field pointer
// that schema resolves to the column of the same name, and that query
// accepts it in place of &c.Field.
func TestDescriptorsResolve(t *testing.T) {
	c := testmodels.UserCols
	for _, tc := range []struct {
		ptr  any
		want string
	}{
		{c.ID, "id"}, {c.Email, "email"}, {c.DisplayName, "display_name"}, {c.Mood, "mood"},
		{c.Tags, "tags"}, {c.Home, "home"}, {c.Balance, "balance"}, {c.Active, "active"},
		{c.EmailDomain, "email_domain"},
	} {
		f, err := schema.Resolve(tc.ptr)
		if err != nil {
			t.Fatalf("%s: %v", tc.want, err)
		}
		if f.Column == nil || f.Column.Name != tc.want {
			t.Fatalf("descriptor resolves to %+v, want column %s", f, tc.want)
		}
	}
	tbl, err := schema.Of[testmodels.User]()
	if err != nil {
		t.Fatal(err)
	}
	q := query.From(tbl).Select(c.ID).Where(query.Eq(c.DisplayName, nil), query.Eq(c.Active, new(true)), query.ILike(c.Email, "%@x.org"))
	req, err := q.Read()
	if err != nil {
		t.Fatal(err)
	}
	got := req.RawQuery
	want := "select=id&display_name=is.null&active=eq.true&email=ilike.%25%40x.org"
	if got != want {
		t.Fatalf("query = %q, want %q", got, want)
	}
}
