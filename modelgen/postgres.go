package modelgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// FromPostgres reads the schemas of the database at connString (a
// postgres:// URL or key=value string) from its catalog. Errors match
// [ErrUnreachable], [ErrAuth], [ErrUnknownDatabase], [ErrUnknownSchema]
// or [ErrSource]; they never show the password.
func FromPostgres(ctx context.Context, connString string, schemas []string) (*Database, error) {
	if len(schemas) == 0 {
		schemas = []string{"public"}
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("%w: database URL: %v", ErrConfig, redactParse(err, connString))
	}
	// the simple protocol works through transaction-mode poolers
	// (Supabase's port 6543), which refuse prepared statements
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(ctx, cfg, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return introspect(ctx, conn, schemas)
}

// redactParse keeps pgx's parse error from echoing the URL.
func redactParse(err error, connString string) error {
	msg := err.Error()
	if connString != "" {
		msg = strings.ReplaceAll(msg, connString, "<url>")
	}
	return errors.New(msg)
}

func connectError(ctx context.Context, cfg *pgx.ConnConfig, err error) error {
	where := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	if ctx.Err() != nil {
		return fmt.Errorf("modelgen: connect to %s: %w", where, ctx.Err())
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return fmt.Errorf("%w: connect to %s as %q: %s (%s)", ErrAuth, where, cfg.User, pe.Message, pe.Code)
		case pe.Code == "3D000":
			return fmt.Errorf("%w: %q on %s: %s", ErrUnknownDatabase, cfg.Database, where, pe.Message)
		}
		return fmt.Errorf("%w: connect to %s: %s (%s)", ErrSource, where, pe.Message, pe.Code)
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w: database at %s: %v", ErrUnreachable, where, innerCause(err))
	}
	return fmt.Errorf("%w: connect to %s: %v", ErrSource, where, innerCause(err))
}

// innerCause returns the deepest error of a chain (pgconn's connect errors
// repeat the user and database around it), first line only (one line per
// attempt when several were made).
func innerCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			msg, _, _ := strings.Cut(err.Error(), "\n")
			return errors.New(msg)
		}
		err = u
	}
}

type pgType struct {
	oid       uint32
	schema    string
	name      string
	typtype   string
	category  string
	elem      uint32
	base      uint32
	subtype   uint32
	display   string
	relkind   string
	relSchema string
	relName   string
}

type catalog struct {
	types map[uint32]*pgType
}

func (c *catalog) resolve(oid uint32, display string, dims int) Type {
	t, ok := c.types[oid]
	if !ok {
		return Type{Kind: TypeBase, Name: fmt.Sprintf("oid %d", oid), Display: display}
	}
	if display == "" {
		display = t.display
	}
	domain := ""
	for depth := 0; t.typtype == "d" && depth < 16; depth++ {
		domain = t.schema + "." + t.name
		b, ok := c.types[t.base]
		if !ok {
			break
		}
		t = b
	}
	out := Type{Schema: t.schema, Name: t.name, Display: display, Domain: domain}
	switch {
	case t.category == "A" && t.elem != 0:
		e := c.resolve(t.elem, "", 0)
		out.Kind, out.Elem = TypeArray, &e
		out.Dims = max(dims, 1)
	case t.typtype == "e":
		out.Kind = TypeEnum
	case t.typtype == "c":
		out.Kind = TypeComposite
		if t.relkind != "c" {
			out.Schema, out.Name = t.relSchema, t.relName
		}
	case t.typtype == "r":
		out.Kind = TypeRange
		if s, ok := c.types[t.subtype]; ok {
			e := c.resolve(s.oid, "", 0)
			out.Elem = &e
		}
	case t.typtype == "m":
		out.Kind = TypeMulti
	case t.typtype == "p":
		out.Kind = TypePseudo
	default:
		out.Kind = TypeBase
	}
	return out
}

const typesSQL = `
select t.oid, n.nspname, t.typname, t.typtype::text, t.typcategory::text, t.typelem, t.typbasetype,
       coalesce(r.rngsubtype, 0), format_type(t.oid, null),
       coalesce(c.relkind::text, ''), coalesce(cn.nspname, ''), coalesce(c.relname, '')
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
left join pg_range r on r.rngtypid = t.oid
left join pg_class c on c.oid = t.typrelid
left join pg_namespace cn on cn.oid = c.relnamespace`

const relationsSQL = `
select n.nspname, c.relname, c.relkind::text, coalesce(obj_description(c.oid, 'pg_class'), ''), c.oid
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
order by n.nspname, c.relname`

