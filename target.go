package adscan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"adscan/urlnorm"
)

// fieldZH names a target's fields in the console's messages.
var fieldZH = map[string]string{"name": "名称", "region": "区域"}

// Limits of one target: a crawl's memory and checkpoint grow with its
// pages, and no institution's site needs more.
const (
	MaxTargetPages = 10000
	MaxTargetDepth = 50
	// MaxTargetLabel is the most bytes of a target's name or region.
	MaxTargetLabel = 200
)

// schemePrefix matches a scheme and its colon ("https:", "mailto:"), not a
// host and port ("example.org:8080").
var schemePrefix = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:([^0-9]|$)`)

// WithDefaultScheme returns raw with "http://" in front when it has no
// scheme and starts with a host ("www.example.cn/a" as people type it; a
// site that serves https redirects there), and raw itself otherwise, to be
// refused as no URL: a word ("notaurl"), a file name ("./page.html"), a
// number ("3.14"). A host is a name of two labels or more, one label with
// a port ("web:8080", a service's name in a cluster), an IPv4 address of
// four parts, a bracketed IPv6 address, or localhost.
func WithDefaultScheme(raw string) string {
	authority := raw
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if raw == "" || schemePrefix.MatchString(authority) || !looksLikeHost(authority) {
		return raw
	}
	return "http://" + raw
}

// looksLikeHost reports whether authority (no scheme, path or query) is a
// host with an optional port, as WithDefaultScheme describes.
func looksLikeHost(authority string) bool {
	host, port := authority, ""
	if h, p, err := net.SplitHostPort(authority); err == nil {
		host, port = h, p
		if !allDigits(port) {
			return false
		}
	}
	if strings.HasPrefix(host, "[") { // IPv6 without a port
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Is6() == strings.HasPrefix(authority, "[")
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".") // www.example.cn. is a name too
	if len(labels) < 2 && port == "" {
		return false
	}
	for _, l := range labels {
		if !hostLabel(l) {
			return false
		}
	}
	return !allDigits(labels[len(labels)-1])
}

// hostLabel reports whether l can be a label of a host name: letters
// (any script, for internationalised names), digits and inner hyphens.
func hostLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if r != '-' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) { // _ is in real host names
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ParseTargetURL is the one rule for what a target's URL may be, used by
// the API, the console, the CLI, the store and the orchestrator alike. A
// URL without a scheme is taken as http (WithDefaultScheme). It
// returns raw in adscan's canonical form (urlnorm.Normalize: lower-case
// host, no fragment or tracking parameters, "/" for an empty path), so one
// site is one row of the register however it was typed. It refuses, with
// an EINVALID error naming raw: anything but an absolute http(s) URL with
// a host; and, unless allowPrivate, the host "localhost" (or *.localhost)
// and literal private, loopback, link-local and other non-public
// addresses. A host name is resolved only when crawled, where the
// crawler's dialer checks every address it connects to.
func ParseTargetURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", Errorf(EINVALID, "the target URL is missing").ZHf("请填写目标网站的网址。")
	}
	full := WithDefaultScheme(raw) // messages name raw, as typed
	u, err := url.Parse(full)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", Errorf(EINVALID, "target %q is not a URL: %v", raw, err).ZHf("“%s”不是有效的网址。", raw)
	}
	if u.Scheme == "" { // no scheme, and not a host either (WithDefaultScheme)
		return "", Errorf(EINVALID, "target %q is not a URL: give a host name such as www.example.cn, or a URL that starts with http:// or https://", raw).
			ZHf("“%s”不是网址：请填写域名（如 www.example.cn）或以 http:// 或 https:// 开头的网址。", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Errorf(EINVALID, "target %q: the URL must start with http:// or https://", raw).ZHf("网址“%s”须以 http:// 或 https:// 开头。", raw)
	}
	if u.Hostname() == "" {
		return "", Errorf(EINVALID, "target %q has no host", raw).ZHf("网址“%s”缺少域名。", raw)
	}
	norm, err := urlnorm.Normalize("", full)
	if err != nil {
		return "", Errorf(EINVALID, "target %q: %v", raw, err).ZHf("网址“%s”无法识别。", raw)
	}
	if allowPrivate {
		return norm, nil
	}
	// The canonical host: the normaliser turns 127.1 and 0177.0.0.1 into
	// 127.0.0.1, which the checks below must see.
	nu, err := url.Parse(norm)
	if err != nil {
		return "", Errorf(EINVALID, "target %q: %v", raw, err).ZHf("网址“%s”无法识别。", raw)
	}
	host := strings.TrimSuffix(strings.ToLower(nu.Hostname()), ".") // localhost. is localhost
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "", Errorf(EINVALID, "target %q is a loopback host; private targets are not allowed (--allow-private-targets allows them)", raw).ZHf("“%s”是本机地址，不允许作为检测目标。", raw)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := CheckPublicAddress(ip); err != nil {
			return "", Errorf(EINVALID, "target %q: %v; private targets are not allowed (--allow-private-targets allows them)", raw, err).ZHf("“%s”是内网或保留地址，不允许作为检测目标。", raw)
		}
	}
	return norm, nil
}

// ParseScanTarget checks one target of a scan or schedule and returns it
// with its URL in canonical form (see ParseTargetURL). Its limits are 0
// (the default) up to MaxTargetPages and MaxTargetDepth; its render mode
// one ParseRenderMode accepts. A target naming a platform profile
// (ParseProfileName) may leave its URL and render mode out: the
// orchestrator takes them from the profile (see ResolveProfileTarget).
func ParseScanTarget(t ScanTarget, allowPrivate bool) (ScanTarget, error) {
	if t.Profile != "" {
		return parseProfileTarget(t, allowPrivate)
	}
	u, err := ParseTargetURL(t.URL, allowPrivate)
	if err != nil {
		return ScanTarget{}, err
	}
	if err := checkTargetLimits(t.URL, t.MaxPages, t.MaxDepth); err != nil {
		return ScanTarget{}, err
	}
	if t.Render, err = ParseRenderMode(string(t.Render)); err != nil {
		return ScanTarget{}, err
	}
	t.URL = u
	return t, nil
}

// RenderMode is how a target's pages are fetched.
type RenderMode string

const (
	// RenderPlain ("") fetches the served HTML and reads its text.
	RenderPlain RenderMode = ""
	// RenderBrowser renders each page in headless Chromium and reads the
	// visible text of the rendered DOM: for sites built by JavaScript.
	RenderBrowser RenderMode = "browser"
)

// Name is the mode as a user writes it: "plain" or "browser".
func (m RenderMode) Name() string {
	if m == RenderPlain {
		return "plain"
	}
	return string(m)
}

// ParseRenderMode is the one rule for a target's render field, used by
// the API, the CSV import, the console and the CLI: "" (or "plain", "none")
// is a plain fetch, "browser" a rendered one, any case, spaces trimmed.
// Anything else is an EINVALID error naming the value.
func ParseRenderMode(v string) (RenderMode, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "plain", "none":
		return RenderPlain, nil
	case "browser":
		return RenderBrowser, nil
	}
	return "", Errorf(EINVALID, "render %q: want \"browser\" (rendered in headless Chromium), or \"plain\" or nothing (fetched as served)", v).
		ZHf("抓取方式“%s”无效：应为 browser（以浏览器渲染），或 plain、留空（直接抓取）。", v)
}

// ParseTarget checks a target of the register and returns it with its URL
// in canonical form and its name and region trimmed: the URL as
// ParseTargetURL, the limits as ParseScanTarget, the name and region valid
// UTF-8 of at most MaxTargetLabel bytes, the kind and licence known ones
// (institution and unregistered when empty), the render mode one
// ParseRenderMode accepts.
func ParseTarget(t Target, allowPrivate bool) (Target, error) {
	u, err := ParseTargetURL(t.URL, allowPrivate)
	if err != nil {
		return Target{}, err
	}
	if err := checkTargetLimits(t.URL, t.MaxPages, t.MaxDepth); err != nil {
		return Target{}, err
	}
	if t.Render, err = ParseRenderMode(string(t.Render)); err != nil {
		return Target{}, err
	}
	t.URL = u
	t.Name, t.Region = strings.TrimSpace(t.Name), strings.TrimSpace(t.Region)
	if t.Kind == "" {
		t.Kind = KindInstitution
	}
	if t.Licence == "" {
		t.Licence = LicenceUnregistered
	}
	if !slices.Contains(TargetKinds, t.Kind) {
		return Target{}, Errorf(EINVALID, "target %s: kind %q is not institution or platform", u, t.Kind).ZHf("%s：类型只能是培训机构网站或网络平台。", u)
	}
	if !slices.Contains(Licences, t.Licence) {
		return Target{}, Errorf(EINVALID, "target %s: licence %q is not whitelist, blacklist or unregistered", u, t.Licence).ZHf("%s：登记状态“%s”无效，应为 whitelist（白名单）、blacklist（黑名单）或 unregistered（未登记）。", u, t.Licence)
	}
	for _, f := range []struct{ name, v string }{{"name", t.Name}, {"region", t.Region}} {
		if !utf8.ValidString(f.v) {
			return Target{}, Errorf(EINVALID, "target %s: the %s is not valid UTF-8", u, f.name).ZHf("%s：%s不是有效的 UTF-8 文字（表格请另存为“CSV UTF-8”）。", u, fieldZH[f.name])
		}
		if len(f.v) > MaxTargetLabel {
			return Target{}, Errorf(EINVALID, "target %s: the %s has %d bytes; at most %d are allowed", u, f.name, len(f.v), MaxTargetLabel).ZHf("%s：%s过长（%d 字节，上限 %d）。", u, fieldZH[f.name], len(f.v), MaxTargetLabel)
		}
	}
	return t, nil
}

func checkTargetLimits(raw string, pages, depth int) error {
	if pages < 0 || depth < 0 {
		return Errorf(EINVALID, "target %q: max_pages and max_depth must be 0 (the default) or more", raw).ZHf("%s：最多页数和最大深度不能为负数。", raw)
	}
	if pages > MaxTargetPages || depth > MaxTargetDepth {
		return Errorf(EINVALID, "target %q: max_pages is at most %d and max_depth at most %d", raw, MaxTargetPages, MaxTargetDepth).ZHf("%s：最多页数不超过 %d，最大深度不超过 %d。", raw, MaxTargetPages, MaxTargetDepth)
	}
	return nil
}

// TargetKind is what kind of site a target is.
type TargetKind string

const (
	KindInstitution TargetKind = "institution" // a training institution's own site
	KindPlatform    TargetKind = "platform"    // a platform where many advertise
)

// Licence is a target's standing in the register: 白名单 (licensed),
// 黑名单 (blacklisted) or 未登记 (not registered).
type Licence string

const (
	LicenceWhitelist    Licence = "whitelist"
	LicenceBlacklist    Licence = "blacklist"
	LicenceUnregistered Licence = "unregistered"
)

// TargetKinds and Licences list the valid values, in the console's order.
var (
	TargetKinds = []TargetKind{KindInstitution, KindPlatform}
	Licences    = []Licence{LicenceUnregistered, LicenceWhitelist, LicenceBlacklist}
)

// parseProfileTarget checks a scan target naming a platform profile: its
// name, its page limit, and a URL or render mode only if one is given.
func parseProfileTarget(t ScanTarget, allowPrivate bool) (ScanTarget, error) {
	name, err := ParseProfileName(t.Profile)
	if err != nil {
		return ScanTarget{}, err
	}
	t.Profile = name
	if t.MaxDepth != 0 {
		return ScanTarget{}, Errorf(EINVALID, "profile %s: max_depth does not apply to a profile (its listing.max_pages bounds the pagination)", name).
			ZHf("平台方案 %s：不适用最大深度（翻页上限见方案的 listing.max_pages）。", name)
	}
	if err := checkTargetLimits(name, t.MaxPages, 0); err != nil {
		return ScanTarget{}, err
	}
	if t.Render, err = ParseRenderMode(string(t.Render)); err != nil {
		return ScanTarget{}, err
	}
	if strings.TrimSpace(t.URL) != "" {
		if t.URL, err = ParseTargetURL(t.URL, allowPrivate); err != nil {
			return ScanTarget{}, err
		}
	}
	return t, nil
}

// ResolveProfileTarget completes a scan target that names the platform
// profile p: its URL becomes the profile's site and its render mode the
// profile's. A URL or render mode the target gave must agree with the
// profile's (EINVALID naming both otherwise); the site is checked as a
// target's URL is (ParseTargetURL with allowPrivate).
func ResolveProfileTarget(t ScanTarget, p PlatformProfile, allowPrivate bool) (ScanTarget, error) {
	site, err := ParseTargetURL(p.Site, allowPrivate)
	if err != nil {
		return ScanTarget{}, Errorf(EINVALID, "profile %s: site: %s", p.Name, ErrorMessage(err)).ZHf("平台方案 %s：%s", p.Name, ErrorMessageZH(err))
	}
	if t.URL != "" && t.URL != site {
		return ScanTarget{}, Errorf(EINVALID, "profile %s: the target's url %s is not the profile's site %s (leave url out)", p.Name, t.URL, site).
			ZHf("平台方案 %s：网址 %s 不是该方案的网站 %s（不必填写网址）。", p.Name, t.URL, site)
	}
	if t.Render != "" && t.Render != p.Render {
		return ScanTarget{}, Errorf(EINVALID, "profile %s: render %s is not the profile's %s (leave render out; the profile says how its pages are fetched)", p.Name, t.Render.Name(), p.Render.Name()).
			ZHf("平台方案 %s：抓取方式 %s 与方案的 %s 不同（不必填写抓取方式，由方案决定）。", p.Name, t.Render.Name(), p.Render.Name())
	}
	t.URL, t.Render = site, p.Render
	return t, nil
}

// ResolveProfileTargets is the one lookup of the profiles a scan's targets
// name, used by the orchestrator when a scan or schedule is asked for and
// by a scan when it starts: it returns a copy of targets in which each
// target naming a platform profile is completed from the profile as get
// returns it now (ResolveScanTarget); the others are kept as they are.
// Errors: the first target's that does not resolve, as ResolveScanTarget
// returns it.
func ResolveProfileTargets(ctx context.Context, get func(ctx context.Context, name string) (PlatformProfile, error),
	targets []ScanTarget, allowPrivate bool) ([]ScanTarget, error) {
	out := slices.Clone(targets)
	for i, t := range out {
		var err error
		if out[i], err = ResolveScanTarget(ctx, get, i, t, allowPrivate); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ResolveScanTarget resolves t, the i-th target of a scan (so named in
// errors): a target naming a platform profile is completed from the
// profile as get returns it now (ResolveProfileTarget); another is
// returned as it is. Errors: EINVALID naming the target (targets[i]) when
// its profile is not registered (get's ENOTFOUND) or does not resolve —
// that target will not resolve however often it is tried; get's other
// errors (an unreachable store) as get returned them.
func ResolveScanTarget(ctx context.Context, get func(ctx context.Context, name string) (PlatformProfile, error),
	i int, t ScanTarget, allowPrivate bool) (ScanTarget, error) {
	if t.Profile == "" {
		return t, nil
	}
	p, err := get(ctx, t.Profile)
	if ErrorCode(err) == ENOTFOUND {
		return ScanTarget{}, Errorf(EINVALID, "targets[%d]: profile %s is not registered (adscan profile add FILE registers one)", i, t.Profile).
			ZHf("平台方案“%s”尚未登记。", t.Profile)
	} else if err != nil {
		return ScanTarget{}, err
	}
	resolved, err := ResolveProfileTarget(t, p, allowPrivate)
	if err != nil {
		return ScanTarget{}, Errorf(EINVALID, "targets[%d]: %s", i, ErrorMessage(err)).ZHf("%s", ErrorMessageZH(err))
	}
	return resolved, nil
}

// ProfileOnly returns what a target naming a platform profile says of its
// own — the profile and its page limit — without the URL and render mode
// that resolving it (ResolveProfileTarget) gave it: what a schedule keeps,
// so that each of its scans resolves the profile as registered then. A
// target naming no profile is returned as it is.
func (t ScanTarget) ProfileOnly() ScanTarget {
	if t.Profile == "" {
		return t
	}
	return ScanTarget{Profile: t.Profile, MaxPages: t.MaxPages}
}
