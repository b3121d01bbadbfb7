package query_test

import "time"

// Test models shaped after the tables of the wire oracle's calls.

type Character struct {
	ID       int64          `db:"id,pk"`
	Name     string         `db:"name"`
	FullName string         `db:"full name"`
	Score    float64        `db:"score"`
	Active   bool           `db:"active"`
	Born     time.Time      `db:"born"`
	Tags     []string       `db:"tags"`
	Data     map[string]any `db:"data,json"`
	Note     *string        `db:"note"`
	Home     *Planet        `db:"planets,rel,as=home"`
}

func (Character) TableName() string { return "characters" }

type Planet struct {
	ID   int64  `db:"id,pk"`
	Name string `db:"name"`
}

func (Planet) TableName() string { return "planets" }

type Country struct {
	ID        int64   `db:"id,pk,readonly"`
	Name      string  `db:"name"`
	Capital   *string `db:"capital,omitempty"`
	Active    bool    `db:"active"`
	Continent *string `db:"continent"`
	Cities    []City  `db:"cities,rel"`
}

func (Country) TableName() string { return "countries" }

type City struct {
	ID        int64    `db:"id,pk"`
	Name      string   `db:"name"`
	CountryID int64    `db:"country_id"`
	Country   *Country `db:"countries,rel"`
}

func (City) TableName() string { return "cities" }

type Section struct {
	ID          int64        `db:"id,pk"`
	Name        string       `db:"name"`
	Instruments []Instrument `db:"instruments,rel"`
}

func (Section) TableName() string { return "orchestral_sections" }

type Instrument struct {
	ID        int64    `db:"id,pk"`
	Name      string   `db:"name"`
	SectionID int64    `db:"section_id"`
	Section   *Section `db:"orchestral_sections,rel,as=section"`
	Players   []Player `db:"players,rel"`
}

func (Instrument) TableName() string { return "instruments" }

type Player struct {
	ID   int64  `db:"id,pk"`
	Name string `db:"name"`
}

type User struct {
	ID          int64          `db:"id,pk"`
	Name        string         `db:"name"`
	Handle      string         `db:"handle"`
	DisplayName string         `db:"display_name"`
	Org         int64          `db:"org"`
	Data        map[string]any `db:"data,json"`
	Address     Address        `db:"address,json"`
}

type Address struct {
	Street   string   `json:"street,omitempty"`
	City     string   `json:"city,omitempty"`
	Postcode int      `json:"postcode,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

func (User) TableName() string { return "users" }

type Message struct {
	ID      int64  `db:"id,pk,readonly"`
	Content string `db:"content"`
	From    *User  `db:"sender_id,rel,as=from"`
	To      *User  `db:"users,rel,!messages_receiver_id_fkey,as=to"`
}

func (Message) TableName() string { return "messages" }

type Issue struct {
	ID    int64    `db:"id,pk"`
	Title string   `db:"title"`
	Tags  []string `db:"tags"`
}

func (Issue) TableName() string { return "issues" }

type Class struct {
	Name string   `db:"name"`
	Days []string `db:"days"`
}

func (Class) TableName() string { return "classes" }

type Reservation struct {
	RoomName string `db:"room_name"`
	During   string `db:"during"`
}

func (Reservation) TableName() string { return "reservations" }

type Text struct {
	Content string `db:"content"`
}

func (Text) TableName() string { return "texts" }
