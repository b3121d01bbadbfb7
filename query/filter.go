package query

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/supakit/supakit/schema"
)

type fkind uint8

const (
	fOp    fkind = iota + 1 // col=op.value
	fIn                     // col=in.(v,...)
	fIs                     // col=is.null|true|false|unknown
	fArray                  // col=op.{a,b} (like(all) and friends)
	fRaw                    // col=op.value, verbatim
	fOr                     // or=(...)
	fAnd                    // and=(...) / flat at top level
	fOrRaw                  // or=(raw)
	fScope                  // filters on an embedded resource
)

// Filter is one condition of a query: a comparison built by Eq, In, Like...,
// or a group built by Or, And, Not and On. The zero Filter is invalid.
// A Filter is an immutable value, safe to share and reuse; an error found
// while building it (a pointer that is not a column, a value that cannot
// be encoded) is kept inside and returned when the query is built.
type Filter struct {
	kind  fkind
	neg   bool
	op    string
	col   colRef
	val   value // the operand; for an in list its encoded values (see inList)
	kids  []Filter
	scope *scopeRef // On only
	err   error
}

// Err returns the error recorded while building the filter, if any
// (including those of nested filters).
func (f Filter) Err() error {
	var errs []error
	f.collectErrs(&errs)
	return errors.Join(errs...)
}

func (f *Filter) collectErrs(errs *[]error) {
	if f.kind == 0 {
		*errs = append(*errs, errors.New("query: zero Filter (use the constructors)"))
		return
	}
	if f.err != nil {
		*errs = append(*errs, f.err)
	}
	if f.col.err != nil {
		*errs = append(*errs, f.col.err)
	}
	if f.scope != nil && f.scope.err != nil {
		*errs = append(*errs, f.scope.err)
	}
	for i := range f.kids {
		f.kids[i].collectErrs(errs)
	}
}

// scopeRef names an embedded resource: a relation field (typed) or a
// dotted path (untyped).
type scopeRef struct {
	rel  *schema.Relation
	path string
	err  error
}

func scopeOf(rel any) scopeRef {
	switch r := rel.(type) {
	case string:
		if r == "" || strings.ContainsAny(r, "\x00&=") {
			return scopeRef{err: columnError("invalid embedded resource path "+quoteErr(r), nil)}
		}
		return scopeRef{path: r}
	case nil:
		return scopeRef{err: columnError("nil embedded resource", nil)}
	}
	f, err := schema.Resolve(rel)
	if err != nil {
		return scopeRef{err: columnError("", err)}
	}
	if f.Relation == nil {
		return scopeRef{err: columnError(f.Table.Type.Name()+"."+f.Column.GoName+" is a column, not a relation (tag it db:\"name,rel\")", nil)}
	}
	return scopeRef{rel: f.Relation}
}

func opFilter[V any](op string, col *V, v V) Filter {
	f := Filter{kind: fOp, op: op, col: refOf(col, false)}
	var err error
	f.val, err = valueOf(v, f.col.json)
	if err != nil {
		f.err = wrapValue(err, op, &f.col)
	}
	return f
}

func wrapValue(err error, op string, c *colRef) error {
	return &filterError{where: op + " on " + c.display(), err: err}
}

// nonNull is opFilter for operators without a null form.
func nonNull[V any](op string, col *V, v V) Filter {
	f := opFilter(op, col, v)
	if f.err == nil && f.val.isNull() {
		f.err = wrapValue(nilValue("nil value: "+op+" has no null form; use Is(col, Null) or IsNull"), op, &f.col)
	}
	return f
}

// Eq matches rows where col equals v (col=eq.v). A nil v (nil pointer,
// slice or map) gives col=is.null, never eq.null, which on a text column
// would match the string 'null'.
func Eq[V any](col *V, v V) Filter {
	f := opFilter("eq", col, v)
	if f.err == nil && f.val.isNull() {
		return Filter{kind: fIs, op: "is", col: f.col, val: value{k: vText, s: "null"}}
	}
	return f
}

// Neq matches rows where col differs from v (col=neq.v). A nil v gives
// col=not.is.null.
func Neq[V any](col *V, v V) Filter {
	f := opFilter("neq", col, v)
	if f.err == nil && f.val.isNull() {
		return Filter{kind: fIs, neg: true, op: "is", col: f.col, val: value{k: vText, s: "null"}}
	}
	return f
}

