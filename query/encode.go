package query

import (
	"unicode"
	"unicode/utf8"
)

// formSafe marks the bytes that application/x-www-form-urlencoded (as
// produced by WHATWG URLSearchParams) leaves as they are: ASCII letters,
// digits and "*-._". Space becomes '+', everything else %XX.
var formSafe = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "*-._" {
		t[c] = true
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendForm appends s form-encoded.
func appendForm[S ~string | ~[]byte](b []byte, s S) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if formSafe[c] {
			continue
		}
		b = append(b, s[start:i]...)
		if c == ' ' {
			b = append(b, '+')
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendQuotedForm appends s wrapped in double quotes with '"' and '\'
// escaped by a backslash (PostgREST's quoted value), form-encoded.
func appendQuotedForm[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, "%22"...)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' {
			b = appendForm(b, s[start:i])
			b = append(b, "%5C"...)
			start = i
		}
	}
	b = appendForm(b, s[start:])
	return append(b, "%22"...)
}

// listSpecial marks the bytes that make a value ambiguous inside an in
// list or a logic tree (or/and): PostgREST's reserved ",.:()" plus the
// quote, the backslash, the braces of array literals and ASCII whitespace.
var listSpecial = func() (t [256]bool) {
	for _, c := range ",.:()\"\\{}[] \t\n\r\v\f" {
		t[c] = true
	}
	return t
}()

// needsQuote reports whether a value must be double-quoted inside an in
// list or a logic tree: it is empty, spells null (PostgREST and PostgreSQL
// read a bare null as NULL in some positions), or holds a reserved
// character or any Unicode white space.
func needsQuote[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l' {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if listSpecial[c] {
			return true
		}
		if c >= utf8.RuneSelf {
			r, _ := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
			if unicode.IsSpace(r) {
				return true
			}
		}
	}
	return false
}

// appendListForm appends s as an element of an in list or a logic tree:
// quoted when needed, form-encoded.
func appendListForm[S ~string | ~[]byte](b []byte, s S) []byte {
	if needsQuote(s) {
		return appendQuotedForm(b, s)
	}
	return appendForm(b, s)
}

// identPlain reports whether a column or alias name can be written bare in
// select, order, filter keys and logic trees.
func identPlain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	switch s {
	case "select", "order", "limit", "offset", "on_conflict", "columns", "or", "and", "not", "count":
		return false
	}
	return true
}

// appendIdentForm appends a column name, double-quoted unless plain,
// form-encoded.
func appendIdentForm(b []byte, s string) []byte {
	if identPlain(s) {
		return appendForm(b, s)
	}
	return appendQuotedForm(b, s)
}

// appendPGArrayElem appends s as an element of a PostgreSQL array literal
// (raw, not form-encoded): quoted when empty, NULL, or holding a
// delimiter, brace, quote, backslash or white space.
func appendPGArrayElem(b []byte, s string) []byte {
	q := len(s) == 0 || len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l'
	if !q {
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case ',', '{', '}', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
				q = true
			}
			if q {
				break
			}
		}
	}
	if !q {
		return append(b, s...)
	}
	return appendQuotedRaw(b, s)
}

// appendQuotedRaw appends s double-quoted, with " and \ escaped by a
// backslash (not form-encoded): PostgreSQL array elements and PostgREST
// quoted names read it back whole.
func appendQuotedRaw(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
