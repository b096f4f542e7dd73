// Package adscan holds the domain types of adscan: what a classifier flags,
// what a crawl captures, the cases reviewers decide, and the interfaces at the
// seams (the store, the classifier). Packages below implement them.
package adscan

// Category is the ID of a kind of violation. The IDs are a contract: JSON,
// the HTTP API, lexicons and tests use exactly these strings.
type Category string

// The ten categories of DESIGN.md.
const (
	CategoryTutoringAd            Category = "tutoring_ad"
	CategoryRanking               Category = "ranking"
	CategoryEliteAdmission        Category = "elite_admission"
	CategoryAdvanceTeaching       Category = "advance_teaching"
	CategoryHolidayTraining       Category = "holiday_training"
	CategoryLateHours             Category = "late_hours"
	CategoryLoanInducement        Category = "loan_inducement"
	CategoryTeacherMoonlighting   Category = "teacher_moonlighting"
	CategoryForeignCurriculum     Category = "foreign_curriculum"
	CategoryUnapprovedCompetition Category = "unapproved_competition"
)

// Categories lists every category in a stable order.
var Categories = []Category{
	CategoryTutoringAd,
	CategoryRanking,
	CategoryEliteAdmission,
	CategoryAdvanceTeaching,
	CategoryHolidayTraining,
	CategoryLateHours,
	CategoryLoanInducement,
	CategoryTeacherMoonlighting,
	CategoryForeignCurriculum,
	CategoryUnapprovedCompetition,
}

// Valid reports whether c is one of the ten known category IDs.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}
