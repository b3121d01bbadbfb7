package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Error is an error answered by GoTrue. It carries the HTTP status, GoTrue's
// error code and its message, whichever of GoTrue's error shapes the server
// used:
//
//   - {"code":400,"error_code":"invalid_credentials","msg":"…"} (no API version header)
//   - {"code":"invalid_credentials","message":"…"} (X-Supabase-Api-Version: 2024-01-01)
//   - {"error":"invalid_grant","error_description":"…"} (OAuth-style answers)
//
// Use errors.Is with the sentinels of this package ([ErrInvalidCredentials],
// [ErrOTPExpired], …) rather than comparing codes by hand.
type Error struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is GoTrue's error code (e.g. "invalid_credentials"); it may be
	// empty for old servers that only send a message.
	Code string
	// Message is GoTrue's human-readable message.
	Message string
	// WeakPasswordReasons lists why a password was rejected (weak_password).
	WeakPasswordReasons []string
	// Method and Path locate the call (path relative to /auth/v1).
	Method, Path string
}

// Error reports the call, status, code and message. It never contains
// request bodies, so no password or token can leak through it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("auth: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		if e.Status != 0 {
			b.WriteString(" ")
		}
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Is matches the code sentinels of this package.
func (e *Error) Is(target error) bool {
	s, ok := target.(*codeSentinel)
	if !ok {
		return false
	}
	for _, c := range s.codes {
		if e.Code == c {
			return true
		}
	}
	if s.status != 0 && e.Status == s.status {
		return true
	}
	if s.match != nil && s.match(e) {
		return true
	}
	return false
}

type codeSentinel struct {
	name   string
	codes  []string
	status int
	match  func(*Error) bool
}

func (s *codeSentinel) Error() string { return "auth: " + s.name }

// Sentinels matched by [*Error] values with errors.Is, by GoTrue error
// code: invalid_credentials (and the older invalid_grant "Invalid login
// credentials"), weak_password, user_already_exists/email_exists/
// phone_exists, session_not_found, refresh_token_already_used,
// refresh_token_not_found, otp_expired (also a wrong code),
// mfa_verification_failed, insufficient_aal, the over_*_rate_limit codes
// and any 429, email_not_confirmed, phone_not_confirmed, user_not_found,
// user_banned, same_password, not_admin, and bad_jwt/no_authorization.
var (
	ErrInvalidCredentials error = &codeSentinel{name: "invalid credentials", codes: []string{"invalid_credentials"},
		match: func(e *Error) bool {
			return e.Code == "invalid_grant" && strings.Contains(e.Message, "Invalid login credentials")
		}}
	ErrWeakPassword            error = &codeSentinel{name: "weak password", codes: []string{"weak_password"}}
	ErrUserAlreadyExists       error = &codeSentinel{name: "user already exists", codes: []string{"user_already_exists", "email_exists", "phone_exists"}}
	ErrSessionNotFound         error = &codeSentinel{name: "session not found", codes: []string{"session_not_found"}}
	ErrRefreshTokenAlreadyUsed error = &codeSentinel{name: "refresh token already used", codes: []string{"refresh_token_already_used"}}
	ErrRefreshTokenNotFound    error = &codeSentinel{name: "refresh token not found", codes: []string{"refresh_token_not_found"}}
	ErrOTPExpired              error = &codeSentinel{name: "OTP expired or invalid", codes: []string{"otp_expired"}}
	ErrMFAVerificationFailed   error = &codeSentinel{name: "MFA verification failed", codes: []string{"mfa_verification_failed"}}
	ErrInsufficientAAL         error = &codeSentinel{name: "insufficient authenticator assurance level", codes: []string{"insufficient_aal"}}
	ErrOverRateLimit           error = &codeSentinel{name: "over rate limit", codes: []string{"over_request_rate_limit", "over_email_send_rate_limit", "over_sms_send_rate_limit"}, status: http.StatusTooManyRequests}
	ErrEmailNotConfirmed       error = &codeSentinel{name: "email not confirmed", codes: []string{"email_not_confirmed"}}
	ErrPhoneNotConfirmed       error = &codeSentinel{name: "phone not confirmed", codes: []string{"phone_not_confirmed"}}
	ErrUserNotFound            error = &codeSentinel{name: "user not found", codes: []string{"user_not_found"}}
	ErrUserBanned              error = &codeSentinel{name: "user banned", codes: []string{"user_banned"}}
	ErrSamePassword            error = &codeSentinel{name: "same password", codes: []string{"same_password"}}
	ErrNotAdmin                error = &codeSentinel{name: "not admin", codes: []string{"not_admin"}}
	ErrBadJWT                  error = &codeSentinel{name: "bad JWT", codes: []string{"bad_jwt", "no_authorization"}}
)

// Client-side errors.
var (
	// ErrNoSession is returned by calls that need a signed-in user when
	// there is no session.
	ErrNoSession = errors.New("auth: no session")
	// ErrNoCodeVerifier is returned by [Client.ExchangeCodeForSession] when
	// the store holds no PKCE code verifier (the flow was not started by
	// this client, or the store was cleared).
	ErrNoCodeVerifier = errors.New("auth: no PKCE code verifier in the store")
	// ErrInvalidArgument wraps bad input detected before any request.
	ErrInvalidArgument = errors.New("auth: invalid argument")
	// ErrUnexpectedResponse wraps answers that do not have the expected
	// shape.
	ErrUnexpectedResponse = errors.New("auth: unexpected response")
)

func invalidArg(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}

// errorBody holds every field of GoTrue's error shapes.
type errorBody struct {
	Code             json.RawMessage `json:"code"`
	ErrorCode        string          `json:"error_code"`
	Msg              string          `json:"msg"`
	Message          string          `json:"message"`
	Err              string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
	WeakPassword     *struct {
		Reasons []string `json:"reasons"`
	} `json:"weak_password"`
}

// ParseError builds an [*Error] from a GoTrue error answer (status and
// body, either shape). It never fails: an unreadable body gives an Error
// with the status alone.
func ParseError(status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status}
	var b errorBody
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &b) == nil {
		var codeStr string
		if len(b.Code) > 0 && b.Code[0] == '"' {
			_ = json.Unmarshal(b.Code, &codeStr)
		}
		switch {
		case b.ErrorCode != "":
			e.Code = b.ErrorCode
		case codeStr != "":
			e.Code = codeStr
		case b.Err != "":
			e.Code = b.Err
		}
		switch {
		case b.Msg != "":
			e.Message = b.Msg
		case b.Message != "":
			e.Message = b.Message
		case b.ErrorDescription != "":
			e.Message = b.ErrorDescription
		case b.Err != "" && e.Code != b.Err:
			e.Message = b.Err
		}
		if b.WeakPassword != nil {
			e.WeakPasswordReasons = b.WeakPassword.Reasons
		}
	}
	if e.Code == "" && header != nil {
		e.Code = header.Get("X-Sb-Error-Code")
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func readError(resp *http.Response, method, path string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := ParseError(resp.StatusCode, resp.Header, body)
	e.Method, e.Path = method, path
	return e
}
