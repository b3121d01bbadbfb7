package pgtypes

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Bytea is a PostgreSQL bytea value. PostgREST writes it as a string in
// PostgreSQL's hex format ("\x0102ff"); Bytea reads that (and, for
// servers configured otherwise, standard base64) and writes hex. A nil
// Bytea is SQL NULL.
type Bytea []byte

// MarshalJSON writes "\x" followed by lower-case hex, or null when nil.
func (b Bytea) MarshalJSON() ([]byte, error) {
	if b == nil {
		return []byte("null"), nil
	}
	return json.Marshal(`\x` + hex.EncodeToString(b))
}

// UnmarshalJSON reads a hex ("\x…") or base64 JSON string, or null.
func (b *Bytea) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*b = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: bytea must be a JSON string: %v", ErrSyntax, err)
	}
	return b.UnmarshalText([]byte(s))
}

// MarshalText returns the hex form, as filters send it.
func (b Bytea) MarshalText() ([]byte, error) { return []byte(`\x` + hex.EncodeToString(b)), nil }

// UnmarshalText reads the hex ("\x…") or base64 form.
func (b *Bytea) UnmarshalText(text []byte) error {
	s := string(text)
	if rest, ok := strings.CutPrefix(s, `\x`); ok {
		v, err := hex.DecodeString(rest)
		if err != nil {
			return fmt.Errorf("%w: bytea hex: %v", ErrSyntax, err)
		}
		*b = v
		return nil
	}
	v, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("%w: bytea is neither \\x hex nor base64", ErrSyntax)
	}
	*b = v
	return nil
}
