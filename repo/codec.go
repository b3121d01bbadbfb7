package repo

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"github.com/supakit/supakit/schema"
)

// codec is what the repository derives once per row type: the select list
// (columns whose JSON key differs from the column name are aliased to the
// key encoding/json reads, so rows decode straight into T), and the
// writable columns.
type codec struct {
	tbl      *schema.Table
	sel      string
	aliases  map[*schema.Column]string // column -> JSON key, when it differs
	writable []*schema.Column
	validate bool // the type (or a nested type) has validate tags
}

var codecs sync.Map // reflect.Type -> *codecEntry

type codecEntry struct {
	c   *codec
	err error
}

func codecFor(tbl *schema.Table) (*codec, error) {
	if v, ok := codecs.Load(tbl.Type); ok {
		e := v.(*codecEntry)
		if e.err == nil && e.c.tbl != tbl {
			// same type, renamed table (WithName): share everything but tbl
			c := *e.c
			c.tbl = tbl
			return &c, nil
		}
		return e.c, e.err
	}
	c, err := buildCodec(tbl)
	codecs.Store(tbl.Type, &codecEntry{c, err})
	return c, err
}

// jsonKey returns the key encoding/json uses for the struct field, or ""
// when the field is skipped (json:"-").
func jsonKey(f reflect.StructField) string {
	tag, ok := f.Tag.Lookup("json")
	if !ok {
		return f.Name
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" && tag == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func fieldOf(t reflect.Type, index []int) reflect.StructField {
	return t.FieldByIndex(index)
}

func buildCodec(tbl *schema.Table) (*codec, error) {
	c := &codec{tbl: tbl, aliases: map[*schema.Column]string{}}
	for _, col := range tbl.Columns {
		if !col.ReadOnly {
			c.writable = append(c.writable, col)
		}
	}
	var b strings.Builder
	if err := c.appendSelect(&b, tbl, []reflect.Type{tbl.Type}); err != nil {
		return nil, err
	}
	c.sel = b.String()
	c.validate = hasValidateTags(tbl.Type, map[reflect.Type]bool{})
	return c, nil
}

func (c *codec) appendSelect(b *strings.Builder, t *schema.Table, path []reflect.Type) error {
	n := 0
	for _, col := range t.Columns {
		f := fieldOf(t.Type, col.Index)
		key := jsonKey(f)
		if key == "" {
			return fmt.Errorf("%w: %s.%s: column %q has json:\"-\", so rows cannot be decoded into it; remove the json tag or tag the field db:\"-\"", ErrInvalid, t.Type, f.Name, col.Name)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		if !strings.EqualFold(key, col.Name) {
			if !plainIdent(key) {
				return fmt.Errorf("%w: %s.%s: JSON key %q of column %q cannot be a select alias; use a json tag made of letters, digits and _", ErrInvalid, t.Type, f.Name, key, col.Name)
			}
			if t == c.tbl {
				c.aliases[col] = key
			}
			b.WriteString(key)
			b.WriteByte(':')
		}
		writeIdent(b, col.Name)
	}
	for _, r := range t.Relations {
		if onPath(path, r.Target.Type) {
			continue
		}
		f := fieldOf(t.Type, r.Index)
		key := jsonKey(f)
		if !strings.EqualFold(key, r.Key()) {
			return fmt.Errorf("%w: %s.%s: embedded resource %q arrives under the key %q but encoding/json reads %q; add json:%q or as=%s to the db tag", ErrInvalid, t.Type, f.Name, r.Name, r.Key(), key, r.Key(), key)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		if r.Alias != "" {
			writeIdent(b, r.Alias)
			b.WriteByte(':')
		}
		writeIdent(b, r.Name)
		if r.Hint != "" {
			b.WriteString("!" + r.Hint)
		}
		if r.Inner {
			b.WriteString("!inner")
		} else if r.Left {
			b.WriteString("!left")
		}
		b.WriteByte('(')
		if err := c.appendSelect(b, r.Target, append(path, r.Target.Type)); err != nil {
			return err
		}
		b.WriteByte(')')
	}
	if n == 0 {
		b.WriteByte('*')
	}
	return nil
}

func onPath(path []reflect.Type, t reflect.Type) bool {
	for _, p := range path {
		if p == t {
			return true
		}
	}
	return false
}

func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

func writeIdent(b *strings.Builder, s string) {
	if plainIdent(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

func hasValidateTags(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("validate"); ok {
			return true
		}
		if hasValidateTags(f.Type, seen) {
			return true
		}
	}
	return false
}

// validate is the one validator the package uses; it caches struct
// metadata itself and is safe for concurrent use.
var validate = validator.New(validator.WithRequiredStructEnabled())

// validateRow checks row's validate tags; the error names the fields.
func validateRow(row any, idx int) error {
	err := runValidator(func() error { return validate.Struct(row) })
	if err == nil {
		return nil
	}
	return validationError(err, idx)
}

// crossField are the validator rules that read another field of the
// struct; a lone value given to Set has none to compare with.
var crossField = map[string]bool{
	"eqfield": true, "nefield": true, "gtfield": true, "gtefield": true, "ltfield": true, "ltefield": true,
	"eqcsfield": true, "necsfield": true, "gtcsfield": true, "gtecsfield": true, "ltcsfield": true, "ltecsfield": true,
	"fieldcontains": true, "fieldexcludes": true,
	"required_if": true, "required_unless": true, "required_with": true, "required_with_all": true,
	"required_without": true, "required_without_all": true,
	"excluded_if": true, "excluded_unless": true, "excluded_with": true, "excluded_with_all": true,
	"excluded_without": true, "excluded_without_all": true, "skip_unless": true,
}

// ownFieldRules drops from a validate tag the rules (and OR groups holding
// one) that compare with other fields, keeping those a single value can be
// checked against.
func ownFieldRules(tag string) string {
	if tag == "" {
		return ""
	}
	rules := strings.Split(tag, ",")
	kept := rules[:0]
	for _, r := range rules {
		cross := false
		for alt := range strings.SplitSeq(r, "|") {
			name, _, _ := strings.Cut(alt, "=")
			cross = cross || crossField[name]
		}
		if !cross {
			kept = append(kept, r)
		}
	}
	return strings.Join(kept, ",")
}

// errBadValidateTag reports a validate tag the validator cannot run (an
// unknown function, a malformed parameter).
var errBadValidateTag = errors.New("bad validate tag")

// runValidator runs f, turning the validator's panic on a malformed
// validate tag into an error matching ErrInvalid: a typo in a tag must
// fail the call, not the program.
func runValidator(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %w: %v", ErrInvalid, errBadValidateTag, p)
		}
	}()
	return f()
}

func validationError(err error, idx int) error {
	if errors.Is(err, errBadValidateTag) {
		return err
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return &ValidationError{Row: idx, Fields: []string{err.Error()}, Err: err}
	}
	fields := make([]string, 0, len(ves))
	for _, fe := range ves {
		s := fe.Namespace() + " (" + fe.Tag()
		if fe.Param() != "" {
			s += "=" + fe.Param()
		}
		fields = append(fields, s+")")
	}
	return &ValidationError{Row: idx, Fields: fields, Err: err}
}

// encodeRow writes row as a JSON object of its writable columns (keys are
// column names): read-only columns are never sent, omitempty columns are
// left out when zero, and only cols when given. It reports which
// omitempty columns were left out.
func (c *codec) encodeRow(buf *bytes.Buffer, v reflect.Value, only map[*schema.Column]bool) (omitted bool, err error) {
	buf.WriteByte('{')
	n := 0
	for _, col := range c.writable {
		if only != nil && !only[col] {
			continue
		}
		fv := v.FieldByIndex(col.Index)
		if col.OmitEmpty && only == nil && fv.IsZero() {
			omitted = true
			continue
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(col.Name)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := encodeValue(buf, col, fv.Interface()); err != nil {
			return false, fmt.Errorf("column %s (%s.%s): %w", col.Name, c.tbl.Type, col.GoName, err)
		}
	}
	buf.WriteByte('}')
	return omitted, nil
}

var bytesType = reflect.TypeFor[[]byte]()

// encodeValue writes one column value: JSON, except []byte (bytea), which
// PostgREST takes as the hex text \x….
func encodeValue(buf *bytes.Buffer, col *schema.Column, v any) error {
	if !col.JSON && col.Type == bytesType {
		bs := v.([]byte)
		if bs == nil {
			buf.WriteString("null")
			return nil
		}
		kb, _ := json.Marshal(`\x` + hex.EncodeToString(bs))
		buf.Write(kb)
		return nil
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // the encoder's newline
	return nil
}
