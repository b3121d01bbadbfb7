package rest

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONStep is one step of a JSON path: -> or ->> followed by a key or index.
type JSONStep struct {
	Text bool // ->> (text) rather than -> (json)
	Key  string
}

// Field is a column reference with an optional JSON path.
type Field struct {
	Name string
	Path []JSONStep
}

// OutName is the default output name of a field (the last JSON key, else
// the column name).
func (f Field) OutName() string {
	if len(f.Path) > 0 {
		return f.Path[len(f.Path)-1].Key
	}
	return f.Name
}

// SelectItem is one entry of a select list: a field, an aggregate, or an
// embedded resource.
type SelectItem struct {
	Alias   string
	Field   Field // Name "*" for all columns; empty for a bare count()
	Cast    string
	Agg     string // count, sum, avg, min, max
	AggCast string
	Embed   *Embed
}

// Embed is an embedded resource in a select list.
type Embed struct {
	Name   string
	Alias  string
	Hint   string
	Inner  bool
	Spread bool
	Select []SelectItem
}

// Key returns the name filters and modifiers use to address the embed.
func (e *Embed) Key() string {
	if e.Alias != "" {
		return e.Alias
	}
	return e.Name
}

var aggregates = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true}

type scanner struct {
	s   string
	pos int
}

func (p *scanner) eof() bool { return p.pos >= len(p.s) }
func (p *scanner) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}
func (p *scanner) has(prefix string) bool { return strings.HasPrefix(p.s[p.pos:], prefix) }
func (p *scanner) errf(format string, a ...any) *Error {
	return errParse(fmt.Sprintf("\"failed to parse select parameter (%s)\" (line 1, column %d)", p.s, p.pos+1),
		fmt.Sprintf(format, a...))
}

// quoted reads a double-quoted string at the current position, with
// backslash escaping the next byte; false when it is not terminated.
func (p *scanner) quoted() (string, bool) {
	p.pos++ // the opening quote
	var b strings.Builder
	for !p.eof() {
		ch := p.s[p.pos]
		if ch == '\\' && p.pos+1 < len(p.s) {
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
			continue
		}
		if ch == '"' {
			p.pos++
			return b.String(), true
		}
		b.WriteByte(ch)
		p.pos++
	}
	return "", false
}

// ident reads a quoted or unquoted identifier; stop lists the bytes that end
// an unquoted one (besides "->" and "::").
func (p *scanner) ident(stop string) (string, bool) {
	if p.peek() == '"' {
		return p.quoted()
	}
	start := p.pos
	for !p.eof() {
		ch := p.s[p.pos]
		if strings.IndexByte(stop, ch) >= 0 || p.has("->") || p.has("::") {
			break
		}
		p.pos++
	}
	name := strings.TrimSpace(p.s[start:p.pos])
	return name, name != ""
}

const selectStop = ",()!:.\""

// ParseSelect parses a select= value.
func ParseSelect(s string) ([]SelectItem, error) {
	p := &scanner{s: s}
	items, err := p.selectList(0)
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf("unexpected %q", string(p.peek()))
	}
	return items, nil
}

func (p *scanner) selectList(depth int) ([]SelectItem, error) {
	if depth > 32 {
		return nil, p.errf("select nested too deeply")
	}
	var items []SelectItem
	if p.eof() || p.peek() == ')' {
		return items, nil
	}
	for {
		it, err := p.selectItem(depth)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if p.peek() != ',' {
			return items, nil
		}
		p.pos++
	}
}

