package repo_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// pager serves a table of n countries ordered by id, honouring limit and
// offset and capping every answer at maxRows, as PostgREST's db-max-rows
// does.
func pager(t *testing.T, n, maxRows int, requests *atomic.Int32, orders *atomic.Value) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		orders.Store(q.Get("order"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		if q.Get("limit") == "" {
			limit = n
		}
		limit = min(limit, maxRows)
		var b strings.Builder
		b.WriteByte('[')
		for i := offset; i < min(offset+limit, n); i++ {
			if i > offset {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d,"name":"c%d","cities":[]}`, i+1, i+1)
		}
		b.WriteByte(']')
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(b.String()))
	}
}

func TestAllPagesPastMaxRows(t *testing.T) {
	for _, tt := range []struct {
		name                string
		rows, maxRows, page int
		wantRequests        int32
	}{
		{"server caps below the page", 2345, 100, 0, 24}, // 23 full pages, one short
		{"page below the cap", 2345, 1000, 500, 5},       // 4 full, one short
		{"exact multiple", 300, 100, 100, 4},             // 3 full, then an empty page
		{"empty table", 0, 1000, 0, 1},
		{"one short page", 7, 1000, 0, 2}, // short first page is confirmed
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			var requests atomic.Int32
			var order atomic.Value
			f.handler = pager(t, tt.rows, tt.maxRows, &requests, &order)
			q := repo.New[Country](cl).Query()
			if tt.page > 0 {
				q = q.PageSize(tt.page)
			}
			next := int64(1)
			for row, err := range q.All(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				if row.ID != next {
					t.Fatalf("row %d, want %d", row.ID, next)
				}
				next++
			}
			if got := next - 1; got != int64(tt.rows) {
				t.Errorf("iterated %d rows, want %d", got, tt.rows)
			}
			if got := requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			if got := order.Load(); got != "id.asc" {
				t.Errorf("order %v, want id.asc (the primary key)", got)
			}
		})
	}
}

func TestAllKeepsTheQueryOrderAndStopsEarly(t *testing.T) {
	c := schema.Cols[Country]()
	f, cl := newFake(t)
	var requests atomic.Int32
	var order atomic.Value
	f.handler = pager(t, 5000, 1000, &requests, &order)
	n := 0
	for _, err := range repo.New[Country](cl).Query().Order(query.Desc(&c.Name)).All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 1500 {
			break
		}
	}
	if requests.Load() != 2 {
		t.Errorf("%d requests for 1500 rows", requests.Load())
	}
	if got := order.Load(); got != "name.desc,id.asc" {
		t.Errorf("order %v, want name.desc,id.asc", got)
	}
}

func TestAllYieldsErrors(t *testing.T) {
	f, cl := newFake(t)
	f.status, f.body = 500, `{"code":"XX000","message":"boom"}`
	var errs []error
	for _, err := range repo.New[Country](cl).Query().All(context.Background()) {
		errs = append(errs, err)
	}
	var pe *repo.Error
	if len(errs) != 1 || !errors.As(errs[0], &pe) || pe.Code != "XX000" {
		t.Fatalf("errors %v", errs)
	}
	f.status, f.body = 200, `[{"id":1},{"id":`
	errs = nil
	for _, err := range repo.New[Country](cl).Query().All(context.Background()) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[0] != nil || errs[1] == nil {
		t.Fatalf("truncated body: %v", errs)
	}
}

type noKey struct {
	Name string `db:"name"`
}

func (noKey) TableName() string { return "logs" }

func TestAllNeedsAnOrder(t *testing.T) {
	f, cl := newFake(t)
	var got []error
	for _, err := range repo.New[noKey](cl).Query().All(context.Background()) {
		got = append(got, err)
	}
	if len(got) != 1 || !errors.Is(got[0], repo.ErrInvalid) || !strings.Contains(got[0].Error(), "no primary key") {
		t.Fatalf("got %v", got)
	}
	if f.count() != 0 {
		t.Error("a refused iteration sent requests")
	}
}

func TestAllRowsDoNotShareState(t *testing.T) {
	f, cl := newFake(t)
	var calls atomic.Int32
	f.handler = func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 1 {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		_, _ = w.Write([]byte(`[{"id":1,"name":"a","continent":"x","cities":[{"id":5,"name":"c"}]},{"id":2,"name":"b"}]`))
	}
	var rows []Country
	for row, err := range repo.New[Country](cl).Query().All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	if len(rows) != 2 || rows[1].Continent != nil || rows[1].Cities != nil || rows[0].Continent == nil ||
		*rows[0].Continent != "x" || len(rows[0].Cities) != 1 || rows[0].Cities[0].Name != "c" {
		t.Fatalf("rows %+v", rows)
	}
}

// TestAllConstantMemory streams one page far larger than the heap bound
// the iteration may use: All must decode row by row, never holding the
// page.
func TestAllConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a large page")
	}
	const rows = 150_000
	pad := strings.Repeat("x", 100)
	f, cl := newFake(t)
	var calls atomic.Int32
	f.handler = func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 1 {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		bw := bufio.NewWriter(w)
		bw.WriteString("[")
		for i := range rows {
			if i > 0 {
				bw.WriteString(",")
			}
			fmt.Fprintf(bw, `{"id":%d,"name":"%s","continent":null,"cities":[]}`, i, pad)
		}
		bw.WriteString("]")
		_ = bw.Flush()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	n := 0
	for row, err := range repo.New[Country](cl).Query().PageSize(rows + 1).All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if row.ID != int64(n) {
			t.Fatalf("row %d has id %d", n, row.ID)
		}
		n++
		if n%5000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if n != rows {
		t.Fatalf("%d rows", n)
	}
	body := uint64(rows * (len(pad) + 60))
	if grew := peak - min(peak, base); grew > body/4 {
		t.Errorf("the heap grew by %d bytes while streaming a %d-byte page", grew, body)
	}
}
