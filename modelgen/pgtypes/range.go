package pgtypes

import (
	"fmt"
	"strings"
)

// Range is a PostgreSQL range value (int4range, int8range, numrange,
// daterange, tsrange, tstzrange, or a user range type) held as its
// literal: "[1,10)", "(,5]", "empty". It travels as that text in rows and
// in range filters (query.RangeGt(&c.During, pgtypes.Range("[1,5)"))).
// The zero value is the empty range.
type Range string

// RangeOf builds a range literal from bound texts; an empty bound is
// unbounded. Bounds holding separators or quotes are double-quoted.
func RangeOf(lower, upper string, lowerInclusive, upperInclusive bool) Range {
	var b strings.Builder
	if lowerInclusive && lower != "" {
		b.WriteByte('[')
	} else {
		b.WriteByte('(')
	}
	b.WriteString(quoteBound(lower))
	b.WriteByte(',')
	b.WriteString(quoteBound(upper))
	if upperInclusive && upper != "" {
		b.WriteByte(']')
	} else {
		b.WriteByte(')')
	}
	return Range(b.String())
}

func quoteBound(s string) string {
	if s == "" || !strings.ContainsAny(s, `,()[]" \`) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Bounds is a parsed range literal. For the empty range Empty is true and
// the rest is zero; an unbounded side has an empty text and Has… false.
type Bounds struct {
	Empty                          bool
	Lower, Upper                   string
	HasLower, HasUpper             bool
	LowerInclusive, UpperInclusive bool
}

// Parse splits the literal into its bounds.
func (r Range) Parse() (Bounds, error) {
	s := strings.TrimSpace(string(r))
	if s == "" || strings.EqualFold(s, "empty") {
		return Bounds{Empty: true}, nil
	}
	if len(s) < 3 || (s[0] != '[' && s[0] != '(') || (s[len(s)-1] != ']' && s[len(s)-1] != ')') {
		return Bounds{}, fmt.Errorf("%w: range %q", ErrSyntax, string(r))
	}
	bd := Bounds{LowerInclusive: s[0] == '[', UpperInclusive: s[len(s)-1] == ']'}
	body := s[1 : len(s)-1]
	lower, rest, err := bound(body)
	if err != nil || !strings.HasPrefix(rest, ",") {
		return Bounds{}, fmt.Errorf("%w: range %q", ErrSyntax, string(r))
	}
	upper, rest, err := bound(rest[1:])
	if err != nil || rest != "" {
		return Bounds{}, fmt.Errorf("%w: range %q", ErrSyntax, string(r))
	}
	bd.Lower, bd.HasLower = lower, lower != ""
	bd.Upper, bd.HasUpper = upper, upper != ""
	return bd, nil
}

// bound reads one bound up to a top-level comma or the end.
func bound(s string) (string, string, error) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				if i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				return b.String(), s[i+1:], nil
			default:
				b.WriteByte(s[i])
			}
		}
		return "", "", ErrSyntax
	}
	i := strings.IndexByte(s, ',')
	if i < 0 {
		return s, "", nil
	}
	return s[:i], s[i:], nil
}

// String returns the literal ("empty" for the zero value).
func (r Range) String() string {
	if r == "" {
		return "empty"
	}
	return string(r)
}

// MarshalText returns the literal.
func (r Range) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText stores the literal after checking its shape.
func (r *Range) UnmarshalText(b []byte) error {
	v := Range(b)
	if _, err := v.Parse(); err != nil {
		return err
	}
	*r = v
	return nil
}
