package repo_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/repo"
)

// benchRow is a typical row: numbers, text, a nullable column, a time.
type benchRow struct {
	ID        int64     `db:"id,pk" json:"id"`
	Name      string    `db:"name" json:"name"`
	Email     string    `db:"email" json:"email"`
	Score     float64   `db:"score" json:"score"`
	Active    bool      `db:"active" json:"active"`
	Note      *string   `db:"note" json:"note"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

func (benchRow) TableName() string { return "people" }

func benchBody(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		note := "null"
		if i%3 == 0 {
			note = `"a note"`
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"Person %d","email":"p%d@example.com","score":%d.5,"active":%t,"note":%s,"created_at":"2024-01-02T03:04:05.123456+00:00"}`,
			i+1, i, i, i%100, i%2 == 0, note)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func BenchmarkDecodeRows10k(b *testing.B) {
	body := benchBody(10000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := repo.DecodeRows[benchRow](bytes.NewReader(body))
		if err != nil || len(rows) != 10000 {
			b.Fatal(len(rows), err)
		}
	}
}

func BenchmarkDecodeStream10k(b *testing.B) {
	body := benchBody(10000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var sum int64
		n, err := repo.DecodeStream(bytes.NewReader(body), func(r benchRow) bool { sum += r.ID; return true })
		if err != nil || n != 10000 {
			b.Fatal(n, err)
		}
	}
}

func benchServer(b *testing.B, body []byte) *supakit.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("offset") != "" && r.URL.Query().Get("offset") != "0" {
			w.Header().Set("Content-Range", "*/*")
			_, _ = w.Write([]byte("[]"))
			return
		}
		w.Header().Set("Content-Range", "0-9999/*") // as PostgREST announces a read
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := supakit.New(srv.URL, "anon-key")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkFind10k is Find end to end (HTTP over loopback included).
func BenchmarkFind10k(b *testing.B) {
	body := benchBody(10000)
	r := repo.New[benchRow](benchServer(b, body))
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := r.Find(ctx)
		if err != nil || len(rows) != 10000 {
			b.Fatal(len(rows), err)
		}
	}
}

// BenchmarkAll10k iterates 10,000 rows served as one page (plus the empty
// page that ends the iteration), end to end.
func BenchmarkAll10k(b *testing.B) {
	body := benchBody(10000)
	r := repo.New[benchRow](benchServer(b, body))
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range r.Query().PageSize(10000).All(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatal(n)
		}
	}
}

// BenchmarkDecodeRows10kSized decodes with room reserved from the
// response's Content-Range, as Find does.
func BenchmarkDecodeRows10kSized(b *testing.B) {
	body := benchBody(10000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := repo.DecodeRowsHint[benchRow](bytes.NewReader(body), 10000)
		if err != nil || len(rows) != 10000 {
			b.Fatal(len(rows), err)
		}
	}
}
