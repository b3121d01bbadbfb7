package query_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/supakit/supakit/query"
)

var benchEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

var benchNames = []string{"Skywalker, Luke", "Leia Organa", "Han Solo", "Luke (Jedi)", "R2.D2", "C-3PO", "Obi-Wan", `say "hi"`, "Yoda", "Chewbacca"}

// BenchmarkTypical builds and encodes a typical query: 5 columns, an in
// list of 10 values (several needing quotes), two more filters in an or
// group plus one comparison, an order and a range.
func BenchmarkTypical(b *testing.B) {
	b.ReportAllocs()
	var r query.Request
	var err error
	cpuPerOp(b, func() {
		r, err = query.For[Character]().
			Select(&ch.ID, &ch.Name, &ch.Score, &ch.Active, &ch.Born).
			Where(
				query.In(&ch.Name, benchNames...),
				query.Gt(&ch.Score, 1.5),
				query.Or(query.Eq(&ch.Active, true), query.Lt(&ch.ID, 100)),
			).
			Order(query.Desc(&ch.Score)).
			Range(0, 24).
			Read()
		if err != nil {
			b.Fatal(err)
		}
	})
	_ = r
}

// BenchmarkTypicalReused encodes a prepared query.
func BenchmarkTypicalReused(b *testing.B) {
	b.ReportAllocs()
	q := query.For[Character]().
		Select(&ch.ID, &ch.Name, &ch.Score, &ch.Active, &ch.Born).
		Where(
			query.In(&ch.Name, benchNames...),
			query.Gt(&ch.Score, 1.5),
			query.Or(query.Eq(&ch.Active, true), query.Lt(&ch.ID, 100)),
		).
		Order(query.Desc(&ch.Score)).
		Range(0, 24)
	cpuPerOp(b, func() {
		if _, err := q.Read(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkHandWritten is the same request written by hand with the
// standard library, as a baseline.
func BenchmarkHandWritten(b *testing.B) {
	b.ReportAllocs()
	var s string
	cpuPerOp(b, func() {
		var in strings.Builder
		in.WriteString("in.(")
		for i, n := range benchNames {
			if i > 0 {
				in.WriteByte(',')
			}
			if strings.ContainsAny(n, ",.:()\" \\") {
				in.WriteByte('"')
				in.WriteString(benchEscaper.Replace(n))
				in.WriteByte('"')
			} else {
				in.WriteString(n)
			}
		}
		in.WriteByte(')')
		var sb strings.Builder
		sb.WriteString("select=")
		sb.WriteString(url.QueryEscape("id,name,score,active,born"))
		sb.WriteString("&name=")
		sb.WriteString(url.QueryEscape(in.String()))
		sb.WriteString("&score=")
		sb.WriteString(url.QueryEscape("gt." + strconv.FormatFloat(1.5, 'f', -1, 64)))
		sb.WriteString("&or=")
		sb.WriteString(url.QueryEscape("(active.eq.true,id.lt." + strconv.Itoa(100) + ")"))
		sb.WriteString("&order=score.desc&offset=0&limit=25")
		s = sb.String()
	})
	_ = s
}