// Gt matches rows where col > v. A nil v is an error ([ErrNilValue]).
func Gt[V any](col *V, v V) Filter { return nonNull("gt", col, v) }

// Gte matches rows where col >= v.
func Gte[V any](col *V, v V) Filter { return nonNull("gte", col, v) }

// Lt matches rows where col < v.
func Lt[V any](col *V, v V) Filter { return nonNull("lt", col, v) }

// Lte matches rows where col <= v.
func Lte[V any](col *V, v V) Filter { return nonNull("lte", col, v) }

func patternFilter[V any](op string, col *V, pattern string) Filter {
	f := Filter{kind: fOp, op: op, col: refOf(col, false)}
	var err error
	if f.val, err = text(pattern); err != nil {
		f.err = wrapValue(err, op, &f.col)
	}
	return f
}

// Like matches col against a LIKE pattern (% and _; PostgREST also reads *
// as %). The pattern is sent as it is.
func Like[V any](col *V, pattern string) Filter { return patternFilter("like", col, pattern) }

// ILike is the case-insensitive Like.
func ILike[V any](col *V, pattern string) Filter { return patternFilter("ilike", col, pattern) }

// RegexMatch matches col against a POSIX regular expression (~).
func RegexMatch[V any](col *V, pattern string) Filter { return patternFilter("match", col, pattern) }

// RegexIMatch is the case-insensitive RegexMatch (~*).
func RegexIMatch[V any](col *V, pattern string) Filter {
	return patternFilter("imatch", col, pattern)
}

func arrayFilter[V any](op string, col *V, patterns []string) Filter {
	f := Filter{kind: fArray, op: op, col: refOf(col, false)}
	for _, p := range patterns {
		if strings.IndexByte(p, 0) >= 0 {
			f.err = wrapValue(invalid("pattern contains a NUL byte", nil), op, &f.col)
		}
	}
	f.val = value{k: vText, s: arrayText(patterns)}
	return f
}

// LikeAllOf matches col against every pattern: col=like(all).{p1,p2}.
// Patterns are quoted as PostgreSQL array elements where needed.
func LikeAllOf[V any](col *V, patterns ...string) Filter {
	return arrayFilter("like(all)", col, patterns)
}

// LikeAnyOf matches col against any pattern: col=like(any).{p1,p2}.
func LikeAnyOf[V any](col *V, patterns ...string) Filter {
	return arrayFilter("like(any)", col, patterns)
}

// ILikeAllOf is the case-insensitive LikeAllOf.
func ILikeAllOf[V any](col *V, patterns ...string) Filter {
	return arrayFilter("ilike(all)", col, patterns)
}

// ILikeAnyOf is the case-insensitive LikeAnyOf.
func ILikeAnyOf[V any](col *V, patterns ...string) Filter {
	return arrayFilter("ilike(any)", col, patterns)
}

// Trilean is the operand of [Is].
type Trilean uint8

const (
	Null    Trilean = iota + 1 // is.null
	True                       // is.true
	False                      // is.false
	Unknown                    // is.unknown
)

var trileanText = [...]string{Null: "null", True: "true", False: "false", Unknown: "unknown"}

// Is matches col IS NULL, TRUE, FALSE or UNKNOWN. col may also point at a
// relation field, to test whether an embedded resource is absent
// (Is(&c.Cities, query.Null) gives cities=is.null).
func Is[V any](col *V, v Trilean) Filter {
	f := Filter{kind: fIs, op: "is", col: refOf(col, true)}
	if v < Null || v > Unknown {
		f.err = wrapValue(invalid("invalid Trilean", nil), "is", &f.col)
		return f
	}
	f.val = value{k: vText, s: trileanText[v]}
	return f
}

// IsNull is Is(col, Null).
func IsNull[V any](col *V) Filter { return Is(col, Null) }

// IsNotNull is Not(Is(col, Null)): col=not.is.null.
func IsNotNull[V any](col *V) Filter { return Not(Is(col, Null)) }

// IsDistinct matches col IS DISTINCT FROM v (col=isdistinct.v). A nil v
// gives col=not.is.null.
func IsDistinct[V any](col *V, v V) Filter {
	f := opFilter("isdistinct", col, v)
	if f.err == nil && f.val.isNull() {
		return Filter{kind: fIs, neg: true, op: "is", col: f.col, val: value{k: vText, s: "null"}}
	}
	return f
}

