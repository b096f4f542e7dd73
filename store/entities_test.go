package store

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"adscan"
)

func TestCaptures(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c := capture("scan1", target, page, "<html>状元</html>")
		c.FinalURL = page + "/"
		c.Redirects = []string{page}
		c.Status = 200
		c.Header = http.Header{"Content-Type": {"text/html; charset=gbk"}}
		c.WARC = []byte("WARC/1.1\r\nWARC-Type: response\r\n\r\n\x00\xff")
		id, err := s.PutCapture(ctx, c)
		must(t, err)

		got, err := s.GetCapture(ctx, id)
		must(t, err)
		c.ID = id
		if !bytes.Equal(got.WARC, c.WARC) || got.Header.Get("Content-Type") != "text/html; charset=gbk" ||
			!slices.Equal(got.Redirects, c.Redirects) || !got.FetchedAt.Equal(c.FetchedAt) {
			t.Errorf("GetCapture = %+v, want %+v", got, c)
		}
		if !equalCapture(got, c) {
			t.Errorf("GetCapture = %+v, want %+v", got, c)
		}

		// Same scan, URL and body: the same capture, unchanged.
		again := capture("scan1", target, page, "<html>状元</html>")
		again.Text = "different extraction"
		againID, err := s.PutCapture(ctx, again)
		must(t, err)
		if againID != id {
			t.Errorf("same (scan, URL, body) stored as %s, want %s", againID, id)
		}
		if kept, _ := s.GetCapture(ctx, id); kept.Text != c.Text {
			t.Errorf("a repeated PutCapture changed the stored capture's text to %q", kept.Text)
		}
		// A changed body or another scan is another capture.
		for _, other := range []adscan.Capture{capture("scan1", target, page, "changed"), capture("scan2", target, page, "<html>状元</html>")} {
			otherID, err := s.PutCapture(ctx, other)
			must(t, err)
			if otherID == id {
				t.Errorf("capture %+v reused ID %s", other, id)
			}
		}

		bad := capture("scan1", target, page, "x")
		bad.BodySHA256 = "abc"
		_, err = s.PutCapture(ctx, bad)
		wantCode(t, err, adscan.EINVALID)
		bad = capture("scan1", target, "", "x")
		_, err = s.PutCapture(ctx, bad)
		wantCode(t, err, adscan.EINVALID)
		_, err = s.GetCapture(ctx, "nope")
		wantCode(t, err, adscan.ENOTFOUND)
	})
}

func equalCapture(a, b adscan.Capture) bool {
	return a.ID == b.ID && a.ScanID == b.ScanID && a.Target == b.Target && a.RequestedURL == b.RequestedURL &&
		a.FinalURL == b.FinalURL && a.Status == b.Status && a.FetchedAt.Equal(b.FetchedAt) &&
		a.BodySHA256 == b.BodySHA256 && a.BodySize == b.BodySize && a.Text == b.Text &&
		a.TextSHA256 == b.TextSHA256 && a.Lexicon == b.Lexicon
}

