package rest

import (
	"fmt"
	"strconv"
	"strings"
)

// quoteIdent quotes an identifier for SQL.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func qualified(schema, name string) string { return quoteIdent(schema) + "." + quoteIdent(name) }

// nodeParams are the filters and modifiers addressed to one resource.
type nodeParams struct {
	filters []Filter
	logic   []*Logic
	order   []OrderTerm
	limit   *int
	offset  *int
	used    bool
}

// node is one resource of a read: the root or an embedded one.
type node struct {
	table  *Table // nil for a scalar function result
	name   string // table (or function) name used in aliases
	qual   string // quoted qualifier for columns
	from   string // FROM clause body
	joins  []string
	conds  []string
	items  []SelectItem
	params *nodeParams
	depth  int
	// set while building
	outputs []output
	hasAgg  bool
	rels    map[string]*relation // embed key -> relation
	lats    map[string]latInfo   // embed key -> its lateral join
}

// latInfo is what filters need to know of an embed's lateral join.
type latInfo struct {
	alias  string
	toOne  bool
	spread bool
}

type output struct {
	expr string
	name string
	agg  bool
	json bool // a json value (needs jsonb to be grouped)
}

type builder struct {
	c      *Cache
	schema string
	args   []any
	params map[string]*nodeParams
}