const columnsSQL = `
select a.attrelid, a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), a.attndims, a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text,
       coalesce(col_description(a.attrelid, a.attnum), '')
from pg_attribute a
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any($1) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum`

const constraintsSQL = `
select con.conrelid, con.conname, con.contype::text,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i),
       coalesce(fn.nspname, ''), coalesce(fc.relname, ''),
       coalesce(array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i), '{}')
from pg_constraint con
left join pg_class fc on fc.oid = con.confrelid
left join pg_namespace fn on fn.oid = fc.relnamespace
where con.conrelid = any($1) and con.contype in ('p', 'u', 'f')
order by con.conrelid, con.conname`

const enumsSQL = `
select n.nspname, t.typname, coalesce(obj_description(t.oid, 'pg_type'), ''),
       array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder)
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.typtype = 'e' and n.nspname = any($1)
order by n.nspname, t.typname`

const compositesSQL = `
select n.nspname, t.typname, coalesce(obj_description(t.oid, 'pg_type'), ''), c.oid
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_class c on c.oid = t.typrelid
where t.typtype = 'c' and c.relkind = 'c' and n.nspname = any($1)
order by n.nspname, t.typname`

const functionsSQL = `
select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prorettype, p.proretset,
       coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'),
       coalesce(p.proallargtypes, p.proargtypes::oid[]), p.pronargdefaults,
       coalesce(obj_description(p.oid, 'pg_proc'), '')
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any($1) and p.prokind = 'f'
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)`

