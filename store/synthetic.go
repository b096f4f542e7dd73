package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"adscan"
)

// SyntheticSpec says how much made-up review data SeedSynthetic writes.
type SyntheticSpec struct {
	Targets, Cases int
	Now            time.Time // cases are created over the 60 days before it
	Seed           uint64    // the same seed writes the same data
}

// syntheticRegions are the regions synthetic targets are registered in.
var syntheticRegions = []string{"海淀区", "朝阳区", "西城区", "东城区", "丰台区", "石景山区", "通州区", "昌平区", "大兴区", "顺义区"}

// syntheticPhrases are the evidence of synthetic findings, by category.
var syntheticPhrases = map[adscan.Category]string{
	adscan.CategoryTutoringAd:            "初中数学一对一辅导，名师授课，报名咨询",
	adscan.CategoryRanking:               "本校学员中考状元，年级排名前十",
	adscan.CategoryEliteAdmission:        "今年42名学员考入重点高中",
	adscan.CategoryAdvanceTeaching:       "提前学完下学期课程，抢跑一学期",
	adscan.CategoryHolidayTraining:       "暑假数学集训营火热报名中",
	adscan.CategoryLateHours:             "晚上21:30-22:30 物理精讲",
	adscan.CategoryLoanInducement:        "学费可分期，0首付轻松报名",
	adscan.CategoryTeacherMoonlighting:   "在职重点中学老师周末授课",
	adscan.CategoryForeignCurriculum:     "小学生 IGCSE 国际课程预备班",
	adscan.CategoryUnapprovedCompetition: "华杯赛集训，冲刺一等奖",
}

// SeedSynthetic fills an empty store with made-up targets and cases —
// captures, findings with evidence spans, sightings, decisions in every
// state — for benchmarks and for a console to look at (adscan dev
// --demo). Everything is written in one transaction. EINVALID for
// negative counts or a store that already has cases.
func (s *Store) SeedSynthetic(ctx context.Context, spec SyntheticSpec) error {
	if spec.Targets < 1 || spec.Cases < 0 {
		return adscan.Errorf(adscan.EINVALID, "synthetic data needs at least one target and no negative counts")
	}
	if spec.Now.IsZero() {
		spec.Now = s.stamp()
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return adscan.Errorf(adscan.EINVALID, "synthetic data goes into an empty store; this one has %d cases", n)
		}
		urls := make([]string, spec.Targets)
		for i := range urls {
			urls[i] = fmt.Sprintf("https://jigou%04d.example.cn/", i)
			kind, licence := adscan.KindInstitution, adscan.Licences[i%len(adscan.Licences)]
			if i%10 == 0 {
				kind = adscan.KindPlatform
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO targets (id, url, name, region, kind, licence, max_pages, max_depth, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7)`,
				s.newID(), urls[i], fmt.Sprintf("示例培训机构%04d", i), syntheticRegions[i%len(syntheticRegions)],
				kind, licence, s.timeArg(spec.Now.AddDate(0, 0, -90))); err != nil {
				return fmt.Errorf("target: %w", err)
			}
		}
		states := []adscan.CaseState{adscan.CaseOpen, adscan.CaseOpen, adscan.CaseOpen, adscan.CaseOpen, adscan.CaseOpen,
			adscan.CaseEscalated, adscan.CaseConfirmed, adscan.CaseConfirmed, adscan.CaseDismissed, adscan.CaseReferred}
		for i := range spec.Cases {
			target := urls[i%len(urls)]
			page := fmt.Sprintf("%scourse/%d.html", target, i)
			created := spec.Now.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
			cat := adscan.Categories[i%len(adscan.Categories)]
			cats := []adscan.Category{cat}
			if i%3 == 0 {
				cats = append(cats, adscan.Categories[(i+3)%len(adscan.Categories)])
			}
			text := "欢迎来到示例培训机构。"
			var spans [][2]int
			for _, c := range cats {
				start := len(text)
				text += syntheticPhrases[c]
				spans = append(spans, [2]int{start, len(text)})
				text += "。"
			}
			text += fmt.Sprintf("咨询电话 010-%08d。", i)
			sum := sha256.Sum256([]byte(text))
			digest := hex.EncodeToString(sum[:])
			capID, caseID := s.newID(), s.newID()
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO captures (id, scan_id, target, requested_url, final_url, redirects, status, header,
					fetched_at, body_sha256, body_size, text, text_sha256, warc, lexicon_name, lexicon_version)
				VALUES ($1, 'synthetic', $2, $3, $3, '[]', 200, '{}', $4, $5, $6, $7, $5, $8, 'shuangjian-default', 'synthetic')`,
				capID, target, page, s.timeArg(created), digest, len(text), text, []byte{}); err != nil {
				return fmt.Errorf("capture: %w", err)
			}
			state := states[rng.IntN(len(states))]
			var ev []adscan.Evidence
			for j := range cats {
				ev = append(ev, adscan.Evidence{Text: text[spans[j][0]:spans[j][1]]})
			}
			var bits int64
			for _, c := range cats {
				bits |= categoryBit(c)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, target, url, state, created_at, updated_at, search, categories) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)`,
				caseID, target, page, state, s.timeArg(created), strings.ToLower(page+" "+target)+" "+strings.Join(searchTexts(ev), " "), bits); err != nil {
				return fmt.Errorf("case: %w", err)
			}
			for j, c := range cats {
				ev, err := json.Marshal([]adscan.Evidence{{Text: text[spans[j][0]:spans[j][1]], Start: spans[j][0], End: spans[j][1], Rule: string(c) + "-synthetic"}})
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO findings (case_id, capture_id, body_sha256, category, score, basis, evidence, lexicon_name, lexicon_version, created_at)
					VALUES ($1, $2, $3, $4, 0.9, '（三十）', $5, 'shuangjian-default', 'synthetic', $6)`,
					caseID, capID, digest, c, string(ev), s.timeArg(created)); err != nil {
					return fmt.Errorf("finding: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sightings (case_id, capture_id, scan_id, body_sha256, seen_at) VALUES ($1, $2, 'synthetic', $3, $4)`,
				caseID, capID, digest, s.timeArg(created)); err != nil {
				return fmt.Errorf("sighting: %w", err)
			}
			var d adscan.Decision
			switch state {
			case adscan.CaseConfirmed, adscan.CaseReferred:
				d = adscan.DecisionConfirm
			case adscan.CaseDismissed:
				d = adscan.DecisionDismiss
			case adscan.CaseEscalated:
				d = adscan.DecisionEscalate
			default:
				continue
			}
			decided := created.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
			if decided.After(spec.Now) { // a case of the last days: decided by now
				decided = created.Add(spec.Now.Sub(created) / 2)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (case_id, decision, note, decided_by, decided_at, took_s) VALUES ($1, $2, '示例', 'reviewer', $3, $4)`,
				caseID, d, s.timeArg(decided), int64(decided.Sub(created)/time.Second)); err != nil {
				return fmt.Errorf("decision: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: seed synthetic data: %w", err)
	}
	// Fresh statistics, as autovacuum (PostgreSQL) or a long-lived database
	// would have: without them the planner guesses the tables are small.
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("store: analyze synthetic data: %w", err)
	}
	return nil
}