func (p *scanner) selectItem(depth int) (SelectItem, error) {
	var it SelectItem
	spread := false
	if p.has("...") {
		spread = true
		p.pos += 3
	}
	if p.peek() == '*' {
		p.pos++
		if spread {
			return it, p.errf("unexpected * after ...")
		}
		it.Field.Name = "*"
		return it, nil
	}
	name, ok := p.ident(selectStop)
	if !ok {
		return it, p.errf("expected a column or relation name")
	}
	if p.peek() == ':' && !p.has("::") {
		p.pos++
		it.Alias = name
		if name, ok = p.ident(selectStop); !ok {
			return it, p.errf("expected a name after alias %q", it.Alias)
		}
	}
	// Embedded resource: name[!hint][!inner](...)
	if p.peek() == '!' || p.peek() == '(' {
		if p.peek() == '(' && aggregates[name] && p.has("()") && !spread {
			// bare aggregate: count()
			p.pos += 2
			it.Agg = name
			if err := p.castInto(&it.AggCast); err != nil {
				return it, err
			}
			return it, nil
		}
		e := &Embed{Name: name, Alias: it.Alias, Spread: spread}
		for p.peek() == '!' {
			p.pos++
			h, ok := p.ident(selectStop)
			if !ok {
				return it, p.errf("expected a hint after !")
			}
			switch h {
			case "inner":
				e.Inner = true
			case "left":
				e.Inner = false
			default:
				if e.Hint != "" {
					return it, p.errf("more than one hint for %q", name)
				}
				e.Hint = h
			}
		}
		if p.peek() != '(' {
			return it, p.errf("expected ( after %q", name)
		}
		p.pos++
		sub, err := p.selectList(depth + 1)
		if err != nil {
			return it, err
		}
		if p.peek() != ')' {
			return it, p.errf("expected )")
		}
		p.pos++
		e.Select = sub
		it.Embed = e
		it.Alias = ""
		return it, nil
	}
	if spread {
		return it, p.errf("spread ... needs an embedded resource")
	}
	it.Field.Name = name
	path, err := p.jsonPath()
	if err != nil {
		return it, err
	}
	it.Field.Path = path
	if err := p.castInto(&it.Cast); err != nil {
		return it, err
	}
	if p.peek() == '.' {
		p.pos++
		agg, ok := p.ident(selectStop)
		if !ok || !aggregates[agg] || !p.has("()") {
			return it, p.errf("unknown aggregate after %q", name)
		}
		p.pos += 2
		it.Agg = agg
		if err := p.castInto(&it.AggCast); err != nil {
			return it, err
		}
	}
	return it, nil
}

func (p *scanner) jsonPath() ([]JSONStep, error) {
	var path []JSONStep
	for p.has("->") {
		st := JSONStep{}
		if p.has("->>") {
			st.Text = true
			p.pos += 3
		} else {
			p.pos += 2
		}
		k, ok := p.ident(selectStop)
		if !ok {
			return nil, p.errf("expected a key after ->")
		}
		st.Key = k
		path = append(path, st)
	}
	return path, nil
}

func (p *scanner) castInto(dst *string) error {
	if !p.has("::") {
		return nil
	}
	p.pos += 2
	start := p.pos
	for !p.eof() && isCastByte(p.peek()) {
		p.pos++
	}
	c := p.s[start:p.pos]
	if !validCast(c) {
		return p.errf("invalid cast %q", c)
	}
	*dst = c
	return nil
}

