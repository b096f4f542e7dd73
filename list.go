package adscan

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
)

// ListName names a keyset-paginated list other than the case list; a
// cursor of one list is refused by another.
type ListName string

// The lists that ListPage pages through, each in a stable order.
const (
	ScanList       ListName = "scans"        // newest first: start time, then ID, descending
	ScanErrorList  ListName = "scan-errors"  // by target, then URL
	TargetList     ListName = "targets"      // oldest first: creation time, then ID
	TargetNameList ListName = "target-names" // the register: by name, then URL
	UserList       ListName = "users"        // by name
	ScheduleList   ListName = "schedules"    // by ID
	ReferralList   ListName = "referrals"    // most recently changed first: case update time, then case ID, descending
	ProfileList    ListName = "profiles"     // platform profiles by name
)

// ListCursor is an item's place in one of the ListName lists: the values
// of the list's order key, the last of which (ID) is unique in the list.
// Fields a list's order does not use are zero.
type ListCursor struct {
	List ListName
	At   time.Time // a scan's start, a target's creation, a referred case's last change
	Key  string    // a scan error's target, a target's name
	ID   string    // a scan's, target's or schedule's ID, a referral's case ID, a scan error's URL, a target's URL (by name), a user's name
}

// ListPage asks for one page of a list: the items after After (nil: from
// the first), at most Limit (0: 100; never more than 1000).
type ListPage struct {
	After *ListCursor
	Limit int
}

// PageStore is what lists a page at a time and says how long the list
// is. It is part of Store.
type PageStore interface {
	// ListScansPage returns a page of scans, newest first; CountScans
	// how many there are.
	ListScansPage(ctx context.Context, p ListPage) ([]Scan, error)
	CountScans(ctx context.Context) (int, error)
	// ListScanErrorsPage returns a page of a scan's failed pages, by
	// target and URL; CountScanErrors how many the scan has.
	ListScanErrorsPage(ctx context.Context, scanID string, p ListPage) ([]ScanError, error)
	CountScanErrors(ctx context.Context, scanID string) (int, error)
	// ListTargetsPage returns a page of the register, oldest first;
	// ListTargetSummariesPage a page of it by name with open cases and
	// last fetch; CountTargets how many targets there are.
	ListTargetsPage(ctx context.Context, p ListPage) ([]Target, error)
	ListTargetSummariesPage(ctx context.Context, p ListPage) ([]TargetSummary, error)
	CountTargets(ctx context.Context) (int, error)
	// ListUsersPage returns a page of users by name; CountUsers how many
	// there are.
	ListUsersPage(ctx context.Context, p ListPage) ([]User, error)
	CountUsers(ctx context.Context) (int, error)
	// ListReferralsPage returns a page of ListReferrals; CountReferrals
	// how many cases are confirmed or referred.
	ListReferralsPage(ctx context.Context, p ListPage, onlyFailed bool) ([]ReferralStatus, error)
	CountReferrals(ctx context.Context) (int, error)
}

// Cursor returns the scan's place in the scan list (ListPage.After).
func (s Scan) Cursor() *ListCursor { return &ListCursor{List: ScanList, At: s.StartedAt, ID: s.ID} }

// Cursor returns the error's place in its scan's error list.
func (e ScanError) Cursor() *ListCursor {
	return &ListCursor{List: ScanErrorListOf(e.ScanID), Key: e.Target, ID: e.URL}
}

// ScanErrorListOf names the error list of one scan: its cursors are not
// another scan's.
func ScanErrorListOf(scanID string) ListName { return ScanErrorList + ListName("/"+scanID) }

// Cursor returns the target's place in the target list (oldest first).
func (t Target) Cursor() *ListCursor { return &ListCursor{List: TargetList, At: t.CreatedAt, ID: t.ID} }

// NameCursor returns the target's place in the register by name.
func (t Target) NameCursor() *ListCursor {
	return &ListCursor{List: TargetNameList, Key: t.Name, ID: t.URL}
}

// Cursor returns the user's place in the user list.
func (u User) Cursor() *ListCursor { return &ListCursor{List: UserList, ID: u.Name} }

// Cursor returns the referral's place in the referral list.
func (r ReferralStatus) Cursor() *ListCursor {
	return &ListCursor{List: ReferralList, At: r.UpdatedAt, ID: r.CaseID}
}

// Cursor returns the profile's place in the profile list.
func (p PlatformProfile) Cursor() *ListCursor { return &ListCursor{List: ProfileList, ID: p.Name} }

// Cursor returns the schedule's place in the schedule list.
func (s Schedule) Cursor() *ListCursor { return &ListCursor{List: ScheduleList, ID: s.ID} }

// String encodes the cursor for a URL: opaque, URL-safe, and read back by
// ParseListCursor.
func (c ListCursor) String() string {
	at := ""
	if !c.At.IsZero() {
		at = c.At.UTC().Format(time.RFC3339Nano)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(string(c.List) + "\n" + at + "\n" + c.Key + "\n" + c.ID))
}

// ParseListCursor reads a cursor of the list made by ListCursor.String.
// EINVALID, naming s, for anything else (a cursor of another list too).
func ParseListCursor(list ListName, s string) (*ListCursor, error) {
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		if f := strings.SplitN(string(b), "\n", 4); len(f) == 4 && ListName(f[0]) == list && f[3] != "" {
			c := &ListCursor{List: list, Key: f[2], ID: f[3]}
			if f[1] == "" {
				return c, nil
			}
			if t, err := time.Parse(time.RFC3339Nano, f[1]); err == nil {
				c.At = t
				return c, nil
			}
		}
	}
	return nil, Errorf(EINVALID, "%q is not a %s list cursor (use the one a list gave as next)", s, list)
}
