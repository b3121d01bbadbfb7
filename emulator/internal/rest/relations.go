package rest

import (
	"fmt"
	"sort"
	"strings"
)

type relKind int

const (
	relM2O relKind = iota
	relO2M
	relO2O
	relM2M
	relComputed
)

func (k relKind) String() string {
	switch k {
	case relM2O:
		return "many-to-one"
	case relO2M:
		return "one-to-many"
	case relO2O:
		return "one-to-one"
	case relM2M:
		return "many-to-many"
	}
	return "computed"
}

// relation is one way to embed target into parent.
type relation struct {
	kind   relKind
	target *Table
	// FK-based: parent columns and target columns joined pairwise.
	fk          *FK
	parentCols  []string
	targetCols  []string
	forward     bool // fk.From is the parent
	junction    *Table
	jParentFK   *FK // junction -> parent
	jTargetFK   *FK // junction -> target
	fn          *Func
	toOne       bool
	selfRef     bool
	nameMatched bool
}

func isUnique(t *Table, cols []string) bool {
	for _, u := range t.Uniques {
		if sameSet(u, cols) {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

func subset(a, b []string) bool {
	m := map[string]bool{}
	for _, x := range b {
		m[x] = true
	}
	for _, x := range a {
		if !m[x] {
			return false
		}
	}
	return true
}

// relationsOf lists every relationship from parent to tables of its schema.
func (c *Cache) relationsOf(parent *Table) []*relation {
	var out []*relation
	for _, fk := range c.fks {
		if fk.From == parent && fk.To.Schema == parent.Schema {
			k := relM2O
			if isUnique(fk.From, fk.FromCols) {
				k = relO2O
			}
			out = append(out, &relation{kind: k, target: fk.To, fk: fk, parentCols: fk.FromCols, targetCols: fk.ToCols, forward: true, toOne: true, selfRef: fk.From == fk.To})
		}
		if fk.To == parent && fk.From.Schema == parent.Schema {
			k, one := relO2M, false
			if isUnique(fk.From, fk.FromCols) {
				k, one = relO2O, true
			}
			out = append(out, &relation{kind: k, target: fk.From, fk: fk, parentCols: fk.ToCols, targetCols: fk.FromCols, toOne: one, selfRef: fk.From == fk.To})
		}
	}
	// many-to-many through a junction whose key covers both foreign keys
	for _, j1 := range c.fks {
		if j1.To != parent || len(j1.From.PK) == 0 {
			continue
		}
		for _, j2 := range c.fks {
			if j2 == j1 || j2.From != j1.From || j2.To.Schema != parent.Schema {
				continue
			}
			if j1.From.Kind != "r" && j1.From.Kind != "p" {
				continue
			}
			if !subset(j1.FromCols, j1.From.PK) || !subset(j2.FromCols, j1.From.PK) {
				continue
			}
			out = append(out, &relation{kind: relM2M, target: j2.To, junction: j1.From, jParentFK: j1, jTargetFK: j2})
		}
	}
	return out
}

// computedRels lists functions taking parent's row and returning rows.
func (c *Cache) computedRels(parent *Table, name string) []*relation {
	var out []*relation
	for _, f := range c.funcs[[2]string{parent.Schema, name}] {
		if len(f.Args) != 1 || f.RetTable == nil || f.Args[0].TypeOID == 0 {
			continue
		}
		if !argIsRowOf(f.Args[0], parent) {
			continue
		}
		out = append(out, &relation{kind: relComputed, target: f.RetTable, fn: f, toOne: !f.RetSet || f.Rows == 1})
	}
	return out
}

func argIsRowOf(a Arg, t *Table) bool {
	return a.TypeOID == t.RowType
}

// computedField finds a function f(parent) returning a scalar, usable as a
// column of parent.
func (c *Cache) computedField(parent *Table, name string) *Func {
	for _, f := range c.funcs[[2]string{parent.Schema, name}] {
		if len(f.Args) == 1 && argIsRowOf(f.Args[0], parent) && f.RetTable == nil && !f.RetVoid {
			return f
		}
	}
	return nil
}

func (c *Cache) resolveEmbed(parent *Table, e *Embed) (*relation, *Error) {
	single := func(cols []string, h string) bool { return len(cols) == 1 && cols[0] == h }
	var cands []*relation
	for _, r := range c.relationsOf(parent) {
		fkCol := func(h string) bool { return r.kind != relM2M && single(r.parentCols, h) }
		refCol := func(h string) bool { return r.kind != relM2M && single(r.targetCols, h) }
		cons := func(h string) bool { return r.fk != nil && r.fk.Name == h }
		self := r.selfRef // a self many-to-many is matched like any other
		var ok bool
		switch {
		case self && e.Hint == "":
			// A self reference has one key and two relationships: the
			// table's name gives the one-to-many, the column the many-to-one.
			ok = (r.target.Name == e.Name && r.kind == relO2M) || (fkCol(e.Name) && r.kind == relM2O)
		case self:
			ok = r.target.Name == e.Name && r.kind == relO2M && refCol(e.Hint)
		case e.Hint == "":
			ok = r.target.Name == e.Name || cons(e.Name) || fkCol(e.Name)
		default:
			ok = r.target.Name == e.Name && (cons(e.Hint) || fkCol(e.Hint) || refCol(e.Hint) ||
				(r.junction != nil && r.junction.Name == e.Hint))
		}
		if ok {
			cands = append(cands, r)
		}
	}
	if e.Hint == "" {
		cands = append(cands, c.computedRels(parent, e.Name)...)
	}
	if len(cands) > 1 {
		// A name that is a column or a constraint picks the key itself,
		// not its copies onto views.
		var direct []*relation
		for _, r := range cands {
			if r.target.Name != e.Name && r.fk != nil && !r.fk.Derived {
				direct = append(direct, r)
			}
		}
		if len(direct) > 0 {
			cands = direct
		}
	}
	switch len(cands) {
	case 0:
		details := fmt.Sprintf("Searched for a foreign key relationship between '%s' and '%s' in the schema '%s', but no matches were found.", parent.Name, e.Name, parent.Schema)
		if e.Hint != "" {
			details = fmt.Sprintf("Searched for a foreign key relationship between '%s' and '%s' using the hint '%s' in the schema '%s', but no matches were found.", parent.Name, e.Name, e.Hint, parent.Schema)
		}
		return nil, apiErr(400, "PGRST200", fmt.Sprintf("Could not find a relationship between '%s' and '%s' in the schema cache", parent.Name, e.Name), details, nil)
	case 1:
		return cands[0], nil
	}
	var details []map[string]string
	var hints []string
	for _, r := range cands {
		d := map[string]string{"cardinality": r.kind.String(), "embedding": parent.Name + " with " + r.target.Name}
		switch {
		case r.kind == relM2M:
			d["relationship"] = fmt.Sprintf("%s using %s(%s) and %s(%s)", r.junction.Name, r.jParentFK.Name, strings.Join(r.jParentFK.FromCols, ", "), r.jTargetFK.Name, strings.Join(r.jTargetFK.FromCols, ", "))
			hints = append(hints, fmt.Sprintf("'%s!%s'", e.Name, r.junction.Name))
		case r.fk != nil:
			d["relationship"] = fmt.Sprintf("%s using %s(%s) and %s(%s)", r.fk.Name, parent.Name, strings.Join(r.parentCols, ", "), r.target.Name, strings.Join(r.targetCols, ", "))
			hints = append(hints, fmt.Sprintf("'%s!%s'", e.Name, r.fk.Name))
		default:
			d["relationship"] = r.fn.Name
		}
		details = append(details, d)
	}
	sort.SliceStable(details, func(i, j int) bool { return details[i]["relationship"] < details[j]["relationship"] })
	sort.Strings(hints)
	return nil, apiErr(300, "PGRST201",
		fmt.Sprintf("Could not embed because more than one relationship was found for '%s' and '%s'", parent.Name, e.Name),
		details,
		fmt.Sprintf("Try changing '%s' to one of the following: %s. Find the desired relationship in the 'details' key.", e.Name, strings.Join(hints, ", ")))
}