func TestScans(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		in := adscan.Scan{ID: "s1", Targets: []adscan.ScanTarget{{URL: target, MaxPages: 50, MaxDepth: 2}},
			Schedule: "nightly", CreatedBy: "li"}
		must(t, s.CreateScan(ctx, in))
		wantCode(t, s.CreateScan(ctx, in), adscan.ECONFLICT)
		wantCode(t, s.CreateScan(ctx, adscan.Scan{}), adscan.EINVALID)
		wantCode(t, s.CreateScan(ctx, adscan.Scan{ID: "s9", Status: "paused"}), adscan.EINVALID)
		must(t, s.CreateScan(ctx, adscan.Scan{ID: "s2"}))

		must(t, s.AddScanProgress(ctx, "s1", 10, 1))
		must(t, s.AddScanProgress(ctx, "s1", 5, 0))
		must(t, s.AddScanProgress(ctx, "s1", 2, 0))
		must(t, s.AddScanProgress(ctx, "s1", -2, 0)) // a correction
		wantCode(t, s.AddScanProgress(ctx, "s1", -16, 0), adscan.EINVALID)
		wantCode(t, s.AddScanProgress(ctx, "s1", 0, -2), adscan.EINVALID)
		wantCode(t, s.AddScanProgress(ctx, "nope", 1, 0), adscan.ENOTFOUND)

		got, err := s.GetScan(ctx, "s1")
		must(t, err)
		if got.Status != adscan.ScanRunning || got.Pages != 15 || got.Errors != 1 || got.FinishedAt != nil ||
			!slices.Equal(got.Targets, in.Targets) || got.Schedule != "nightly" || got.CreatedBy != "li" || got.StartedAt.IsZero() {
			t.Errorf("GetScan = %+v", got)
		}

		must(t, s.FinishScan(ctx, "s1", adscan.ScanFailed, "temporal unreachable"))
		must(t, s.FinishScan(ctx, "s1", adscan.ScanFailed, "again")) // a retry: no change
		wantCode(t, s.FinishScan(ctx, "s1", adscan.ScanCompleted, ""), adscan.ECONFLICT)
		wantCode(t, s.FinishScan(ctx, "s2", adscan.ScanRunning, ""), adscan.EINVALID)
		wantCode(t, s.FinishScan(ctx, "nope", adscan.ScanCompleted, ""), adscan.ENOTFOUND)
		got, err = s.GetScan(ctx, "s1")
		must(t, err)
		if got.Status != adscan.ScanFailed || got.Error != "temporal unreachable" || got.FinishedAt == nil {
			t.Errorf("finished scan = %+v", got)
		}
		_, err = s.GetScan(ctx, "nope")
		wantCode(t, err, adscan.ENOTFOUND)

		list, err := s.ListScans(ctx, 0)
		must(t, err)
		if len(list) != 2 || list[0].ID != "s2" || list[1].ID != "s1" {
			t.Errorf("ListScans = %v, want s2, s1", list)
		}
		if list, _ := s.ListScans(ctx, 1); len(list) != 1 {
			t.Errorf("ListScans(1) returned %d scans", len(list))
		}
	})
}

func TestTargets(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		first, err := s.UpsertTarget(ctx, adscan.Target{URL: target, Name: "A 教育", Region: "海淀", MaxPages: 100})
		must(t, err)
		if first.ID == "" || first.CreatedAt.IsZero() {
			t.Fatalf("UpsertTarget = %+v, want an ID and a creation time", first)
		}
		second, err := s.UpsertTarget(ctx, adscan.Target{URL: target, Name: "A 培训", MaxDepth: 3})
		must(t, err)
		if second.ID != first.ID || !second.CreatedAt.Equal(first.CreatedAt) || second.Name != "A 培训" ||
			second.Region != "" || second.MaxPages != 0 || second.MaxDepth != 3 {
			t.Errorf("second upsert = %+v, want the same target updated (first %+v)", second, first)
		}
		_, err = s.UpsertTarget(ctx, adscan.Target{URL: "https://b.example/"})
		must(t, err)
		list, err := s.ListTargets(ctx)
		must(t, err)
		if len(list) != 2 || list[0] != second {
			t.Errorf("ListTargets = %+v", list)
		}
		for _, bad := range []adscan.Target{{URL: "not a url"}, {URL: "ftp://a.example/"}, {URL: "/relative"}, {URL: target, MaxPages: -1}} {
			_, err := s.UpsertTarget(ctx, bad)
			if adscan.ErrorCode(err) != adscan.EINVALID {
				t.Errorf("UpsertTarget(%+v) error %v, want EINVALID", bad, err)
			}
		}
	})
}

