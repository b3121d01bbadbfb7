package bench

import (
	"net/url"
	"strconv"
)

// The representative query every builder encodes: five columns, a ten-value
// in list (six values need quotes), a comparison, an or group, an order and
// a range. The values are chosen so that supakit and postgrest-go, which
// quote by different rules, mean the same thing byte for byte.
var (
	Columns  = []string{"id", "name", "email", "score", "created_at"}
	InNames  = []string{"Skywalker,Luke", "Solo,Han", "Organa(Leia)", "Kenobi,Obi-Wan", "Yoda", "Chewbacca", "R2-D2", "Palpatine(Sheev)", "Vader,Darth", "Ackbar"}
	MinScore = 1.5
	MaxID    = 100
	RangeTo  = 24
)

const hexUpper = "0123456789ABCDEF"

// appendForm appends s form-encoded as URLSearchParams does: letters,
// digits and *-._ bare, space as +, everything else %XX.
func appendForm(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return b
}

// needsQuote reports whether an in-list value must be double-quoted.
func needsQuote(s string) bool {
	if s == "" || s == "null" {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '.', ':', '(', ')', '"', '\\', '{', '}', '[', ']', ' ', '\t', '\n', '\r':
			return true
		}
	}
	return false
}

// appendInValue appends one in-list value, quoted and escaped when needed,
// then form-encoded.
func appendInValue(b []byte, s string) []byte {
	if !needsQuote(s) {
		return appendForm(b, s)
	}
	b = append(b, "%22"...)
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, "%5C"...)
		}
		b = appendForm(b, s[i:i+1])
	}
	return append(b, "%22"...)
}

// AppendFloorQuery appends the representative query's string to b, by
// hand into one buffer: the floor every builder is measured against. Its
// parameters are in the order supakit writes them.
func AppendFloorQuery(b []byte) []byte {
	b = append(b, "select="...)
	for i, c := range Columns {
		if i > 0 {
			b = append(b, "%2C"...)
		}
		b = appendForm(b, c)
	}
	b = append(b, "&name=in.%28"...)
	for i, n := range InNames {
		if i > 0 {
			b = append(b, "%2C"...)
		}
		b = appendInValue(b, n)
	}
	b = append(b, "%29&score=gt."...)
	b = strconv.AppendFloat(b, MinScore, 'g', -1, 64)
	b = append(b, "&or=%28active.eq.true%2Cid.lt."...)
	b = strconv.AppendInt(b, int64(MaxID), 10)
	b = append(b, "%29&order=score.desc.nullslast&offset=0&limit="...)
	b = strconv.AppendInt(b, int64(RangeTo+1), 10)
	return b
}

// FloorQuery returns AppendFloorQuery's text.
func FloorQuery() string {
	var buf [512]byte
	return string(AppendFloorQuery(buf[:0]))
}

// URLValuesQuery builds the same query with net/url's url.Values (keys
// sorted by Encode): the standard library's idiom.
func URLValuesQuery() string {
	v := url.Values{}
	v.Set("select", "id,name,email,score,created_at")
	in := make([]byte, 0, 256)
	in = append(in, "in.("...)
	for i, n := range InNames {
		if i > 0 {
			in = append(in, ',')
		}
		if needsQuote(n) {
			in = append(in, '"')
			in = append(in, n...)
			in = append(in, '"')
		} else {
			in = append(in, n...)
		}
	}
	in = append(in, ')')
	v.Set("name", string(in))
	v.Set("score", "gt."+strconv.FormatFloat(MinScore, 'g', -1, 64))
	v.Set("or", "(active.eq.true,id.lt."+strconv.Itoa(MaxID)+")")
	v.Set("order", "score.desc.nullslast")
	v.Set("offset", "0")
	v.Set("limit", strconv.Itoa(RangeTo+1))
	return v.Encode()
}
