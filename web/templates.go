package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"adscan"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the console pages; each is templates/NAME.html inside layout.html.
var pages = []string{"login", "home", "error", "cases", "case", "referrals", "dossier", "users", "targets", "profiles", "scans", "scan", "schedules", "lexicon", "lexicon_diff", "lexicon_try"}

// roleNames are the roles as the console shows them.
var roleNames = map[adscan.Role]string{
	adscan.RoleAdmin:     "管理员",
	adscan.RoleRegulator: "监管人员",
	adscan.RoleReviewer:  "审核员",
	adscan.RoleViewer:    "只读用户",
}

// parseTemplates parses every page with the layout. Templates are
// html/template, so crawled or user-supplied text is always escaped.
func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"catName": func(c adscan.Category) string {
			if n, ok := categoryNames[c]; ok {
				return n
			}
			return string(c)
		},
		"stateName": func(s adscan.CaseState) string {
			if n, ok := stateNames[s]; ok {
				return n
			}
			return string(s)
		},
		"decisionName": func(d adscan.Decision) string {
			if n, ok := decisionNames[d]; ok {
				return n
			}
			return string(d)
		},
		"time":         consoleTime,
		"durationName": durationName,
		// A referral's destination: the endpoint's URL as it is; an
		// outbox file by its name (the server's directories are the
		// operator's business, not the console's).
		"destinationName": func(dest string) string {
			if strings.HasPrefix(dest, "http://") || strings.HasPrefix(dest, "https://") {
				return dest
			}
			return "发件箱 " + filepath.Base(dest)
		},
		"auditName": func(a adscan.AuditAction) string {
			if n, ok := auditNames[a]; ok {
				return n
			}
			return string(a)
		},
		"scanStatusName": func(s adscan.ScanStatus) string {
			switch s {
			case adscan.ScanRunning:
				return "进行中"
			case adscan.ScanCompleted:
				return "已完成"
			case adscan.ScanFailed:
				return "失败"
			}
			return string(s)
		},
		"fetchErrorName": func(k adscan.FetchErrorKind) string {
			if n, ok := fetchErrorNames[k]; ok {
				return n
			}
			return string(k)
		},
		"screenshotErrorName": func(k adscan.ScreenshotErrorKind) string {
			if n, ok := screenshotErrorNames[k]; ok {
				return n
			}
			return "其他原因"
		},
		"kindName": func(k adscan.TargetKind) string {
			if k == adscan.KindPlatform {
				return "网络平台"
			}
			return "培训机构网站"
		},
		"licenceName": func(l adscan.Licence) string {
			switch l {
			case adscan.LicenceWhitelist:
				return "白名单"
			case adscan.LicenceBlacklist:
				return "黑名单"
			}
			return "未登记"
		},
		"deliveryName": func(d adscan.ReferralDelivery) string {
			switch d {
			case adscan.ReferralDelivered:
				return "已送达"
			case adscan.ReferralFailed:
				return "送达失败"
			}
			return "待送达"
		},
		"percent": func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		// screenshotOf pairs a case's ID with one of its captures for the
		// "screenshot" template (its image route needs both).
		"screenshotOf": func(caseID string, c *adscan.CaptureMeta) screenshotView {
			return screenshotView{CaseID: caseID, Capture: c}
		},
		"roleName": func(r adscan.Role) string {
			if n, ok := roleNames[r]; ok {
				return n
			}
			return string(r)
		},
	}
	out := make(map[string]*template.Template, len(pages))
	for _, p := range pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", p, err)
		}
		out[p] = t
	}
	return out, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title     string
	User      *adscan.User // nil on the login page
	CSRFToken string
	// Login page.
	Error    string
	Username string
	Next     string
	// Error page.
	Heading string
	Detail  string // the error's own message, under the explanation
	// Retry is the page without its query, offered on a 400 for a bad
	// query (a filter of /cases, say), so the list is one click away.
	Retry string
	// Page is the page's own data (caseQueue, caseView, …).
	Page any
	// Print lays the page out for paper (A4), without the console's header.
	Print bool
	// Refresh makes the page reload itself every few seconds (live progress).
	Refresh bool
	// Now is when the page was made.
	Now time.Time
}

