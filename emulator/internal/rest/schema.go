package rest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Column is one column of a table, view or composite type.
type Column struct {
	Name      string
	Type      string // format_type output, already quoted where needed
	TypeOID   uint32
	Nullable  bool
	Default   string // SQL expression from the catalog ("" when none)
	Generated bool
	Identity  bool
	BaseType  string   // format_type without the type modifier
	MaxLength int      // of varchar(n) and char(n); 0 when none
	Enum      []string // labels, when the type is an enum
	Comment   string
}

// Table is a relation (table, view, materialized view, foreign table,
// partitioned table) or a composite type.
type Table struct {
	OID     uint32
	RowType uint32 // pg_class.reltype
	Schema  string
	Name    string
	Kind    string // pg_class.relkind
	Columns []*Column
	PK      []string
	Uniques [][]string // primary key and unique constraints
	Comment string
	cols    map[string]*Column
}

// Column returns the named column or nil.
func (t *Table) Column(name string) *Column { return t.cols[name] }

// FK is a foreign key (also derived onto views over the key's tables).
type FK struct {
	Name     string
	From     *Table
	FromCols []string
	To       *Table
	ToCols   []string
	Derived  bool // copied onto a view from its base table's key
}

// Arg is one input parameter of a function.
type Arg struct {
	Name       string
	Type       string
	TypeOID    uint32
	HasDefault bool
}

// Func is a function visible in an exposed schema.
type Func struct {
	OID       uint32
	Schema    string
	Name      string
	Args      []Arg
	RetSet    bool
	RetType   string
	RetOID    uint32
	RetTable  *Table // composite return (relation or TABLE(...) columns), else nil
	Volatile  byte   // 'i', 's' or 'v'
	Rows      float64
	RetVoid   bool
	Comment   string
	unnamedOK bool // callable through RPC (all args named, or one unnamed json/jsonb/text)
}

// Cache is an immutable snapshot of the catalog.
type Cache struct {
	// roleSettings are ALTER ROLE ... SET values applied to the role's
	// requests (global ones first, then this database's).
	roleSettings map[string][][2]string
	tables       map[[2]string]*Table
	byOID        map[uint32]*Table
	fks          []*FK
	funcs        map[[2]string][]*Func
}

func (c *Cache) table(schema, name string) *Table { return c.tables[[2]string{schema, name}] }

const (
	oidJSON     = 114
	oidJSONB    = 3802
	oidText     = 25
	oidTSVector = 3614
	oidXML      = 142
	oidBytea    = 17
	oidVoid     = 2278
	oidRecord   = 2249
)

