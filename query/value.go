package query

import (
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

type vkind uint8

const (
	vNull vkind = iota
	vText
	vInt
	vUint
	vFloat
	vBool
)

// value is a filter operand converted to its text form (numbers kept
// unformatted until encoding, so building a filter does not allocate).
type value struct {
	k vkind
	s string
	n uint64
}

func (v value) isNull() bool { return v.k == vNull }

// appendText appends the operand's text (not form-encoded).
func (v value) appendText(b []byte) []byte {
	switch v.k {
	case vText:
		return append(b, v.s...)
	case vInt:
		return strconv.AppendInt(b, int64(v.n), 10)
	case vUint:
		return strconv.AppendUint(b, v.n, 10)
	case vFloat:
		return appendFloat(b, math.Float64frombits(v.n))
	case vBool:
		if v.n != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	}
	return append(b, "null"...)
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// ErrInvalidValue is matched by errors for filter values that cannot be
// encoded (a NUL byte, a value encoding/json refuses, nil where a value
// is needed).
var ErrInvalidValue = errors.New("query: invalid value")

// ErrNilValue is matched by the error for a nil value given to an
// operator that has no null form (gt, like, in, cs...). Eq and Neq turn
// nil into is.null and not.is.null instead.
var ErrNilValue = errors.New("query: nil value")

// valueError is an error about a value; it matches its kind
// (ErrInvalidValue or ErrNilValue) and wraps its cause.
type valueError struct {
	kind  error
	msg   string
	cause error
}

func (e *valueError) Error() string {
	if e.cause != nil {
		return "query: " + e.msg + ": " + e.cause.Error()
	}
	return "query: " + e.msg
}

func (e *valueError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func invalid(msg string, cause error) error {
	return &valueError{kind: ErrInvalidValue, msg: msg, cause: cause}
}

func nilValue(msg string) error { return &valueError{kind: ErrNilValue, msg: msg} }

// filterError places an error in its filter: "query: gt on Character.Score (score): ...".
type filterError struct {
	where string
	err   error
}

func (e *filterError) Error() string {
	return "query: " + e.where + ": " + strings.TrimPrefix(e.err.Error(), "query: ")
}

func (e *filterError) Unwrap() error { return e.err }

func text(s string) (value, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return value{}, invalid("value contains a NUL byte", nil)
	}
	return value{k: vText, s: s}, nil
}

// valueOf converts a Go value to a filter operand. asJSON encodes it as
// JSON (json columns, JSON paths ending in ->).
func valueOf[V any](v V, asJSON bool) (value, error) {
	if !asJSON {
		switch x := any(v).(type) {
		case string:
			return text(x)
		case int:
			return value{k: vInt, n: uint64(x)}, nil
		case int64:
			return value{k: vInt, n: uint64(x)}, nil
		case int32:
			return value{k: vInt, n: uint64(x)}, nil
		case int16:
			return value{k: vInt, n: uint64(x)}, nil
		case int8:
			return value{k: vInt, n: uint64(x)}, nil
		case uint:
			return value{k: vUint, n: uint64(x)}, nil
		case uint64:
			return value{k: vUint, n: x}, nil
		case uint32:
			return value{k: vUint, n: uint64(x)}, nil
		case uint16:
			return value{k: vUint, n: uint64(x)}, nil
		case uint8:
			return value{k: vUint, n: uint64(x)}, nil
		case float64:
			return value{k: vFloat, n: math.Float64bits(x)}, nil
		case float32:
			return value{k: vFloat, n: math.Float64bits(float32Value(x))}, nil
		case bool:
			if x {
				return value{k: vBool, n: 1}, nil
			}
			return value{k: vBool}, nil
		case *string:
			if x == nil {
				return value{}, nil
			}
			return text(*x)
		case *int64:
			if x == nil {
				return value{}, nil
			}
			return value{k: vInt, n: uint64(*x)}, nil
		case *int:
			if x == nil {
				return value{}, nil
			}
			return value{k: vInt, n: uint64(*x)}, nil
		case *bool:
			if x == nil {
				return value{}, nil
			}
			return valueOf(*x, false)
		case *float64:
			if x == nil {
				return value{}, nil
			}
			return value{k: vFloat, n: math.Float64bits(*x)}, nil
		case time.Time:
			return value{k: vText, s: x.Format(time.RFC3339Nano)}, nil
		case *time.Time:
			if x == nil {
				return value{}, nil
			}
			return value{k: vText, s: x.Format(time.RFC3339Nano)}, nil
		}
	}
	return anyValue(any(v), asJSON)
}

var (
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	timeType          = reflect.TypeFor[time.Time]()
)

// anyValue is the reflective path of valueOf.
func anyValue(x any, asJSON bool) (value, error) {
	if x == nil {
		return value{}, nil
	}
	rv := reflect.ValueOf(x)
	if isNil(rv) {
		return value{}, nil
	}
	if asJSON {
		return jsonValue(x)
	}
	s, null, err := operandText(rv, 0)
	if err != nil {
		return value{}, err
	}
	if null {
		return value{}, nil
	}
	return text(s)
}

func isNil(rv reflect.Value) bool {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func jsonValue(x any) (value, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return value{}, invalid("cannot encode as JSON", err)
	}
	return value{k: vText, s: string(b)}, nil
}

const maxDepth = 32

// operandText renders a non-JSON operand: scalars as text, times in RFC
// 3339, byte slices as bytea hex, slices and arrays as PostgreSQL array
// literals, maps and structs as JSON.
func operandText(rv reflect.Value, depth int) (s string, null bool, err error) {
	if depth > maxDepth {
		return "", false, invalid("value nested too deeply", nil)
	}
	if isNil(rv) {
		return "", true, nil
	}
	t := rv.Type()
	if t == timeType {
		return rv.Interface().(time.Time).Format(time.RFC3339Nano), false, nil
	}
	if t.Implements(textMarshalerType) {
		b, err := rv.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return "", false, invalid("MarshalText of "+t.String(), err)
		}
		return string(b), false, nil
	}
	if t.Implements(jsonMarshalerType) {
		b, err := rv.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return "", false, invalid("MarshalJSON of "+t.String(), err)
		}
		if len(b) > 0 && b[0] == '"' {
			var s string
			if err := json.Unmarshal(b, &s); err == nil {
				return s, false, nil
			}
		}
		if string(b) == "null" {
			return "", true, nil
		}
		return string(b), false, nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return operandText(rv.Elem(), depth+1)
	case reflect.String:
		return rv.String(), false, nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), false, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), false, nil
	case reflect.Float32, reflect.Float64:
		return string(appendFloat(nil, rv.Float())), false, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return `\x` + hex.EncodeToString(b), false, nil
		}
		b, err := appendPGArray(nil, rv, depth)
		return string(b), false, err
	case reflect.Map, reflect.Struct:
		v, err := jsonValue(rv.Interface())
		return v.s, false, err
	}
	return "", false, invalid("unsupported value type "+t.String(), nil)
}

