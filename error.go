package adscan

import (
	"errors"
	"fmt"
)

// Error codes. The web package maps them to HTTP status in one place.
const (
	ECONFLICT     = "conflict"     // the action does not fit the current state (409)
	EINTERNAL     = "internal"     // a bug or an outage (500)
	EINVALID      = "invalid"      // bad input (400)
	ETOOLARGE     = "too_large"    // a request body over the size limit (413)
	ENOTFOUND     = "not_found"    // no such thing (404)
	EUNAUTHORIZED = "unauthorized" // no or bad credentials (401)
	EFORBIDDEN    = "forbidden"    // authenticated, but the role does not allow it (403)
	EUNAVAILABLE  = "unavailable"  // a dependency (Temporal, the database) cannot be reached (503)
)

// Error is an application error with a code and a message fit for the user.
type Error struct {
	Code    string
	Message string // in English, as the API and the CLI give it
	// ZH is the message in 简体中文 for the console, where one was written
	// ("" elsewhere: the console then explains the code and shows Message).
	ZH string
}

func (e *Error) Error() string { return fmt.Sprintf("adscan: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ZHf sets the error's 简体中文 message and returns the error.
func (e *Error) ZHf(format string, args ...any) *Error {
	e.ZH = fmt.Sprintf(format, args...)
	return e
}

// ErrorMessageZH returns the 简体中文 message of the first *Error in err's
// chain, or "" when it has none.
func ErrorMessageZH(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.ZH
	}
	return ""
}

// MessageZH returns err's 简体中文 message where one was written, else its
// English one (ErrorMessage): for the console.
func MessageZH(err error) string {
	if zh := ErrorMessageZH(err); zh != "" {
		return zh
	}
	return ErrorMessage(err)
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for other errors (their text may hold internals).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
