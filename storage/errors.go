package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Sentinels matched by [*Error] with errors.Is.
var (
	// ErrNotFound: the bucket or object does not exist (or is hidden from
	// the caller by Row Level Security, which Storage reports the same way).
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: a bucket or object with that name already exists
	// (upload without upsert, copy onto an existing key, duplicate bucket).
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrUnauthorized: the token is missing, invalid or expired, or a
	// policy denied the operation.
	ErrUnauthorized = errors.New("storage: unauthorized")
	// ErrPayloadTooLarge: the object exceeds the bucket's or the server's
	// size limit.
	ErrPayloadTooLarge = errors.New("storage: payload too large")
	// ErrInvalidMIMEType: the content type is not among the bucket's
	// allowed MIME types.
	ErrInvalidMIMEType = errors.New("storage: invalid mime type")
	// ErrBucketNotEmpty: a bucket must be emptied before it is deleted.
	ErrBucketNotEmpty = errors.New("storage: bucket not empty")
	// ErrInvalidOption: an option was invalid or does not apply to the call.
	ErrInvalidOption = errors.New("storage: invalid option")
	// ErrDecode: a successful response could not be decoded.
	ErrDecode = errors.New("storage: cannot decode response")
)

// Error is an error answered by the Storage API. Storage reports most
// errors as HTTP 400 with the real status as a string in the body's
// statusCode; Status holds that real status (HTTPStatus the one on the
// wire).
type Error struct {
	// Op names the call, e.g. "upload avatars/a.png".
	Op string
	// Status is the real status: the body's statusCode when present,
	// else the HTTP status.
	Status int
	// HTTPStatus is the status line's code.
	HTTPStatus int
	// Code is Storage's error code, e.g. "NoSuchKey", "KeyAlreadyExists".
	Code string
	// ErrorName is the body's "error" field, e.g. "not_found", "Duplicate".
	ErrorName string
	// Message is the human-readable message.
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("storage: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.ErrorName != "" {
		b.WriteString(": ")
		b.WriteString(e.ErrorName)
	}
	return b.String()
}

// Is matches the package sentinels by status and code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Code == "NoSuchKey" || e.Code == "NoSuchBucket" || e.Code == "NoSuchUpload"
	case ErrAlreadyExists:
		return e.Code == "KeyAlreadyExists" || e.Code == "BucketAlreadyExists" ||
			(e.Status == http.StatusConflict && e.ErrorName == "Duplicate")
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden ||
			e.Code == "AccessDenied" || e.Code == "InvalidJWT"
	case ErrPayloadTooLarge:
		return e.Status == http.StatusRequestEntityTooLarge || e.Code == "EntityTooLarge"
	case ErrInvalidMIMEType:
		return e.Status == http.StatusUnsupportedMediaType || e.Code == "InvalidMimeType"
	case ErrBucketNotEmpty:
		return e.Code == "ResourceNotEmpty"
	}
	return false
}

const maxErrorBody = 64 << 10

// ParseError builds the [*Error] for a non-2xx response from its status
// and body (at most 64 KiB of it is considered). It never fails: a body
// that is not Storage's JSON becomes the message, trimmed.
func ParseError(httpStatus int, body []byte) *Error {
	e := &Error{HTTPStatus: httpStatus, Status: httpStatus}
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	var raw struct {
		StatusCode json.RawMessage `json:"statusCode"`
		Error      json.RawMessage `json:"error"`
		Message    json.RawMessage `json:"message"`
		Code       json.RawMessage `json:"code"`
	}
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") && json.Unmarshal(body, &raw) == nil {
		if sc := jsonScalar(raw.StatusCode); sc != "" {
			if n, err := strconv.Atoi(sc); err == nil && n >= 100 && n <= 599 {
				// The real server answers 400 with the true status in the body;
				// a gateway may answer with the true status itself.
				if httpStatus == http.StatusBadRequest || httpStatus == n {
					e.Status = n
				}
			}
		}
		e.ErrorName = jsonScalar(raw.Error)
		e.Message = jsonScalar(raw.Message)
		e.Code = jsonScalar(raw.Code)
		return e
	}
	if len(trimmed) > 300 {
		trimmed = trimmed[:300] + "…"
	}
	e.Message = trimmed
	if e.Message == "" {
		e.Message = http.StatusText(httpStatus)
	}
	return e
}

// jsonScalar renders a JSON string or number as text ("" for null/absent).
func jsonScalar(m json.RawMessage) string {
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(m, &n) == nil {
		return n.String()
	}
	return strings.TrimSpace(string(m))
}

func readError(op string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := ParseError(resp.StatusCode, body)
	e.Op = op
	return e
}

func optErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

var (
	_ error         = (*Error)(nil)
	_ error         = (*KeyError)(nil)
	_ io.ReadCloser = (*ObjectReader)(nil)
)