func TestUsers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.CreateUser(ctx, adscan.User{Name: "li", Role: adscan.RoleReviewer, PasswordHash: "$2a$hash"}, "admin"))
		must(t, s.CreateUser(ctx, adscan.User{Name: "admin", Role: adscan.RoleAdmin, PasswordHash: "$2a$other"}, "system"))
		wantCode(t, s.CreateUser(ctx, adscan.User{Name: "li", Role: adscan.RoleAdmin, PasswordHash: "x"}, "admin"), adscan.ECONFLICT)
		wantCode(t, s.CreateUser(ctx, adscan.User{Name: "zhao", Role: "root", PasswordHash: "x"}, "admin"), adscan.EINVALID)
		wantCode(t, s.CreateUser(ctx, adscan.User{Name: "zhao", Role: adscan.RoleViewer}, "admin"), adscan.EINVALID)
		wantCode(t, s.CreateUser(ctx, adscan.User{Name: "zhao", Role: adscan.RoleViewer, PasswordHash: "x"}, ""), adscan.EINVALID)
		wantCode(t, s.CreateUser(ctx, adscan.User{Role: adscan.RoleViewer, PasswordHash: "x"}, "admin"), adscan.EINVALID)

		// Each user made is in the audit log, with who made it; refused
		// ones are not.
		log, err := s.ListAudit(ctx, 0, 10)
		must(t, err)
		if len(log) != 2 || log[0].Action != adscan.ActionUserCreated || log[0].Actor != "system" || log[0].Detail != "admin as admin" ||
			log[1].Actor != "admin" || log[1].Detail != "li as reviewer" || log[0].ID <= log[1].ID {
			t.Errorf("audit log = %+v", log)
		}
		if older, err := s.ListAudit(ctx, log[0].ID, 10); err != nil || len(older) != 1 || older[0].ID != log[1].ID {
			t.Errorf("ListAudit before %d = %+v, %v", log[0].ID, older, err)
		}
		_, err = s.ListAudit(ctx, 0, 0)
		wantCode(t, err, adscan.EINVALID)

		u, err := s.GetUser(ctx, "li")
		must(t, err)
		if u.Role != adscan.RoleReviewer || u.PasswordHash != "$2a$hash" || u.CreatedAt.IsZero() {
			t.Errorf("GetUser = %+v", u)
		}
		_, err = s.GetUser(ctx, "nope")
		wantCode(t, err, adscan.ENOTFOUND)

		// Names are told apart without regard to case: LI is li, and no
		// second user LI can be made.
		if u, err := s.GetUser(ctx, "LI"); err != nil || u.Name != "li" {
			t.Errorf("GetUser(LI) = %+v, %v; want li", u, err)
		}
		err = s.CreateUser(ctx, adscan.User{Name: "Li", Role: adscan.RoleViewer, PasswordHash: "x"}, "admin")
		wantCode(t, err, adscan.ECONFLICT)
		if err == nil || !strings.Contains(adscan.ErrorMessageZH(err), "“li”") {
			t.Errorf("CreateUser(Li) = %v; want it to name li", err)
		}
		off, on := true, false
		if u, err := s.UpdateUser(ctx, "LI", adscan.UserChange{Disabled: &off}, "admin"); err != nil || u.Name != "li" || !u.Disabled {
			t.Errorf("UpdateUser(LI) = %+v, %v", u, err)
		}
		if _, err := s.UpdateUser(ctx, "li", adscan.UserChange{Disabled: &on}, "admin"); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListUsers(ctx)
		must(t, err)
		if len(list) != 2 || list[0].Name != "admin" || list[1].Name != "li" {
			t.Errorf("ListUsers = %+v", list)
		}
	})
}

