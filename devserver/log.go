package devserver

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

const (
	// serverLogLevel is the least severe level of the Temporal server's own
	// logs that reaches the caller's logger; the server is chatty below it.
	serverLogLevel = slog.LevelWarn
	// stoppingLogLevel replaces serverLogLevel once Stop begins. It is above
	// every level: shutting down makes the server's pollers and in-flight
	// calls fail with closed connections and canceled contexts, which is
	// expected and of no use to the operator; Stop reports real failures.
	stoppingLogLevel = slog.LevelError + 4
)

// expectedWarnings are server warnings about things the dev server leaves
// out on purpose; they are logged at debug level instead.
var expectedWarnings = map[string]bool{
	// No HTTP API port: the dev server serves gRPC only (no Nexus).
	"HTTP API port has not been set. Nexus HTTP endpoints will not be available. To enable Nexus, follow these instructions: https://github.com/temporalio/temporal/blob/main/docs/architecture/nexus.md#enabling-nexus.": true,
}

// slogLogger adapts a *slog.Logger to the Temporal server's log.Logger.
// Records below min are dropped; min is shared by the loggers With derives,
// so raising it quiets the whole server. Panic and Fatal are logged as
// errors and never panic or exit: an embedded server must not take the
// process down.
type slogLogger struct {
	log *slog.Logger
	min *slog.LevelVar
}

var (
	_ log.Logger     = slogLogger{}
	_ log.WithLogger = slogLogger{}
)

func (l slogLogger) Debug(msg string, tags ...tag.Tag) { l.emit(slog.LevelDebug, msg, tags) }
func (l slogLogger) Info(msg string, tags ...tag.Tag)  { l.emit(slog.LevelInfo, msg, tags) }
func (l slogLogger) Warn(msg string, tags ...tag.Tag) {
	if expectedWarnings[msg] {
		l.emit(slog.LevelDebug, msg, tags)
		return
	}
	l.emit(slog.LevelWarn, msg, tags)
}
func (l slogLogger) Error(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l slogLogger) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }
func (l slogLogger) Panic(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l slogLogger) Fatal(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }

// With returns a logger that adds tags to every record.
func (l slogLogger) With(tags ...tag.Tag) log.Logger {
	return slogLogger{log: l.log.With(attrsToAny(tags)...), min: l.min}
}

func (l slogLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if level < l.min.Level() || !l.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	l.log.LogAttrs(ctx, level, msg, attrs...)
}

func attrsToAny(tags []tag.Tag) []any {
	args := make([]any, len(tags))
	for i, t := range tags {
		args[i] = slog.Any(t.Key(), t.Value())
	}
	return args
}

// minLevelHandler drops records below min before they reach the wrapped
// handler; it quiets the SDK client used for the readiness check.
type minLevelHandler struct {
	slog.Handler
	min slog.Level
}

func (h minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}
