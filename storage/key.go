package storage

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidKey is matched (errors.Is) by every error about an object key
// or bucket name refused before any request is sent.
var ErrInvalidKey = errors.New("storage: invalid object key")

// KeyError says why an object key or bucket name was refused.
type KeyError struct {
	Key    string // the key as given (truncated when long)
	Reason string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("storage: invalid object key %q: %s", e.Key, e.Reason)
}

// Is reports whether target is [ErrInvalidKey].
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

func keyErr(key, reason string) error {
	if len(key) > 200 {
		key = key[:200] + "…"
	}
	return &KeyError{Key: key, Reason: reason}
}

// ValidateKey checks that key names an object inside its bucket: not
// empty, valid UTF-8, no control characters, no leading slash, no empty
// segment (a doubled or trailing slash) and no "." or ".." segment. Keys
// that pass cannot escape the bucket once the server decodes the path.
func ValidateKey(key string) error {
	if key == "" {
		return keyErr(key, "empty")
	}
	if !utf8.ValidString(key) {
		return keyErr(key, "not valid UTF-8")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == 0x7f {
			return keyErr(key, fmt.Sprintf("control character 0x%02x at byte %d", c, i))
		}
	}
	if key[0] == '/' {
		return keyErr(key, "leading slash")
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return keyErr(key, "empty path segment (doubled or trailing slash)")
		case ".", "..":
			return keyErr(key, fmt.Sprintf("%q segment", seg))
		}
	}
	return nil
}

// EscapeKey validates key (see [ValidateKey]) and percent-encodes each of
// its segments for use in a URL path: RFC 3986 unreserved characters and
// the sub-delimiters other than ';' stay as they are, everything else
// (space, '%', '#', '?', ';', non-ASCII bytes, …) becomes %XX. The slashes
// between segments are kept.
func EscapeKey(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return escapePath(key), nil
}

// validateBucketName checks a bucket id used in a URL path segment.
func validateBucketName(name string) error {
	if name == "" {
		return &KeyError{Key: name, Reason: "empty bucket name"}
	}
	if strings.Contains(name, "/") {
		return keyErr(name, "bucket name contains '/'")
	}
	if err := ValidateKey(name); err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			return &KeyError{Key: ke.Key, Reason: "bucket name: " + ke.Reason}
		}
		return err
	}
	return nil
}

// validatePrefix checks a list prefix: it may be empty and may end with a
// slash, but must not hold control characters or "." / ".." segments.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		return keyErr(prefix, "prefix is only a slash")
	}
	return ValidateKey(p)
}

const upperhex = "0123456789ABCDEF"

// escapePath percent-encodes s keeping '/' and pchar characters except ';'.
func escapePath(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keepRaw(s[i]) && s[i] != '/' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepRaw(c) || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// escapeSegment percent-encodes one segment ('/' included).
func escapeSegment(s string) string {
	return strings.ReplaceAll(escapePath(s), "/", "%2F")
}

func keepRaw(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', // unreserved
		'!', '$', '&', '\'', '(', ')', '*', '+', ',', '=', // sub-delims but ';'
		':', '@':
		return true
	}
	return false
}
