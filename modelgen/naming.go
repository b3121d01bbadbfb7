package modelgen

import (
	"strconv"
	"strings"
	"unicode"
)

// initialisms are written in capitals in Go names (id -> ID), as golint
// and the standard library do.
var initialisms = map[string]bool{
	"acl": true, "api": true, "ascii": true, "cpu": true, "css": true, "dns": true, "eof": true,
	"guid": true, "html": true, "http": true, "https": true, "id": true, "ip": true, "json": true,
	"jwt": true, "lhs": true, "qps": true, "ram": true, "rhs": true, "rpc": true, "sla": true,
	"smtp": true, "sql": true, "ssh": true, "tcp": true, "tls": true, "ttl": true, "udp": true,
	"ui": true, "uid": true, "uri": true, "url": true, "utf8": true, "uuid": true, "vm": true,
	"xml": true, "xmpp": true, "xsrf": true, "xss": true, "sku": true,
}

// GoName turns a database identifier into an exported Go identifier:
// country_id -> CountryID, "first name" -> FirstName, 2fa -> X2fa.
func GoName(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		lw := strings.ToLower(w)
		if initialisms[lw] {
			b.WriteString(strings.ToUpper(lw))
			continue
		}
		if lw[len(lw)-1] == 's' && initialisms[lw[:len(lw)-1]] && len(lw) > 2 {
			b.WriteString(strings.ToUpper(lw[:len(lw)-1]) + "s") // ids -> IDs
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	out := b.String()
	if out == "" {
		return "X"
	}
	if r := []rune(out)[0]; !unicode.IsLetter(r) {
		out = "X" + out
	}
	return out
}

// words splits an identifier on anything that is not a letter or digit,
// and on lower-to-upper case changes (camelCase columns).
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])) {
			flush()
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// Singular returns a simple English singular of a table name's last word:
// countries -> country, addresses -> address, order_items -> order_item.
// Words it does not recognise as plural are left alone.
func Singular(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasSuffix(lower, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(lower, "sses"), strings.HasSuffix(lower, "xes"),
		strings.HasSuffix(lower, "ches"), strings.HasSuffix(lower, "shes"), strings.HasSuffix(lower, "zzes"):
		return s[:len(s)-2]
	case strings.HasSuffix(lower, "ss"), strings.HasSuffix(lower, "us"), strings.HasSuffix(lower, "is"),
		strings.HasSuffix(lower, "news"), strings.HasSuffix(lower, "series"), strings.HasSuffix(lower, "status"):
		return s
	case strings.HasSuffix(lower, "s") && len(s) > 2:
		return s[:len(s)-1]
	}
	return s
}

// Plural returns a simple English plural of a Go name (City -> Cities).
func Plural(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasSuffix(lower, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return s + "es"
	}
	return s + "s"
}

// names hands out unique identifiers in one Go scope.
type names map[string]bool

// take returns name, or name with the first free suffix when taken.
func (n names) take(name string, suffixes ...string) string {
	if !n[name] && !goKeyword[name] {
		n[name] = true
		return name
	}
	for _, s := range suffixes {
		if c := name + s; !n[c] {
			n[c] = true
			return c
		}
	}
	for i := 2; ; i++ {
		if c := name + strconv.Itoa(i); !n[c] {
			n[c] = true
			return c
		}
	}
}

var goKeyword = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true,
	"if": true, "import": true, "interface": true, "map": true, "package": true, "range": true,
	"return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
}
