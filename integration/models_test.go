package integration_test

import "time"

// Models of the suite's schema (migrations/001_schema.sql).

type Country struct {
	ID         int64     `db:"id,pk,readonly" json:"id"`
	Name       string    `db:"name" json:"name" validate:"required,max=100"`
	ISO2       *string   `db:"iso2" json:"iso2"`
	Continent  *string   `db:"continent" json:"continent"`
	Population *int64    `db:"population" json:"population"`
	CreatedAt  time.Time `db:"created_at,readonly" json:"created_at"`
	Cities     []City    `db:"cities,rel" json:"cities"`
}

func (Country) TableName() string { return "countries" }

// CountryRow is a country without its cities (the target of many-to-one
// embeds and of functions returning countries).
type CountryRow struct {
	ID         int64   `db:"id,pk,readonly" json:"id"`
	Name       string  `db:"name" json:"name" validate:"required,max=100"`
	ISO2       *string `db:"iso2" json:"iso2"`
	Continent  *string `db:"continent" json:"continent"`
	Population *int64  `db:"population" json:"population"`
}

func (CountryRow) TableName() string { return "countries" }

type City struct {
	ID         int64  `db:"id,pk,readonly" json:"id"`
	CountryID  int64  `db:"country_id" json:"country_id"`
	Name       string `db:"name" json:"name"`
	Population *int64 `db:"population" json:"population"`
	IsCapital  bool   `db:"is_capital" json:"is_capital"`
}

func (City) TableName() string { return "cities" }

// CityWithCountry embeds its country: many-to-one.
type CityWithCountry struct {
	ID      int64       `db:"id,pk,readonly" json:"id"`
	Name    string      `db:"name" json:"name"`
	Country *CountryRow `db:"countries,rel" json:"countries"`
}

func (CityWithCountry) TableName() string { return "cities" }

type Issue struct {
	ID    int64          `db:"id,pk,readonly" json:"id"`
	Title string         `db:"title" json:"title"`
	Tags  []string       `db:"tags" json:"tags"`
	Data  map[string]any `db:"data,json" json:"data"`
	Body  *string        `db:"body" json:"body"`
	FTS   *string        `db:"fts,readonly" json:"fts"`
}

func (Issue) TableName() string { return "issues" }

type Reservation struct {
	ID     int64  `db:"id,pk,readonly" json:"id"`
	Room   string `db:"room" json:"room"`
	During string `db:"during" json:"during"`
}

func (Reservation) TableName() string { return "reservations" }

type Profile struct {
	ID       string  `db:"id,pk" json:"id"`
	Username string  `db:"username" json:"username"`
	FullName *string `db:"full_name" json:"full_name"`
}

func (Profile) TableName() string { return "profiles" }

// Team embeds its members through team_members: many-to-many.
type Team struct {
	ID       int64     `db:"id,pk,readonly" json:"id"`
	Name     string    `db:"name" json:"name"`
	Profiles []Profile `db:"profiles,rel" json:"profiles"`
}

func (Team) TableName() string { return "teams" }

type TeamMember struct {
	TeamID    int64  `db:"team_id,pk" json:"team_id"`
	ProfileID string `db:"profile_id,pk" json:"profile_id"`
	Role      string `db:"role,omitempty" json:"role"`
}

func (TeamMember) TableName() string { return "team_members" }

type Message struct {
	ID     int64  `db:"id,pk,readonly" json:"id"`
	UserID string `db:"user_id,omitempty" json:"user_id"`
	Body   string `db:"body" json:"body"`
}

func (Message) TableName() string { return "messages" }
