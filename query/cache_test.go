package query_test

import (
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
)

// Every method that returns a Query must leave a cached Read of its
// receiver behind: either the result is a new query value (new Gen) or it
// reads exactly as the receiver. Methods are found by reflection, so a new
// modifier that forgets to mark its result is caught here.
func TestEveryModifierInvalidatesReadCache(t *testing.T) {
	c := schema.Cols[Country]()
	base := query.For[Country]().Where(query.Eq(&c.ID, int64(1))).Limit(3)
	want, err := base.Read()
	if err != nil {
		t.Fatal(err)
	}
	qt := reflect.TypeFor[query.Query]()
	n := 0
	for i := range qt.NumMethod() {
		m := qt.Method(i)
		if m.Type.NumOut() != 1 || m.Type.Out(0) != qt {
			continue
		}
		n++
		t.Run(m.Name, func(t *testing.T) {
			args := []reflect.Value{reflect.ValueOf(base)}
			nin := m.Type.NumIn()
			if m.Type.IsVariadic() {
				nin--
			}
			for j := 1; j < nin; j++ {
				args = append(args, argFor(m.Type.In(j)))
			}
			got := m.Func.Call(args)[0].Interface().(query.Query)
			if _, err := base.Read(); err != nil { // the receiver's cache is warm
				t.Fatal(err)
			}
			if got.Gen() != base.Gen() {
				return
			}
			r, err := got.ReadUncached()
			if err != nil || !reflect.DeepEqual(r, want) {
				t.Fatalf("%s returned the receiver's cache key but reads differently: %+v, %v", m.Name, r, err)
			}
		})
	}
	if n < 20 {
		t.Fatalf("found %d modifiers, expected at least 20", n)
	}
}

// argFor gives a value that changes the query (an error is a change too).
func argFor(t reflect.Type) reflect.Value {
	switch t.Kind() {
	case reflect.Int:
		return reflect.ValueOf(7).Convert(t)
	case reflect.String:
		return reflect.ValueOf("x-custom").Convert(t)
	case reflect.Uint8:
		return reflect.ValueOf(uint8(1)).Convert(t)
	}
	return reflect.Zero(t)
}

// A cached Read is the same as an uncached one, for every query derived
// from one root, read in any order and concurrently.
func TestReadCacheConcurrent(t *testing.T) {
	c := schema.Cols[Country]()
	root := query.For[Country]().Select(&c.ID, &c.Name)
	var qs []query.Query
	for i := range 8 {
		qs = append(qs, root.Where(query.Eq(&c.ID, int64(i))).Order(query.Asc(&c.Name)).Range(0, i))
	}
	qs = append(qs, root, root.Head(), root.Header("X-Trace", "t"))
	wants := make([]query.Request, len(qs))
	for i, q := range qs {
		r, err := q.ReadUncached()
		if err != nil {
			t.Fatal(err)
		}
		wants[i] = r
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 200 {
				i := (g + k) % len(qs)
				got, err := qs[i].Read()
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, wants[i]) {
					t.Errorf("query %d: got %+v, want %+v", i, got, wants[i])
					return
				}
				if len(got.Headers) > 0 {
					got.Headers[0].Value = "changed by the caller " + strconv.Itoa(g)
				}
			}
		}()
	}
	wg.Wait()
}

// For keeps a prototype query per type; each call must still give a query
// of its own: a new value number, a Read cache of its own, and modifiers
// (including the ones kept behind a shared pointer) that reach no other.
func TestForGivesIndependentQueries(t *testing.T) {
	a, b := query.For[Character](), query.For[Character]()
	if a.Gen() == b.Gen() {
		t.Fatalf("two For calls share the value number %d", a.Gen())
	}
	ra, err := a.Where(query.Eq(&ch.ID, int64(1))).Schema("s1").Count(query.CountExact).Read()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Read()
	if err != nil {
		t.Fatal(err)
	}
	if ra.RawQuery == rb.RawQuery || rb.Schema != "" || rb.Count != query.CountNone {
		t.Fatalf("the second query took the first's changes: %+v", rb)
	}
	if rc, err := query.For[Character]().Read(); err != nil || rc.RawQuery != rb.RawQuery {
		t.Fatalf("a third For reads %q, %v; want %q", rc.RawQuery, err, rb.RawQuery)
	}
	// a derived query's modifiers are copied on write
	base := a.Schema("s1")
	x, y := base.Count(query.CountExact), base.Count(query.CountPlanned)
	rx, _ := x.Read()
	ry, _ := y.Read()
	rbase, _ := base.Read()
	if rx.Count != query.CountExact || ry.Count != query.CountPlanned || rbase.Count != query.CountNone || rx.Schema != "s1" || ry.Schema != "s1" {
		t.Fatalf("modifiers leaked between derived queries: %v %v %v", rx.Count, ry.Count, rbase.Count)
	}
}
