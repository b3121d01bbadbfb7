package modelgen

import (
	"strings"
)

// writeFunctions writes the argument and result types and a typed call
// for every function; it reports whether it wrote anything.
func (g *generator) writeFunctions(b *buf) bool {
	if g.cfg.NoFunctions {
		return false
	}
	wrote := false
	for _, f := range g.db.Functions {
		if g.writeFunction(b, f) {
			wrote = true
		}
	}
	return wrote
}

func (g *generator) writeFunction(b *buf, f *Function) bool {
	base := g.schemaPrefix(f.Schema) + GoName(f.Name)
	sig := f.Schema + "." + f.Name + "(" + f.Signature + ")"
	for _, a := range f.Args {
		if a.Name == "" {
			b.p("// %s is not generated: PostgREST calls functions with named arguments only.", sig)
			b.p("")
			return true
		}
	}
	callName := g.global.take(base, "Func", "Call")
	argsType := ""
	if len(f.Args) > 0 {
		argsType = g.global.take(base+"Args", "Params")
		b.p("// %s are the arguments of %s.", argsType, sig)
		b.p("type %s struct {", argsType)
		ns := names{}
		for _, a := range f.Args {
			t := g.m.of(a.Type)
			b.use(t.imports...)
			expr, tag, extra := t.expr, a.Name, ""
			if a.HasDefault {
				if !t.nilable {
					expr = "*" + expr
				}
				tag += ",omitempty"
				extra = " (has a default: nil leaves it to the database)"
			}
			b.p("\t%s %s `json:\"%s\"` // %s%s%s", ns.take(GoName(a.Name), "Arg"), expr, tag, a.Type.Display, extra, note(t))
		}
		b.p("}")
		b.p("")
	}

	// result
	var rowType, scalar string
	var scalarT goType
	switch {
	case f.ReturnsUnknown:
		scalarT = rawJSON
		scalar = scalarT.expr
	case len(f.ResultColumns) > 0:
		rowType = g.global.take(base+"Result", "Row")
		b.p("// %s is a result row of %s.", rowType, sig)
		b.p("type %s struct {", rowType)
		g.writeNullableFields(b, f.ResultColumns, "Col")
		b.p("}")
		b.p("")
	case f.ReturnsTable != "":
		if gt := g.byKey[f.ReturnsTable]; gt != nil {
			rowType = gt.goName
		} else if n, ok := g.m.comps[f.ReturnsTable]; ok {
			rowType = n
		} else {
			scalarT = rawJSON
			scalarT.note = "row type " + f.ReturnsTable + " is not generated"
			scalar = scalarT.expr
		}
	case f.Returns.Name == "void":
	case f.Returns.Name == "record":
		scalarT = rawJSON
		scalar = scalarT.expr
	default:
		scalarT = g.m.of(f.Returns)
		scalar = scalarT.expr
	}
	b.use("context", "github.com/supakit/supakit/repo")
	b.use(scalarT.imports...)
	argParam, argExpr := "", "nil"
	if argsType != "" {
		argParam, argExpr = ", args "+argsType, "args"
	}
	if f.Comment != "" {
		comment(b, f.Comment)
		b.p("//")
	}
	schemaNote := ""
	if g.schemaPrefix(f.Schema) != "" {
		schemaNote = " The function is in schema " + f.Schema + ": use a client made with WithSchema(\"" + f.Schema + "\")."
	}
	switch {
	case scalar == "" && rowType == "":
		b.p("// %s calls %s, which returns nothing (POST /rpc/%s).%s", callName, sig, f.Name, schemaNote)
		b.p("func %s(ctx context.Context, c repo.Conn%s, opts ...repo.Option) error {", callName, argParam)
		b.use("encoding/json")
		b.p("\t_, err := repo.Call[json.RawMessage](ctx, c, %q, %s, opts...)", f.Name, argExpr)
		b.p("\treturn err")
		b.p("}")
	case rowType != "" && f.ReturnsSet:
		b.p("// %s calls %s and returns its rows (POST /rpc/%s);", callName, sig, f.Name)
		b.p("// %sQuery filters, orders and pages them.%s", callName, schemaNote)
		b.p("func %s(ctx context.Context, c repo.Conn%s, opts ...repo.Option) ([]%s, error) {", callName, argParam, rowType)
		b.p("\treturn repo.Call[[]%s](ctx, c, %q, %s, opts...)", rowType, f.Name, argExpr)
		b.p("}")
		b.p("")
		q := g.global.take(callName+"Query", "Rows")
		b.p("// %s is a typed query over the rows of %s: chain Where,", q, sig)
		b.p("// Order, Limit… and Find, Count or All.")
		b.p("func %s(c repo.Conn%s, opts ...repo.Option) *repo.Query[%s] {", q, argParam, rowType)
		b.p("\treturn repo.Func[%s](c, %q, %s, opts...)", rowType, f.Name, argExpr)
		b.p("}")
	default:
		res := rowType
		if res == "" {
			res = scalar
		}
		if f.ReturnsSet {
			res = "[]" + res
		}
		b.p("// %s calls %s (POST /rpc/%s).%s", callName, sig, f.Name, schemaNote)
		if scalarT.note != "" {
			b.p("// The result is %s: %s.", scalar, strings.TrimSuffix(scalarT.note, ": raw JSON"))
		}
		b.p("func %s(ctx context.Context, c repo.Conn%s, opts ...repo.Option) (%s, error) {", callName, argParam, res)
		b.p("\treturn repo.Call[%s](ctx, c, %q, %s, opts...)", res, f.Name, argExpr)
		b.p("}")
	}
	b.p("")
	return true
}
