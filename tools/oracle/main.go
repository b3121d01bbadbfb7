// Command oracle copies the Database wire vectors (areas db, filter and mod)
// from the shared oracle into repo/testdata, so the repository's
// conformance test runs on a pinned copy. Run it from the module root after
// the oracle is refreshed:
//
//	go run ./tools/oracle -src ../shared/oracle/vectors.json
//
// It keeps each vector's name, area, source, client, note and, for each
// request, what the conformance test compares (method, path, query, client
// headers, body) plus the canned response.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/supakit/supakit/internal/oracle"
)

func main() {
	src := flag.String("src", "../shared/oracle/vectors.json", "the oracle's vectors.json")
	dst := flag.String("dst", "repo/testdata/vectors.json", "where to write the Database vectors")
	areas := flag.String("areas", "db,filter,mod", "comma-separated areas to keep")
	flag.Parse()
	if err := run(*src, *dst, strings.Split(*areas, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}

func run(src, dst string, areas []string) error {
	all, err := oracle.Load(src)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, a := range areas {
		keep[strings.TrimSpace(a)] = true
	}
	var out []oracle.Vector
	for _, v := range all {
		if keep[v.Area] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return fmt.Errorf("no vectors in areas %v", areas)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("oracle: wrote %d vectors to %s\n", len(out), dst)
	return nil
}