func (b *builder) param(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

func (b *builder) fieldExpr(n *node, f Field) string {
	expr := n.qual + "." + quoteIdent(f.Name)
	if n.table != nil && n.table.Column(f.Name) == nil && n.table.RowType != 0 {
		if fn := b.c.computedField(n.table, f.Name); fn != nil {
			expr = qualified(fn.Schema, fn.Name) + "(" + n.qual + ".*)"
		}
	}
	if len(f.Path) == 0 {
		return expr
	}
	for _, st := range f.Path {
		op := "->"
		if st.Text {
			op = "->>"
		}
		if isInt(st.Key) {
			expr += op + st.Key
		} else {
			expr += op + b.param(st.Key) + "::text"
		}
	}
	return "(" + expr + ")"
}

func isInt(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func arrayLiteral(items []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(it))
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

var ftsFuncs = map[string]string{"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery", "wfts": "websearch_to_tsquery"}

func (b *builder) filterSQL(n *node, f Filter) (string, error) {
	if l, ok := n.lats[f.Field.Name]; ok && len(f.Field.Path) == 0 && f.Op == "is" && (f.Value == "null" || f.Value == "not_null") {
		// embed=is.null / embed=not.is.null: is the embedded resource empty?
		var c string
		switch {
		case l.toOne && l.spread:
			return "", errUnsupported("null filter on a spread embedded resource")
		case l.toOne:
			c = l.alias + "." + quoteIdent("pgrst_body") + " IS NULL"
		default:
			c = "COALESCE(" + l.alias + "." + quoteIdent("pgrst_n") + ", 0) = 0"
		}
		if (f.Value == "not_null") != f.Not {
			c = "NOT (" + c + ")"
		}
		return c, nil
	}
	lhs := b.fieldExpr(n, f.Field)
	var cond string
	switch f.Op {
	case "is":
		switch f.Value {
		case "null":
			cond = lhs + " IS NULL"
		case "not_null":
			cond = lhs + " IS NOT NULL"
		case "true":
			cond = lhs + " IS TRUE"
		case "false":
			cond = lhs + " IS FALSE"
		default:
			cond = lhs + " IS UNKNOWN"
		}
	case "in":
		cond = lhs + " = ANY(" + b.param(arrayLiteral(f.List)) + ")"
	case "fts", "plfts", "phfts", "wfts":
		fn := ftsFuncs[f.Op]
		q := ""
		cfg := ""
		if f.Config != "" {
			cfg = b.param(f.Config) + "::regconfig, "
		}
		q = fn + "(" + cfg + b.param(f.Value) + ")"
		isVec := true
		if n.table != nil && len(f.Field.Path) == 0 {
			if col := n.table.Column(f.Field.Name); col != nil && col.TypeOID != oidTSVector {
				isVec = false
			}
		}
		if len(f.Field.Path) > 0 {
			isVec = false
		}
		if isVec {
			cond = lhs + " @@ " + q
		} else {
			cond = "to_tsvector(" + cfg + lhs + ") @@ " + q
		}
	default:
		op := operators[f.Op]
		val := f.Value
		if f.Op == "like" || f.Op == "ilike" {
			val = strings.ReplaceAll(val, "*", "%")
		}
		if f.Mod != "" {
			list := f.List
			if f.Op == "like" || f.Op == "ilike" {
				for i := range list {
					list[i] = strings.ReplaceAll(list[i], "*", "%")
				}
			}
			cond = lhs + " " + op + " " + strings.ToUpper(f.Mod) + "(" + b.param(arrayLiteral(list)) + ")"
		} else {
			cond = lhs + " " + op + " " + b.param(val)
		}
	}
	if f.Not {
		return "NOT (" + cond + ")", nil
	}
	return cond, nil
}

func (b *builder) logicSQL(n *node, l *Logic) (string, error) {
	var parts []string
	for _, f := range l.Filters {
		s, err := b.filterSQL(n, f)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	for _, c := range l.Children {
		s, err := b.logicSQL(n, c)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	sep := " AND "
	if l.Or {
		sep = " OR "
	}
	s := "(" + strings.Join(parts, sep) + ")"
	if len(parts) == 0 {
		s = "TRUE"
	}
	if l.Not {
		s = "NOT " + s
	}
	return s, nil
}

func (b *builder) orderSQL(n *node, terms []OrderTerm) (string, error) {
	var parts []string
	for _, t := range terms {
		var s string
		if t.Embed != "" {
			var err error
			if s, err = b.relatedOrder(n, t); err != nil {
				return "", err
			}
		} else {
			s = b.fieldExpr(n, t.Field)
		}
		if t.Desc {
			s += " DESC"
		} else {
			s += " ASC"
		}
		if t.NullsFirst != nil {
			if *t.NullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", "), nil
}

// relatedOrder orders by a column of a to-one embedded resource, read by
// a scalar subquery over the same relationship.
func (b *builder) relatedOrder(n *node, t OrderTerm) (string, error) {
	rel := n.rels[t.Embed]
	if rel == nil {
		return "", apiErr(400, "PGRST108", fmt.Sprintf("'%s' is not an embedded resource in this request", t.Embed), nil,
			fmt.Sprintf("Verify that '%s' is included in the 'select' query parameter.", t.Embed))
	}
	if !rel.toOne {
		return "", apiErr(400, "PGRST118", fmt.Sprintf("A related order on '%s' is not possible", t.Embed), fmt.Sprintf("'%s' and '%s' do not form a many-to-one or one-to-one relationship", n.name, rel.target.Name), nil)
	}
	ord := &node{table: rel.target, name: rel.target.Name, qual: quoteIdent("pgrst_ord_" + strconv.Itoa(len(b.args)+1))}
	var from string
	var conds []string
	if rel.kind == relComputed {
		from = qualified(rel.fn.Schema, rel.fn.Name) + "(" + n.qual + ".*) AS " + ord.qual
	} else {
		from = qualified(rel.target.Schema, rel.target.Name) + " AS " + ord.qual
		for i := range rel.parentCols {
			conds = append(conds, ord.qual+"."+quoteIdent(rel.targetCols[i])+" = "+n.qual+"."+quoteIdent(rel.parentCols[i]))
		}
	}
	s := "(SELECT " + b.fieldExpr(ord, t.Field) + " FROM " + from
	if len(conds) > 0 {
		s += " WHERE " + strings.Join(conds, " AND ")
	}
	return s + " LIMIT 1)", nil
}

// paramsFor returns (and marks used) the params addressed to an embed path.
func (b *builder) paramsFor(path string) *nodeParams {
	p := b.params[path]
	if p == nil {
		p = &nodeParams{}
		b.params[path] = p
	}
	p.used = true
	return p
}

// selectSQL renders "SELECT ... FROM ... WHERE ... [GROUP BY] [ORDER BY] [LIMIT]"
// for n; path addresses n's params. maxRows caps the root.
func (b *builder) selectSQL(n *node, path string, limitCap int) (string, error) {
	n.params = b.paramsFor(path)
	var outs []output
	for _, it := range n.items {
		switch {
		case it.Embed != nil:
			o, err := b.embedSQL(n, it.Embed, path)
			if err != nil {
				return "", err
			}
			outs = append(outs, o...)
		case it.Agg != "" && it.Field.Name == "":
			expr := it.Agg + "(*)"
			if it.AggCast != "" {
				expr = "(" + expr + ")::" + it.AggCast
			}
			outs = append(outs, output{expr: expr, name: firstNonEmpty(it.Alias, it.Agg), agg: true})
		case it.Field.Name == "*":
			if n.table == nil || len(n.table.Columns) == 0 {
				outs = append(outs, output{expr: n.qual + ".*"})
				continue
			}
			for _, col := range n.table.Columns {
				outs = append(outs, output{expr: n.qual + "." + quoteIdent(col.Name), name: col.Name})
			}
		case it.Field.Name == "count" && len(it.Field.Path) == 0 && it.Cast == "" && it.Agg == "" && n.depth > 0 && (n.table == nil || n.table.Column("count") == nil):
			outs = append(outs, output{expr: "count(*)", name: firstNonEmpty(it.Alias, "count"), agg: true})
		default:
			expr := b.fieldExpr(n, it.Field)
			if it.Cast != "" {
				expr = "(" + expr + ")::" + it.Cast
			}
			name := firstNonEmpty(it.Alias, it.Field.OutName())
			if it.Agg != "" {
				expr = it.Agg + "(" + expr + ")"
				if it.AggCast != "" {
					expr = "(" + expr + ")::" + it.AggCast
				}
				name = firstNonEmpty(it.Alias, it.Agg)
			}
			outs = append(outs, output{expr: expr, name: name, agg: it.Agg != ""})
		}
	}
	hasAgg := false
	for _, o := range outs {
		if o.agg {
			hasAgg = true
		}
	}
	var sel []string
	var group []string
	for i, o := range outs {
		expr := o.expr
		if hasAgg && o.json {
			expr = "(" + expr + ")::jsonb"
		}
		if o.name != "" {
			expr += " AS " + quoteIdent(o.name)
		}
		sel = append(sel, expr)
		if hasAgg && !o.agg {
			group = append(group, strconv.Itoa(i+1))
		}
	}
	n.outputs = outs
	n.hasAgg = hasAgg

	conds := append([]string{}, n.conds...)
	for _, f := range n.params.filters {
		s, err := b.filterSQL(n, f)
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	for _, l := range n.params.logic {
		s, err := b.logicSQL(n, l)
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	var sb strings.Builder
	sb.WriteString("SELECT ")
	sb.WriteString(strings.Join(sel, ", "))
	sb.WriteString(" FROM ")
	sb.WriteString(n.from)
	for _, j := range n.joins {
		sb.WriteString(" ")
		sb.WriteString(j)
	}
	if len(conds) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(conds, " AND "))
	}
	if len(group) > 0 {
		sb.WriteString(" GROUP BY ")
		sb.WriteString(strings.Join(group, ", "))
	}
	if len(n.params.order) > 0 {
		ord, err := b.orderSQL(n, n.params.order)
		if err != nil {
			return "", err
		}
		sb.WriteString(" ORDER BY ")
		sb.WriteString(ord)
	}
	limit := -1
	if n.params.limit != nil {
		limit = *n.params.limit
	}
	if limitCap > 0 && (limit < 0 || limit > limitCap) {
		limit = limitCap
	}
	if limit >= 0 {
		sb.WriteString(" LIMIT " + strconv.Itoa(limit))
	}
	if n.params.offset != nil && *n.params.offset > 0 {
		sb.WriteString(" OFFSET " + strconv.Itoa(*n.params.offset))
	}
	return sb.String(), nil
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// embedSQL adds a lateral join for e to parent and returns the parent's
// output columns for it.
func (b *builder) embedSQL(parent *node, e *Embed, parentPath string) ([]output, error) {
	if parent.table == nil {
		return nil, apiErr(400, "PGRST200", fmt.Sprintf("Could not find a relationship between '%s' and '%s' in the schema cache", parent.name, e.Name), nil, nil)
	}
	rel, aerr := b.c.resolveEmbed(parent.table, e)
	if aerr != nil {
		return nil, aerr
	}
	if parent.rels == nil {
		parent.rels = map[string]*relation{}
	}
	parent.rels[e.Key()] = rel
	depth := parent.depth + 1
	child := &node{table: rel.target, name: rel.target.Name, items: e.Select, depth: depth}
	suffix := "_" + strconv.Itoa(depth)
	child.qual = quoteIdent(rel.target.Name + suffix)
	switch rel.kind {
	case relComputed:
		child.qual = quoteIdent(rel.fn.Name + suffix)
		child.from = qualified(rel.fn.Schema, rel.fn.Name) + "(" + parent.qual + ".*) AS " + child.qual
	case relM2M:
		child.from = qualified(rel.target.Schema, rel.target.Name) + " AS " + child.qual
		jq := quoteIdent(rel.junction.Name + suffix)
		var on []string
		for i, c := range rel.jTargetFK.FromCols {
			on = append(on, jq+"."+quoteIdent(c)+" = "+child.qual+"."+quoteIdent(rel.jTargetFK.ToCols[i]))
		}
		child.joins = append(child.joins, "INNER JOIN "+qualified(rel.junction.Schema, rel.junction.Name)+" AS "+jq+" ON "+strings.Join(on, " AND "))
		for i, c := range rel.jParentFK.FromCols {
			child.conds = append(child.conds, jq+"."+quoteIdent(c)+" = "+parent.qual+"."+quoteIdent(rel.jParentFK.ToCols[i]))
		}
	default:
		child.from = qualified(rel.target.Schema, rel.target.Name) + " AS " + child.qual
		for i := range rel.parentCols {
			child.conds = append(child.conds, child.qual+"."+quoteIdent(rel.targetCols[i])+" = "+parent.qual+"."+quoteIdent(rel.parentCols[i]))
		}
	}
	path := e.Key()
	if parentPath != "" {
		path = parentPath + "." + path
	}
	inner, err := b.selectSQL(child, path, 0)
	if err != nil {
		return nil, err
	}
	lat := quoteIdent(parent.name + "_" + e.Key() + suffix)
	var lateral string
	var outs []output
	joinCond := "TRUE"
	switch {
	case rel.toOne && !e.Spread:
		lateral = "SELECT row_to_json(" + quoteIdent("pgrst_row") + ".*) AS " + quoteIdent("pgrst_body") + " FROM (" + inner + ") AS " + quoteIdent("pgrst_row")
		if len(e.Select) > 0 {
			outs = append(outs, output{expr: lat + "." + quoteIdent("pgrst_body"), name: e.Key(), json: true})
		}
	case rel.toOne && e.Spread:
		lateral = inner
		for _, o := range child.outputs {
			outs = append(outs, output{expr: lat + "." + quoteIdent(o.name), name: o.name})
		}
	case !e.Spread:
		lateral = "SELECT json_agg(" + quoteIdent("pgrst_row") + ".*) AS " + quoteIdent("pgrst_body") + ", count(*) AS " + quoteIdent("pgrst_n") + " FROM (" + inner + ") AS " + quoteIdent("pgrst_row")
		if len(e.Select) > 0 {
			outs = append(outs, output{expr: "COALESCE(" + lat + "." + quoteIdent("pgrst_body") + ", '[]')", name: e.Key(), json: true})
		}
		if e.Inner {
			joinCond = lat + "." + quoteIdent("pgrst_n") + " > 0"
		}
	default:
		var cols []string
		for _, o := range child.outputs {
			cols = append(cols, "json_agg("+quoteIdent("pgrst_row")+"."+quoteIdent(o.name)+") AS "+quoteIdent(o.name))
			outs = append(outs, output{expr: "COALESCE(" + lat + "." + quoteIdent(o.name) + ", '[]')", name: o.name, json: true})
		}
		cols = append(cols, "count(*) AS "+quoteIdent("pgrst_n"))
		lateral = "SELECT " + strings.Join(cols, ", ") + " FROM (" + inner + ") AS " + quoteIdent("pgrst_row")
		if e.Inner {
			joinCond = lat + "." + quoteIdent("pgrst_n") + " > 0"
		}
	}
	kind := "LEFT JOIN LATERAL"
	if e.Inner {
		kind = "INNER JOIN LATERAL"
	}
	parent.joins = append(parent.joins, kind+" ("+lateral+") AS "+lat+" ON "+joinCond)
	if parent.lats == nil {
		parent.lats = map[string]latInfo{}
	}
	parent.lats[e.Key()] = latInfo{alias: lat, toOne: rel.toOne, spread: e.Spread}
	return outs, nil
}
