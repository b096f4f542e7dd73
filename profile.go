package adscan

import (
	"regexp"
	"strings"
	"time"
)

// PlatformProfile is a platform scan profile as the store keeps it: the
// YAML a regulator registered (package profile reads and checks it) with
// what lists show of it. A scan target naming the profile (ScanTarget.
// Profile) crawls the platform as the YAML says: search and listing pages
// filled from keywords and cities, the detail pages they link to, each
// detail page a case candidate attributed to the profile and to the
// advertiser named on it.
type PlatformProfile struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	// Site is the platform's home URL in canonical form: the scan
	// target's URL, which with a page's URL keys its case.
	Site   string     `json:"site"`
	Render RenderMode `json:"render,omitempty"`
	// Digest is the hex SHA-256 of YAML.
	Digest    string    `json:"digest"`
	YAML      []byte    `json:"-"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxProfileName is the most bytes of a profile's name.
const MaxProfileName = 64

var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ParseProfileName is the one rule for a platform profile's name, used by
// the profile format, the API, the store and scan targets: lower-case
// ASCII letters, digits and '-', starting with a letter or digit, at most
// MaxProfileName bytes; spaces around it are trimmed. Anything else is an
// EINVALID error naming the value.
func ParseProfileName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Errorf(EINVALID, "the profile name is missing").ZHf("请填写平台方案的名称。")
	}
	if len(name) > MaxProfileName || !profileNameRE.MatchString(name) {
		return "", Errorf(EINVALID, "profile name %q: want lower-case letters, digits and '-' (at most %d, e.g. jiajiao-example)", name, MaxProfileName).
			ZHf("平台方案名称“%s”无效：只能用小写英文字母、数字和“-”。", name)
	}
	return name, nil
}