func loadCache(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) (*Cache, error) {
	c := &Cache{tables: map[[2]string]*Table{}, byOID: map[uint32]*Table{}, funcs: map[[2]string][]*Func{}}
	const sysSchemas = `n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`

	rows, err := q.Query(ctx, `
SELECT c.oid, c.reltype, n.nspname, c.relname, c.relkind::text, coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','v','m','f','p','c') AND `+sysSchemas)
	if err != nil {
		return nil, fmt.Errorf("rest: load relations: %w", err)
	}
	for rows.Next() {
		t := &Table{cols: map[string]*Column{}}
		if err := rows.Scan(&t.OID, &t.RowType, &t.Schema, &t.Name, &t.Kind, &t.Comment); err != nil {
			return nil, err
		}
		c.byOID[t.OID] = t
		if t.Kind != "c" {
			c.tables[[2]string{t.Schema, t.Name}] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rest: load relations: %w", err)
	}

	rows, err = q.Query(ctx, `
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid, NOT a.attnotnull,
  coalesce(CASE WHEN a.attidentity <> '' THEN format('nextval(%L::regclass)', pg_get_serial_sequence(a.attrelid::regclass::text, a.attname))
       WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, ''),
  a.attgenerated <> '', a.attidentity <> '', format_type(a.atttypid, NULL),
  CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE 0 END,
  coalesce((SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid), '{}'),
  coalesce(col_description(a.attrelid, a.attnum), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','v','m','f','p','c') AND `+sysSchemas+`
ORDER BY a.attrelid, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("rest: load columns: %w", err)
	}
	for rows.Next() {
		var rel uint32
		col := &Column{}
		if err := rows.Scan(&rel, &col.Name, &col.Type, &col.TypeOID, &col.Nullable, &col.Default, &col.Generated,
			&col.Identity, &col.BaseType, &col.MaxLength, &col.Enum, &col.Comment); err != nil {
			return nil, err
		}
		if t := c.byOID[rel]; t != nil {
			t.Columns = append(t.Columns, col)
			t.cols[col.Name] = col
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rest: load columns: %w", err)
	}

	// Keys: primary, unique and foreign.
	rows, err = q.Query(ctx, `
SELECT con.conname, con.contype::text, con.conrelid, con.confrelid,
  array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
  coalesce(array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i), '{}')
FROM pg_constraint con
WHERE con.contype IN ('p','u','f') AND con.conrelid <> 0
  AND (con.contype <> 'f' OR con.conparentid = 0) -- not the copies made for partitions
ORDER BY con.conrelid, con.conname`)
	if err != nil {
		return nil, fmt.Errorf("rest: load constraints: %w", err)
	}
	for rows.Next() {
		var name, typ string
		var rel, frel uint32
		var cols, fcols []string
		if err := rows.Scan(&name, &typ, &rel, &frel, &cols, &fcols); err != nil {
			return nil, err
		}
		t := c.byOID[rel]
		if t == nil {
			continue
		}
		switch typ {
		case "p":
			t.PK = cols
			t.Uniques = append(t.Uniques, cols)
		case "u":
			t.Uniques = append(t.Uniques, cols)
		case "f":
			if ft := c.byOID[frel]; ft != nil {
				c.fks = append(c.fks, &FK{Name: name, From: t, FromCols: cols, To: ft, ToCols: fcols})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rest: load constraints: %w", err)
	}

	if err := c.loadRoleSettings(ctx, q); err != nil {
		return nil, err
	}
	if err := c.loadViewKeys(ctx, q); err != nil {
		return nil, err
	}
	if err := c.loadFuncs(ctx, q, sysSchemas); err != nil {
		return nil, err
	}
	return c, nil
}

// roleSettingAllowed lists the role settings applied per request: the
// timeouts and memory limits PostgREST users set on API roles, and custom
// (dotted) settings, but not PostgREST's own pgrst.* configuration.
func roleSettingAllowed(name string) bool {
	switch name {
	case "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "work_mem", "timezone", "datestyle", "intervalstyle":
		return true
	}
	return strings.Contains(name, ".") && !strings.HasPrefix(name, "pgrst.")
}

func (c *Cache) loadRoleSettings(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) error {
	c.roleSettings = map[string][][2]string{}
	rows, err := q.Query(ctx, `
SELECT r.rolname, s.setconfig
FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY s.setdatabase`)
	if err != nil {
		return fmt.Errorf("rest: load role settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role string
		var cfg []string
		if err := rows.Scan(&role, &cfg); err != nil {
			return err
		}
		for _, kv := range cfg {
			k, v, ok := strings.Cut(kv, "=")
			if ok && roleSettingAllowed(strings.ToLower(k)) {
				c.roleSettings[role] = append(c.roleSettings[role], [2]string{k, v})
			}
		}
	}
	return rows.Err()
}

// loadViewKeys gives views the keys of their base tables, for columns the
// view passes through unchanged under the same name.
func (c *Cache) loadViewKeys(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) error {
	rows, err := q.Query(ctx, `
SELECT DISTINCT v.oid, t.oid, u.column_name::text
FROM information_schema.view_column_usage u
JOIN pg_namespace vn ON vn.nspname = u.view_schema JOIN pg_class v ON v.relnamespace = vn.oid AND v.relname = u.view_name
JOIN pg_namespace tn ON tn.nspname = u.table_schema JOIN pg_class t ON t.relnamespace = tn.oid AND t.relname = u.table_name
ORDER BY 1, 2, 3`)
	if err != nil {
		return fmt.Errorf("rest: load view columns: %w", err)
	}
	// view -> base table -> set of passed-through columns
	base := map[*Table]map[*Table]map[string]bool{}
	for rows.Next() {
		var vo, to uint32
		var col string
		if err := rows.Scan(&vo, &to, &col); err != nil {
			return err
		}
		v, t := c.byOID[vo], c.byOID[to]
		if v == nil || t == nil || v.cols[col] == nil {
			continue
		}
		if base[v] == nil {
			base[v] = map[*Table]map[string]bool{}
		}
		if base[v][t] == nil {
			base[v][t] = map[string]bool{}
		}
		base[v][t][col] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rest: load view columns: %w", err)
	}
	covers := func(v, t *Table, cols []string) bool {
		m := base[v][t]
		for _, col := range cols {
			if !m[col] {
				return false
			}
		}
		return len(cols) > 0
	}
	// Deterministic order of views.
	views := make([]*Table, 0, len(base))
	for v := range base {
		views = append(views, v)
	}
	sort.Slice(views, func(i, j int) bool { return views[i].OID < views[j].OID })
	var derived []*FK
	for _, fk := range c.fks {
		froms := []*Table{fk.From}
		tos := []*Table{fk.To}
		for _, v := range views {
			if covers(v, fk.From, fk.FromCols) {
				froms = append(froms, v)
			}
			if covers(v, fk.To, fk.ToCols) {
				tos = append(tos, v)
			}
		}
		for i, f := range froms {
			for j, t := range tos {
				if i == 0 && j == 0 {
					continue
				}
				derived = append(derived, &FK{Name: fk.Name, From: f, FromCols: fk.FromCols, To: t, ToCols: fk.ToCols, Derived: true})
			}
		}
	}
	// Views inherit their base table's primary key when they pass it through.
	for _, v := range views {
		for t := range base[v] {
			if len(v.PK) == 0 && covers(v, t, t.PK) {
				v.PK = t.PK
				v.Uniques = append(v.Uniques, t.PK)
			}
		}
	}
	c.fks = append(c.fks, derived...)
	return nil
}

func (c *Cache) loadFuncs(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, sysSchemas string) error {
	rows, err := q.Query(ctx, `
SELECT p.oid, n.nspname, p.proname, p.proretset, p.provolatile::text, p.prorettype, format_type(p.prorettype, NULL),
  coalesce(p.proargnames, '{}'),
  coalesce(array(SELECT u.t FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i) ORDER BY u.i), '{}'),
  coalesce(array(SELECT format_type(u.t, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i) ORDER BY u.i), '{}'),
  coalesce(p.proargmodes::text[], '{}'), p.pronargdefaults, rt.typrelid, p.prorows::float8,
  coalesce(obj_description(p.oid, 'pg_proc'), '')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_type rt ON rt.oid = p.prorettype
WHERE p.prokind = 'f' AND `+sysSchemas+`
ORDER BY p.oid`)
	if err != nil {
		return fmt.Errorf("rest: load functions: %w", err)
	}
	for rows.Next() {
		f := &Func{}
		var vol string
		var names, typNames, modes []string
		var typOIDs []uint32
		var nDefaults int
		var relid uint32
		if err := rows.Scan(&f.OID, &f.Schema, &f.Name, &f.RetSet, &vol, &f.RetOID, &f.RetType, &names, &typOIDs, &typNames, &modes, &nDefaults, &relid, &f.Rows, &f.Comment); err != nil {
			return err
		}
		f.Volatile = vol[0]
		f.RetVoid = f.RetOID == oidVoid
		var outCols []*Column
		for i := range typOIDs {
			mode := "i"
			if i < len(modes) {
				mode = modes[i]
			}
			name := ""
			if i < len(names) {
				name = names[i]
			}
			switch mode {
			case "i", "b", "v":
				f.Args = append(f.Args, Arg{Name: name, Type: typNames[i], TypeOID: typOIDs[i]})
			}
			switch mode {
			case "o", "b", "t":
				outCols = append(outCols, &Column{Name: name, Type: typNames[i], TypeOID: typOIDs[i], Nullable: true})
			}
		}
		for i := len(f.Args) - nDefaults; i < len(f.Args); i++ {
			if i >= 0 {
				f.Args[i].HasDefault = true
			}
		}
		if relid != 0 {
			f.RetTable = c.byOID[relid]
		} else if len(outCols) > 0 && f.RetOID == oidRecord {
			t := &Table{Schema: f.Schema, Name: f.Name, Kind: "c", Columns: outCols, cols: map[string]*Column{}}
			for _, col := range outCols {
				t.cols[col.Name] = col
			}
			f.RetTable = t
		}
		f.unnamedOK = true
		for _, a := range f.Args {
			if a.Name == "" {
				f.unnamedOK = false
			}
		}
		if len(f.Args) == 1 && f.Args[0].Name == "" {
			switch f.Args[0].TypeOID {
			case oidJSON, oidJSONB, oidText, oidXML, oidBytea:
				f.unnamedOK = true
			}
		}
		k := [2]string{f.Schema, f.Name}
		c.funcs[k] = append(c.funcs[k], f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rest: load functions: %w", err)
	}
	return nil
}
