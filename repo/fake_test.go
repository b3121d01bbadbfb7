package repo_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/repo"
)

var _ repo.Conn = (*supakit.Client)(nil)

// City and Country are the models of the unit tests. City.CountryID has
// no json tag, so its JSON key differs from its column and the derived
// select aliases it.
type City struct {
	ID        int64  `db:"id,pk,readonly"`
	Name      string `db:"name"`
	CountryID int64  `db:"country_id"`
}

func (City) TableName() string { return "cities" }

type Country struct {
	ID        int64   `db:"id,pk,readonly" json:"id"`
	Name      string  `db:"name" json:"name" validate:"required,max=100"`
	Continent *string `db:"continent" json:"continent"`
	Cities    []City  `db:"cities,rel" json:"cities"`
}

func (Country) TableName() string { return "countries" }

// Membership has a composite primary key.
type Membership struct {
	OrgID  int64  `db:"org_id,pk"`
	UserID string `db:"user_id,pk"`
	Role   string `db:"role" validate:"oneof=owner member"`
}

func (Membership) TableName() string { return "memberships" }

type seen struct {
	Method, Path, RawQuery, Prefer, Accept, Profile, ContentType string
	Body                                                         string
}

// fake is a PostgREST stand-in: it records requests and answers with
// the status, headers and body the test sets.
type fake struct {
	mu      sync.Mutex
	reqs    []seen
	status  int
	header  map[string]string
	body    string
	handler func(w http.ResponseWriter, r *http.Request) // overrides the canned answer
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	prof := r.Header.Get("Accept-Profile")
	if prof == "" {
		prof = "content:" + r.Header.Get("Content-Profile")
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Prefer"),
		r.Header.Get("Accept"), prof, r.Header.Get("Content-Type"), string(b)})
	h, status, hdr, body := f.handler, f.status, f.header, f.body
	f.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fake) last(t *testing.T) seen {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("no request sent")
	}
	return f.reqs[len(f.reqs)-1]
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func newFake(t *testing.T) (*fake, *supakit.Client) {
	t.Helper()
	f := &fake{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := supakit.New(srv.URL, "anon-key", supakit.WithRetryPolicy(transportNoRetry()))
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}