// newPageData fills the fields every console page of a signed-in user needs.
func (h *handler) newPageData(r *http.Request, title string) pageData {
	p := principalFrom(r.Context())
	d := pageData{Title: title, Now: h.now()}
	if p.User.Name != "" {
		u := p.User
		d.User = &u
		d.CSRFToken = h.sessions.csrfToken(csrfBinding(p))
	}
	return d
}

// render writes the page with status. It renders into a buffer first so a
// template error becomes a clean 500.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) {
	t, ok := h.tmpl[name]
	var buf bytes.Buffer
	if !ok {
		h.log.Error("render: no such page", slog.String("page", name))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.Error("render page", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorHeadings are the console's headings for error statuses.
var errorHeadings = map[int]string{
	http.StatusBadRequest:            "请求有误",
	http.StatusUnauthorized:          "需要登录",
	http.StatusForbidden:             "没有权限",
	http.StatusNotFound:              "未找到",
	http.StatusConflict:              "操作与当前状态冲突",
	http.StatusRequestEntityTooLarge: "提交的内容过大",
	http.StatusTooManyRequests:       "尝试次数过多",
	http.StatusServiceUnavailable:    "服务暂不可用",
	http.StatusInternalServerError:   "服务器内部错误",
}

// errorExplanations say in 简体中文 what an error status means for the
// person at the console; the error's own message (English, as the API
// gives it, naming the bad input) follows as the detail.
var errorExplanations = map[int]string{
	http.StatusBadRequest:            "提交的内容有误，请按下面的说明修改后重试。",
	http.StatusUnauthorized:          "请先登录，或登录已过期。",
	http.StatusForbidden:             "您的角色不能进行此操作，或表单已过期（请刷新页面后重试）。",
	http.StatusNotFound:              "要找的内容不存在，可能已被删除或地址有误。",
	http.StatusConflict:              "该操作与当前状态冲突，可能已有其他人处理过。",
	http.StatusRequestEntityTooLarge: "提交的内容超过大小上限。",
	http.StatusServiceUnavailable:    "服务暂时不可用（Temporal 或数据库无响应），请稍后重试。",
	http.StatusInternalServerError:   "服务器内部错误，已记录日志。",
}

// errorPage renders err as a console page with the status error() would
// use for the API. Internal errors are logged, not shown.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	var (
		tm      *tooManyAttempts
		status  int
		message string
	)
	if errors.As(err, &tm) {
		status = http.StatusTooManyRequests
		message = fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试。", tm.minutes())
		w.Header().Set("Retry-After", strconv.Itoa(int(tm.retryAfter.Seconds())+1))
	} else {
		status = errorStatus(adscan.ErrorCode(err))
		message = adscan.ErrorMessage(err)
		if status >= 500 {
			h.log.Error("page failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		}
		if status == http.StatusUnauthorized && !hasSessionCookie(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="adscan", charset="UTF-8"`)
		}
	}
	d := h.newPageData(r, errorHeadings[status])
	d.Heading = errorHeadings[status]
	d.Error = message
	switch zh, ok := errorExplanations[status]; {
	case tm != nil:
	case adscan.ErrorMessageZH(err) != "":
		d.Error = adscan.ErrorMessageZH(err) // says it all; no English beneath
	case ok:
		d.Error, d.Detail = zh, message
	}
	if status == http.StatusBadRequest && r.Method == http.MethodGet && r.URL.RawQuery != "" {
		d.Retry = r.URL.Path
	}
	h.render(w, r, status, "error", d)
}

// staticHandler serves the embedded assets under /static/.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	fileServer := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})
}

// screenshotView is the data of the "screenshot" template.
type screenshotView struct {
	CaseID  string
	Capture *adscan.CaptureMeta
}
