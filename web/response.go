package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"adscan"
)

// maxBodyBytes is the largest request body the API reads.
const maxBodyBytes = 1 << 20

// errorStatus maps an adscan error code to its HTTP status. It is the one
// place that does.
func errorStatus(code string) int {
	switch code {
	case adscan.EINVALID:
		return http.StatusBadRequest
	case adscan.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case adscan.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case adscan.EFORBIDDEN:
		return http.StatusForbidden
	case adscan.ENOTFOUND:
		return http.StatusNotFound
	case adscan.ECONFLICT:
		return http.StatusConflict
	case adscan.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON body of every API error.
type errorBody struct {
	Error string `json:"error"`
}

// error writes err as a JSON error: the status from its code and the
// message of its *adscan.Error. A *tooManyAttempts becomes a 429 with
// Retry-After. Other errors become a 500 with a generic message; their
// text is logged, never sent.
func (h *handler) error(w http.ResponseWriter, r *http.Request, err error) {
	var tm *tooManyAttempts
	if errors.As(err, &tm) {
		w.Header().Set("Retry-After", strconv.Itoa(int(tm.retryAfter.Seconds())+1))
		h.writeJSON(w, r, http.StatusTooManyRequests, errorBody{Error: tm.Error()})
		return
	}
	code := adscan.ErrorCode(err)
	status := errorStatus(code)
	if status >= 500 {
		h.log.Error("request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Any("err", err))
	}
	if status == http.StatusUnauthorized && !hasSessionCookie(r) {
		// Invite Basic credentials, but not from a console session whose
		// cookie ended: a browser would pop up its own login dialog.
		w.Header().Set("WWW-Authenticate", `Basic realm="adscan", charset="UTF-8"`)
	}
	h.writeJSON(w, r, status, errorBody{Error: adscan.ErrorMessage(err)})
}

// writeJSON writes v as JSON with the status. JSON encoding escapes <, >
// and & so crawled text cannot become markup even if a client sniffs it.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.log.Error("encode response", slog.String("path", r.URL.Path), slog.Any("err", err))
		status = http.StatusInternalServerError
		body = []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
	w.Write([]byte("\n"))
}

// decodeJSON reads the request body, at most 1 MB of JSON, into dst. Unknown
// fields, wrong types, trailing data, an empty body and a body that is not
// JSON are EINVALID errors naming the problem; a larger body is ETOOLARGE.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return adscan.Errorf(adscan.EINVALID, "request body must be application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return jsonProblem(err)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD, and
	// the replaced text would be stored as if the client had sent it.
	if !utf8.Valid(body) {
		return adscan.Errorf(adscan.EINVALID, "request body is not valid UTF-8 (JSON text must be)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	// A raw value, so that a second object is named as such rather than
	// as an object with unknown fields.
	var more json.RawMessage
	if err := dec.Decode(&more); err != io.EOF {
		if err == nil {
			return adscan.Errorf(adscan.EINVALID, "request body has more than one JSON value")
		}
		return jsonProblem(err)
	}
	return nil
}

// jsonProblem turns a decoding error into an EINVALID error a client can act
// on (ETOOLARGE for a body over maxBodyBytes).
func jsonProblem(err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		message string
	)
	switch {
	case errors.Is(err, io.EOF):
		message = "request body is empty; want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		message = "request body is truncated JSON"
	case errors.As(err, &tooBig):
		return adscan.Errorf(adscan.ETOOLARGE, "request body exceeds %d bytes", tooBig.Limit)
	case errors.As(err, &syntax):
		message = fmt.Sprintf("request body is not valid JSON (at byte %d): %v", syntax.Offset, err)
	case errors.As(err, &typ):
		if typ.Field != "" {
			message = fmt.Sprintf("field %q must be %s, not JSON %s", typ.Field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
		} else {
			message = fmt.Sprintf("request body must be %s, not JSON %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		message = "request body has an unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		message = "request body: " + err.Error()
	}
	return adscan.Errorf(adscan.EINVALID, "%s", message)
}

// jsonTypeName names a Go kind the way a JSON client thinks of it.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number in range"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// hasSessionCookie reports whether the request carries a session cookie,
// valid or not.
func hasSessionCookie(r *http.Request) bool {
	_, err := r.Cookie(sessionCookie)
	return err == nil
}
