package pgtypes

import (
	"fmt"
	"strings"
	"time"
)

// Date is a PostgreSQL date: a calendar day without time or zone, written
// as "2006-01-02". The zero value is January 1 of year 1.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrSyntax, s)
	}
	return DateOf(t), nil
}

func (d Date) norm() Date {
	if d.Month == 0 && d.Day == 0 && d.Year == 0 {
		return Date{Year: 1, Month: 1, Day: 1}
	}
	return d
}

// In returns midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	d = d.norm()
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String returns "2006-01-02".
func (d Date) String() string { return d.In(time.UTC).Format(time.DateOnly) }

// MarshalText returns "2006-01-02"; JSON encodes it as a string.
func (d Date) MarshalText() ([]byte, error) {
	d = d.norm()
	if d.Year < 1 || d.Year > 9999 || DateOf(d.In(time.UTC)) != d {
		return nil, fmt.Errorf("%w: date %04d-%02d-%02d does not exist", ErrSyntax, d.Year, d.Month, d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses "2006-01-02".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Timestamp is a PostgreSQL timestamp without time zone: a wall-clock
// reading. Its Time is in UTC only as a carrier; the zone means nothing.
// It is written as "2006-01-02T15:04:05.999999" and read with a space or
// a T between date and time (a zone suffix, if any, is dropped).
type Timestamp struct {
	time.Time
}

const timestampLayout = "2006-01-02T15:04:05.999999"

// NewTimestamp returns the wall clock of t (its zone dropped).
func NewTimestamp(t time.Time) Timestamp {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return Timestamp{time.Date(y, m, d, h, mi, s, t.Nanosecond(), time.UTC)}
}

// ParseTimestamp parses a timestamp as PostgreSQL and PostgREST write it.
func ParseTimestamp(s string) (Timestamp, error) {
	v := strings.Replace(s, " ", "T", 1)
	for _, layout := range []string{timestampLayout, time.RFC3339Nano, "2006-01-02T15:04:05.999999Z07", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return NewTimestamp(t), nil
		}
	}
	return Timestamp{}, fmt.Errorf("%w: timestamp %q: want YYYY-MM-DDTHH:MM:SS[.ffffff]", ErrSyntax, s)
}

// String returns "2006-01-02T15:04:05.999999".
func (t Timestamp) String() string { return t.Time.Format(timestampLayout) }

// MarshalText returns "2006-01-02T15:04:05.999999".
func (t Timestamp) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// MarshalJSON writes the timestamp as a JSON string.
func (t Timestamp) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalText parses a timestamp.
func (t *Timestamp) UnmarshalText(b []byte) error {
	v, err := ParseTimestamp(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalJSON reads a JSON string holding a timestamp.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("%w: timestamp must be a JSON string, got %s", ErrSyntax, b)
	}
	return t.UnmarshalText(b[1 : len(b)-1])
}
