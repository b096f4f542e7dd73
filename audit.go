package adscan

// AuditAction names what an audit entry records, as "noun.verb" in lower
// case. Every layer writes these constants, never its own strings, so the
// trail reads the same whoever wrote it.
type AuditAction string

// The audit actions.
const (
	ActionCaseCreated       AuditAction = "case.created"     // a case was made from a flagged page; actor "system"
	ActionCaseDecided       AuditAction = "case.decided"     // a reviewer's decision; detail "decision[: note]"
	ActionCaseAssigned      AuditAction = "case.assigned"    // detail "to NAME" or "unassigned from NAME"
	ActionCaseState         AuditAction = "case.state"       // a state change not made by a decision; detail "from → to[: why]"
	ActionReferralFailed    AuditAction = "referral.failed"  // a referral could not be delivered; detail the error
	ActionReferralRetried   AuditAction = "referral.retried" // a regulator asked for the delivery again
	ActionScanStarted       AuditAction = "scan.started"     // detail the scan ID
	ActionScheduleCreated   AuditAction = "schedule.created" // detail the schedule ID
	ActionScheduleDeleted   AuditAction = "schedule.deleted"
	ActionSchedulePaused    AuditAction = "schedule.paused"
	ActionScheduleUnpaused  AuditAction = "schedule.unpaused"
	ActionScheduleTrigger   AuditAction = "schedule.triggered"
	ActionTargetSaved       AuditAction = "target.saved"      // detail "URL: added" or "URL: updated", or for an import "N added, M updated"
	ActionProfileSaved      AuditAction = "profile.saved"     // detail "NAME sha256:DIGEST"
	ActionUserCreated       AuditAction = "user.created"      // detail "name as role"
	ActionUserRoleChanged   AuditAction = "user.role_changed" // detail "name: old → new"
	ActionUserDisabled      AuditAction = "user.disabled"
	ActionUserEnabled       AuditAction = "user.enabled"
	ActionUserPasswordReset AuditAction = "user.password_reset"
	ActionLogin             AuditAction = "user.login" // detail "from ADDRESS"
	ActionLoginFailed       AuditAction = "user.login_failed"
	ActionLogout            AuditAction = "user.logout"
)

// Audit actions of the allow list.
const (
	ActionAllowProposed AuditAction = "allow.proposed" // detail "phrase @ site"
	ActionAllowApproved AuditAction = "allow.approved" // detail "phrase @ site → lexicon VERSION"
	ActionAllowRejected AuditAction = "allow.rejected"
)
