package storageapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/idlebody"
)

// apiError is an error in Storage's JSON shape. Storage reports almost
// every failure with HTTP 400 and the real status as a string in the body;
// httpStatus is what goes on the wire, status what goes in statusCode.
type apiError struct {
	httpStatus int
	status     int
	errName    string // "error" field
	code       string
	message    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("storageapi: %s (%d): %s", e.code, e.status, e.message)
}

// newErr builds a Storage error answered with HTTP 400.
func newErr(status int, errName, code, message string) *apiError {
	return &apiError{httpStatus: http.StatusBadRequest, status: status, errName: errName, code: code, message: message}
}

func errInvalidRequest(msg string) *apiError {
	return newErr(400, "Error", "InvalidRequest", msg)
}

func errAccessDenied(msg string) *apiError {
	return newErr(403, "Unauthorized", "AccessDenied", msg)
}

func errRLS() *apiError {
	return errAccessDenied("new row violates row-level security policy")
}

func errNoSuchBucket() *apiError {
	return newErr(404, "Bucket not found", "NoSuchBucket", "Bucket not found")
}

func errNoSuchKey() *apiError {
	return newErr(404, "not_found", "NoSuchKey", "Object not found")
}

func errBucketExists() *apiError {
	return newErr(409, "Duplicate", "BucketAlreadyExists", "The resource already exists")
}

func errKeyExists() *apiError {
	return newErr(409, "Duplicate", "KeyAlreadyExists", "The resource already exists")
}

func errInvalidKey(key string) *apiError {
	return newErr(400, "InvalidKey", "InvalidKey", "Invalid key: "+key)
}

func errInvalidBucketName() *apiError {
	return newErr(400, "Invalid Input", "InvalidBucketName", "Bucket name invalid")
}

func errTooLarge() *apiError {
	return newErr(413, "Payload too large", "EntityTooLarge", "The object exceeded the maximum allowed size")
}

func errInvalidMime(mt string) *apiError {
	return newErr(415, "invalid_mime_type", "InvalidMimeType", "mime type "+mt+" is not supported")
}

func errInvalidJWT(msg string) *apiError {
	return newErr(400, "InvalidJWT", "InvalidJWT", msg)
}

func errInvalidSignature() *apiError {
	return newErr(400, "InvalidSignature", "InvalidSignature", "Invalid signature")
}

// errNotImplemented answers features the emulator does not provide with
// HTTP 501 and a message naming the feature.
func errNotImplemented(feature string) *apiError {
	return &apiError{httpStatus: http.StatusNotImplemented, status: 501, errName: "Not Implemented",
		code: "NotImplemented", message: feature + " is not supported by the supakit emulator"}
}

func errNotFoundRoute(method, path string) *apiError {
	return &apiError{httpStatus: http.StatusNotFound, status: 404, errName: "Not Found", code: "NotFound",
		message: "Route " + method + ":" + path + " not found"}
}

func errInternal() *apiError {
	return &apiError{httpStatus: http.StatusInternalServerError, status: 500, errName: "Internal",
		code: "InternalError", message: "Internal Server Error"}
}

// fromDB maps a database error to Storage's answer; ok is false when err is
// not one Storage reports specially.
func fromDB(err error, dup *apiError) (*apiError, bool) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return nil, false
	}
	switch pg.Code {
	case "42501": // insufficient_privilege, including RLS violations
		return errRLS(), true
	case "23505":
		return dup, true
	case "23503": // objects.bucket_id foreign key
		return errNoSuchBucket(), true
	case "57014":
		return newErr(504, "DatabaseTimeout", "DatabaseTimeout", "timeout exceeded when trying to connect"), true
	}
	return nil, false
}

type errorBody struct {
	StatusCode string `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
	Code       string `json:"code"`
}

// writeError answers err; anything that is not an *apiError is logged and
// answered as an internal error, without its text.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tusError
	if errors.As(err, &te) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(te.status)
		_, _ = w.Write([]byte(te.msg))
		return
	}
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, dbrole.ErrSetRole):
		// The token names a role the database does not have.
		ae = errAccessDenied("role in the JWT does not exist in the database")
	case errors.Is(err, idlebody.ErrIdle):
		ae = newErr(http.StatusRequestTimeout, "Request Timeout", "RequestTimeout", "the request body stopped arriving")
	}
	if ae == nil {
		if r.Context().Err() == nil {
			h.logf("storageapi: %s %s: %v", r.Method, r.URL.Path, err)
		}
		ae = errInternal()
	}
	writeJSON(w, ae.httpStatus, errorBody{
		StatusCode: strconv.Itoa(ae.status),
		Error:      ae.errName,
		Message:    ae.message,
		Code:       ae.code,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":"500","error":"Internal","message":"Internal Server Error","code":"InternalError"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
