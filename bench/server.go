package bench

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
)

// Server is a PostgREST-shaped test server on loopback: GET
// /rest/v1/rows answers the first rows of a fixed data set, honouring
// offset and limit (as PostgREST does) and setting Content-Range. It
// counts the connections it accepts.
type Server struct {
	*httptest.Server
	conns atomic.Int64
	body  []byte // the whole data set as one JSON array
	ends  []int  // ends[i]: offset in body just past row i
	// onHeap is false when body lives outside the Go heap (see offHeap).
	onHeap bool
}

// Close stops the server and releases its data.
func (s *Server) Close() {
	s.Server.Close()
	freeOffHeap(s.body, s.onHeap)
	s.body = nil
}

// NewServer starts a server holding n rows (at least one).
func NewServer(n int) *Server {
	n = max(n, 1)
	s := &Server{}
	body := RowsJSON(0, n)
	s.ends = rowEnds(body, n)
	s.body = offHeap(body)
	s.onHeap = &s.body[0] == &body[0]
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	return s
}

// Conns returns how many connections the server has accepted so far.
func (s *Server) Conns() int64 { return s.conns.Load() }

// Rows returns how many rows the server holds.
func (s *Server) Rows() int { return len(s.ends) }

// RESTURL returns the REST root (…/rest/v1).
func (s *Server) RESTURL() string { return s.URL + "/rest/v1" }

// rowEnds finds where each top-level element of a JSON array of objects
// ends (the objects written by encoding/json hold no unbalanced braces
// outside strings).
func rowEnds(b []byte, n int) []int {
	ends := make([]int, 0, n)
	depth, inStr, esc := 0, false, false
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				ends = append(ends, i+1)
			}
		}
	}
	return ends
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/rest/v1/rows" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":"PGRST205","details":null,"hint":null,"message":"not found"}`))
		return
	}
	total := len(s.ends)
	offset, limit := 0, total
	q := r.URL.Query()
	if v := q.Get("offset"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			offset = min(n, total)
		}
	}
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			limit = n
		}
	}
	if id := q.Get("id"); id != "" { // id=eq.N: one row
		offset, limit = 0, 1
	}
	end := min(offset+limit, total)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if end > offset {
		h.Set("Content-Range", strconv.Itoa(offset)+"-"+strconv.Itoa(end-1)+"/*")
	} else {
		h.Set("Content-Range", "*/*")
	}
	var start int
	if offset == 0 {
		start = 1
	} else {
		start = s.ends[offset-1] + 1 // past the comma
	}
	if end <= offset {
		_, _ = w.Write([]byte("[]"))
		return
	}
	h.Set("Content-Length", strconv.Itoa(s.ends[end-1]-start+2))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte{'['})
	_, _ = w.Write(s.body[start:s.ends[end-1]])
	_, _ = w.Write([]byte{']'})
}
