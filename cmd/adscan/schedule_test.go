package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
)

// lockedBuffer is a bytes.Buffer that goroutines (the dev program's
// loggers) may write to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runAdminNoDB runs the command line with env less the database; it
// returns the exit status and standard error.
func runAdminNoDB(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	without := map[string]string{}
	for k, v := range env {
		if k != envDB {
			without[k] = v
		}
	}
	code, _, errOut := runAdmin(t, without, "", args...)
	return code, errOut
}

// decodeSchedules reads JSON lines of schedules.
func decodeSchedules(t *testing.T, out string) map[string]adscan.Schedule {
	t.Helper()
	m := map[string]adscan.Schedule{}
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var s adscan.Schedule
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("not JSON lines of schedules: %v in %q", err, out)
		}
		m[s.ID] = s
	}
	return m
}

// TestScheduleCommands runs the schedule commands against the real
// `adscan dev` (embedded Temporal, no worker: no scan really runs).
func TestScheduleCommands(t *testing.T) {
	var devOut, devLog lockedBuffer
	devEnv := map[string]string{"ADSCAN_ADMIN_PASSWORD": "a long enough password", envLogLevel: "warn"}
	p := &devProgram{
		opts: devOptions{data: t.TempDir(), http: "127.0.0.1:0", temporalAddress: "127.0.0.1:0", noWorker: true},
		s:    streams{in: strings.NewReader(""), out: &devOut, err: &devLog, getenv: func(k string) string { return devEnv[k] }},
	}
	if err := p.Start(context.Background()); err != nil {
		p.Close()
		t.Fatalf("start adscan dev: %v\n%s", err, devLog.String())
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("stop adscan dev: %v", err)
		}
	})
	addr := p.temporal.FrontendHostPort()
	if !strings.Contains(devOut.String(), addr) {
		t.Errorf("adscan dev did not print the Temporal address %s:\n%s", addr, devOut.String())
	}
	// The address from the environment; the dev's database records the
	// schedules, so a list right after a create shows it.
	env := map[string]string{envTemporalAddress: addr, envDB: filepath.Join(p.opts.data, "adscan.db")}
	schedule := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		return runAdmin(t, env, "", append([]string{"schedule"}, args...)...)
	}
	mustRun := func(want string, args ...string) string {
		t.Helper()
		code, out, errOut := schedule(args...)
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("schedule %s: exit %d, stdout %q, stderr %q; want exit 0 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
		return out
	}
	showJSON := func(id string) adscan.Schedule {
		t.Helper()
		var s adscan.Schedule
		if err := json.Unmarshal([]byte(mustRun(`"id"`, "show", id, "--json")), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	file := writeTempFile(t, "targets.csv", "url,max_pages,max_depth,name\nhttps://b.example/,5,2,乙\n")
	// 03:00 on 1 January: no run while the test goes on.
	out := mustRun("created schedule nightly", "create", "nightly", "--cron", "0 3 1 1 *", "--time-zone", "Asia/Shanghai",
		"--note", "区教育局", "--max-pages", "20", "--target", "https://peixun.example/", "--targets-file", file)
	for _, want := range []string{"cron 0 3 1 1 * (Asia/Shanghai)", "https://peixun.example/ (max 20 pages)", "https://b.example/ (max 5 pages, depth 2)", "-01-01T03:00:00+08:00", "区教育局"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule create output lacks %q:\n%s", want, out)
		}
	}
	mustRun("created schedule weekly", "create", "weekly", "--interval", "168h", "--paused", "--target", "https://c.example/")

	// A schedule of a platform profile: looked up in the database.
	prof := writeTempFile(t, "p.yaml", strings.ReplaceAll(goodProfile, "http://127.0.0.1:8999", "https://pingtai.example.cn"))
	if code, out, errOut := runAdmin(t, env, "", "profile", "add", prof); code != exitOK {
		t.Fatalf("profile add: exit %d, %q %q", code, out, errOut)
	}
	// The schedule keeps the profile, not today's site: each run looks
	// the profile up when it starts.
	out = mustRun("created schedule platform", "create", "platform", "--cron", "0 3 1 1 *", "--profile", "mini-platform", "--max-pages", "40")
	if !strings.Contains(out, "targets     profile mini-platform\n") || strings.Contains(out, "pingtai.example.cn") {
		t.Errorf("schedule create of a profile:\n%s", out)
	}
	if s := showJSON("platform"); len(s.Targets) != 1 || s.Targets[0] != (adscan.ScanTarget{Profile: "mini-platform"}) {
		t.Errorf("platform = %+v", s.Targets)
	}
	if code, _, errOut := schedule("create", "bad", "--interval", "24h", "--profile", "nope"); code != exitFailure || !strings.Contains(errOut, "profile nope is not registered (adscan profile add FILE registers one)") {
		t.Errorf("unknown profile: exit %d, %q", code, errOut)
	}
	if _, err := runAdminNoDB(t, env, "schedule", "create", "bad", "--interval", "24h", "--profile", "mini-platform"); !strings.Contains(err, "needs the adscan database") {
		t.Errorf("profile without a database: %q", err)
	}
	mustRun("", "delete", "platform")

	// Bad schedules: refused with a clear message; exit 2 where the
	// command line is wrong (Temporal parses the cron expression), 1 where
	// the ID is taken.
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"taken", []string{"create", "nightly", "--interval", "24h", "--target", "https://c.example/"}, exitFailure, "schedule nightly exists already"},
		{"four cron fields", []string{"create", "bad", "--cron", "0 3 * *", "--target", "https://c.example/"}, exitUsage, `cron "0 3 * *" has 4 fields`},
		{"cron out of range", []string{"create", "bad", "--cron", "61 3 * * *", "--target", "https://c.example/"}, exitUsage, `schedule create: schedule bad: cron "61 3 * * *": minute 61 is not in 0-59`},
		{"seconds first", []string{"create", "bad", "--cron", "0 3 * * * * *", "--target", "https://c.example/"}, exitUsage, `cron "0 3 * * * * *" has 7 fields; want 5`},
		{"private target", []string{"create", "bad", "--interval", "24h", "--target", "http://127.0.0.1:8080/"}, exitUsage, "private targets are not allowed"},
		{"bad ID", []string{"create", "no spaces", "--interval", "24h", "--target", "https://c.example/"}, exitUsage, `schedule ID "no spaces"`},
		{"short interval", []string{"create", "bad", "--interval", "10s", "--target", "https://c.example/"}, exitUsage, "shorter than 1m0s"},
	} {
		code, _, errOut := schedule(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, errOut, tc.code, tc.want)
		}
	}

	// At once: the store recorded both (Temporal's own list lags a little).
	list := decodeSchedules(t, mustRun("", "list", "--json"))
	if len(list) != 2 {
		t.Fatalf("schedule list: %d schedules, want nightly and weekly: %+v", len(list), list)
	}
	n, w := list["nightly"], list["weekly"]
	if n.Cron != "0 3 1 1 *" || n.TimeZone != "Asia/Shanghai" || n.Paused || n.Note != "区教育局" || len(n.Targets) != 2 ||
		n.Targets[0] != (adscan.ScanTarget{URL: "https://peixun.example/", MaxPages: 20}) ||
		n.Targets[1] != (adscan.ScanTarget{URL: "https://b.example/", MaxPages: 5, MaxDepth: 2}) ||
		len(n.NextRuns) == 0 || !strings.HasPrefix(n.CreatedBy, "cli") {
		t.Errorf("nightly = %+v", n)
	}
	if w.Interval != 168*time.Hour || w.Cron != "" || !w.Paused || w.TimeZone != "Asia/Shanghai" {
		t.Errorf("weekly = %+v", w)
	}
	table := mustRun("ID", "list")
	if !strings.Contains(table, "nightly") || !strings.Contains(table, "every 168h0m0s") || !strings.Contains(table, "paused") {
		t.Errorf("schedule list table:\n%s", table)
	}

	mustRun("paused schedule nightly", "pause", "nightly", "--note", "春节暂停")
	// A paused schedule runs at no time until resumed, so it lists none.
	if s := showJSON("nightly"); !s.Paused || s.Note != "春节暂停" || len(s.NextRuns) != 0 {
		t.Errorf("after pause: paused %v, note %q, next runs %v", s.Paused, s.Note, s.NextRuns)
	}
	mustRun("unpaused schedule nightly", "unpause", "nightly", "--note", "恢复")
	if s := showJSON("nightly"); s.Paused || s.Note != "恢复" || len(s.NextRuns) == 0 {
		t.Errorf("after unpause: paused %v, note %q, next runs %v", s.Paused, s.Note, s.NextRuns)
	}
	// Without a note, pausing and resuming keep the schedule's note (the
	// SDK's Pause wrote "Paused via Go SDK" over it), and its targets.
	mustRun("paused schedule nightly", "pause", "nightly")
	if s := showJSON("nightly"); !s.Paused || s.Note != "恢复" || len(s.Targets) != 2 {
		t.Errorf("after a pause without a note: paused %v, note %q, %d targets", s.Paused, s.Note, len(s.Targets))
	}
	mustRun("unpaused schedule nightly", "unpause", "nightly")
	if s := showJSON("nightly"); s.Paused || s.Note != "恢复" || s.Cron != "0 3 1 1 *" {
		t.Errorf("after an unpause without a note: paused %v, note %q, cron %q", s.Paused, s.Note, s.Cron)
	}

	mustRun("triggered schedule nightly", "trigger", "nightly")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		d, err := p.client.ScheduleClient().GetHandle(ctx, "nightly").Describe(ctx)
		if err != nil {
			t.Fatalf("describe nightly: %v", err)
		}
		if d.Info.NumActions == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the trigger started no run: %d actions", d.Info.NumActions)
		case <-time.After(100 * time.Millisecond):
		}
	}

	out = mustRun("schedule", "show", "nightly")
	for _, want := range []string{"nightly", "active", "恢复", "https://b.example/ (max 5 pages, depth 2)", "next runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule show lacks %q:\n%s", want, out)
		}
	}

	if n := strings.Count(out, "-01-01T03:00:00+08:00"); n != shownNextRuns {
		t.Errorf("schedule show printed %d next runs, want %d:\n%s", n, shownNextRuns, out)
	}

	mustRun("deleted schedule nightly", "delete", "nightly")
	for _, action := range []string{"show", "pause", "unpause", "trigger", "delete"} {
		code, _, errOut := schedule(action, "nightly")
		if code != exitFailure || errOut != "adscan: schedule nightly not found\n" {
			t.Errorf("schedule %s of a deleted schedule: exit %d, stderr %q", action, code, errOut)
		}
	}
	if s := showJSON("weekly"); s.ID != "weekly" {
		t.Errorf("weekly went with nightly: %+v", s)
	}

	// Command-line mistakes: exit 2 without calling Temporal.
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no ID", []string{"show"}, "want one schedule ID"},
		{"two IDs", []string{"delete", "a", "b"}, "want one schedule ID"},
		{"cron and every", []string{"create", "x", "--cron", "0 3 * * *", "--interval", "24h", "--target", "https://c.example/"}, "--cron EXPR or --interval"},
		{"neither", []string{"create", "x", "--target", "https://c.example/"}, "--cron EXPR or --interval"},
		{"no targets", []string{"create", "x", "--interval", "24h"}, "no targets"},
		{"bad zone", []string{"create", "x", "--interval", "24h", "--time-zone", "Mars/Olympus", "--target", "https://c.example/"}, `--time-zone "Mars/Olympus"`},
		{"bad duration", []string{"create", "x", "--interval", "daily", "--target", "https://c.example/"}, "--interval"},
		// The first names still work, saying which to use.
		{"old and new name", []string{"create", "x", "--interval", "24h", "--every", "1h", "--target", "https://c.example/"}, "--every and --interval are one flag; give --interval"},
		{"old names", []string{"create", "x", "--every", "24h", "--tz", "Mars/Olympus", "--target", "https://c.example/"}, "--every is now --interval, as in the API; --every still works"},
		{"no subcommand", nil, "want a subcommand"},
		{"unknown subcommand", []string{"run"}, `unknown subcommand "run"`},
		{"bad address", []string{"list", "--temporal-address", "nowhere"}, `--temporal-address "nowhere"`},
	} {
		code, _, errOut := schedule(tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tc.name, code, errOut, tc.want)
		}
	}

	// Nothing listens on port 1: a clear message naming the address.
	code, _, errOut := runAdmin(t, nil, "", "schedule", "list", "--temporal-address", "127.0.0.1:1")
	if code != exitFailure || !strings.Contains(errOut, "Temporal at 127.0.0.1:1 is not reachable") {
		t.Errorf("unreachable Temporal: exit %d, stderr %q", code, errOut)
	}
}

// schedule create checks its command line before it asks Temporal: with
// nothing listening at --temporal-address, a mistake is still exit 2 and
// named, at once.
func TestScheduleCreateChecksBeforeConnecting(t *testing.T) {
	nowhere := closedAddr(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cron", "61 3 * * *", "--target", "https://c.example/"}, `cron "61 3 * * *": minute 61 is not in 0-59`},
		{[]string{"--cron", "0 3 L * *", "--target", "https://c.example/"}, `--cron "0 3 L * *": `},
		{[]string{"--interval", "24h", "--target", "http://127.1/"}, "private targets are not allowed"},
		{[]string{"--interval", "24h", "--target", "notaurl"}, `target "notaurl" is not a URL`},
		{[]string{"--interval", "24h", "--profile", "jiajiao"}, "looking profiles up needs the adscan database"},
	} {
		args := append([]string{"schedule", "create", "x", "--temporal-address", nowhere}, tc.args...)
		code, _, errOut := runAdmin(t, nil, "", args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "not reachable") {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