func TestReferrals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c, _ := record(t, s, "", target, page, "v1", flag(adscan.CategoryRanking, "状元"))
		_, err := s.GetReferral(ctx, c.ID)
		wantCode(t, err, adscan.ENOTFOUND)

		pkg := []byte(`{"case":"` + c.ID + `"}`)
		must(t, s.SaveReferral(ctx, adscan.Referral{CaseID: c.ID, Package: pkg, Destination: "outbox"}))
		got, err := s.GetReferral(ctx, c.ID)
		must(t, err)
		if got.SHA256 != digest(string(pkg)) || !bytes.Equal(got.Package, pkg) || got.DeliveredAt != nil || got.Destination != "outbox" {
			t.Errorf("GetReferral = %+v", got)
		}

		delivered := time.Date(2026, 9, 3, 9, 0, 0, 0, time.UTC)
		must(t, s.SaveReferral(ctx, adscan.Referral{CaseID: c.ID, SHA256: digest(string(pkg)), Package: pkg,
			Destination: "https://samr.example/api", DeliveredAt: &delivered}))
		got, err = s.GetReferral(ctx, c.ID)
		must(t, err)
		if got.DeliveredAt == nil || !got.DeliveredAt.Equal(delivered) || got.Destination != "https://samr.example/api" {
			t.Errorf("replaced referral = %+v", got)
		}

		wantCode(t, s.SaveReferral(ctx, adscan.Referral{CaseID: c.ID, SHA256: digest("other"), Package: pkg}), adscan.EINVALID)
		wantCode(t, s.SaveReferral(ctx, adscan.Referral{CaseID: c.ID}), adscan.EINVALID)
		wantCode(t, s.SaveReferral(ctx, adscan.Referral{CaseID: "nope", Package: pkg}), adscan.ENOTFOUND)
	})
}

func TestAudit(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c, _ := record(t, s, "", target, page, "v1", flag(adscan.CategoryRanking, "状元"))
		must(t, s.Audit(ctx, adscan.AuditEntry{Actor: "admin", Action: "user.add", Detail: "li as reviewer"}))
		must(t, s.Audit(ctx, adscan.AuditEntry{CaseID: c.ID, Actor: "li", Action: "case.viewed"}))
		wantCode(t, s.Audit(ctx, adscan.AuditEntry{CaseID: "nope", Actor: "li", Action: "case.viewed"}), adscan.ENOTFOUND)
		wantCode(t, s.Audit(ctx, adscan.AuditEntry{Action: "x"}), adscan.EINVALID)
		got, err := s.GetCase(ctx, c.ID)
		must(t, err)
		if len(got.Audit) != 2 || got.Audit[1].Action != "case.viewed" || got.Audit[1].Actor != "li" || got.Audit[1].At.IsZero() {
			t.Errorf("case audit = %+v, want created then viewed", got.Audit)
		}
		if got.Audit[0].ID >= got.Audit[1].ID {
			t.Errorf("audit IDs not increasing: %d, %d", got.Audit[0].ID, got.Audit[1].ID)
		}
	})
}

func TestGetCaseNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		_, err := openStore(t, b.newDSN(t)).GetCase(context.Background(), "nope")
		wantCode(t, err, adscan.ENOTFOUND)
	})
}

func TestEmptyListsAndPing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.Ping(ctx))
		scans, err := s.ListScans(ctx, 0)
		must(t, err)
		targets, err := s.ListTargets(ctx)
		must(t, err)
		users, err := s.ListUsers(ctx)
		must(t, err)
		cases, err := s.ListCases(ctx, adscan.CaseFilter{})
		must(t, err)
		if scans == nil || targets == nil || users == nil || cases == nil {
			t.Errorf("empty lists must be empty, not nil (they are JSON arrays): %v %v %v %v", scans, targets, users, cases)
		}
	})
}

func TestSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.CreateUser(ctx, adscan.User{Name: "li", Role: adscan.RoleReviewer, PasswordHash: "$2a$hash"}, "admin"))
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		later := now.Add(12 * time.Hour)
		must(t, s.CreateSession(ctx, "s1", "li", now, later))
		must(t, s.CreateSession(ctx, "s2", "li", now, later))
		wantCode(t, s.CreateSession(ctx, "s1", "li", now, later), adscan.ECONFLICT)
		wantCode(t, s.CreateSession(ctx, "s3", "nobody", now, later), adscan.ENOTFOUND)
		wantCode(t, s.CreateSession(ctx, "", "li", now, later), adscan.EINVALID)
		active := func(id, user string, at time.Time) bool {
			t.Helper()
			ok, err := s.SessionActive(ctx, id, user, at)
			must(t, err)
			return ok
		}
		if !active("s1", "li", now) || active("s1", "wang", now) || active("s1", "li", later) || active("nope", "li", now) {
			t.Errorf("SessionActive: wrong answer for a live, another user's, an expired or an unknown session")
		}
		must(t, s.EndSession(ctx, "s1"))
		must(t, s.EndSession(ctx, "s1"))
		if active("s1", "li", now) || !active("s2", "li", now) {
			t.Errorf("EndSession ended the wrong sessions")
		}
		n, err := s.EndUserSessions(ctx, "li")
		must(t, err)
		if n != 1 || active("s2", "li", now) {
			t.Errorf("EndUserSessions ended %d", n)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.CreateUser(ctx, adscan.User{Name: "li", Role: adscan.RoleReviewer, PasswordHash: "$2a$old"}, "admin"))
		now := time.Now()
		must(t, s.CreateSession(ctx, "s1", "li", now, now.Add(time.Hour)))
		viewer, yes, hash := adscan.RoleViewer, true, "$2a$new"
		u, err := s.UpdateUser(ctx, "li", adscan.UserChange{Role: &viewer, Disabled: &yes, PasswordHash: &hash}, "admin")
		must(t, err)
		if u.Role != viewer || !u.Disabled || u.PasswordHash != hash {
			t.Errorf("UpdateUser = %+v", u)
		}
		if got, err := s.GetUser(ctx, "li"); err != nil || got.Role != viewer || !got.Disabled || got.PasswordHash != hash {
			t.Errorf("GetUser after = %+v, %v", got, err)
		}
		if ok, err := s.SessionActive(ctx, "s1", "li", now); err != nil || ok {
			t.Errorf("session after the change: %v, %v", ok, err)
		}
		log, err := s.ListAudit(ctx, 0, 10)
		must(t, err)
		var actions []string
		for _, e := range log {
			actions = append(actions, string(e.Action)+":"+e.Actor)
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "user.role_changed:admin") || !strings.Contains(got, "user.disabled:admin") || !strings.Contains(got, "user.password_reset:admin") {
			t.Errorf("audit log %s", got)
		}
		bad := adscan.Role("boss")
		_, err = s.UpdateUser(ctx, "li", adscan.UserChange{Role: &bad}, "admin")
		wantCode(t, err, adscan.EINVALID)
		_, err = s.UpdateUser(ctx, "li", adscan.UserChange{}, "admin")
		wantCode(t, err, adscan.EINVALID)
		_, err = s.UpdateUser(ctx, "nobody", adscan.UserChange{Disabled: &yes}, "admin")
		wantCode(t, err, adscan.ENOTFOUND)
	})
}

func TestScanErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		e := adscan.ScanError{ScanID: "s1", Target: "https://a.example/", URL: "https://a.example/x", Kind: adscan.FetchTimeout, Message: "timeout"}
		must(t, s.AddScanError(ctx, e))
		e.Kind, e.Message = adscan.FetchHTTPStatus, strings.Repeat("错", 600) // a retry: replaces, and is cut on a rune
		must(t, s.AddScanError(ctx, e))
		must(t, s.AddScanError(ctx, adscan.ScanError{ScanID: "s2", URL: "https://b.example/", Kind: adscan.FetchOther}))
		wantCode(t, s.AddScanError(ctx, adscan.ScanError{ScanID: "s1"}), adscan.EINVALID)
		got, err := s.ListScanErrors(ctx, "s1", 10)
		must(t, err)
		if len(got) != 1 || got[0].Kind != adscan.FetchHTTPStatus || !utf8.ValidString(got[0].Message) || len(got[0].Message) > 1100 {
			t.Errorf("ListScanErrors = %d errors, kind %q, %d bytes", len(got), got[0].Kind, len(got[0].Message))
		}
		_, err = s.ListScanErrors(ctx, "s1", 0)
		wantCode(t, err, adscan.EINVALID)
	})
}

