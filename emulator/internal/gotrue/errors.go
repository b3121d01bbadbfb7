package gotrue

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is an error answered to the client in GoTrue's error shape.
type apiError struct {
	Status  int
	Code    string // GoTrue's error_code
	Msg     string
	Reasons []string // weak_password reasons
	cause   error    // internal detail, logged, never sent
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("gotrue: %d %s: %s: %v", e.Status, e.Code, e.Msg, e.cause)
	}
	return fmt.Sprintf("gotrue: %d %s: %s", e.Status, e.Code, e.Msg)
}

func (e *apiError) Unwrap() error { return e.cause }

func newErr(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

func badRequest(code, format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, code, format, args...)
}

func unprocessable(code, format string, args ...any) *apiError {
	return newErr(http.StatusUnprocessableEntity, code, format, args...)
}

func forbidden(code, format string, args ...any) *apiError {
	return newErr(http.StatusForbidden, code, format, args...)
}

func notFound(code, format string, args ...any) *apiError {
	return newErr(http.StatusNotFound, code, format, args...)
}

func internal(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "unexpected_failure", Msg: "Unexpected failure, please check server logs for more information", cause: err}
}

func notImplemented(route string) *apiError {
	return newErr(http.StatusNotImplemented, "not_implemented", "%s is not implemented by the supakit emulator", route)
}

// Error codes shared by several handlers.
var (
	errOTPExpired      = forbidden("otp_expired", "Token has expired or is invalid")
	errInvalidCreds    = badRequest("invalid_credentials", "Invalid login credentials")
	errNoAuthorization = newErr(http.StatusUnauthorized, "no_authorization", "This endpoint requires a valid Bearer token")
	errSessionNotFound = forbidden("session_not_found", "Session from session_id claim in JWT does not exist")
	errUserNotFound    = notFound("user_not_found", "User not found")
	errNotAdmin        = forbidden("not_admin", "User not allowed")
	errInvalidEmail    = badRequest("validation_failed", "Unable to validate email address: invalid format")
	errInvalidPhone    = badRequest("validation_failed", "Invalid phone number format (E.164 required)")
	errEmailExists     = unprocessable("email_exists", "A user with this email address has already been registered")
	errPhoneExists     = unprocessable("phone_exists", "A user with this phone number has already been registered")
	errSignupDisabled  = unprocessable("signup_disabled", "Signups not allowed for this instance")
	errRefreshNotValid = badRequest("validation_failed", "Refresh token is not valid")
	errBadJSON         = badRequest("bad_json", "Could not parse request body as JSON")
	errUserBanned      = badRequest("user_banned", "User is banned")
	errInsufficientAAL = unprocessable("insufficient_aal", "AAL2 required to unenroll verified factor")
	errFactorNotFound  = notFound("mfa_factor_not_found", "Factor not found")
)

// apiVersion2024 is the first dated API version, which changes the error
// body shape.
const apiVersion2024 = "2024-01-01"

// requestAPIVersion returns the X-Supabase-Api-Version the request asks for
// if it is a version this server knows ("" otherwise).
func requestAPIVersion(r *http.Request) string {
	v := r.Header.Get("X-Supabase-Api-Version")
	if len(v) == len(apiVersion2024) && v >= apiVersion2024 {
		return apiVersion2024
	}
	return ""
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = internal(err)
	}
	if ae.Status >= 500 {
		h.cfg.Logf("gotrue: %s %s: %v", r.Method, r.URL.Path, err)
	}
	w.Header().Set("X-Sb-Error-Code", ae.Code)
	body := map[string]any{}
	if v := requestAPIVersion(r); v != "" {
		// GoTrue echoes the version on error answers only.
		w.Header().Set("X-Supabase-Api-Version", v)
		body["code"] = ae.Code
		body["message"] = ae.Msg
	} else {
		body["code"] = ae.Status
		body["error_code"] = ae.Code
		body["msg"] = ae.Msg
	}
	if ae.Code == "weak_password" {
		reasons := ae.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		body["weak_password"] = map[string]any{"reasons": reasons}
	}
	writeJSON(w, ae.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"code":500,"error_code":"unexpected_failure","msg":"encoding response"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
