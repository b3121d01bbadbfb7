package transport

import "net/url"

// RequestURL exposes the URL builder of Do to the tests.
func (t *Transport) RequestURL(escapedPath, rawQuery string) (*url.URL, error) {
	return t.requestURL(escapedPath, rawQuery)
}