// In matches rows where col is one of vs: col=in.(a,b). Each textual
// value is double-quoted (with " and \ escaped) when it is empty, spells
// null, or holds one of , . : ( ) " \ { } [ ] or white space, so that
// PostgREST's URL grammar reads it whole; numbers and booleans stay bare.
// A nil value is an error ([ErrNilValue]): SQL's IN never matches NULL;
// combine with Or(In(...), IsNull(col)) instead. No values give in.(),
// which matches no row; a list of only the empty string is sent as eq.
// (PostgREST would read in.("") as the empty list).
func In[V any](col *V, vs ...V) Filter {
	f := Filter{kind: fIn, op: "in", col: refOf(col, false)}
	var stack [512]byte
	enc := stack[:0]
	var first value
	for i, v := range vs {
		x, err := valueOf(v, f.col.json)
		if err == nil && x.isNull() {
			err = nilValue("nil value in the list: SQL IN never matches NULL; use Or(In(...), IsNull(col))")
		}
		if err != nil {
			f.err = wrapValue(err, "in", &f.col)
			return f
		}
		if i == 0 {
			first = x
		} else {
			enc = append(enc, "%2C"...)
		}
		enc = appendListValue(enc, x)
	}
	return finishIn(f, enc, len(vs), first)
}

// finishIn stores in f the encoded values of its in list (each quoted
// where the list's grammar needs it, form-encoded, joined by %2C), so
// building a query appends them as they are. A list of n == 1 values
// holding only the empty string, which PostgREST reads as the empty list
// (= ANY('{}')), becomes the equivalent eq.
func finishIn(f Filter, enc []byte, n int, first value) Filter {
	if n == 1 && first.k == vText && first.s == "" {
		f.kind, f.op, f.val = fOp, "eq", first
		return f
	}
	f.val = value{k: vText, s: string(enc)}
	return f
}

// appendListValue appends an operand inside an in list or a logic tree.
func appendListValue(b []byte, v value) []byte {
	if v.k == vText {
		return appendListForm(b, v.s)
	}
	// numbers and booleans hold nothing PostgREST's grammar reserves
	var t [32]byte
	return appendForm(b, v.appendText(t[:0]))
}

// NotIn is Not(In(col, vs...)): col=not.in.(a,b).
func NotIn[V any](col *V, vs ...V) Filter { return Not(In(col, vs...)) }

// Contains matches rows where col contains v (col=cs.v): for an array
// column a PostgreSQL array literal {a,b} (elements quoted as needed), for
// a json column JSON, for a range column the range literal as given.
func Contains[V any](col *V, v V) Filter { return nonNull("cs", col, v) }

// ContainedBy matches rows where col is contained by v (col=cd.v).
func ContainedBy[V any](col *V, v V) Filter { return nonNull("cd", col, v) }

// Overlaps matches rows where col and v overlap (col=ov.v): arrays or ranges.
func Overlaps[V any](col *V, v V) Filter { return nonNull("ov", col, v) }

// RangeGt matches ranges strictly right of v (col=sr.v).
func RangeGt[V any](col *V, v V) Filter { return nonNull("sr", col, v) }

// RangeGte matches ranges that do not extend left of v (col=nxl.v).
func RangeGte[V any](col *V, v V) Filter { return nonNull("nxl", col, v) }

// RangeLt matches ranges strictly left of v (col=sl.v).
func RangeLt[V any](col *V, v V) Filter { return nonNull("sl", col, v) }

// RangeLte matches ranges that do not extend right of v (col=nxr.v).
func RangeLte[V any](col *V, v V) Filter { return nonNull("nxr", col, v) }

// RangeAdjacent matches ranges adjacent to v (col=adj.v).
func RangeAdjacent[V any](col *V, v V) Filter { return nonNull("adj", col, v) }

// TextSearchType selects the tsquery parser of [TextSearch].
type TextSearchType uint8

const (
	FTS       TextSearchType = iota // to_tsquery: fts
	Plain                           // plainto_tsquery: plfts
	Phrase                          // phraseto_tsquery: phfts
	Websearch                       // websearch_to_tsquery: wfts
)

// TextSearchOptions are the options of [TextSearch].
type TextSearchOptions struct {
	Type   TextSearchType
	Config string // text search configuration, such as "english"; optional
}

