package repo

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// formatScalar renders a filter value for eq, neq, gt, like… : strings as
// they are, numbers and booleans in their shortest form, times in RFC 3339,
// slices as PostgreSQL array literals, maps and structs as JSON. A nil value
// is refused (the callers turn eq/neq nil into is.null / not.is.null).
func formatScalar(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", fmt.Errorf("%w: nil value (use Is(column, nil))", ErrInvalid)
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int8, int16, int32, int64:
		return strconv.FormatInt(reflect.ValueOf(x).Int(), 10), nil
	case uint, uint8, uint16, uint32, uint64:
		return strconv.FormatUint(reflect.ValueOf(x).Uint(), 10), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case json.RawMessage:
		return string(x), nil
	case json.Number:
		return string(x), nil
	case json.Marshaler:
		b, err := x.MarshalJSON()
		if err != nil {
			return "", err
		}
		var s string
		if json.Unmarshal(b, &s) == nil {
			return s, nil
		}
		return string(b), nil
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		return string(b), err
	case fmt.Stringer:
		return x.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return formatScalar(nil)
		}
		return formatScalar(rv.Elem().Interface())
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return string(rv.Bytes()), nil
		}
		return formatArray(v)
	case reflect.Map, reflect.Struct:
		b, err := json.Marshal(v)
		return string(b), err
	}
	return "", fmt.Errorf("%w: cannot format a %T as a filter value", ErrInvalid, v)
}

// elements returns the elements of a slice or array value, or false.
func elements(v any) ([]any, bool) {
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// formatList renders the parenthesised list of in / not.in: values are
// de-duplicated, and a value that is empty, spells null, or holds a
// character PostgREST's grammar reserves (,.:() quote backslash braces
// brackets) or white space is double-quoted with " and \ escaped. nil elements are refused: SQL's "x IN (NULL)" matches
// nothing; combine Is(column, nil) in an Or instead.
func formatList(v any) (string, error) {
	els, ok := elements(v)
	if !ok {
		return "", fmt.Errorf("%w: in needs a slice, got %T", ErrInvalid, v)
	}
	var b strings.Builder
	b.WriteByte('(')
	seen := map[any]bool{}
	first := true
	for _, e := range els {
		if e == nil {
			return "", fmt.Errorf("%w: nil in an in list matches nothing; use Or with is.null", ErrInvalid)
		}
		if reflect.TypeOf(e).Comparable() {
			if seen[e] {
				continue
			}
			seen[e] = true
		}
		s, err := formatScalar(e)
		if err != nil {
			return "", err
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		if bareKind(e) {
			b.WriteString(s) // numbers and booleans need no quotes
		} else {
			b.WriteString(quoteListItem(s))
		}
	}
	b.WriteByte(')')
	return b.String(), nil
}

// bareKind reports numbers and booleans, which are written bare in lists.
func bareKind(v any) bool {
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		_, stringer := v.(fmt.Stringer)
		_, text := v.(encoding.TextMarshaler)
		return !stringer && !text
	}
	return false
}

// quoteListItem quotes an element of an in list where PostgREST's grammar
// needs it.
func quoteListItem(s string) string { return quoteIf(s, ",.:()\"\\{}[]") }

// formatArray renders a PostgreSQL array literal {a,b}: an element that is
// empty, NULL, or holds {}",\ or white space is double-quoted with " and \
// escaped; nil elements become NULL; nested slices nest.
func formatArray(v any) (string, error) {
	els, ok := elements(v)
	if !ok {
		return "", fmt.Errorf("%w: an array value needs a slice, got %T", ErrInvalid, v)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range els {
		if i > 0 {
			b.WriteByte(',')
		}
		if e == nil {
			b.WriteString("NULL")
			continue
		}
		if _, nested := elements(e); nested {
			s, err := formatArray(e)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			continue
		}
		s, err := formatScalar(e)
		if err != nil {
			return "", err
		}
		b.WriteString(quoteArrayItem(s))
	}
	b.WriteByte('}')
	return b.String(), nil
}

// quoteArrayItem quotes an element of a PostgreSQL array literal where
// needed.
func quoteArrayItem(s string) string { return quoteIf(s, "{}\",\\") }

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quoteIf double-quotes s, escaping " and \, when it is empty, spells
// null, or holds one of special or white space; otherwise s is returned.
func quoteIf(s, special string) string {
	if s != "" && !strings.EqualFold(s, "null") && !strings.ContainsAny(s, special) &&
		strings.IndexFunc(s, unicode.IsSpace) < 0 {
		return s
	}
	return `"` + quoteEscaper.Replace(s) + `"`
}

// formatContains renders the value of cs, cd and ov: a string is passed as
// written (a range or array literal), a slice becomes an array literal, a
// map or struct JSON (jsonb columns).
func formatContains(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", fmt.Errorf("%w: nil value for an array, range or jsonb filter", ErrInvalid)
	case json.RawMessage:
		return string(x), nil
	}
	if _, ok := elements(v); ok {
		return formatArray(v)
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Map || rv.Kind() == reflect.Struct {
		b, err := json.Marshal(v)
		return string(b), err
	}
	return formatScalar(v)
}

// formatRange renders a range value: a string as written, or a two-element
// slice [lower, upper] as the half-open range "[lower,upper)", the
// inclusive-exclusive default of PostgreSQL's range constructors.
func formatRange(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	els, ok := elements(v)
	if !ok || len(els) != 2 {
		return "", fmt.Errorf("%w: a range is a string literal or a [lower, upper] pair, got %T", ErrInvalid, v)
	}
	lo, err := formatScalar(els[0])
	if err != nil {
		return "", err
	}
	hi, err := formatScalar(els[1])
	if err != nil {
		return "", err
	}
	return "[" + lo + "," + hi + ")", nil
}

// cleanSelect removes white space outside double quotes from a select
// list, as the official clients do.
func cleanSelect(s string) string {
	var b strings.Builder
	quoted := false
	for _, r := range s {
		if r == '"' {
			quoted = !quoted
		}
		if !quoted && (r == ' ' || r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
