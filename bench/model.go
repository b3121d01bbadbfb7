package bench

import (
	"encoding/json"
	"strconv"
	"time"
)

// Row is a realistic ten-field row: integers, text, a nullable text, a
// float, a boolean, timestamps, a text array and a JSON column.
type Row struct {
	ID        int64           `db:"id,pk" json:"id"`
	Name      string          `db:"name" json:"name"`
	Email     string          `db:"email" json:"email"`
	Score     float64         `db:"score" json:"score"`
	Active    bool            `db:"active" json:"active"`
	Country   *string         `db:"country" json:"country"`
	Tags      []string        `db:"tags" json:"tags"`
	CreatedAt time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt *time.Time      `db:"updated_at" json:"updated_at"`
	Meta      json.RawMessage `db:"meta,json" json:"meta"`
}

// TableName maps Row to the table "rows".
func (Row) TableName() string { return "rows" }

// Table is the table the benchmarks read.
const Table = "rows"

var countries = []string{"Denmark", "Japan", "Brazil", "Kenya", "Canada"}

// MakeRow returns the i-th row of the synthetic data set (deterministic).
func MakeRow(i int) Row {
	base := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	r := Row{
		ID:        int64(i + 1),
		Name:      "Customer number " + strconv.Itoa(i+1),
		Email:     "customer" + strconv.Itoa(i+1) + "@example.com",
		Score:     float64(i%1000) / 7,
		Active:    i%3 != 0,
		Tags:      []string{"alpha", "beta", "t" + strconv.Itoa(i%17)},
		CreatedAt: base.Add(time.Duration(i) * time.Minute),
		Meta:      json.RawMessage(`{"plan":"pro","seats":` + strconv.Itoa(i%50) + `}`),
	}
	if i%4 != 0 {
		c := countries[i%len(countries)]
		r.Country = &c
	}
	if i%2 == 0 {
		u := base.Add(time.Duration(i) * time.Hour)
		r.UpdatedAt = &u
	}
	return r
}

// RowsJSON returns the JSON array PostgREST would answer with n rows
// starting at row offset, byte for byte as encoding/json writes them
// (PostgREST's own output differs only in spacing).
func RowsJSON(offset, n int) []byte {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = MakeRow(offset + i)
	}
	b, err := json.Marshal(rows)
	if err != nil {
		panic(err) // the model always encodes
	}
	return b
}