func isCastByte(b byte) bool {
	return b == '_' || b == '[' || b == ']' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// validCast accepts a bare type name, optionally an array of it: it is
// emitted unquoted, so it must never carry anything but identifier bytes.
func validCast(c string) bool {
	c = strings.TrimSuffix(c, "[]")
	if c == "" {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !(b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return !(c[0] >= '0' && c[0] <= '9')
}

// ---- filters ----

// Filter is one condition: field op value, possibly negated.
type Filter struct {
	Field  Field
	Not    bool
	Op     string
	Mod    string   // any / all quantifier
	Config string   // full-text search configuration
	Value  string   // raw value
	List   []string // values of in.(...)
	IsList bool
}

// Logic is an and/or tree.
type Logic struct {
	Or       bool
	Not      bool
	Filters  []Filter
	Children []*Logic
	// order of children and filters does not matter for semantics
}

var operators = map[string]string{
	"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
	"like": "LIKE", "ilike": "ILIKE", "match": "~", "imatch": "~*",
	"is": "IS", "isdistinct": "IS DISTINCT FROM", "in": "IN",
	"cs": "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>", "nxr": "&<", "nxl": "&>", "adj": "-|-",
	"fts": "@@", "plfts": "@@", "phfts": "@@", "wfts": "@@",
}

var quantifiable = map[string]bool{"eq": true, "neq": true, "gt": true, "gte": true, "lt": true, "lte": true, "like": true, "ilike": true, "match": true, "imatch": true}

func filterErr(what, val string) *Error {
	return errParse(fmt.Sprintf("\"failed to parse filter (%s)\" (line 1, column 1)", val), what)
}

// ParseFilterValue parses "[not.]op[(mod)].value".
func ParseFilterValue(field Field, v string) (Filter, error) {
	f := Filter{Field: field}
	rest := v
	if strings.HasPrefix(rest, "not.") {
		f.Not = true
		rest = rest[4:]
	}
	dot := strings.IndexByte(rest, '.')
	if dot < 0 {
		return f, filterErr("unexpected end of input, expecting operator", v)
	}
	op := rest[:dot]
	val := rest[dot+1:]
	if i := strings.IndexByte(op, '('); i >= 0 && strings.HasSuffix(op, ")") {
		mod := op[i+1 : len(op)-1]
		op = op[:i]
		switch {
		case quantifiable[op] && (mod == "any" || mod == "all"):
			f.Mod = mod
		case op == "fts" || op == "plfts" || op == "phfts" || op == "wfts":
			f.Config = mod
		default:
			return f, filterErr(fmt.Sprintf("unknown modifier %q for %q", mod, op), v)
		}
	}
	if _, ok := operators[op]; !ok {
		return f, filterErr(fmt.Sprintf("unknown operator %q", op), v)
	}
	f.Op = op
	f.Value = val
	switch op {
	case "is":
		switch strings.ToLower(val) {
		case "null", "not_null", "true", "false", "unknown":
			f.Value = strings.ToLower(val)
		default:
			return f, filterErr("is accepts null, not_null, true, false or unknown", v)
		}
	case "in":
		list, err := parseList(val)
		if err != nil {
			return f, filterErr(err.Error(), v)
		}
		f.List, f.IsList = list, true
	}
	if f.Mod != "" {
		list, err := parseBraces(val)
		if err != nil {
			return f, filterErr(err.Error(), v)
		}
		f.List, f.IsList = list, true
	}
	return f, nil
}

// parseList parses "(a,"b,c",d)" with double-quoted items and backslash
// escapes inside quotes.
func parseList(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, fmt.Errorf("expected a list in parentheses")
	}
	return splitItems(s[1 : len(s)-1])
}

func parseBraces(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("expected a list in braces")
	}
	return splitItems(s[1 : len(s)-1])
}

func splitItems(body string) ([]string, error) {
	var out []string
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	i := 0
	for {
		var b strings.Builder
		if i < len(body) && body[i] == '"' {
			i++
			closed := false
			for i < len(body) {
				ch := body[i]
				if ch == '\\' && i+1 < len(body) {
					b.WriteByte(body[i+1])
					i += 2
					continue
				}
				if ch == '"' {
					i++
					closed = true
					break
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted value")
			}
			out = append(out, b.String())
			if i < len(body) && body[i] != ',' {
				return nil, fmt.Errorf("unexpected %q after quoted value", body[i])
			}
		} else {
			j := strings.IndexByte(body[i:], ',')
			if j < 0 {
				out = append(out, body[i:])
				return out, nil
			}
			out = append(out, body[i:i+j])
			i += j
		}
		if i >= len(body) {
			return out, nil
		}
		i++ // comma
	}
}

// ParseField parses a filter or order column with an optional JSON path.
func ParseField(s string) (Field, error) {
	p := &scanner{s: s}
	name, ok := p.ident(",()!:.\"")
	if !ok {
		return Field{}, errParse(fmt.Sprintf("\"failed to parse field (%s)\" (line 1, column 1)", s), "expected a column name")
	}
	path, err := p.jsonPath()
	if err != nil {
		return Field{}, err
	}
	if !p.eof() {
		return Field{}, errParse(fmt.Sprintf("\"failed to parse field (%s)\" (line 1, column %d)", s, p.pos+1), "unexpected input")
	}
	return Field{Name: name, Path: path}, nil
}

// ParseLogic parses the value of an or=/and= parameter: "(f.op.v,and(...))".
func ParseLogic(or, not bool, v string) (*Logic, error) {
	p := &scanner{s: v}
	l, err := p.logicBody(or, not, 0)
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, errParse(fmt.Sprintf("\"failed to parse logic tree (%s)\" (line 1, column %d)", v, p.pos+1), "unexpected input after the tree")
	}
	return l, nil
}

func (p *scanner) logicErr(what string) *Error {
	return errParse(fmt.Sprintf("\"failed to parse logic tree (%s)\" (line 1, column %d)", p.s, p.pos+1), what)
}

func (p *scanner) logicBody(or, not bool, depth int) (*Logic, error) {
	if depth > 32 {
		return nil, p.logicErr("logic tree nested too deeply")
	}
	if p.peek() != '(' {
		return nil, p.logicErr("expected (")
	}
	p.pos++
	l := &Logic{Or: or, Not: not}
	for {
		for p.peek() == ' ' {
			p.pos++
		}
		neg := false
		if p.has("not.") {
			neg = true
			p.pos += 4
		}
		switch {
		case p.has("or("), p.has("and("):
			isOr := p.has("or(")
			if isOr {
				p.pos += 2
			} else {
				p.pos += 3
			}
			c, err := p.logicBody(isOr, neg, depth+1)
			if err != nil {
				return nil, err
			}
			l.Children = append(l.Children, c)
		default:
			if neg {
				p.pos -= 4
			}
			f, err := p.logicFilter()
			if err != nil {
				return nil, err
			}
			l.Filters = append(l.Filters, f)
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return l, nil
		default:
			return nil, p.logicErr("expected , or )")
		}
	}
}

func (p *scanner) logicFilter() (Filter, error) {
	name, ok := p.ident(",()!:.\"")
	if !ok {
		return Filter{}, p.logicErr("expected a column name")
	}
	path, err := p.jsonPath()
	if err != nil {
		return Filter{}, err
	}
	if p.peek() != '.' {
		return Filter{}, p.logicErr("expected . after the column")
	}
	p.pos++
	// operator part: up to the value (which starts after op[(mod)].)
	start := p.pos
	if p.has("not.") {
		p.pos += 4
	}
	for !p.eof() && p.peek() != '.' && p.peek() != ',' && p.peek() != ')' {
		if p.peek() == '(' {
			j := strings.IndexByte(p.s[p.pos:], ')')
			if j < 0 {
				return Filter{}, p.logicErr("unclosed (")
			}
			p.pos += j
		}
		p.pos++
	}
	if p.peek() != '.' {
		return Filter{}, p.logicErr("expected operator.value")
	}
	p.pos++
	opPart := p.s[start:p.pos]
	val, err := p.logicValue()
	if err != nil {
		return Filter{}, err
	}
	return ParseFilterValue(Field{Name: name, Path: path}, opPart+val)
}

// logicValue reads a value inside a logic tree: a double-quoted string, or
// text up to the next , or ) at nesting level zero.
func (p *scanner) logicValue() (string, error) {
	if p.peek() == '"' {
		v, ok := p.quoted()
		if !ok {
			return "", p.logicErr("unterminated quoted value")
		}
		return v, nil
	}
	start := p.pos
	depth := 0
	inQuote := false
	for !p.eof() {
		ch := p.s[p.pos]
		if inQuote {
			if ch == '\\' {
				p.pos += 2
				continue
			}
			if ch == '"' {
				inQuote = false
			}
			p.pos++
			continue
		}
		switch ch {
		case '"':
			inQuote = true
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			if depth == 0 {
				return p.s[start:p.pos], nil
			}
			depth--
		case ',':
			if depth == 0 {
				return p.s[start:p.pos], nil
			}
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}

// ---- order ----

// OrderTerm is one order= term.
type OrderTerm struct {
	Embed      string // to-one embedded resource whose column orders, if any
	Field      Field
	Desc       bool
	NullsFirst *bool
}

// ParseOrder parses "col.desc.nullslast,other".
func ParseOrder(s string) ([]OrderTerm, error) {
	var out []OrderTerm
	if s == "" {
		return out, nil
	}
	for _, part := range splitTop(s) {
		p := &scanner{s: part}
		name, ok := p.ident(",()!:.\"")
		if !ok {
			return nil, errParse(fmt.Sprintf("\"failed to parse order (%s)\" (line 1, column 1)", s), "expected a column")
		}
		embed := ""
		if p.peek() == '(' {
			p.pos++
			embed = name
			if name, ok = p.ident(",()!:.\""); !ok {
				return nil, errParse(fmt.Sprintf("\"failed to parse order (%s)\" (line 1, column %d)", s, p.pos+1), "expected a column of "+embed)
			}
		}
		path, err := p.jsonPath()
		if err != nil {
			return nil, err
		}
		if embed != "" {
			if p.peek() != ')' {
				return nil, errParse(fmt.Sprintf("\"failed to parse order (%s)\" (line 1, column %d)", s, p.pos+1), "expected )")
			}
			p.pos++
		}
		t := OrderTerm{Embed: embed, Field: Field{Name: name, Path: path}}
		for p.peek() == '.' {
			p.pos++
			w, _ := p.ident(".")
			switch w {
			case "asc":
				t.Desc = false
			case "desc":
				t.Desc = true
			case "nullsfirst":
				v := true
				t.NullsFirst = &v
			case "nullslast":
				v := false
				t.NullsFirst = &v
			default:
				return nil, errParse(fmt.Sprintf("\"failed to parse order (%s)\" (line 1, column %d)", s, p.pos+1), "unexpected \""+w+"\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\"")
			}
		}
		if !p.eof() {
			return nil, errParse(fmt.Sprintf("\"failed to parse order (%s)\" (line 1, column %d)", s, p.pos+1), "unexpected input")
		}
		out = append(out, t)
	}
	return out, nil
}

// splitTop splits on commas outside parentheses and double quotes.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	inQ := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQ = !inQ
		case inQ:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// ParseColumns parses columns="a","b" or a,b.
func ParseColumns(s string) ([]string, error) {
	items, err := splitItems(s)
	if err != nil {
		return nil, errParse(fmt.Sprintf("\"failed to parse columns parameter (%s)\" (line 1, column 1)", s), err.Error())
	}
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
		if items[i] == "" {
			return nil, errParse(fmt.Sprintf("\"failed to parse columns parameter (%s)\" (line 1, column 1)", s), "empty column name")
		}
	}
	return items, nil
}

func parseNonNeg(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errParse(fmt.Sprintf("\"failed to parse %s parameter (%s)\" (line 1, column 1)", name, v), "expected a non-negative integer")
	}
	return n, nil
}
