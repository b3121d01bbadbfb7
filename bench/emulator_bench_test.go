package bench_test

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
)

const emuRows = 10_000

const emuSchema = `
create table rows (
	id bigint primary key,
	name text not null,
	email text not null,
	score float8 not null,
	active bool not null,
	country text,
	tags text[] not null,
	created_at timestamptz not null,
	updated_at timestamptz,
	meta jsonb not null
);
insert into rows
select g, 'Customer number ' || g, 'customer' || g || '@example.com', ((g - 1) % 1000) / 7.0, (g - 1) % 3 <> 0,
	case when (g - 1) % 4 = 0 then null else (array['Denmark','Japan','Brazil','Kenya','Canada'])[(g - 1) % 5 + 1] end,
	array['alpha', 'beta', 't' || ((g - 1) % 17)],
	timestamptz '2024-01-02 03:04:05.123456+00' + (g - 1) * interval '1 minute',
	case when (g - 1) % 2 = 0 then timestamptz '2024-01-02 03:04:05.123456+00' + (g - 1) * interval '1 hour' end,
	jsonb_build_object('plan', 'pro', 'seats', (g - 1) % 50)
from generate_series(1, ` + "10000" + `) g;
analyze rows;`

const pgxSelect = `select id, name, email, score, active, country, tags, created_at, updated_at, meta from rows`

// havePostgres reports whether a PostgreSQL server is configured or
// answers on the default local port.
func havePostgres() bool {
	if os.Getenv("DATABASE_URL") != "" {
		return true
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

func scanRows(rows pgx.Rows) ([]bench.Row, error) {
	var out []bench.Row
	for rows.Next() {
		var r bench.Row
		if err := rows.Scan(&r.ID, &r.Name, &r.Email, &r.Score, &r.Active, &r.Country, &r.Tags, &r.CreatedAt, &r.UpdatedAt, &r.Meta); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BenchmarkEmulator selects one row and 10,000 rows through supakit
// against the emulator (HTTP, JWT, role switch, SQL, JSON) and with the
// same SQL through pgx directly (the floor).
func BenchmarkEmulator(b *testing.B) {
	if !havePostgres() {
		b.Skip("emulator benchmarks skipped: no PostgreSQL (set DATABASE_URL or run one on 127.0.0.1:5432)")
	}
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true, MaxRows: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Pool().Exec(ctx, emuSchema); err != nil {
		b.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, srv.DatabaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	// the service role key, as a server-side repository on Supabase uses
	sk, err := supakit.New(srv.URL, srv.ServiceRoleKey)
	if err != nil {
		b.Fatal(err)
	}
	r := repo.New[bench.Row](sk)

	for _, n := range []int{1, emuRows} {
		name := "rows=" + strconv.Itoa(n)
		b.Run(name+"/impl=supakit", func(b *testing.B) {
			b.ReportAllocs()
			q := r.Query()
			if n == 1 {
				q = q.Where(query.Eq(&c.ID, int64(500)))
			}
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				rows, err := q.Find(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
			reportEmu(b, n, start, cpu0)
		})
		b.Run(name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			sql, args := pgxSelect, []any{}
			if n == 1 {
				sql, args = pgxSelect+" where id = $1", []any{int64(500)}
			}
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				rs, err := pool.Query(ctx, sql, args...)
				if err != nil {
					b.Fatal(err)
				}
				rows, err := scanRows(rs)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
			reportEmu(b, n, start, cpu0)
		})
	}
}

func reportEmu(b *testing.B, n int, start time.Time, cpu0 int64) {
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
	if cpu := bench.ProcessCPU(); cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "proc-cpu-ns/op")
	}
}
