package rest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
)

// normalizeBody turns a CSV or form body into the equivalent JSON, and
// marks raw bodies for functions.
func normalizeBody(req *request) *Error {
	ct, _ := parseMediaType(req.hdr.Get("Content-Type"))
	switch ct {
	case "", "application/json", "application/vnd.pgrst.object+json", "application/vnd.pgrst.array+json":
		return nil
	case "text/csv":
		b, err := csvToJSON(req.body)
		if err != nil {
			return apiErr(400, "PGRST102", "Invalid CSV body", err.Error(), nil)
		}
		req.body = b
		return nil
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(req.body))
		if err != nil {
			return apiErr(400, "PGRST102", "Invalid form body", err.Error(), nil)
		}
		obj := map[string]string{}
		for k, v := range vals {
			obj[k] = v[len(v)-1]
		}
		req.body, _ = json.Marshal(obj)
		return nil
	case "text/plain", "application/octet-stream", "text/xml", "application/xml":
		if req.isRPC {
			req.rawBody = true
			return nil
		}
	}
	return apiErr(415, "PGRST107", "The request's Content-Type is not supported: "+ct, nil, nil)
}

// csvToJSON reads a header row and data rows into an array of objects;
// the unquoted value NULL stands for null, as in PostgREST.
func csvToJSON(body []byte) ([]byte, error) {
	r := csv.NewReader(bytes.NewReader(body))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return []byte("[]"), nil
	}
	head := recs[0]
	var sb strings.Builder
	sb.WriteByte('[')
	for i, rec := range recs[1:] {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('{')
		for j, col := range head {
			if j > 0 {
				sb.WriteByte(',')
			}
			k, _ := json.Marshal(col)
			sb.Write(k)
			sb.WriteByte(':')
			if j >= len(rec) || rec[j] == "NULL" {
				sb.WriteString("null")
				continue
			}
			v, _ := json.Marshal(rec[j])
			sb.Write(v)
		}
		sb.WriteByte('}')
	}
	sb.WriteByte(']')
	return []byte(sb.String()), nil
}
