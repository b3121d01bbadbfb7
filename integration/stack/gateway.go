package stack

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
)

// Route sends the requests under Prefix (e.g. "/rest/v1") to Upstream
// (e.g. "http://127.0.0.1:32771"), with the prefix stripped, as Supabase's
// gateway does.
type Route struct {
	Prefix   string
	Upstream string
}

// Gateway routes one base URL to the stack's services by path prefix. It
// stands in for Supabase's Kong: no key checks, just routing. It is safe for
// concurrent use.
type Gateway struct {
	routes []gwRoute
}

type gwRoute struct {
	prefix string
	proxy  *httputil.ReverseProxy
}

// NewGateway builds a gateway over routes; the longest matching prefix wins.
func NewGateway(routes []Route) (*Gateway, error) {
	g := &Gateway{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Prefix, "/") || strings.HasSuffix(r.Prefix, "/") {
			return nil, fmt.Errorf("stack: gateway prefix %q must start and not end with /", r.Prefix)
		}
		target, err := url.Parse(r.Upstream)
		if err != nil || target.Scheme == "" || target.Host == "" {
			return nil, fmt.Errorf("stack: gateway upstream %q for %s is not an absolute URL", r.Upstream, r.Prefix)
		}
		prefix := r.Prefix
		proxy := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.SetXForwarded()
				p := strings.TrimPrefix(pr.In.URL.Path, prefix)
				if p == "" {
					p = "/"
				}
				pr.Out.URL.Path = singleJoin(target.Path, p)
				if pr.In.URL.RawPath != "" {
					rp := strings.TrimPrefix(pr.In.URL.RawPath, prefix)
					if rp == "" {
						rp = "/"
					}
					pr.Out.URL.RawPath = singleJoin(target.Path, rp)
				} else {
					pr.Out.URL.RawPath = ""
				}
				pr.Out.Host = target.Host
			},
			FlushInterval: -1, // stream bodies as they come
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				writeGatewayError(w, http.StatusBadGateway, "An invalid response was received from the upstream server")
			},
		}
		g.routes = append(g.routes, gwRoute{prefix: prefix, proxy: proxy})
	}
	sort.SliceStable(g.routes, func(i, j int) bool { return len(g.routes[i].prefix) > len(g.routes[j].prefix) })
	return g, nil
}

func singleJoin(base, p string) string {
	if base == "" || base == "/" {
		return p
	}
	return strings.TrimRight(base, "/") + p
}

// ServeHTTP routes r, or answers 404 as Kong does when no route matches.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, rt := range g.routes {
		if r.URL.Path == rt.prefix || strings.HasPrefix(r.URL.Path, rt.prefix+"/") {
			rt.proxy.ServeHTTP(w, r)
			return
		}
	}
	writeGatewayError(w, http.StatusNotFound, "no Route matched with those values")
}

func writeGatewayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"message\":%q}\n", msg)
}
