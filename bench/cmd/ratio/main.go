// Command ratio reads `go test -bench` output (several runs of the same
// benchmarks, from files or stdin) and prints, per benchmark group, the
// median of every metric for each implementation and its ratio to the
// peer (impl=postgrest-go) and to the floor (impl=floor), as Markdown.
//
// Benchmarks are named Group/…/impl=NAME; a group without a peer or a
// floor is compared with its first implementation instead.
//
//	go test -run '^$' -bench . -benchmem -count 5 | go run ./cmd/ratio
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	peerName  = flag.String("peer", "postgrest-go", "implementation the ratios ×peer divide by")
	floorName = flag.String("floor", "floor", "implementation the ratios ×floor divide by")
)

// higher lists the units where more is better.
var higher = map[string]bool{"rows/s": true, "rows/cpu-s": true, "req/s": true, "MB/s": true}

// unitOrder is the column order; other units follow alphabetically.
var unitOrder = []string{"ns/op", "cpu-ns/op", "proc-cpu-ns/op", "rows/s", "rows/cpu-s", "req/s", "p50-µs", "p99-µs", "conns/1000req", "peak-MB", "B/op", "allocs/op", "MB/s"}

type key struct{ group, impl, unit string }

type table struct {
	groups []string
	impls  map[string][]string
	units  map[string][]string
	values map[key][]float64
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func (t *table) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		group, impl := name, "-"
		if i := strings.LastIndex(name, "/impl="); i >= 0 {
			group, impl = name[:i], name[i+len("/impl="):]
			if j := strings.Index(impl, "/"); j >= 0 { // impl= in the middle
				group += impl[j:]
				impl = impl[:j]
			}
		}
		if !slices.Contains(t.groups, group) {
			t.groups = append(t.groups, group)
		}
		if !slices.Contains(t.impls[group], impl) {
			t.impls[group] = append(t.impls[group], impl)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			u := f[i+1]
			if !slices.Contains(t.units[group], u) {
				t.units[group] = append(t.units[group], u)
			}
			k := key{group, impl, u}
			t.values[k] = append(t.values[k], v)
		}
	}
	return sc.Err()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func human(v float64, unit string) string {
	switch unit {
	case "ns/op", "cpu-ns/op", "proc-cpu-ns/op":
		switch {
		case v >= 1e9:
			return fmt.Sprintf("%.2fs", v/1e9)
		case v >= 1e6:
			return fmt.Sprintf("%.2fms", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.1fµs", v/1e3)
		}
		return fmt.Sprintf("%.0fns", v)
	case "B/op":
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1fMiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.1fKiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0fB", v)
	}
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func ratio(v, ref float64) string {
	switch {
	case ref == 0 && v == 0:
		return "="
	case ref == 0:
		return "∞"
	}
	r := v / ref
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func (t *table) print(w io.Writer) {
	for _, g := range t.groups {
		impls := t.impls[g]
		var refs []string
		for _, r := range []string{*peerName, *floorName} {
			if slices.Contains(impls, r) {
				refs = append(refs, r)
			}
		}
		if len(refs) == 0 && len(impls) > 1 {
			refs = []string{impls[0]}
		}
		units := slices.Clone(t.units[g])
		slices.SortStableFunc(units, func(a, b string) int {
			ia, ib := slices.Index(unitOrder, a), slices.Index(unitOrder, b)
			if ia < 0 {
				ia = len(unitOrder)
			}
			if ib < 0 {
				ib = len(unitOrder)
			}
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		fmt.Fprintf(w, "\n### %s\n\n", g)
		var hdr []string
		for _, r := range refs {
			hdr = append(hdr, "×"+r)
		}
		fmt.Fprintf(w, "cells: median (%s); runs: %d\n\n", strings.Join(hdr, ", "), len(t.values[key{g, impls[0], units[0]}]))
		fmt.Fprint(w, "| impl |")
		for _, u := range units {
			if higher[u] {
				u += " ↑"
			}
			fmt.Fprintf(w, " %s |", u)
		}
		fmt.Fprint(w, "\n|---|")
		for range units {
			fmt.Fprint(w, "---|")
		}
		fmt.Fprintln(w)
		for _, im := range impls {
			fmt.Fprintf(w, "| %s |", im)
			for _, u := range units {
				vs := t.values[key{g, im, u}]
				if len(vs) == 0 {
					fmt.Fprint(w, " |")
					continue
				}
				m := median(vs)
				var rs []string
				for _, r := range refs {
					if r == im {
						continue
					}
					if rv := t.values[key{g, r, u}]; len(rv) > 0 {
						rs = append(rs, ratio(m, median(rv)))
					}
				}
				cell := human(m, u)
				if len(rs) > 0 {
					cell += " (" + strings.Join(rs, ", ") + ")"
				}
				fmt.Fprintf(w, " %s |", cell)
			}
			fmt.Fprintln(w)
		}
	}
}

func main() {
	flag.Parse()
	t := &table{impls: map[string][]string{}, units: map[string][]string{}, values: map[key][]float64{}}
	if flag.NArg() == 0 {
		if err := t.read(os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, "ratio:", err)
			os.Exit(1)
		}
	}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratio:", err)
			os.Exit(1)
		}
		err = t.read(f)
		_ = f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratio:", err)
			os.Exit(1)
		}
	}
	t.print(os.Stdout)
}
