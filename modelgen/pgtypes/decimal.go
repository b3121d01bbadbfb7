package pgtypes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ErrSyntax is matched by the errors of every parser of this package.
var ErrSyntax = errors.New("pgtypes: invalid syntax")

// Decimal is an exact numeric value (PostgreSQL numeric/decimal) kept as
// its decimal text, so no precision is lost between the database and Go.
// It is written to JSON as a number (NaN and ±Infinity as strings, as
// PostgreSQL writes them) and read from a JSON number or string. The zero
// value is 0. Use [Decimal.Rat] for arithmetic.
type Decimal string

// ParseDecimal checks s as a PostgreSQL numeric literal: an optional
// sign, digits with an optional fraction and exponent, or NaN, Infinity,
// -Infinity.
func ParseDecimal(s string) (Decimal, error) {
	if !validDecimal(s) {
		return "", fmt.Errorf("%w: %q is not a decimal number", ErrSyntax, s)
	}
	return Decimal(s), nil
}

// NewDecimalFromRat formats r with prec digits after the point.
func NewDecimalFromRat(r *big.Rat, prec int) Decimal {
	return Decimal(r.FloatString(prec))
}

func special(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity", "+Infinity":
		return true
	}
	return false
}

func validDecimal(s string) bool {
	if special(s) {
		return true
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// String returns the decimal text ("0" for the zero value).
func (d Decimal) String() string {
	if d == "" {
		return "0"
	}
	return string(d)
}

// maxExp bounds exponents given to Rat (PostgreSQL's numeric holds at
// most 131072 digits before the point and 16383 after).
const maxExp = 140000

// Rat returns the value as a big.Rat; it fails for NaN and infinities and
// for text that is not a number.
func (d Decimal) Rat() (*big.Rat, error) {
	s := d.String()
	if special(s) || !validDecimal(s) {
		return nil, fmt.Errorf("%w: %q has no rational value", ErrSyntax, s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e > maxExp || e < -maxExp {
			return nil, fmt.Errorf("%w: %q: exponent out of PostgreSQL's numeric range", ErrSyntax, s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a decimal number", ErrSyntax, s)
	}
	return r, nil
}

// Cmp compares d and e numerically (-1, 0, +1); it fails when either is
// not a finite number.
func (d Decimal) Cmp(e Decimal) (int, error) {
	a, err := d.Rat()
	if err != nil {
		return 0, err
	}
	b, err := e.Rat()
	if err != nil {
		return 0, err
	}
	return a.Cmp(b), nil
}

// MarshalJSON writes the number as a JSON number (NaN and infinities as
// strings); text that is not a number is an error.
func (d Decimal) MarshalJSON() ([]byte, error) {
	s := d.String()
	if !validDecimal(s) {
		return nil, fmt.Errorf("%w: %q is not a decimal number", ErrSyntax, s)
	}
	if special(s) {
		return []byte(`"` + strings.TrimPrefix(s, "+") + `"`), nil
	}
	return []byte(jsonNumber(s)), nil
}

// jsonNumber rewrites a valid numeric literal as a JSON number: no plus
// sign, no leading zeros, a digit on each side of the point (".5" ->
// "0.5", "5." -> "5", "+007" -> "7"). The value is unchanged.
func jsonNumber(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out + exp
}

// UnmarshalJSON reads a JSON number or a string holding one.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return d.UnmarshalText([]byte(s))
	}
	if string(b) == "null" {
		return nil
	}
	return d.UnmarshalText(b)
}

// MarshalText returns the decimal text; it is how filters send the value.
func (d Decimal) MarshalText() ([]byte, error) {
	s := d.String()
	if !validDecimal(s) {
		return nil, fmt.Errorf("%w: %q is not a decimal number", ErrSyntax, s)
	}
	return []byte(s), nil
}

// UnmarshalText parses decimal text.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