// appendPGArray renders a slice or array as a PostgreSQL array literal,
// quoting and escaping elements that need it; nil elements are NULL.
func appendPGArray(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	b = append(b, '{')
	for i := range rv.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		e := rv.Index(i)
		for e.Kind() == reflect.Interface && !e.IsNil() {
			e = e.Elem()
		}
		if isNil(e) && (e.Kind() != reflect.Slice) {
			b = append(b, "NULL"...)
			continue
		}
		if (e.Kind() == reflect.Slice || e.Kind() == reflect.Array) && e.Type().Elem().Kind() != reflect.Uint8 &&
			!e.Type().Implements(textMarshalerType) {
			var err error
			if b, err = appendPGArray(b, e, depth+1); err != nil {
				return nil, err
			}
			continue
		}
		s, null, err := operandText(e, depth+1)
		if err != nil {
			return nil, err
		}
		if null {
			b = append(b, "NULL"...)
			continue
		}
		b = appendPGArrayElem(b, s)
	}
	return append(b, '}'), nil
}

// arrayText renders a Go slice of patterns (like(all) and friends) as a
// PostgreSQL array literal.
func arrayText(items []string) string {
	n := 2
	for _, s := range items {
		n += len(s) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, s := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPGArrayElem(b, s)
	}
	return string(append(b, '}'))
}

// float32Value is x as the float64 with x's shortest decimal form, so
// float32(0.1) is sent as 0.1, not 0.10000000149011612.
func float32Value(x float32) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	if err != nil { // ±Inf and NaN, which the formatter refuses anyway
		return float64(x)
	}
	return f
}