// TextSearch matches a tsvector column against a query:
// col=fts.q, col=plfts(english).q and so on. The query is sent as it is.
func TextSearch[V any](col *V, q string, opts ...TextSearchOptions) Filter {
	var o TextSearchOptions
	if len(opts) > 1 {
		f := patternFilter("fts", col, q)
		f.err = errors.Join(f.err, errors.New("query: TextSearch takes at most one TextSearchOptions"))
		return f
	}
	if len(opts) == 1 {
		o = opts[0]
	}
	var op string
	switch o.Type {
	case FTS:
		op = "fts"
	case Plain:
		op = "plfts"
	case Phrase:
		op = "phfts"
	case Websearch:
		op = "wfts"
	default:
		f := patternFilter("fts", col, q)
		f.err = errors.Join(f.err, errors.New("query: invalid TextSearchType"))
		return f
	}
	if o.Config != "" {
		if !configIdent(o.Config) {
			f := patternFilter(op, col, q)
			f.err = errors.Join(f.err, invalid("invalid text search config "+quoteErr(o.Config), nil))
			return f
		}
		op += "(" + o.Config + ")"
	}
	return patternFilter(op, col, q)
}

func configIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Match is one Eq per entry of m, keys sorted (Go maps have no order):
// a nil value gives is.null. Keys are column names as in [Col].
func Match(m map[string]any) Filter {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kids := make([]Filter, 0, len(m))
	for _, k := range keys {
		ref := colRef{text: k}
		if k == "" || strings.IndexByte(k, 0) >= 0 {
			ref.err = columnError("empty or invalid column name "+quoteErr(k), nil)
		}
		f := Filter{kind: fOp, op: "eq", col: ref}
		v, err := anyValue(m[k], false)
		if err != nil {
			f.err = wrapValue(err, "eq", &ref)
		} else if v.isNull() {
			f = Filter{kind: fIs, op: "is", col: ref, val: value{k: vText, s: "null"}}
		} else {
			f.val = v
		}
		kids = append(kids, f)
	}
	return Filter{kind: fAnd, kids: kids}
}

// knownOps are the operators accepted by Raw (after an optional "not.").
var knownOps = map[string]bool{
	"eq": true, "neq": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"like": true, "ilike": true, "match": true, "imatch": true, "is": true,
	"isdistinct": true, "in": true, "cs": true, "cd": true, "ov": true,
	"sl": true, "sr": true, "nxl": true, "nxr": true, "adj": true,
	"fts": true, "plfts": true, "phfts": true, "wfts": true,
}

func validOp(op string) bool {
	op = strings.TrimPrefix(op, "not.")
	if knownOps[op] {
		return true
	}
	name, arg, ok := strings.Cut(op, "(")
	if !ok || !strings.HasSuffix(arg, ")") {
		return false
	}
	arg = arg[:len(arg)-1]
	switch name {
	case "fts", "plfts", "phfts", "wfts":
		return configIdent(arg)
	case "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch":
		return arg == "any" || arg == "all"
	}
	return false
}

// rawText is raw text kept verbatim (checked for NUL by the caller).
func rawText(s string) value { return value{k: vText, s: s} }

// Raw is a filter in PostgREST's own syntax, sent verbatim:
// Raw("name", "in", `("Han","Yoda")`) gives name=in.("Han","Yoda"). The
// operator must be one PostgREST knows (optionally prefixed by "not.");
// column and value are not quoted or checked.
func Raw(column, operator, value string) Filter {
	f := Filter{kind: fRaw, op: operator, col: colRef{text: column}, val: rawText(value)}
	if column == "" || strings.IndexByte(column, 0) >= 0 {
		f.col.err = columnError("empty or invalid column name "+quoteErr(column), nil)
	}
	if !validOp(operator) {
		f.err = errors.New("query: unknown filter operator " + quoteErr(operator))
	}
	if strings.IndexByte(value, 0) >= 0 {
		f.err = errors.Join(f.err, invalid("value contains a NUL byte", nil))
	}
	return f
}

// OrRaw is an or group in PostgREST's syntax, sent verbatim inside the
// parentheses: OrRaw("id.eq.2,name.eq.Han") gives or=(id.eq.2,name.eq.Han).
func OrRaw(expr string) Filter {
	f := Filter{kind: fOrRaw, val: rawText(expr)}
	if expr == "" || strings.IndexByte(expr, 0) >= 0 {
		f.err = errors.New("query: empty or invalid or expression")
	}
	return f
}

