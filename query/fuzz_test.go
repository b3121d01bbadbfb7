package query_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/supakit/supakit/query"
)

// A reader of the parts of PostgREST's filter grammar the encoder writes
// (after URL decoding), written from PostgREST's parser: in lists
// (pListVal), logic trees (pLogicTree with pLogicSingleVal) and the
// PostgreSQL array literals of cs/cd/ov. It reads values back the way the
// server would, so the fuzzer can check they survive unchanged.

type leaf struct{ field, op, val string }

type reader struct {
	s   string
	i   int
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg + " at " + r.s[:r.i] + "|" + r.s[r.i:])
	}
}

func (r *reader) eat(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// spaces skips what Parsec's lexeme skips after '(' and ','.
func (r *reader) spaces() {
	for r.i < len(r.s) && strings.IndexByte(" \t\n\r\f\v", r.s[r.i]) >= 0 {
		r.i++
	}
}

// quoted reads "..." with backslash escapes; it must be followed by , or ).
func (r *reader) quoted() (string, bool) {
	save := r.i
	if !r.eat('"') {
		return "", false
	}
	var b strings.Builder
	for r.i < len(r.s) {
		c := r.s[r.i]
		r.i++
		switch c {
		case '\\':
			if r.i >= len(r.s) {
				r.i = save
				return "", false
			}
			b.WriteByte(r.s[r.i])
			r.i++
		case '"':
			if r.i < len(r.s) && r.s[r.i] != ',' && r.s[r.i] != ')' {
				r.i = save
				return "", false
			}
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	r.i = save
	return "", false
}

func (r *reader) until(stops string) string {
	start := r.i
	for r.i < len(r.s) && strings.IndexByte(stops, r.s[r.i]) < 0 {
		r.i++
	}
	return r.s[start:r.i]
}

// list reads (a,b,...) as pListVal does.
func (r *reader) list() []string {
	if !r.eat('(') {
		r.fail("want (")
		return nil
	}
	r.spaces()
	var out []string
	for {
		if v, ok := r.quoted(); ok {
			out = append(out, v)
		} else {
			out = append(out, r.until(",)"))
		}
		if r.eat(',') {
			continue
		}
		if !r.eat(')') {
			r.fail("want )")
		}
		return out
	}
}

// tree reads (elem,...) as pLogicTree does, returning the leaves.
func (r *reader) tree() []leaf {
	if !r.eat('(') {
		r.fail("want (")
		return nil
	}
	var out []leaf
	for {
		r.spaces()
		rest := r.s[r.i:]
		switch {
		case strings.HasPrefix(rest, "and("), strings.HasPrefix(rest, "or("),
			strings.HasPrefix(rest, "not.and("), strings.HasPrefix(rest, "not.or("):
			r.until("(")
			out = append(out, r.tree()...)
		default:
			var l leaf
			l.field = r.until(".")
			r.eat('.')
			l.op = r.until(".")
			r.eat('.')
			if l.op == "not" {
				l.op = "not." + r.until(".")
				r.eat('.')
			}
			switch {
			case strings.HasSuffix(l.op, "in"):
				l.val = strings.Join(r.list(), "\x00")
			default:
				if v, ok := r.quoted(); ok {
					l.val = v
				} else if r.i < len(r.s) && r.s[r.i] == '{' {
					l.val = r.until("}")
					if r.eat('}') {
						l.val += "}"
					}
				} else {
					l.val = r.until(",)")
				}
			}
			out = append(out, l)
		}
		if r.err != nil {
			return out
		}
		if r.eat(',') {
			continue
		}
		if !r.eat(')') {
			r.fail("want , or )")
		}
		return out
	}
}

// pgArray reads a one-dimensional PostgreSQL array literal; nil for NULL.
func pgArray(s string) ([]*string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, errors.New("not an array literal: " + s)
	}
	body := s[1 : len(s)-1]
	var out []*string
	if body == "" {
		return out, nil
	}
	i := 0
	for {
		var b strings.Builder
		if i < len(body) && body[i] == '"' {
			i++
			for {
				if i >= len(body) {
					return nil, errors.New("unterminated quote")
				}
				c := body[i]
				i++
				if c == '\\' && i < len(body) {
					b.WriteByte(body[i])
					i++
					continue
				}
				if c == '"' {
					break
				}
				b.WriteByte(c)
			}
			v := b.String()
			out = append(out, &v)
		} else {
			start := i
			for i < len(body) && body[i] != ',' {
				if strings.IndexByte("{}\"\\", body[i]) >= 0 {
					return nil, errors.New("unquoted special character in " + s)
				}
				i++
			}
			v := strings.Trim(body[start:i], " \t\n\r\v\f") // PostgreSQL trims ASCII white space only
			if strings.EqualFold(v, "NULL") {
				out = append(out, nil)
			} else {
				out = append(out, &v)
			}
		}
		if i == len(body) {
			return out, nil
		}
		if body[i] != ',' {
			return nil, errors.New("want , in " + s)
		}
		i++
	}
}

func FuzzEncoding(f *testing.F) {
	for _, s := range []string{"", "plain", "Skywalker, Luke", "a.b", "x:y", "(x)", `say "hi"`, `a\b`, `\`, `"`, " lead",
		"trail ", "null", "NULL", "{a,b}", "}", "ünï", "nb\u00a0sp", "a&b=c?d#e/f+g%h", "%2C", "+", "not.eq.x", "),or(",
		"\"),id.eq.1,(\"", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			if _, err := query.For[Character]().Where(query.Eq(&ch.Name, s)).Read(); !errors.Is(err, query.ErrInvalidValue) {
				t.Fatalf("NUL accepted: %v", err)
			}
			return
		}
		q := query.For[Character]().Select("*").Where(
			query.Eq(&ch.Name, s),
			query.In(&ch.Name, s, "x"),
			query.Or(query.Eq(&ch.Name, s), query.In(&ch.Name, "y", s), query.Eq(&ch.ID, 1)),
			query.Contains(&ch.Tags, []string{s, "y"}),
			query.Or(query.Overlaps(&ch.Tags, []string{s})),
			query.LikeAnyOf(&ch.Name, s),
		)
		r, err := q.Read()
		if errors.Is(err, query.ErrURLTooLong) && len(s) > 150 { // at most 6 characters per byte in each of 7 places
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		ps, err := r.Params()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"select", "name", "name", "or", "tags", "or", "name"}
		if len(ps) != len(want) {
			t.Fatalf("%d parameters from %q: %q", len(ps), r.RawQuery, ps)
		}
		for i, w := range want {
			if ps[i].Key != w {
				t.Fatalf("parameter %d is %q, want %q (%s)", i, ps[i].Key, w, r.RawQuery)
			}
		}
		if ps[1].Value != "eq."+s {
			t.Fatalf("eq: %q", ps[1].Value)
		}
		// in list
		rd := &reader{s: strings.TrimPrefix(ps[2].Value, "in.")}
		if l := rd.list(); rd.err != nil || rd.i != len(rd.s) || len(l) != 2 || l[0] != s || l[1] != "x" {
			t.Fatalf("in: %q read as %q (%v)", ps[2].Value, l, rd.err)
		}
		// logic tree
		rd = &reader{s: ps[3].Value}
		leaves := rd.tree()
		if rd.err != nil || rd.i != len(rd.s) || len(leaves) != 3 ||
			leaves[0] != (leaf{"name", "eq", s}) || leaves[1] != (leaf{"name", "in", "y\x00" + s}) || leaves[2] != (leaf{"id", "eq", "1"}) {
			t.Fatalf("or: %q read as %q (%v)", ps[3].Value, leaves, rd.err)
		}
		// array literal
		arr, err := pgArray(strings.TrimPrefix(ps[4].Value, "cs."))
		if err != nil || len(arr) != 2 || arr[0] == nil || *arr[0] != s || *arr[1] != "y" {
			t.Fatalf("cs: %q read as %v (%v)", ps[4].Value, arr, err)
		}
		// array literal inside a logic tree
		rd = &reader{s: ps[5].Value}
		leaves = rd.tree()
		if rd.err != nil || len(leaves) != 1 || leaves[0].op != "ov" {
			t.Fatalf("or ov: %q read as %q (%v)", ps[5].Value, leaves, rd.err)
		}
		if arr, err := pgArray(leaves[0].val); err != nil || len(arr) != 1 || arr[0] == nil || *arr[0] != s {
			t.Fatalf("or ov array: %q read as %v (%v)", leaves[0].val, arr, err)
		}
		arr, err = pgArray(strings.TrimPrefix(ps[6].Value, "like(any)."))
		if err != nil || len(arr) != 1 || arr[0] == nil || *arr[0] != s {
			t.Fatalf("like(any): %q read as %v (%v)", ps[6].Value, arr, err)
		}
		// a function argument in the URL
		if utf8.ValidString(s) {
			r, err := query.RPC("f").Call(query.Call{Get: true, Args: []query.Arg{query.NamedArg("a", s)}})
			if errors.Is(err, query.ErrURLTooLong) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ps, _ := r.Params(); len(ps) != 1 || ps[0].Value != s {
				t.Fatalf("arg: %q", ps)
			}
		}
	})
}