func TestScheduleIDs(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.AddScheduleID(ctx, "nightly", "li"))
		must(t, s.AddScheduleID(ctx, "nightly", "li"))
		must(t, s.AddScheduleID(ctx, "a-weekly", "li"))
		wantCode(t, s.AddScheduleID(ctx, "", "li"), adscan.EINVALID)
		ids, err := s.ListScheduleIDs(ctx)
		must(t, err)
		if strings.Join(ids, ",") != "a-weekly,nightly" {
			t.Errorf("ids %v", ids)
		}
		must(t, s.RemoveScheduleID(ctx, "nightly"))
		must(t, s.RemoveScheduleID(ctx, "nightly"))
		if ids, _ := s.ListScheduleIDs(ctx); len(ids) != 1 {
			t.Errorf("after remove: %v", ids)
		}
	})
}

func TestCaptureScreenshotAndRenderMode(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		png := []byte("\x89PNG\r\n\x1a\nnot really an image")
		taken := time.Date(2026, 12, 3, 7, 0, 0, 123456000, time.UTC)
		c := capture("scan1", target, page, "<html>名校录取</html>")
		c.Rendered = true
		c.Screenshot = &adscan.Screenshot{PNG: png, SHA256: digest(string(png)), Width: 1280, Height: 16000, Truncated: true, TakenAt: taken}
		id, err := s.PutCapture(ctx, c)
		must(t, err)
		got, err := s.GetCapture(ctx, id)
		must(t, err)
		sh := got.Screenshot
		if !got.Rendered || sh == nil || !bytes.Equal(sh.PNG, png) || sh.SHA256 != c.Screenshot.SHA256 ||
			sh.Width != 1280 || sh.Height != 16000 || !sh.Truncated || !sh.TakenAt.Equal(taken) || got.ScreenshotError != "" {
			t.Errorf("capture with a screenshot read back as rendered %v, %+v, error %q", got.Rendered, sh, got.ScreenshotError)
		}

		none := capture("scan1", target, page+"/other", "<html>名校录取</html>")
		none.ScreenshotError, none.ScreenshotErrorKind = "no Chromium on this worker", adscan.ScreenshotNoBrowser
		id, err = s.PutCapture(ctx, none)
		must(t, err)
		got, err = s.GetCapture(ctx, id)
		must(t, err)
		if got.Screenshot != nil || got.ScreenshotError != none.ScreenshotError || got.ScreenshotErrorKind != adscan.ScreenshotNoBrowser || got.Rendered {
			t.Errorf("capture without a screenshot read back as %+v, error %q", got.Screenshot, got.ScreenshotError)
		}

		bad := capture("scan1", target, page+"/bad", "x")
		bad.Screenshot = &adscan.Screenshot{PNG: png, SHA256: "abc", TakenAt: taken}
		_, err = s.PutCapture(ctx, bad)
		wantCode(t, err, adscan.EINVALID)

		tg, err := s.UpsertTarget(ctx, adscan.Target{URL: "https://js.example/", Render: adscan.RenderBrowser})
		must(t, err)
		if tg.Render != adscan.RenderBrowser {
			t.Errorf("target's render mode read back as %q", tg.Render)
		}
		list, err := s.ListTargetSummaries(ctx)
		must(t, err)
		if len(list) != 1 || list[0].Render != adscan.RenderBrowser {
			t.Errorf("target summaries: %+v", list)
		}
	})
}