// Or matches rows matching any of fs: or=(a,b). Nested Or, And and Not
// become or(...), and(...) and not.; values are quoted as in [In]. All
// columns must belong to the same table: the queried one, or one embedded
// resource (then the group is sent as cities.or=(...)).
func Or(fs ...Filter) Filter {
	f := Filter{kind: fOr, kids: slices.Clone(fs)}
	if len(fs) == 0 {
		f.err = errors.New("query: Or needs at least one filter")
	}
	return f
}

// And matches rows matching all of fs. At the top level of a query it is
// the same as listing the filters; inside Or it becomes and(...), and
// under Not it becomes not.and=(...).
func And(fs ...Filter) Filter {
	return Filter{kind: fAnd, kids: slices.Clone(fs)}
}

// Not negates f: col=not.eq.v, not.or=(...), not.and=(...). Not(Not(f)) is f.
func Not(f Filter) Filter {
	switch f.kind {
	case fScope:
		// the negation applies inside the embedded resource
		inner := Not(And(f.kids...))
		f.kids = []Filter{inner}
		return f
	case fRaw:
		if strings.HasPrefix(f.op, "not.") {
			f.op = f.op[4:]
		} else {
			f.op = "not." + f.op
		}
		return f
	case fAnd:
		if len(f.kids) == 1 && !f.neg {
			return Not(f.kids[0])
		}
	}
	f.neg = !f.neg
	return f
}

// On scopes filters to an embedded resource: rel is a relation field
// pointer (&c.Cities) or a dotted path ("cities", "cities.districts").
// Columns of the resource's type are then written relative to it, and
// groups are sent as cities.or=(...). Filters on columns of an embedded
// type reach it without On when the path is unique (see
// schema.Table.EmbedPath); On is needed when it is not, with named
// columns, and for OrRaw.
func On(rel any, fs ...Filter) Filter {
	sc := scopeOf(rel)
	return Filter{kind: fScope, scope: &sc, kids: slices.Clone(fs)}
}

// columnRef is the colRef of a column known by its metadata.
func columnRef(col *schema.Column) colRef {
	if col == nil {
		return colRef{err: columnError("nil *schema.Column", nil)}
	}
	return colRef{col: col, json: col.JSON}
}

// checkType reports a value whose type is not the column's (or, for a
// pointer column, its element type).
func checkType(col *schema.Column, v any) error {
	if col == nil || v == nil {
		return nil
	}
	got, want := reflect.TypeOf(v), col.Type
	if got == want || want.Kind() == reflect.Pointer && got == want.Elem() {
		return nil
	}
	return invalid("value of type "+got.String()+" for column "+
		col.Table.Type.Name()+"."+col.GoName+" of type "+want.String(), nil)
}

// ColumnEq is Eq for a column known by its metadata (a *schema.Column from
// schema.Table), for code driven by metadata such as primary-key lookups.
// v must have the column's Go type (or its element type for a pointer
// column); nil gives is.null.
func ColumnEq(col *schema.Column, v any) Filter {
	f := Filter{kind: fOp, op: "eq", col: columnRef(col)}
	if err := checkType(col, v); err != nil {
		f.err = err
		return f
	}
	x, err := anyValue(v, f.col.json)
	if err != nil {
		f.err = wrapValue(err, "eq", &f.col)
		return f
	}
	if x.isNull() {
		return Filter{kind: fIs, op: "is", col: f.col, val: value{k: vText, s: "null"}}
	}
	f.val = x
	return f
}

// ColumnIn is In for a column known by its metadata; every value must
// have the column's Go type (or its element type), and none may be nil.
func ColumnIn(col *schema.Column, vs ...any) Filter {
	f := Filter{kind: fIn, op: "in", col: columnRef(col)}
	var stack [512]byte
	enc := stack[:0]
	var first value
	for i, v := range vs {
		if err := checkType(col, v); err != nil {
			f.err = err
			return f
		}
		x, err := anyValue(v, f.col.json)
		if err == nil && x.isNull() {
			err = nilValue("nil value in the list: SQL IN never matches NULL")
		}
		if err != nil {
			f.err = wrapValue(err, "in", &f.col)
			return f
		}
		if i == 0 {
			first = x
		} else {
			enc = append(enc, "%2C"...)
		}
		enc = appendListValue(enc, x)
	}
	return finishIn(f, enc, len(vs), first)
}
