package store

import (
	"context"
	"testing"

	"adscan"
)

func TestAllowProposalsAndLexiconVersions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		c, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		_, err := s.ActiveLexicon(ctx)
		wantCode(t, err, adscan.ENOTFOUND)

		id, err := s.AddAllowProposal(ctx, adscan.AllowProposal{CaseID: c.ID, Phrase: " 状元 ", Site: "a.example",
			Categories: []adscan.Category{adscan.CategoryRanking}, ProposedBy: "li"})
		must(t, err)
		id2, err := s.AddAllowProposal(ctx, adscan.AllowProposal{CaseID: c.ID, Phrase: "榜单", ProposedBy: "li"})
		must(t, err)
		_, err = s.AddAllowProposal(ctx, adscan.AllowProposal{CaseID: c.ID, Phrase: "", ProposedBy: "li"})
		wantCode(t, err, adscan.EINVALID)
		_, err = s.AddAllowProposal(ctx, adscan.AllowProposal{CaseID: "nope", Phrase: "x", ProposedBy: "li"})
		wantCode(t, err, adscan.ENOTFOUND)
		pending, err := s.ListAllowProposals(ctx, adscan.ProposalPending)
		must(t, err)
		if len(pending) != 2 || pending[1].Phrase != "状元" || len(pending[1].Categories) != 1 {
			t.Fatalf("pending = %+v", pending)
		}

		next := &adscan.LexiconVersion{Name: "shuangjian-default", Version: "2026.12.1-allow.1", YAML: []byte("name: x\n")}
		p, err := s.DecideAllowProposal(ctx, id, true, "wang", next)
		must(t, err)
		if p.State != adscan.ProposalApproved || p.LexiconDigest == "" || p.DecidedBy != "wang" || p.DecidedAt == nil {
			t.Errorf("approved = %+v", p)
		}
		active, err := s.ActiveLexicon(ctx)
		must(t, err)
		if active.Digest != p.LexiconDigest || string(active.YAML) != "name: x\n" || active.CreatedBy != "wang" {
			t.Errorf("active = %+v", active)
		}
		_, err = s.DecideAllowProposal(ctx, id, false, "wang", nil)
		wantCode(t, err, adscan.ECONFLICT)
		_, err = s.DecideAllowProposal(ctx, id2, true, "wang", nil)
		wantCode(t, err, adscan.EINVALID)
		if p, err := s.DecideAllowProposal(ctx, id2, false, "wang", nil); err != nil || p.State != adscan.ProposalRejected {
			t.Errorf("reject = %+v, %v", p, err)
		}
		_, err = s.DecideAllowProposal(ctx, 999, false, "wang", nil)
		wantCode(t, err, adscan.ENOTFOUND)
		versions, err := s.ListLexiconVersions(ctx)
		must(t, err)
		if len(versions) != 1 || versions[0].YAML != nil {
			t.Errorf("versions = %+v", versions)
		}
		if v, err := s.GetLexiconVersion(ctx, versions[0].ID); err != nil || len(v.YAML) == 0 {
			t.Errorf("GetLexiconVersion = %+v, %v", v, err)
		}
	})
}