func introspect(ctx context.Context, conn *pgx.Conn, schemas []string) (*Database, error) {
	fail := func(what string, err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("modelgen: %s: %w", what, ctx.Err())
		}
		return fmt.Errorf("%w: %s: %v", ErrSource, what, err)
	}
	var found []string
	if err := func() error {
		rows, err := conn.Query(ctx, `select nspname from pg_namespace where nspname = any($1)`, schemas)
		if err != nil {
			return err
		}
		found, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}(); err != nil {
		return nil, fail("list schemas", err)
	}
	var missing []string
	for _, s := range schemas {
		if !slices.Contains(found, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s not in the database", ErrUnknownSchema, strings.Join(quoteAll(missing), ", "))
	}

	cat := &catalog{types: map[uint32]*pgType{}}
	rows, err := conn.Query(ctx, typesSQL)
	if err != nil {
		return nil, fail("read types", err)
	}
	for rows.Next() {
		t := &pgType{}
		if err := rows.Scan(&t.oid, &t.schema, &t.name, &t.typtype, &t.category, &t.elem, &t.base,
			&t.subtype, &t.display, &t.relkind, &t.relSchema, &t.relName); err != nil {
			rows.Close()
			return nil, fail("read types", err)
		}
		cat.types[t.oid] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read types", err)
	}

	db := &Database{Schemas: slices.Clone(schemas)}
	byOID := map[uint32]*Table{}
	var oids []uint32
	rows, err = conn.Query(ctx, relationsSQL, schemas)
	if err != nil {
		return nil, fail("read tables", err)
	}
	for rows.Next() {
		t := &Table{}
		var kind string
		var oid uint32
		if err := rows.Scan(&t.Schema, &t.Name, &kind, &t.Comment, &oid); err != nil {
			rows.Close()
			return nil, fail("read tables", err)
		}
		switch kind {
		case "v":
			t.Kind = KindView
		case "m":
			t.Kind = KindMaterializedView
		case "f":
			t.Kind = KindForeignTable
		default:
			t.Kind = KindTable
		}
		db.Tables = append(db.Tables, t)
		byOID[oid] = t
		oids = append(oids, oid)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read tables", err)
	}

	var compOIDs []uint32
	compByOID := map[uint32]*Composite{}
	rows, err = conn.Query(ctx, compositesSQL, schemas)
	if err != nil {
		return nil, fail("read composite types", err)
	}
	for rows.Next() {
		c := &Composite{}
		var oid uint32
		if err := rows.Scan(&c.Schema, &c.Name, &c.Comment, &oid); err != nil {
			rows.Close()
			return nil, fail("read composite types", err)
		}
		db.Composites = append(db.Composites, c)
		compByOID[oid] = c
		compOIDs = append(compOIDs, oid)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read composite types", err)
	}

	rows, err = conn.Query(ctx, columnsSQL, append(slices.Clone(oids), compOIDs...))
	if err != nil {
		return nil, fail("read columns", err)
	}
	for rows.Next() {
		var rel, typ uint32
		var dims int32
		var notNull bool
		var identity, generated string
		c := &Column{}
		if err := rows.Scan(&rel, &c.Name, &typ, &c.Type.Display, &dims, &notNull, &c.Default, &identity, &generated, &c.Comment); err != nil {
			rows.Close()
			return nil, fail("read columns", err)
		}
		c.Type = cat.resolve(typ, c.Type.Display, int(dims))
		c.Nullable = !notNull
		switch identity {
		case "a":
			c.Identity = "always"
		case "d":
			c.Identity = "by default"
		}
		c.Generated = generated == "s"
		if t := byOID[rel]; t != nil {
			t.Columns = append(t.Columns, c)
		} else if ct := compByOID[rel]; ct != nil {
			c.Nullable = true // attributes of composite types are always nullable
			ct.Attributes = append(ct.Attributes, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read columns", err)
	}

	rows, err = conn.Query(ctx, constraintsSQL, oids)
	if err != nil {
		return nil, fail("read constraints", err)
	}
	for rows.Next() {
		var rel uint32
		var name, kind, refSchema, refTable string
		var cols, refCols []string
		if err := rows.Scan(&rel, &name, &kind, &cols, &refSchema, &refTable, &refCols); err != nil {
			rows.Close()
			return nil, fail("read constraints", err)
		}
		t := byOID[rel]
		if t == nil {
			continue
		}
		switch kind {
		case "p":
			t.PrimaryKey = cols
		case "u":
			t.Unique = append(t.Unique, cols)
		case "f":
			t.ForeignKeys = append(t.ForeignKeys, &ForeignKey{Name: name, Columns: cols,
				RefSchema: refSchema, RefTable: refTable, RefColumns: refCols})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read constraints", err)
	}

	rows, err = conn.Query(ctx, enumsSQL, schemas)
	if err != nil {
		return nil, fail("read enums", err)
	}
	for rows.Next() {
		e := &Enum{}
		if err := rows.Scan(&e.Schema, &e.Name, &e.Comment, &e.Values); err != nil {
			rows.Close()
			return nil, fail("read enums", err)
		}
		db.Enums = append(db.Enums, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read enums", err)
	}

	rows, err = conn.Query(ctx, functionsSQL, schemas)
	if err != nil {
		return nil, fail("read functions", err)
	}
	for rows.Next() {
		f := &Function{}
		var ret uint32
		var names, modes []string
		var types []uint32
		var nDefaults int16
		if err := rows.Scan(&f.Schema, &f.Name, &f.Signature, &ret, &f.ReturnsSet, &names, &modes, &types, &nDefaults, &f.Comment); err != nil {
			rows.Close()
			return nil, fail("read functions", err)
		}
		if !buildFunction(cat, f, ret, names, modes, types, int(nDefaults)) {
			continue
		}
		db.Functions = append(db.Functions, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read functions", err)
	}
	return db, nil
}

// buildFunction fills f's arguments and result; it reports false for
// functions PostgREST cannot call (triggers, internal arguments).
func buildFunction(cat *catalog, f *Function, ret uint32, names, modes []string, types []uint32, nDefaults int) bool {
	f.Returns = cat.resolve(ret, "", 0)
	if f.Returns.Kind == TypePseudo {
		switch f.Returns.Name {
		case "void", "record":
		default:
			return false // trigger, event_trigger, internal, any*…
		}
	}
	var inArgs []*Arg
	for i, oid := range types {
		mode := "i"
		if i < len(modes) {
			mode = modes[i]
		}
		name := ""
		if i < len(names) {
			name = names[i]
		}
		typ := cat.resolve(oid, "", 0)
		switch mode {
		case "i", "b":
			if typ.Kind == TypePseudo {
				return false
			}
			inArgs = append(inArgs, &Arg{Name: name, Type: typ})
		case "o", "t":
			f.ResultColumns = append(f.ResultColumns, &Column{Name: name, Type: typ, Nullable: true})
		case "v":
			return false // variadic: not callable with named arguments
		}
	}
	for i := len(inArgs) - nDefaults; i < len(inArgs); i++ {
		if i >= 0 {
			inArgs[i].HasDefault = true
		}
	}
	f.Args = inArgs
	if len(f.ResultColumns) == 1 && !f.ReturnsSet && f.Returns.Name != "record" {
		f.ResultColumns = nil // a single OUT parameter is a scalar result
	}
	if f.Returns.Kind == TypeComposite && len(f.ResultColumns) == 0 {
		f.ReturnsTable = f.Returns.Schema + "." + f.Returns.Name
	}
	return true
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
