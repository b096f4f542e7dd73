package workflows

import (
	"time"

	"adscan"
)

// Observer is told what the activities do, for an operator's metrics
// (see package metrics). Its methods must be safe for concurrent use and
// cheap; a nil Observer in Activities observes nothing.
type Observer interface {
	PageFetched(bytes int64)
	PageFailed(kind adscan.FetchErrorKind)
	PageFlagged(categories []adscan.Category)
	CaseCreated()
	CrawlFinished(target string, d time.Duration, stats CrawlStats, err error)
	ReferralDelivered()
	ReferralFailed()
}

// noObserver observes nothing.
type noObserver struct{}

func (noObserver) PageFetched(int64)                                      {}
func (noObserver) PageFailed(adscan.FetchErrorKind)                       {}
func (noObserver) PageFlagged([]adscan.Category)                          {}
func (noObserver) CaseCreated()                                           {}
func (noObserver) CrawlFinished(string, time.Duration, CrawlStats, error) {}
func (noObserver) ReferralDelivered()                                     {}
func (noObserver) ReferralFailed()                                        {}

func (a *Activities) observer() Observer {
	if a.Observer == nil {
		return noObserver{}
	}
	return a.Observer
}
